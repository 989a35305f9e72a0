/* The property officer's maps: the register's layers of the officer's municipalities, or one
   asset's outline. Without JavaScript the lists and facts beside them say the same. */
import { createMap, fit, readJSON, showGeometry, showLayers, whenLoaded } from "../core/mapkit.js";

const register = readJSON("register-map-config");
const registerContainer = document.getElementById("register-map");
if (register && registerContainer) {
  const map = createMap(registerContainer, {
    style: register.styleUrl,
    center: register.center,
    zoom: register.zoom,
    bounds: register.bounds || undefined,
    fitMaxZoom: 16,
    scale: true,
  });
  if (map) whenLoaded(map, () => showLayers(map, register.layers));
}

const asset = readJSON("asset-map-config");
const assetContainer = document.getElementById("asset-map");
if (asset && assetContainer && asset.geometry) {
  const geometry = asset.geometry;
  const map = createMap(assetContainer, { style: asset.styleUrl, bounds: geometry, fitMaxZoom: 18, scale: true });
  if (map)
    whenLoaded(map, () => {
      showGeometry(map, "estate-asset", geometry, { colour: "#8e2c6f", fillOpacity: 0.25, width: 3 });
      fit(map, geometry, { animate: false });
    });
}
