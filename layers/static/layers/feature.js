/* A feature's page: a small map of the feature over the portal's own layers, its layer shown. */
import { createMap, readJSON, showGeometry, showLayers, whenLoaded } from "../core/mapkit.js";

const config = readJSON("feature-config");
const container = document.getElementById("feature-map");
const map =
  config.geometry &&
  createMap(container, { style: config.styleUrl, bounds: config.bbox, scrollZoom: false, scale: true, global: "gisportalMap" });
if (map) {
  whenLoaded(map, () => {
    // The feature's own layer is shown even where the map starts with it hidden (zoning).
    showLayers(map, [config.layer]);
    const line = config.geometryFamily === "line";
    showGeometry(map, "portal-feature", config.geometry, { colour: "#0b2f52", fill: "#1d6fa5", fillOpacity: 0.22, width: line ? 5 : 3 });
  });
} else if (!config.geometry) {
  container.hidden = true;
}
