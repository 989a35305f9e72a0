/* An asset's page: a small map of its outline over the portal's own layers. */
import { createMap, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const config = readJSON("asset-config");
const map = createMap(document.getElementById("asset-map"), {
  style: config.styleUrl,
  bounds: config.bbox,
  fitPadding: 60,
  scrollZoom: false,
  scale: true,
  global: "gisportalMap",
});
if (map) whenLoaded(map, () => showGeometry(map, "estate-asset", config.geometry, { colour: "#8e2c6f", fill: "#e07a1f", fillOpacity: 0.3 }));
