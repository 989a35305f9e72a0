/* The public pre-check: pick parcels or draw the site, draw the footprint, enter floors; each
   change asks POST /api/v1/permits/check (debounced) and shows the report. Texts come from the
   server in the page's language (config.strings, the report itself, the legend's labels). */
import { createMap, drawField, legend, pageStrings, parcelPicker, readJSON, showGeometry, showLayers, whenLoaded } from "../core/mapkit.js";

const config = readJSON("precheck-config");
const S = config.strings;
const SITE = { colour: "#0b2f52", fill: "#1d6fa5" };
const FOOTPRINT = { colour: "#9c4a00", fill: "#f4a261" };
const FAIL = "#c1121f";
const WARNING = "#e9a800";
const mapEl = document.getElementById("map");
const form = document.getElementById("precheck-form");
const statusEl = document.getElementById("precheck-status");
const reportEl = document.getElementById("report");
const reportBody = document.getElementById("report-body");
const toolsEl = document.getElementById("tools");
const parcelsInput = form.elements.parcels;
const footprintAreaInput = form.elements.footprint_area_m2;

// The drawn site and footprint, as GeoJSON. Without a name: the form without the map sends
// what it always did.
function geometryInput(id) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.id = id;
  form.appendChild(input);
  return input;
}
const siteInput = geometryInput("precheck-site");
const footprintInput = geometryInput("precheck-footprint");

let tool = "select";
let site = null;
let footprint = null;
let picker = null;
let constraints = null;
let timer = null;
let request = 0;

const say = (text) => (statusEl.textContent = text || "");
const fmt = (value, digits = 1) => new Intl.NumberFormat(config.language, { maximumFractionDigits: digits }).format(value);
const codes = () => parcelsInput.value.split(/[\s,;]+/).filter(Boolean);

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  children.forEach((child) => child != null && node.append(child));
  return node;
}

// Status: an icon AND a word, never colour alone.
function statusBadge(status) {
  const icon = status === "pass" ? "\u2713" : status === "fail" ? "\u2715" : "!";
  return el("span", { class: `status status--${status}` }, [el("span", { "aria-hidden": "true", text: icon }), ` ${S[status]}`]);
}

// The report ---------------------------------------------------------------------------------

function cell(rule, key) {
  const m2 = rule[`${key}_m2`];
  const value = rule[key];
  if (m2 != null) return `${fmt(m2)}\u00a0${S.m2} (${fmt(value, 2)})`;
  if (value == null || value === "") return "\u2014";
  const unit = rule.unit && rule.unit !== "ratio" ? `\u00a0${rule.unit}` : "";
  return (typeof value === "number" ? fmt(value) : String(value)) + unit;
}

function renderReport(data) {
  const ok = data.outcome === "compliant" || data.outcome === "no_permit_needed";
  const icon = ok ? "\u2713" : data.outcome === "not_compliant" ? "\u2715" : "!";
  const parts = [
    el("div", { class: `outcome outcome--${data.outcome}`, "data-outcome": data.outcome }, [
      el("span", { class: "outcome__icon", "aria-hidden": "true", text: icon }),
      el("span", { class: "outcome__text" }, [
        el("strong", { text: data.outcome_message }),
        data.notes && data.notes.length ? el("br") : null,
        data.notes && data.notes.length ? el("span", { class: "outcome__note", text: S.assumedNote }) : null,
      ]),
    ]),
  ];
  const apply = applyLink(data);
  if (apply) parts.push(apply);
  const facts = el("dl", { class: "report__facts" });
  const fact = (label, value) => facts.append(el("div", {}, [el("dt", { text: label }), el("dd", { text: value })]));
  if (data.zone) fact(S.zone, `${data.zone.code} \u2014 ${data.zone.name}`);
  fact(S.siteArea, `${fmt(data.site_area_m2)}\u00a0${S.m2}`);
  fact(S.footprintArea, `${fmt(data.footprint_area_m2)}\u00a0${S.m2}`);
  fact(S.floorArea, `${fmt(data.floor_area_m2)}\u00a0${S.m2}`);
  parts.push(facts);

  const tbody = el("tbody");
  data.rules.forEach((rule) => {
    tbody.append(
      el("tr", { class: `rule rule--${rule.status}`, "data-rule": rule.code }, [
        el("th", { scope: "row", text: rule.title }),
        el("td", { text: cell(rule, "value") + (rule.assumed ? ` (${S.assumed})` : "") }),
        el("td", { text: cell(rule, "limit") }),
        el("td", {}, [statusBadge(rule.status)]),
      ]),
      el("tr", { class: "rule__message-row" }, [el("td", { colspan: "4", text: rule.message })]),
    );
  });
  const head = el("tr", {}, [S.rule, S.value, S.limit, S.status].map((text) => el("th", { scope: "col", text })));
  parts.push(el("table", { class: "rules" }, [el("thead", {}, [head]), tbody]));

  parts.push(el("h3", { text: S.constraints }));
  if (!data.constraints.length) {
    parts.push(el("p", { text: S.noConstraints }));
  } else {
    const list = el("ul", { class: "constraints" });
    data.constraints.forEach((hit) => {
      let area = `${fmt(hit.site_area_m2)}\u00a0${S.m2} ${S.onSite}`;
      if (hit.footprint_area_m2 != null) area += `, ${fmt(hit.footprint_area_m2)}\u00a0${S.m2} ${S.onFootprint}`;
      list.append(
        el("li", { class: `constraint constraint--${hit.status}`, "data-kind": hit.kind }, [
          statusBadge(hit.status),
          " ",
          el("strong", { text: `${hit.kind_name}: ${hit.name}` }),
          " ",
          el("span", { class: "constraint__area", text: area }),
          el("p", { text: hit.message }),
        ]),
      );
    });
    parts.push(list);
  }
  if (data.notes && data.notes.length) {
    parts.push(el("h3", { text: S.notes }), el("ul", { class: "notes" }, data.notes.map((note) => el("li", { class: "note" }, [el("span", { "aria-hidden": "true", text: "\u2139" }), ` ${note}`]))));
  }
  reportBody.replaceChildren(...parts);
  reportEl.hidden = false;
  showConstraints(data.constraints);
}

