/* A winning project's page: a small map of its point or area, in the colour of its status. */
import { createMap, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const config = readJSON("pb-project-config");
const map = createMap(document.getElementById("pb-project-map"), {
  style: config.styleUrl,
  bounds: config.bbox,
  fitPadding: 40,
  fitMaxZoom: 17,
  scrollZoom: false,
  scale: true,
  global: "gisportalMap",
});
if (map) {
  whenLoaded(map, () =>
    showGeometry(map, "pb-project", config.geometry, { colour: config.colour, fill: config.colour, fillOpacity: 0.3 }),
  );
}
