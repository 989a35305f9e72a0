/* The winning projects' map: the winners layer coloured by delivery status over the portal's
   layers; a click shows the project's card (the layer's card, with a link to its page). */
import { cardSlot, createMap, legend, pageStrings, pickFeatures, readJSON, selectionOutline, setSelected, showLayers, whenLoaded } from "../core/mapkit.js";

const config = readJSON("pb-delivery-config");
const map = createMap(document.getElementById("pb-delivery-map"), {
  style: config.styleUrl,
  bounds: config.bbox,
  fitPadding: 40,
  fitMaxZoom: 15,
  scrollZoom: false,
  scale: true,
  global: "gisportalMap",
});
const cards = cardSlot(document.getElementById("pb-delivery-card"));
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
