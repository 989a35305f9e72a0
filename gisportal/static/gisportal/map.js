/* The map page: the map of the registered layers, the layer panel, the card of a picked feature
   (the parcel card for parcels, a generic card for any other layer) and the search box. Everything
   the user reads comes from the server in the page's language (config.strings, the style's
   metadata, the cards' HTML); this script only moves it about. */
import { LayerPanel, swatchSvg } from "../layers/layer-panel.js";
import {
  bboxOf,
  cardSlot,
  createMap,
  fit,
  format,
  layerList,
  motion,
  narrowScreen,
  pickFeatures,
  readJSON,
  reveal,
  selectionOutline,
  setSelected,
  whenLoaded,
} from "../core/mapkit.js";

const config = readJSON("map-config");
const S = config.strings;
const urls = config.layerUrls || {};
const PARCELS = config.parcelLayer;

const mapEl = document.getElementById("map");
const panelEl = document.getElementById("panel");
const cardEl = document.getElementById("card");
const searchForm = document.getElementById("search");
const searchInput = document.getElementById("search-q");
const searchSelect = document.getElementById("search-municipality");
const resultsEl = document.getElementById("search-results");
const statusEl = document.getElementById("search-status");
const zoomHint = document.getElementById("zoom-hint");
const cityLinks = [...document.querySelectorAll("[data-city]")];
const langLinks = [...document.querySelectorAll("[data-lang-link]")];
const nextLinks = [...document.querySelectorAll("[data-next-link]")];

let map = null;
let panel = null;
const layersMeta = {};
let selectedId = null;
let highlighted = null;
let selection = null; // {bbox, center} of the feature whose card shows
let flying = false;

const byCode = (code) => config.municipalities.find((m) => m.code === code) || null;
const parcelCardUrl = (params) => `${config.cardUrl}?${new URLSearchParams(params)}`;
const featureCardUrl = (layer, id) => {
  const base = urls.card.split(urls.placeholder).join(encodeURIComponent(layer));
  return `${base}?${new URLSearchParams({ id: String(id) })}`;
};
const lonLat = (text) => (text ? text.split(",").map(Number) : null);
const parcelsShown = () => !panel || !panel.meta(PARCELS) || panel.isVisible(PARCELS);

// The part of the map that the panel, or on a phone the search box and the card's bottom
// sheet, leave visible.
function visiblePadding() {
  const mapBox = mapEl.getBoundingClientRect();
  if (narrowScreen.matches) {
    const top = Math.max(searchForm.getBoundingClientRect().bottom - mapBox.top, 0) + 16;
    const sheet = cardEl.hidden ? 0 : Math.max(mapBox.bottom - cardEl.getBoundingClientRect().top, 0);
    return { top, bottom: sheet + 16, left: 16, right: 56 };
  }
  return { top: 48, bottom: 48, left: panelEl.getBoundingClientRect().right - mapBox.left + 36, right: 64 };
}

// Never stop above the zoom at which the feature's layer appears: the card is about it.
function flyToBbox(bbox, minZoom = config.parcelMinZoom) {
  if (!map || !bbox) return;
  flying = true; // until the flight ends (at once, for those who asked for less motion)
  if (!fit(map, bbox, { padding: visiblePadding, minZoom: minZoom + 0.5 })) flying = false;
}

// On a phone the card is a bottom sheet: what it is about is kept above it.
function keepSelectionVisible() {
  if (!map || !selection || !narrowScreen.matches || cardEl.hidden || flying) return;
  reveal(map, selection.bbox || selection.center, { padding: visiblePadding, center: selection.center });
}

// Selection: the parcels style colours features whose state says "selected".
function select(id) {
  if (map && selectedId !== null) setSelected(map, PARCELS, selectedId, false);
  selectedId = id;
  if (map && id !== null) setSelected(map, PARCELS, id, true);
}

// Any other layer's feature is outlined by a layer of its own, filtered to the feature's id.
const HIGHLIGHT_IDS = ["portal-highlight-fill", "portal-highlight-line", "portal-highlight-circle"];

function clearHighlight() {
  highlighted = null;
  if (map) HIGHLIGHT_IDS.forEach((id) => map.getLayer(id) && map.removeLayer(id));
}

