/* A cycle's page: the districts with a budget (a click lists a district's proposals) and the
   cycle's proposals (a click shows the proposal's card) over the portal's layers. */
import { cardSlot, createMap, legend, pageStrings, pickFeatures, readJSON, selectionOutline, setSelected, showGeometry, showLayers, styleLayers, whenLoaded } from "../core/mapkit.js";

const config = readJSON("pb-config");
const map = createMap(document.getElementById("pb-map"), {
  style: config.styleUrl,
  bounds: config.bbox,
  fitPadding: 20,
  scrollZoom: false,
  scale: true,
  global: "gisportalMap",
});
const cards = cardSlot(document.getElementById("pb-card"));
let selected = null;

if (map) {
  whenLoaded(map, () => {
    showGeometry(map, "pb-districts", config.districts, { colour: config.districtColour, fillOpacity: 0.06, width: 2 });
    showLayers(map, [config.layer]);
    // Only this cycle's proposals.
    const mine = ["all", ["==", ["get", "cycle_slug"], config.cycle], ["==", ["get", "municipality_code"], config.municipality]];
    styleLayers(map, [config.layer]).forEach((layer) => map.setFilter(layer.id, mine));
    selectionOutline(map, config.layer);
    legend(map, config.legend, { label: pageStrings.legend });
    map.on("mouseenter", "pb-districts-fill", () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", "pb-districts-fill", () => (map.getCanvas().style.cursor = ""));
  });
  pickFeatures(map, {
    layers: [config.layer],
    onPick: (hits, how) => {
      const hit = hits.find((h) => h.layer === config.layer);
      if (selected !== null) setSelected(map, config.layer, selected, false);
      if (hit) {
        selected = hit.id;
        setSelected(map, config.layer, selected, true);
        cards.open(`${config.cardUrl}?${new URLSearchParams({ id: String(hit.id) })}`);
        return;
      }
      selected = null;
      cards.close({ focus: false });
      const district = map.queryRenderedFeatures([how.point.x, how.point.y], { layers: ["pb-districts-fill"] })[0];
      if (district && district.properties.url) window.location.assign(district.properties.url);
    },
  });
}
