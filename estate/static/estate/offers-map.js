/* The offers page's map: the assets on offer over the portal's layers; a click shows the
   offer's card (the layer's card, with the lot's terms and a link to the lot). */
import { cardSlot, createMap, legend, pageStrings, pickFeatures, readJSON, selectionOutline, setSelected, showLayers, whenLoaded } from "../core/mapkit.js";

const config = readJSON("estate-config");
const map = createMap(document.getElementById("estate-map"), {
  style: config.styleUrl,
  bounds: config.bbox,
  fitPadding: 30,
  scrollZoom: false,
  scale: true,
  global: "gisportalMap",
});
const slot = document.getElementById("estate-card");
const cards = cardSlot(slot);
let selected = null;

if (map) {
  whenLoaded(map, () => {
    showLayers(map, [config.layer]);
    selectionOutline(map, config.layer);
    legend(map, config.legend, { label: pageStrings.legend });
  });
  pickFeatures(map, {
    layers: [config.layer],
    onPick: (hits) => {
      const hit = hits.find((h) => h.layer === config.layer);
      if (selected !== null) setSelected(map, config.layer, selected, false);
      if (!hit) {
        selected = null;
        cards.close({ focus: false });
        return;
      }
      selected = hit.id;
      setSelected(map, config.layer, selected, true);
      cards.open(`${config.cardUrl}?${new URLSearchParams({ id: String(hit.id) })}`);
    },
  });
}