function highlight(name, id) {
  clearHighlight();
  const meta = layersMeta[name];
  if (!map || !meta || !map.getSource(name) || id === null || id === undefined) return;
  highlighted = { layer: name, id };
  const source = { source: name, "source-layer": name, filter: ["==", ["id"], id], minzoom: meta.min_zoom };
  const add = (definition) => map.addLayer({ ...definition, ...source });
  if (meta.geometry === "point") {
    const paint = { "circle-radius": 10, "circle-opacity": 0, "circle-stroke-color": "#0b2f52", "circle-stroke-width": 3 };
    add({ id: HIGHLIGHT_IDS[2], type: "circle", paint });
    return;
  }
  const line = meta.geometry === "line";
  if (!line) add({ id: HIGHLIGHT_IDS[0], type: "fill", paint: { "fill-color": "#1d6fa5", "fill-opacity": 0.18 } });
  // A line is marked by a wide, half-transparent band, so the line itself still shows.
  add({
    id: HIGHLIGHT_IDS[1],
    type: "line",
    paint: { "line-color": "#0b2f52", "line-width": line ? 7 : 3, "line-opacity": line ? 0.55 : 1 },
    layout: { "line-cap": "round", "line-join": "round" },
  });
}

// The card -----------------------------------------------------------------------------------

// The address names what the card shows: ?parcel=CODE, or ?feature=LAYER:ID for any other.
function setUrlSelection(key, value) {
  const url = new URL(window.location.href);
  for (const name of ["parcel", "feature"]) {
    if (name === key && value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
  }
  // A colon may stand as it is in a query; zones:12 reads better than zones%3A12.
  window.history.replaceState(window.history.state, "", url.pathname + url.search.replace(/%3A/gi, ":") + url.hash);
  updateLinks();
}

function featureLabel(hit) {
  const meta = layersMeta[hit.layer];
  const value = meta && meta.label_field ? hit.properties[meta.label_field] : null;
  return value !== null && value !== undefined && value !== "" ? String(value) : format(S.feature, { id: hit.id });
}

// "N more here": the other features under the click, to choose from.
function renderMoreHere(hits, current) {
  if (!hits || hits.length < 2) return;
  const nav = document.createElement("nav");
  nav.className = "more-here";
  nav.setAttribute("aria-label", S.moreHereLabel);
  const title = document.createElement("h3");
  title.className = "more-here__title";
  title.textContent = format(S.moreHere, { count: hits.length - 1 });
  const list = document.createElement("ul");
  list.className = "more-here__list";
  hits.forEach((hit, index) => {
    if (index === current) return;
    const meta = layersMeta[hit.layer] || {};
    const button = document.createElement("button");
    button.type = "button";
    button.className = "more-here__item";
    button.dataset.layer = hit.layer;
    button.dataset.featureId = hit.id;
    const text = document.createElement("span");
    text.className = "more-here__text";
    const layerTitle = document.createElement("span");
    layerTitle.className = "more-here__layer";
    layerTitle.textContent = meta.title || hit.layer;
    const label = document.createElement("span");
    label.className = "more-here__label";
    label.textContent = featureLabel(hit);
    text.append(layerTitle, label);
    button.append(swatchSvg(meta.swatches && meta.swatches[0]), text);
    button.addEventListener("click", () => openHit(hits, index, { focus: true, returnFocusTo: cards.returnFocusTo }));
    const li = document.createElement("li");
    li.appendChild(button);
    list.appendChild(li);
  });
  nav.append(title, list);
  const card = cardEl.firstElementChild;
  (card && card.tagName === "ARTICLE" ? card : cardEl).appendChild(nav);
}

// What the card that came in is about: selected, named in the address, shown on the map.
function cardShown(card, options) {
  renderMoreHere(options.hits, options.current);
  const parcel = cardEl.querySelector("[data-parcel-id]");
  const feature = cardEl.querySelector("[data-feature-card]");
  let minZoom = config.parcelMinZoom;
  if (parcel) {
    clearHighlight();
    select(Number(parcel.dataset.parcelId));
    setUrlSelection("parcel", parcel.dataset.code);
  } else if (feature) {
    const layer = feature.dataset.layer;
    const rawId = feature.dataset.featureId;
    select(null);
    if (panel) panel.show(layer);
    highlight(layer, /^-?\d+$/.test(rawId) ? Number(rawId) : rawId);
    setUrlSelection("feature", `${layer}:${rawId}`);
    minZoom = Number(feature.dataset.minZoom) || 0;
  } else {
    cardClosed();
    return;
  }
  const about = parcel || feature;
  selection = { bbox: bboxOf(about.dataset.bbox), center: lonLat(about.dataset.center) };
  if (options.fly) flyToBbox(selection.bbox, minZoom);
  else keepSelectionVisible();
}

function cardClosed() {
  selection = null;
  select(null);
  clearHighlight();
  setUrlSelection(null, null);
}

const cards = cardSlot(cardEl, {
  loading: S.loading,
  failed: S.featureFailed,
  bodyClass: "has-card",
  focusOnClose: () => map && map.getCanvas(),
  onShow: cardShown,
  onClose: cardClosed,
});

/* options: fly (to the feature's bounds), focus (its title), returnFocusTo (where Escape goes
   back to), hits and current (for "N more here"). */
function openCard(url, options = {}) {
  // On a phone both are sheets over the map: the card asked for comes to the front.
  if (panel && narrowScreen.matches && panel.isOpen()) panel.close();
  return cards.open(url, options);
}

// Parcels keep their own card, found by the point that was picked; other layers by id.
function openHit(hits, index, options) {
  const hit = hits[index];
  const parcel = hit.layer === PARCELS;
  const url =
    parcel && hit.lngLat
      ? parcelCardUrl({ lon: hit.lngLat.lng.toFixed(7), lat: hit.lngLat.lat.toFixed(7) })
      : featureCardUrl(hit.layer, hit.id);
  if (parcel) select(hit.id);
  return openCard(url, { hits, current: index, ...options });
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && cards.isOpen() && !searchForm.contains(document.activeElement)) cards.close();
});

