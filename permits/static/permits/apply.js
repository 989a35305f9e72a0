/* The permit application's map. Step 2 picks the site's parcels by clicking them (their codes go
   into the list field, which works without the map too) or draws the site; step 3 draws the
   footprint into its GeoJSON field and shows the live compliance report (POST
   /api/v1/permits/check); the review and the public register show the site and the footprint. */
import { createMap, drawField, legend, pageStrings, parcelPicker, readJSON, showGeometry, showLayers, whenLoaded } from "../core/mapkit.js";

const config = readJSON("apply-config");
const mapEl = document.getElementById("map");
const step = mapEl && mapEl.dataset.step;
const form = document.getElementById("apply-form");
const fields = form ? form.elements : {};
const reportEl = document.getElementById("report");
const reportBody = document.getElementById("report-body");
const SITE = { colour: "#0b2f52", fill: "#1d6fa5" };
const FOOTPRINT = { colour: "#9c4a00", fill: "#f4a261" };
let timer = null;

// The live report of step 3: the outcome and each rule in a line.
async function liveCheck() {
  if (!reportBody || !fields.floors || !fields.floors.value || !config.site) return;
  const body = { floors: parseInt(fields.floors.value, 10), site: config.site };
  if (fields.footprint.value) body.footprint = JSON.parse(fields.footprint.value);
  else if (fields.footprint_area_m2.value) body.footprint_area_m2 = parseFloat(fields.footprint_area_m2.value);
  else return;
  let data = null;
  try {
    const response = await fetch(config.checkUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": config.language },
      body: JSON.stringify(body),
    });
    data = response.ok ? await response.json() : null;
  } catch (error) {
    return;
  }
  if (!data) return;
  const head = document.createElement("p");
  head.className = `outcome outcome--${data.outcome}`;
  head.dataset.outcome = data.outcome;
  head.textContent = data.outcome_message;
  const list = document.createElement("ul");
  (data.rules || []).forEach((rule) => {
    const li = document.createElement("li");
    li.className = `rule rule--${rule.status}`;
    li.textContent = `${rule.title}: ${rule.message}`;
    list.appendChild(li);
  });
  // What the check assumed is a note under the result, not a warning over it.
  const notes = document.createElement("ul");
  notes.className = "notes";
  (data.notes || []).forEach((note) => {
    const li = document.createElement("li");
    li.className = "note";
    li.textContent = `\u2139 ${note}`;
    notes.appendChild(li);
  });
  reportBody.replaceChildren(head, list, notes);
  reportEl.hidden = false;
}

function schedule() {
  window.clearTimeout(timer);
  timer = window.setTimeout(liveCheck, 400);
}

// A toolbar's buttons say which tool is on; choose(name) answers a press.
function toolbar(element, choose) {
  const press = (name) => {
    element.querySelectorAll("[data-tool]").forEach((button) => {
      const tool = button.dataset.tool;
      if (tool !== "clear") button.setAttribute("aria-pressed", tool === name ? "true" : "false");
    });
  };
  element.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tool]");
    if (button) press(choose(button.dataset.tool));
  });
  element.hidden = false;
  return press;
}

// Step 2: parcels by click (each click adds or takes out one), or the site drawn.
function siteStep(map) {
  let tool = "select";
  let drawn = null;
  let press = () => {};
  function choose(name) {
    if (name === "clear") {
      drawn.clear();
      picker.clear();
      name = "select";
    }
    tool = name;
    if (name === "select") drawn.stop();
    else drawn.start(name);
    return name;
  }
  // The parcels' own union comes back in the site field; only a drawn site is the site's shape.
  if (fields.parcel_codes.value.trim()) fields.site.value = "";
  const picker = parcelPicker(map, {
    input: fields.parcel_codes,
    layer: config.parcelLayer,
    multiple: "toggle",
    enabled: () => tool === "select",
    onChange(list) {
      if (list.length && drawn && drawn.geometry()) drawn.clear();
    },
  });
  drawn = drawField(map, fields.site, {
    ...SITE,
    onChange(geometry, context) {
      if (!geometry || context.action !== "draw") return;
      if (picker.codes().length) picker.clear();
      press(choose("select"));
    },
  });
  const template = document.getElementById("apply-site-tools");
  if (!drawn || !template) return;
  mapEl.after(template.content.cloneNode(true));
  press = toolbar(document.getElementById("site-tools"), choose);
  press("select");
}

// Step 3: the footprint drawn (one shape; a new one replaces it) over the site.
function footprintStep(map) {
  let press = () => {};
  function choose(name) {
    if (name === "clear") footprint.clear();
    if (name === "clear" || name === "static") {
      footprint.stop();
      return null;
    }
    footprint.start(name);
    return name;
  }
  const footprint = drawField(map, fields.footprint, {
    ...FOOTPRINT,
    onChange(geometry, context) {
      if (geometry) fields.footprint_area_m2.value = "";
      if (context.action === "draw") press(choose("static"));
    },
  });
  const toolsEl = document.getElementById("tools");
  if (!footprint || !toolsEl) return;
  window.applyDraw = footprint.draw;
  press = toolbar(toolsEl, choose);
}

function mapLoaded(map) {
  showLayers(map, config.showLayers);
  const items = [];
  if (config.site && step !== "2") {
    showGeometry(map, "apply-site", config.site, { ...SITE, fillOpacity: 0.12, width: 2.5 });
    items.push({ label: pageStrings.site, ...SITE });
  }
  if (config.footprint && step !== "2" && step !== "3") {
    showGeometry(map, "apply-footprint", config.footprint, { ...FOOTPRINT, fillOpacity: 0.35, width: 2.5 });
    items.push({ label: pageStrings.footprint, ...FOOTPRINT });
  }
  if (step === "2" && fields.parcel_codes) siteStep(map);
  if (step === "3" && fields.footprint) {
    footprintStep(map);
    items.push({ label: pageStrings.footprint, ...FOOTPRINT });
  }
  if (items.length && pageStrings.site) legend(map, items, { label: pageStrings.legend });
}

const map =
  mapEl &&
  createMap(mapEl, {
    style: config.styleUrl,
    center: config.center || [41.64, 41.64],
    zoom: 16,
    bounds: config.site,
    fitPadding: 60,
    fitMaxZoom: 19,
    doubleClickZoom: false,
    global: "gisportalMap",
  });
if (map) whenLoaded(map, mapLoaded);
if (form && fields.floors) {
  form.addEventListener("input", schedule);
  schedule();
}
