/* The follows page: the areas one follows on a small map, and the map kit's draw field bound to
   the form's GeoJSON input, so an area is drawn (or pasted) and sent with the form. Without
   JavaScript the input alone works. */
import { createMap, drawField, fit, pageStrings, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const config = readJSON("follow-map-config");
const container = document.getElementById("follow-area-map");
const input = document.querySelector("textarea[name='area']");
const areas = config && config.areas && config.areas.features.length ? config.areas : null;
const map =
  config &&
  container &&
  createMap(container, { style: config.styleUrl, center: config.center, zoom: 12, bounds: areas || undefined, fitMaxZoom: 16, scale: true });

function button(label, onClick, quiet) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = quiet ? "button button--small button--quiet" : "button button--small";
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}

if (map) {
  whenLoaded(map, () => {
    if (areas) showGeometry(map, "followed-areas", areas, { colour: "#0f4c81", fillOpacity: 0.12, width: 2 });
    const field = input && drawField(map, input, { modes: ["polygon", "rectangle"], live: true });
    if (!field) return;
    const tools = document.createElement("p");
    tools.className = "follow-map__tools";
    tools.append(
      button(pageStrings.drawPolygon, () => field.start("polygon")),
      button(pageStrings.drawRectangle, () => field.start("rectangle"), true),
      button(pageStrings.clear, () => field.clear(), true),
    );
    container.after(tools);
    const drawn = field.geometry();
    if (drawn) fit(map, drawn, { animate: false });
  });
}