// The application form, carrying the site, the footprint and the figures of this check.
function applyLink(data) {
  if (!config.applyUrl || data.outcome === "no_permit_needed" || data.outcome === "national_agency") return null;
  const sent = body();
  const query = new URLSearchParams();
  const round = (c) => (typeof c[0] === "number" ? c.map((n) => Math.round(n * 1e7) / 1e7) : c.map(round));
  const compact = (geometry) => JSON.stringify({ type: geometry.type, coordinates: round(geometry.coordinates) });
  if (sent.parcels) query.set("parcels", sent.parcels.join(","));
  else if (sent.site) query.set("site", compact(sent.site));
  if (sent.footprint) query.set("footprint", compact(sent.footprint));
  for (const name of ["floors", "floor_area_m2", "green_area_m2", "height_m", "building_class", "use"]) {
    if (sent[name] != null && sent[name] !== "") query.set(name, String(sent[name]));
  }
  // The application keeps the total floor area, not how it was counted.
  if (sent.floor_area_m2 == null && (sent.incomplete_floors || sent.attic_area_over_1_6m)) query.set("floor_area_m2", String(data.floor_area_m2));
  return el("p", { class: "report__apply" }, [el("a", { class: "button", href: `${config.applyUrl}?${query}`, "data-apply-link": "", text: S.apply })]);
}

function showConstraints(hits) {
  if (!constraints) return;
  const features = (hits || [])
    .filter((hit) => hit.geometry)
    .map((hit) => ({ type: "Feature", properties: { status: hit.status, kind: hit.kind }, geometry: hit.geometry }));
  constraints.set({ type: "FeatureCollection", features });
}

// The request --------------------------------------------------------------------------------

function numberOf(name) {
  const input = form.elements[name];
  if (!input || input.value.trim() === "") return null;
  const value = Number(input.value.replace(",", "."));
  return Number.isNaN(value) ? input.value : value;
}

function body() {
  const drawnSite = site && site.geometry();
  const drawnFootprint = footprint && footprint.geometry();
  const result = { floors: numberOf("floors") };
  if (drawnSite) result.site = drawnSite;
  else if (codes().length) result.parcels = codes();
  if (drawnFootprint) result.footprint = drawnFootprint;
  for (const name of ["floor_area_m2", "green_area_m2", "height_m", "incomplete_floors", "attic_area_over_1_6m"]) {
    const value = numberOf(name);
    if (value !== null) result[name] = value;
  }
  for (const name of ["building_class", "use"]) if (form.elements[name].value) result[name] = form.elements[name].value;
  return result;
}

function clearFieldErrors() {
  form.querySelectorAll(".field--error").forEach((field) => {
    field.classList.remove("field--error");
    const error = field.querySelector(".field__error");
    if (error) error.remove();
  });
}

function showFieldError(parameter, message) {
  const field = form.querySelector(`[data-field="${parameter}"]`);
  if (!field) return say(message);
  field.classList.add("field--error");
  field.append(el("p", { class: "field__error", role: "alert", text: message }));
}

