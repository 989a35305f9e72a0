/* Proposing a project: the place is a point or an area drawn on the map into the form's
   GeoJSON field (which works without the map too); a parcel's outline given by the card that
   opened the page comes in that field already. The districts with a budget are shown. */
import { createMap, drawField, fit, legend, pageStrings, parseGeometry, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const config = readJSON("pb-propose-config");
const mapEl = document.getElementById("pb-propose-map");
const form = document.getElementById("propose-form");
const input = form.elements.geometry;
const PLACE = { colour: "#4a2d73", fill: "#6a4c93" };
const start = parseGeometry(input.value).geometry;

const map =
  mapEl &&
  createMap(mapEl, {
    style: config.styleUrl,
    bounds: start || config.bbox,
    fitPadding: 40,
    fitMaxZoom: 17,
    doubleClickZoom: false,
    scrollZoom: false,
    scale: true,
    global: "gisportalMap",
  });

function toolbar(field) {
  const template = document.getElementById("pb-propose-tools");
  if (!template) return;
  mapEl.after(template.content.cloneNode(true));
  const bar = document.getElementById("pb-tools");
  const press = (name) =>
    bar.querySelectorAll("[data-tool]").forEach((b) => {
      if (b.dataset.tool !== "clear") b.setAttribute("aria-pressed", b.dataset.tool === name ? "true" : "false");
    });
  bar.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tool]");
    if (!button) return;
    const tool = button.dataset.tool;
    if (tool === "clear") {
      field.clear();
      field.stop();
      press(null);
      return;
    }
    field.start(tool);
    press(tool);
  });
  return press;
}

if (map) {
  whenLoaded(map, () => {
    showGeometry(map, "pb-districts", config.districts, { colour: "#1d6fa5", fillOpacity: 0, width: 1.5, dashed: true });
    legend(
      map,
      [
        { label: pageStrings.district, colour: "#1d6fa5", dashed: true },
        { label: pageStrings.place, ...PLACE },
      ],
      { label: pageStrings.legend },
    );
    let press = () => {};
    const field = drawField(map, input, {
      ...PLACE,
      onChange(geometry, context) {
        if (context.action === "draw") {
          field.stop();
          press(null);
        }
      },
      onRead(geometry) {
        if (geometry) fit(map, geometry, { padding: 40, maxZoom: 17 });
      },
    });
    if (field) press = toolbar(field) || press;
  });
}
