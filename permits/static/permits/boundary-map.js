/* Boundary changes on the map.

   On the planner's review page (data-mode="draw") the map shows the site as it is; the planner
   draws the proposed site (a polygon or a rectangle), or copies the current site and drags its
   corners. The drawing is a draw field of the form's GeoJSON text field (EPSG:4326), which stays
   usable without the map: a geometry typed or pasted there is drawn when the field changes.

   On the applicant's answer page (data-mode="compare") the map shows the site now and the
   proposed site over each other; the page's legend says which is which. */
import { bboxOf, createMap, drawField, parseGeometry, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const OLD = { colour: "#0b2f52", fillOpacity: 0.15, dashed: true };
const NEW = { colour: "#c2410c", fill: "#c2410c" };
const mapEl = document.getElementById("boundary-map");

function oldSite() {
  const own = parseGeometry(mapEl.dataset.oldGeometry).geometry;
  if (own) return own;
  const config = readJSON("apply-config");
  return config && config.site ? config.site : null;
}

// The planner's drawing: tools over the map, the proposed site into the form's field.
function drawing(map, old) {
  const toolsEl = document.getElementById("boundary-tools");
  const input = document.getElementById(mapEl.dataset.input);
  if (!toolsEl || !input) return;
  const field = drawField(map, input, {
    modes: ["polygon", "rectangle"],
    multiple: true,
    ...NEW,
    onChange(geometry, context) {
      if (context.action === "draw") setTool("select");
    },
  });
  if (!field) return;
  function setTool(name) {
    if (name === "copy") {
      if (field.load(old)) field.write();
      name = "select";
    } else if (name === "clear") {
      field.clear();
      name = "static";
    }
    if (name === "static") field.stop();
    else field.start(name);
    toolsEl.querySelectorAll("[data-tool]").forEach((button) => {
      button.setAttribute("aria-pressed", button.dataset.tool === name ? "true" : "false");
    });
  }
  toolsEl.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tool]");
    if (button) setTool(button.dataset.tool);
  });
  toolsEl.hidden = false;
  window.boundaryDraw = field.draw;
}

if (mapEl) {
  const compare = mapEl.dataset.mode === "compare";
  const old = oldSite();
  const proposed = compare ? parseGeometry(mapEl.dataset.newGeometry).geometry : null;
  const boxes = [old, proposed].map(bboxOf).filter(Boolean);
  const corner = (i, pick) => pick(...boxes.map((b) => b[i]));
  const map = createMap(mapEl, {
    style: mapEl.dataset.styleUrl,
    center: [parseFloat(mapEl.dataset.lon) || 41.64, parseFloat(mapEl.dataset.lat) || 41.64],
    zoom: 16,
    bounds: boxes.length ? [corner(0, Math.min), corner(1, Math.min), corner(2, Math.max), corner(3, Math.max)] : null,
    fitMaxZoom: 19,
    doubleClickZoom: false,
    global: "boundaryMap",
  });
  if (map) {
    whenLoaded(map, () => {
      showGeometry(map, "boundary-old", old, OLD);
      if (compare) showGeometry(map, "boundary-new", proposed, { ...NEW, fillOpacity: 0.15 });
      else drawing(map, old);
    });
  }
}
