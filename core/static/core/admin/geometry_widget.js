/* The admin's geometry widget, offline: a map over a plain background (no tiles) that draws the
   GeoJSON of its text area as it is edited, and draws into it: a shape drawn or edited on the map
   is written back as GeoJSON (EPSG:4326). A read-only widget only shows the geometry. */
import { createMap, drawField, fit, parseGeometry, showGeometry, whenLoaded } from "../mapkit.js";

const STYLE = {
  version: 8,
  sources: {},
  layers: [{ id: "background", type: "background", paint: { "background-color": "#f4f3ef" } }],
};
const COLOURS = { colour: "#1a4a80", fill: "#2b6cb0" };
// The tools for each kind of geometry; a field of any kind has them all.
const MODES = { Point: ["point"], LineString: ["linestring"], Polygon: ["polygon", "rectangle"] };

function setUp(root) {
  const textarea = root.querySelector("textarea");
  const status = root.querySelector(".geometry-widget-status");
  const container = root.querySelector(".geometry-widget-map");
  const tools = root.querySelector(".geometry-widget-tools");
  const say = (key) => {
    status.textContent = key ? root.dataset[`msg${key[0].toUpperCase()}${key.slice(1)}`] || "" : "";
  };
  const kit = JSON.parse(root.dataset.mapkit || "{}");
  const map = createMap(container, {
    style: STYLE,
    center: [parseFloat(root.dataset.lon), parseFloat(root.dataset.lat)],
    zoom: parseFloat(root.dataset.zoom),
    locale: kit.locale,
    fallback: root.dataset.msgNomap,
  });
  if (!map) {
    container.hidden = true;
    say("nomap");
    return;
  }
  const frame = (geometry) => fit(map, geometry, { padding: 30, maxZoom: 18, animate: false });

  whenLoaded(map, () => {
    const kind = textarea.dataset.geomType || "";
    const single = kind.replace(/^Multi/, "");
    const modes = MODES[single] || Object.values(MODES).flat();
    const field =
      tools &&
      !textarea.disabled &&
      drawField(map, textarea, {
        modes,
        multiple: !MODES[kind], // Multi…, a collection or any geometry
        live: true,
        ...COLOURS,
        onInvalid: say,
        onRead: frame,
      });
    if (!field) {
      // Shown, not edited: read-only, or this browser has no terra-draw.
      const shown = showGeometry(map, "geometry", null, { ...COLOURS, fillOpacity: 0.25, width: 2 });
      let timer;
      const show = () => {
        const parsed = parseGeometry(textarea.value);
        say(parsed.error || null);
        if (parsed.error) return;
        shown.set(parsed.geometry);
        frame(parsed.geometry);
      };
      show();
      textarea.addEventListener("input", () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(show, 300);
      });
      return;
    }
    const press = (name) => {
      tools.querySelectorAll("[data-tool]").forEach((button) => {
        if (button.dataset.tool !== "clear") button.setAttribute("aria-pressed", button.dataset.tool === name ? "true" : "false");
      });
    };
    tools.querySelectorAll("[data-tool]").forEach((button) => {
      const tool = button.dataset.tool;
      button.hidden = !["select", "clear", ...modes].includes(tool);
    });
    tools.addEventListener("click", (event) => {
      const button = event.target.closest("[data-tool]");
      if (!button) return;
      const tool = button.dataset.tool;
      if (tool === "clear") {
        field.clear();
        field.stop();
        press(null);
      } else {
        field.start(tool);
        press(tool);
      }
    });
    tools.hidden = false;
  });
}

document.querySelectorAll("[data-geometry-widget]").forEach(setUp);