async function check() {
  const data = body();
  if (!data.site && !data.parcels) return say(S.needSite);
  if (!data.footprint) return say(S.needFootprint);
  if (data.floors == null) return say(S.needFloors);
  const mine = ++request;
  say(S.checking);
  reportEl.setAttribute("aria-busy", "true");
  let status = 0;
  let json = null;
  try {
    const response = await fetch(config.checkUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": config.language },
      body: JSON.stringify(data),
      credentials: "omit",
    });
    status = response.status;
    json = await response.json();
  } catch (error) {
    status = 0;
  }
  if (mine !== request) return;
  reportEl.removeAttribute("aria-busy");
  clearFieldErrors();
  if (status === 200) {
    say("");
    renderReport(json);
  } else if (status === 400) {
    let parameter = (json.parameter || "").replace(/\[\d+\]$/, "");
    if (parameter === "site" && !data.site) parameter = "parcels";
    if (parameter === "footprint") say(json.detail);
    else showFieldError(parameter, json.detail);
  } else {
    say(S.checkFailed);
  }
}

function schedule() {
  window.clearTimeout(timer);
  timer = window.setTimeout(check, 350);
}

form.addEventListener("input", schedule);
form.addEventListener("change", schedule);
form.addEventListener("submit", (event) => {
  // With a drawn footprint the map's check answers; otherwise the form goes to the server.
  if (footprintInput.value) {
    event.preventDefault();
    check();
  }
});

// The map ------------------------------------------------------------------------------------

function setTool(name) {
  if (name === "clear") {
    if (site) site.clear();
    if (footprint) footprint.clear();
    if (picker) picker.clear();
    showConstraints([]);
    reportEl.hidden = true;
    name = "select";
  }
  tool = name;
  toolsEl.querySelectorAll("[data-tool]").forEach((button) => {
    const value = button.getAttribute("data-tool");
    if (value !== "clear") button.setAttribute("aria-pressed", value === name ? "true" : "false");
  });
  if (!site) return;
  if (name === "select") site.stop();
  else if (name === "site") site.start("polygon");
  else footprint.start(name);
}

toolsEl.addEventListener("click", (event) => {
  const button = event.target.closest("[data-tool]");
  if (button) setTool(button.getAttribute("data-tool"));
});

function mapLoaded(map) {
  showLayers(map, config.showLayers);
  const byStatus = (fail, warning) => ["match", ["get", "status"], "fail", fail, warning];
  const colours = { colour: byStatus("#7a0010", "#7a5200"), fill: byStatus(FAIL, WARNING) };
  constraints = showGeometry(map, "precheck-constraints", null, { ...colours, fillOpacity: 0.35, width: 2.5 });
  picker = parcelPicker(map, {
    input: parcelsInput,
    layer: config.parcelLayer,
    minZoom: config.parcelMinZoom,
    multiple: "shift",
    enabled: () => tool === "select",
    onZoomIn: () => say(S.zoomIn),
    onChange(list) {
      // Parcels picked take the place of a drawn site.
      if (list.length && site && site.geometry()) site.clear();
      say(list.length ? S.selectedParcels.replace("%(codes)s", parcelsInput.value) : S.needSite);
    },
  });
  site = drawField(map, siteInput, {
    modes: ["polygon"],
    ...SITE,
    onChange(geometry, context) {
      if (!geometry || context.action !== "draw") return;
      if (picker.codes().length) picker.clear();
      say(S.drawnSite);
      setTool("polygon"); // next: the footprint
    },
  });
  footprint = drawField(map, footprintInput, {
    ...FOOTPRINT,
    onChange(geometry) {
      if (geometry) footprintAreaInput.value = "";
    },
  });
  if (!site) return; // without terra-draw: parcels by click, the footprint's area by hand
  window.precheckDraw = site.draw;
  toolsEl.hidden = false;
  legend(map, [
    { label: pageStrings.site, ...SITE },
    { label: pageStrings.footprint, ...FOOTPRINT },
    { label: pageStrings.fails, colour: "#7a0010", fill: FAIL },
    { label: pageStrings.warning, colour: "#7a5200", fill: WARNING },
  ], { label: pageStrings.legend });
  say(S.needSite);
}

const first = config.municipalities[0];
const map = createMap(mapEl, {
  style: config.styleUrl,
  center: first && first.center,
  zoom: first ? 16 : 6.5,
  hash: true,
  maxBounds: config.maxBounds,
  minZoom: 6,
  doubleClickZoom: false,
  fallback: S.mapFailed,
  global: "gisportalMap",
});
if (map) whenLoaded(map, mapLoaded);
