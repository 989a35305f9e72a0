/* The parcel page's small map: the parcel's outline over the portal's own layers. */
import { createMap, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const config = readJSON("parcel-config");
const map = createMap(document.getElementById("parcel-map"), {
  style: config.styleUrl,
  bounds: config.bbox,
  fitPadding: 60,
  scrollZoom: false,
  scale: true,
  global: "gisportalMap",
});
const outline = { colour: "#0b2f52", fill: "#1d6fa5", fillOpacity: 0.3 };
if (map) whenLoaded(map, () => showGeometry(map, "portal-parcel", config.geometry, outline));
