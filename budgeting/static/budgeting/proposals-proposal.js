/* A proposal's page: a small map of its point or area over the portal's own layers. */
import { createMap, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const config = readJSON("pb-proposal-config");
const map = createMap(document.getElementById("pb-proposal-map"), {
  style: config.styleUrl,
  bounds: config.bbox,
  fitPadding: 40,
  fitMaxZoom: 17,
  scrollZoom: false,
  scale: true,
  global: "gisportalMap",
});
if (map) whenLoaded(map, () => showGeometry(map, "pb-proposal", config.geometry, { colour: "#4a2d73", fill: "#6a4c93", fillOpacity: 0.3 }));