// A layer switched off takes its selection with it; parcels switched off need no zoom hint.
document.addEventListener("gisportal:layerchange", (event) => {
  const detail = event.detail || {};
  if (!detail.visible && highlighted && highlighted.layer === detail.name) clearHighlight();
  if (map) updateZoomHint();
});

// The sheet grows, shrinks or goes: what the card is about stays in sight.
let revealFrame = 0;
new ResizeObserver(() => {
  window.cancelAnimationFrame(revealFrame);
  revealFrame = window.requestAnimationFrame(keepSelectionVisible);
}).observe(cardEl);

// The header: city switch and language links -------------------------------------------------

// Links that leave the map (other language, sign in) come back to the same place.
function updateLinks() {
  const here = window.location;
  langLinks.forEach((link) => {
    const url = new URL(link.href, here.href);
    url.search = here.search;
    url.hash = here.hash;
    link.href = url.toString();
  });
  nextLinks.forEach((link) => {
    const url = new URL(link.href, here.href);
    url.searchParams.set("next", here.pathname + here.search + here.hash);
    link.href = url.toString();
  });
}

// Messages (signed in, signed out) say their piece, then leave the map free.
const messages = document.querySelector(".messages");
if (messages) window.setTimeout(() => (messages.hidden = true), 8000);

function updateCurrentCity() {
  if (!map) return;
  const c = map.getCenter();
  cityLinks.forEach((link) => {
    const m = byCode(link.dataset.city);
    const inside = m && m.bbox && c.lng >= m.bbox[0] && c.lng <= m.bbox[2] && c.lat >= m.bbox[1] && c.lat <= m.bbox[3];
    if (inside) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  });
}

cityLinks.forEach((link) => {
  link.addEventListener("click", (event) => {
    const m = byCode(link.dataset.city);
    if (!map || !m) return;
    event.preventDefault();
    searchSelect.value = m.code;
    map.flyTo(motion({ center: m.center, zoom: m.zoom }, 1600));
  });
});

// Search -------------------------------------------------------------------------------------

let results = [];
let resultsQuery = null; // the query that `results` answer
let activeIndex = -1;
let searchTimer = null;
let searchRequest = 0;
let pendingQuery = null; // the query being asked now
let enterWaiting = false; // Enter was pressed before the answer came

const formatArea = (value) => new Intl.NumberFormat(config.language, { maximumFractionDigits: 0 }).format(value);

function setExpanded(expanded) {
  resultsEl.hidden = !expanded;
  searchInput.setAttribute("aria-expanded", expanded ? "true" : "false");
  if (!expanded) {
    activeIndex = -1;
    searchInput.removeAttribute("aria-activedescendant");
  }
}

function renderResults() {
  resultsEl.textContent = "";
  results.forEach((result, index) => {
    const li = document.createElement("li");
    li.id = `search-option-${index}`;
    li.className = "search__option";
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", index === activeIndex ? "true" : "false");
    li.dataset.code = result.code;
    for (const [name, value] of [["code", result.code], ["address", result.address], ["meta", result.meta]]) {
      if (!value) continue;
      const span = document.createElement("span");
      span.className = `search__option-${name}`;
      span.textContent = value;
      li.appendChild(span);
    }
    li.addEventListener("mousedown", (event) => event.preventDefault()); // focus stays in the input
    li.addEventListener("click", () => choose(index));
    resultsEl.appendChild(li);
  });
  setExpanded(results.length > 0);
}

function setActive(index) {
  if (!results.length) return;
  activeIndex = (index + results.length) % results.length;
  [...resultsEl.children].forEach((li, i) => li.setAttribute("aria-selected", i === activeIndex ? "true" : "false"));
  const active = resultsEl.children[activeIndex];
  searchInput.setAttribute("aria-activedescendant", active.id);
  active.scrollIntoView({ block: "nearest" });
}

function fromApi(data) {
  return (data.results || []).map((r) => {
    const municipality = byCode(r.municipality);
    const area = r.area_m2 != null ? `${formatArea(r.area_m2)}\u00a0${S.squareMetres}` : "";
    const meta = [r.land_use_label, area, municipality ? municipality.name : r.municipality].filter(Boolean).join(" · ");
    return { code: r.cadastral_code, address: r.address, meta, bbox: r.bbox || null };
  });
}

function fromListPage(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return [...doc.querySelectorAll("[data-code]")].map((item) => ({
    code: item.getAttribute("data-code"),
    address: item.getAttribute("data-address"),
    meta: item.getAttribute("data-meta"),
    bbox: null,
  }));
}

async function ask(params) {
  // Without the search API the list page answers the same question, in HTML.
  const fromPage = async () => {
    const pageParams = new URLSearchParams(params);
    pageParams.set("fragment", "1");
    const response = await fetch(`${config.searchPageUrl}?${pageParams}`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    return fromListPage(await response.text());
  };
  if (!config.searchApiUrl) return fromPage();
  const headers = { Accept: "application/json", "Accept-Language": config.language };
  const response = await fetch(`${config.searchApiUrl}?${params}`, { headers, credentials: "same-origin" });
  const json = (response.headers.get("Content-Type") || "").includes("json");
  if (response.ok && json) return fromApi(await response.json());
  if (response.status === 400 && json) return [];
  return fromPage();
}

async function search(query) {
  window.clearTimeout(searchTimer);
  searchTimer = null;
  const request = ++searchRequest;
  pendingQuery = query;
  const params = new URLSearchParams({ q: query, limit: String(config.searchLimit) });
  if (searchSelect.value) params.set("municipality", searchSelect.value);
  statusEl.textContent = S.searching;
  let found = null;
  try {
    found = await ask(params);
  } catch (error) {
    found = null;
  }
  if (request !== searchRequest) return;
  pendingQuery = null;
  results = found || [];
  resultsQuery = found ? query : null;
  activeIndex = -1;
  renderResults();
  statusEl.textContent = !found ? S.searchFailed : found.length ? format(S.resultsCount, { count: found.length }) : S.noResults;
  if (enterWaiting) {
    // Enter came first: the first hit, or the list page when there is none.
    enterWaiting = false;
    if (results.length) choose(0);
    else searchForm.submit();
  }
}

function scheduleSearch() {
  window.clearTimeout(searchTimer);
  searchTimer = null;
  enterWaiting = false;
  const query = searchInput.value.trim();
  if (query.length < 2) {
    searchRequest++;
    pendingQuery = null;
    results = [];
    resultsQuery = null;
    renderResults();
    statusEl.textContent = "";
    return;
  }
  searchTimer = window.setTimeout(() => search(query), 220);
}

function choose(index) {
  const result = results[index];
  if (!result) return;
  searchInput.value = result.code;
  resultsQuery = result.code;
  setExpanded(false);
  statusEl.textContent = "";
  // On a wide screen the flight starts at once; on a phone it waits for the card, whose
  // height decides where the parcel can be seen.
  const flyNow = result.bbox && !narrowScreen.matches;
  if (flyNow) flyToBbox(result.bbox);
  openCard(parcelCardUrl({ code: result.code }), { fly: !flyNow, returnFocusTo: searchInput });
}

// Enter takes the hit that is chosen, else the first; with none, the list page answers.
function enter(event) {
  const query = searchInput.value.trim();
  if (!resultsEl.hidden && activeIndex >= 0) {
    event.preventDefault();
    choose(activeIndex);
  } else if (results.length && resultsQuery === query) {
    event.preventDefault();
    choose(0);
  } else if (query.length >= 2 && (searchTimer !== null || pendingQuery !== null)) {
    event.preventDefault();
    enterWaiting = true;
    if (pendingQuery !== query) search(query);
  }
  // Otherwise the form goes to the list page, as it does without JavaScript.
}

searchInput.addEventListener("input", scheduleSearch);
searchSelect.addEventListener("change", () => {
  if (searchInput.value.trim().length >= 2) search(searchInput.value.trim());
});
searchInput.addEventListener("focus", () => {
  if (results.length) setExpanded(true);
});
searchInput.addEventListener("blur", () => {
  window.setTimeout(() => {
    if (!searchForm.contains(document.activeElement)) setExpanded(false);
  }, 150);
});
searchInput.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown") {
    event.preventDefault();
    if (resultsEl.hidden && results.length) setExpanded(true);
    setActive(activeIndex + 1);
  } else if (event.key === "ArrowUp") {
    event.preventDefault();
    setActive(activeIndex - 1);
  } else if (event.key === "Enter") {
    enter(event);
  } else if (event.key === "Escape") {
    if (!resultsEl.hidden) {
      event.preventDefault();
      setExpanded(false);
    } else if (searchInput.value) {
      searchInput.value = "";
      scheduleSearch();
    }
  }
});

// The map ------------------------------------------------------------------------------------

function updateZoomHint() {
  zoomHint.hidden = !parcelsShown() || map.getZoom() >= config.parcelMinZoom - 0.001;
}

// A pick with nothing of interest where parcels are not drawn yet goes closer; with nothing at
// all, the parcel card says there is no parcel here.
function showPicked(hits, how) {
  hits = hits.filter((hit) => hit.id !== undefined && hit.id !== null).map((hit) => ({ ...hit, lngLat: how.lngLat }));
  const options = { focus: how.keyboard };
  const belowParcels = map.getZoom() < config.parcelMinZoom - 0.001;
  if (!hits.some((hit) => !hit.basemap) && belowParcels && parcelsShown()) {
    map.easeTo(motion({ center: how.lngLat, zoom: Math.min(map.getZoom() + 2, config.parcelMinZoom + 1) }, 600));
  } else if (hits.length) {
    openHit(hits, 0, options);
  } else if (parcelsShown() && !belowParcels) {
    openCard(parcelCardUrl({ lon: how.lngLat.lng.toFixed(7), lat: how.lngLat.lat.toFixed(7) }), options);
  }
}

function mapLoaded() {
  const layers = layerList(map).slice();
  layers.forEach((meta) => (layersMeta[meta.name] = meta));
  const layersRoot = document.getElementById("layers-panel");
  if (layersRoot) {
    panel = new LayerPanel({
      map,
      layers,
      root: layersRoot,
      body: document.getElementById("layers-panel-body"),
      toggle: document.getElementById("layers-toggle"),
      strings: S,
      urls,
      formats: config.downloadFormats,
      narrow: narrowScreen,
    });
    window.gisportalLayerPanel = panel;
  }
  selectionOutline(map, PARCELS, { id: "portal-selected-outline", minZoom: config.parcelMinZoom });
  select(selectedId);
  // A card the server rendered (?parcel=CODE) is shown on the map, unless the address says where.
  const card = cardEl.querySelector("[data-parcel-id]");
  if (card) {
    select(Number(card.dataset.parcelId));
    selection = { bbox: bboxOf(card.dataset.bbox), center: lonLat(card.dataset.center) };
    if (!hasHash) flyToBbox(selection.bbox);
    else keepSelectionVisible();
  }
  // ?feature=LAYER:ID opens that feature's card, from a feature page's "show on the map".
  const match = /^([a-z0-9][a-z0-9_-]*):(.+)$/.exec(new URL(window.location.href).searchParams.get("feature") || "");
  if (match && !card && urls.card) {
    if (panel) panel.show(match[1]);
    openCard(featureCardUrl(match[1], match[2]), { fly: !hasHash, focus: false });
  }
  updateZoomHint();
  updateCurrentCity();
  updateLinks();
}

// Whether the address said where to look (#zoom/lat/lon) before the map wrote its own there.
const hasHash = /^#\d/.test(window.location.hash);

function startMap() {
  const first = config.municipalities[0];
  map = createMap(mapEl, {
    style: config.styleUrl,
    center: first && first.center,
    zoom: first && first.zoom,
    hash: true,
    maxBounds: config.maxBounds,
    minZoom: 6,
    scale: true,
    attribution: S.attribution,
    fallback: { text: S.mapFailed, href: config.searchPageUrl },
    global: "gisportalMap",
  });
  if (!map) return;
  whenLoaded(map, mapLoaded);
  pickFeatures(map, { onPick: showPicked });
  map.on("zoom", updateZoomHint);
  map.on("moveend", () => {
    updateCurrentCity();
    updateLinks();
    if (flying) {
      // The sheet may have changed while the map flew.
      flying = false;
      keepSelectionVisible();
    }
  });
  map.on("resize", keepSelectionVisible);
  document.getElementById("zoom-hint-button").addEventListener("click", () => {
    map.easeTo(motion({ zoom: config.parcelMinZoom + 1 }, 700));
  });
}

startMap();
