/* The portal's map kit: every page with a map makes it, fits it, picks features on it, draws into
   form fields and shows cards through these functions. MapLibre (window.maplibregl) and terra-draw
   (window.terraDraw, window.terraDrawMaplibreGlAdapter) are the vendored UMD builds, loaded by
   classic <script> tags before the page's module. Text comes from the page: `{% mapkit %}` puts
   MapLibre's control labels and the kit's messages in #mapkit-data. */

export const narrowScreen = window.matchMedia("(max-width: 720px)"); // portal.css's breakpoint
export const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

const INK = "#0b2f52";
const DRAW_FILL = "#f4a261";
const DRAW_LINE = "#9c4a00";
// terra-draw refuses coordinates finer than its precision (9 decimals): 8 are about a millimetre.
const PRECISION = 1e8;
const GEOMETRY_TYPES = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"];

/** The JSON of a json_script element, or null. */
export function readJSON(id) {
  const element = document.getElementById(id);
  if (!element) return null;
  try {
    return JSON.parse(element.textContent);
  } catch (error) {
    return null;
  }
}

const kitData = readJSON("mapkit-data") || {};
/** The page's own strings given to `{% mapkit %}`. */
export const pageStrings = kitData.page || {};

function kitText(key) {
  return (kitData.strings || {})[key] || "";
}

/** A template's "%(name)s" filled in. */
export function format(template, values) {
  return String(template).replace(/%\((\w+)\)s/g, (match, key) => (values[key] !== undefined ? values[key] : match));
}

/** Camera options with the motion that the user asked for. */
export function motion(options, duration = 900) {
  return { essential: true, ...options, duration: reducedMotion.matches ? 0 : (options.duration ?? duration) };
}

// Geometry -----------------------------------------------------------------------------------

/** [minLon, minLat, maxLon, maxLat] of a bbox (array or "a,b,c,d"), a [lon, lat] point,
    GeoJSON (geometry, Feature, FeatureCollection) or LngLatBounds; null when there is none. */
export function bboxOf(target) {
  if (!target) return null;
  if (typeof target === "string") target = target.split(",").map(Number);
  if (Array.isArray(target)) {
    if (target.some((n) => typeof n !== "number" || Number.isNaN(n))) return null;
    if (target.length === 4) return target;
    if (target.length === 2) return [target[0], target[1], target[0], target[1]];
    return null;
  }
  if (typeof target.toArray === "function") return target.toArray().flat();
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const extend = (c) => {
    if (typeof c[0] === "number") {
      box[0] = Math.min(box[0], c[0]);
      box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]);
      box[3] = Math.max(box[3], c[1]);
    } else c.forEach(extend);
  };
  const walk = (g) => {
    if (!g) return;
    if (g.type === "FeatureCollection") g.features.forEach(walk);
    else if (g.type === "Feature") walk(g.geometry);
    else if (g.type === "GeometryCollection") (g.geometries || []).forEach(walk);
    else if (g.coordinates) extend(g.coordinates);
  };
  walk(target);
  return Number.isFinite(box[0]) ? box : null;
}

/** The geometry in GeoJSON text, or why there is none: {geometry} or {error: "wkt"|"parse"|"crs"}.
    Empty text is {geometry: null}. A FeatureCollection becomes one geometry. */
export function parseGeometry(text) {
  const trimmed = (text || "").trim();
  if (!trimmed) return { geometry: null };
  if (trimmed[0] !== "{") return { error: "wkt" };
  let data;
  try {
    data = JSON.parse(trimmed);
  } catch (error) {
    return { error: "parse" };
  }
  const crs = data && data.crs && data.crs.properties && String(data.crs.properties.name || "");
  if (crs && !/(CRS84|EPSG:{1,2}[\d.]*:?4326)$/.test(crs)) return { error: "crs" };
  if (data.type === "Feature") return data.geometry ? { geometry: data.geometry } : { error: "parse" };
  if (data.type === "FeatureCollection") {
    const geometry = combine((data.features || []).map((f) => f.geometry).filter(Boolean));
    return geometry ? { geometry } : { geometry: null };
  }
  return GEOMETRY_TYPES.includes(data.type) ? { geometry: data } : { error: "parse" };
}

/** Single geometries (Polygon, LineString, Point) of any geometry. */
function parts(geometry) {
  if (!geometry) return [];
  if (geometry.type === "GeometryCollection") return (geometry.geometries || []).flatMap(parts);
  if (geometry.type.startsWith("Multi")) {
    const type = geometry.type.slice(5);
    return geometry.coordinates.map((coordinates) => ({ type, coordinates }));
  }
  return [geometry];
}

/** One geometry of several: Polygon, MultiPolygon, … or a GeometryCollection of mixed kinds. */
function combine(geometries) {
  const singles = geometries.flatMap(parts);
  if (!singles.length) return null;
  if (singles.length === 1) return singles[0];
  const type = singles[0].type;
  if (singles.every((g) => g.type === type)) return { type: "Multi" + type, coordinates: singles.map((g) => g.coordinates) };
  return { type: "GeometryCollection", geometries: singles };
}

function rounded(coordinates) {
  if (typeof coordinates[0] === "number") return coordinates.map((n) => Math.round(n * PRECISION) / PRECISION);
  return coordinates.map(rounded);
}

// The map ------------------------------------------------------------------------------------

const loadedMaps = new WeakSet();

/** Runs fn(map) once the map's style has loaded (at once if it has). */
export function whenLoaded(map, fn) {
  if (loadedMaps.has(map)) fn(map);
  else map.once("load", () => fn(map));
}

function showFallback(container, fallback) {
  container.setAttribute("data-state", "failed");
  const message = document.createElement("p");
  message.className = "map__fallback";
  message.setAttribute("role", "alert");
  const text = (fallback && fallback.text) || (typeof fallback === "string" ? fallback : kitText("mapFailed"));
  if (fallback && fallback.href) {
    const link = document.createElement("a");
    link.href = fallback.href;
    link.textContent = text;
    message.appendChild(link);
  } else {
    message.textContent = text;
  }
  container.appendChild(message);
}

/** A MapLibre map in `container`, or null (with a message in its place) when it cannot be drawn.

    options: style (URL or object); center and zoom, or bounds (anything bboxOf reads) with
    fitPadding and fitMaxZoom; hash; maxBounds; minZoom, maxZoom; scrollZoom, doubleClickZoom;
    navigation (default true); scale; attribution (text; collapsed on a phone); locale (more
    MapLibre labels); fallback (text, or {text, href}); global (a window name for tests).

    The container's data-state says where the map is: loading, busy (moving or fetching tiles),
    idle (drawn and still: ready) or failed. */
export function createMap(container, options = {}) {
  container.setAttribute("data-state", "loading");
  const gl = window.maplibregl;
  let map;
  try {
    if (!gl) throw new Error("MapLibre did not load");
    const bounds = bboxOf(options.bounds);
    map = new gl.Map({
      container,
      style: options.style,
      center: options.center || [43.4, 42.2],
      zoom: options.zoom ?? 6.5,
      bounds: bounds ? [[bounds[0], bounds[1]], [bounds[2], bounds[3]]] : undefined,
      fitBoundsOptions: { padding: options.fitPadding ?? 50, maxZoom: options.fitMaxZoom ?? 18 },
      hash: !!options.hash,
      maxBounds: options.maxBounds,
      minZoom: options.minZoom ?? 0,
      maxZoom: options.maxZoom ?? 20,
      scrollZoom: options.scrollZoom ?? true,
      doubleClickZoom: options.doubleClickZoom ?? true,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      attributionControl: false,
      locale: { ...(kitData.locale || {}), ...(options.locale || {}) },
      fadeDuration: 0,
    });
  } catch (error) {
    showFallback(container, options.fallback);
    return null;
  }
  if (options.global) window[options.global] = map;
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  if (options.navigation !== false) map.addControl(new gl.NavigationControl({ showCompass: false }), "top-right");
  if (options.scale) map.addControl(new gl.ScaleControl({ unit: "metric" }), "bottom-left");
  if (options.attribution) {
    map.addControl(new gl.AttributionControl({ compact: true, customAttribution: options.attribution }), "bottom-right");
    if (narrowScreen.matches) {
      // On a phone the open line would cover the map; its (i) button still opens it.
      const attribution = container.querySelector(".maplibregl-ctrl-attrib");
      if (attribution) {
        attribution.removeAttribute("open");
        attribution.classList.remove("maplibregl-compact-show");
      }
    }
  }
  const setState = (state) => container.setAttribute("data-state", state);
  map.once("load", () => loadedMaps.add(map));
  map.on("movestart", () => setState("busy"));
  map.on("dataloading", () => {
    if (container.getAttribute("data-state") === "idle") setState("busy");
  });
  map.on("idle", () => setState("idle"));
  map.on("error", (event) => {
    // A tile that fails is logged; the rest of the map goes on.
    console.warn("map:", event && event.error ? event.error.message : event);
  });
  return map;
}

/** Padding as MapLibre wants it, from a number, an object or a function of the map; never so
    wide that nothing is left between the sides. */
function paddingOf(map, padding) {
  let p = typeof padding === "function" ? padding(map) : padding ?? 50;
  if (typeof p === "number") p = { top: p, right: p, bottom: p, left: p };
  p = { top: 0, right: 0, bottom: 0, left: 0, ...p };
  const canvas = map.getCanvas();
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  const squeeze = (a, b, size) => {
    const room = size - 40;
    if (p[a] + p[b] <= room) return;
    const k = Math.max(room, 0) / (p[a] + p[b]);
    p[a] *= k;
    p[b] *= k;
  };
  squeeze("left", "right", w);
  squeeze("top", "bottom", h);
  return p;
}

/** Moves the map to show a bbox or geometry. options: padding (number, object or function of
    the map), maxZoom (18.5), minZoom, animate (default true; reduced motion jumps), duration. */
export function fit(map, target, options = {}) {
  const box = bboxOf(target);
  if (!map || !box) return false;
  const camera = map.cameraForBounds(
    [
      [box[0], box[1]],
      [box[2], box[3]],
    ],
    { padding: paddingOf(map, options.padding), maxZoom: options.maxZoom ?? 18.5 },
  );
  if (!camera) return false;
  if (options.minZoom != null) camera.zoom = Math.max(camera.zoom, options.minZoom);
  if (options.animate === false) map.jumpTo(camera);
  else map.flyTo(motion({ ...camera, duration: options.duration }));
  return true;
}

/** Pans the map, if it must, so that the target lies in the part that `padding` leaves visible;
    a target larger than that part has its centre (or options.center) brought there instead. */
export function reveal(map, target, options = {}) {
  const box = bboxOf(target);
  if (!map || !box) return false;
  const p = paddingOf(map, options.padding);
  const canvas = map.getCanvas();
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  const area = { left: p.left, top: p.top, right: w - p.right, bottom: h - p.bottom };
  const a = map.project([box[0], box[3]]);
  const b = map.project([box[2], box[1]]);
  if (a.x >= area.left && b.x <= area.right && a.y >= area.top && b.y <= area.bottom) return false;
  const fits = b.x - a.x <= area.right - area.left && b.y - a.y <= area.bottom - area.top;
  const focus = fits || !options.center ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : map.project(options.center);
  const dx = focus.x - (area.left + area.right) / 2;
  const dy = focus.y - (area.top + area.bottom) / 2;
  if (Math.abs(dx) < 1 && Math.abs(dy) < 1) return false;
  map.easeTo(motion({ center: map.unproject([w / 2 + dx, h / 2 + dy]), duration: options.duration }, 400));
  return true;
}

/** The style layers of the portal's layers ("gisportal:layer" metadata): {id, name, type, index}. */
export function styleLayers(map, names) {
  const wanted = names ? new Set(names) : null;
  return map
    .getStyle()
    .layers.map((layer, index) => ({ id: layer.id, type: layer.type, index, name: layer.metadata && layer.metadata["gisportal:layer"] }))
    .filter((layer) => layer.name && (!wanted || wanted.has(layer.name)));
}

/** The layers' list that the portal's style carries ("gislayer-pages:list"), by name. */
export function layerList(map) {
  return (map.getStyle().metadata || {})["gislayer-pages:list"] || [];
}

/** Turns the named portal layers on, where the style starts with them hidden. */
export function showLayers(map, names) {
  styleLayers(map, names).forEach((layer) => map.setLayoutProperty(layer.id, "visibility", "visible"));
}

/** Draws a GeoJSON geometry in its own source `id` (layers id-fill, id-line, id-circle).
    options: colour (line, any MapLibre value), fill (default colour), fillOpacity (0.2; 0 for
    none), width (3), dashed, pointRadius. Returns {set(geometry), remove()}. */
export function showGeometry(map, id, geometry, options = {}) {
  const empty = { type: "FeatureCollection", features: [] };
  const data = (g) => {
    if (!g) return empty;
    return g.type === "FeatureCollection" || g.type === "Feature" ? g : { type: "Feature", properties: {}, geometry: g };
  };
  const colour = options.colour || INK;
  const fill = options.fill || colour;
  const polygon = ["match", ["geometry-type"], ["Polygon", "MultiPolygon"], true, false];
  const point = ["match", ["geometry-type"], ["Point", "MultiPoint"], true, false];
  const line = { "line-color": colour, "line-width": options.width ?? 3 };
  if (options.dashed) line["line-dasharray"] = [2, 1.5];
  map.addSource(id, { type: "geojson", data: data(geometry) });
  if (options.fillOpacity !== 0) {
    const paint = { "fill-color": fill, "fill-opacity": options.fillOpacity ?? 0.2 };
    map.addLayer({ id: `${id}-fill`, type: "fill", source: id, filter: polygon, paint });
  }
  const layout = { "line-cap": "round", "line-join": "round" };
  map.addLayer({ id: `${id}-line`, type: "line", source: id, filter: ["!", point], paint: line, layout });
  map.addLayer({
    id: `${id}-circle`,
    type: "circle",
    source: id,
    filter: point,
    paint: {
      "circle-radius": options.pointRadius ?? 7,
      "circle-color": fill,
      "circle-opacity": 0.4,
      "circle-stroke-color": colour,
      "circle-stroke-width": 2.5,
    },
  });
  return {
    set: (g) => map.getSource(id) && map.getSource(id).setData(data(g)),
    remove: () => {
      [`${id}-fill`, `${id}-line`, `${id}-circle`].forEach((layer) => map.getLayer(layer) && map.removeLayer(layer));
      if (map.getSource(id)) map.removeSource(id);
    },
  };
}

/** A legend on the map: items [{label, colour, fill, dashed}] in a list at a corner. */
export function legend(map, items, { label, position = "bottom-left" } = {}) {
  const list = document.createElement("ul");
  list.className = "mapkit-legend maplibregl-ctrl";
  if (label) list.setAttribute("aria-label", label);
  items.forEach((item) => {
    const li = document.createElement("li");
    li.className = "mapkit-legend__item";
    const swatch = document.createElement("span");
    swatch.className = "mapkit-legend__swatch" + (item.dashed ? " mapkit-legend__swatch--dashed" : "");
    swatch.setAttribute("aria-hidden", "true");
    swatch.style.setProperty("--swatch-line", item.colour || INK);
    swatch.style.setProperty("--swatch-fill", item.fill || "transparent");
    li.append(swatch, document.createTextNode(item.label));
    list.appendChild(li);
  });
  map.addControl({ onAdd: () => list, onRemove: () => list.remove() }, position);
  return list;
}

// Selection and picking ----------------------------------------------------------------------

/** An outline for the features of a vector layer whose feature state says "selected". */
export function selectionOutline(map, layer, { id = "mapkit-selected", minZoom = 0, colour = INK } = {}) {
  if (!map.getSource(layer) || map.getLayer(id)) return;
  map.addLayer({
    id,
    type: "line",
    source: layer,
    "source-layer": layer,
    minzoom: minZoom,
    paint: { "line-color": colour, "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 3.5, 0] },
  });
}

/** Marks one feature of a vector layer selected or not (feature state, drawn by selectionOutline). */
export function setSelected(map, layer, id, selected) {
  if (id === null || id === undefined || !map.getSource(layer)) return;
  map.setFeatureState({ source: layer, sourceLayer: layer, id }, { selected });
}

/** The portal's features at a screen point, the one drawn on top first and the base map last;
    each once, however many tiles it was cut into. Areas are looked for under the point only (a
    click beside a parcel must not pick it); lines and points, small targets, within `radius`
    pixels. options: layers (names; all when not given), radius (5). */
export function featuresAt(map, point, { layers, radius = 5 } = {}) {
  const entries = styleLayers(map, layers);
  const areas = new Set(entries.filter((l) => l.type === "fill" || l.type === "fill-extrusion").map((l) => l.name));
  const basemap = new Set(layerList(map).filter((m) => m.basemap).map((m) => m.name));
  const position = Object.fromEntries(entries.map((l) => [l.id, l.index]));
  const areaIds = entries.filter((l) => areas.has(l.name)).map((l) => l.id);
  const thinIds = entries.filter((l) => !areas.has(l.name)).map((l) => l.id);
  let found = areaIds.length ? map.queryRenderedFeatures([point.x, point.y], { layers: areaIds }) : [];
  if (thinIds.length) {
    const box = [
      [point.x - radius, point.y - radius],
      [point.x + radius, point.y + radius],
    ];
    found = found.concat(map.queryRenderedFeatures(box, { layers: thinIds }));
  }
  const seen = new Map();
  found.forEach((feature) => {
    const name = feature.layer.metadata && feature.layer.metadata["gisportal:layer"];
    const key = `${name}:${feature.id ?? JSON.stringify(feature.properties)}`;
    const order = position[feature.layer.id] || 0;
    const hit = seen.get(key);
    if (hit) hit.order = Math.max(hit.order, order);
    else seen.set(key, { layer: name, id: feature.id, properties: feature.properties || {}, order, basemap: basemap.has(name) });
  });
  return [...seen.values()].sort((a, b) => (a.basemap !== b.basemap ? (a.basemap ? 1 : -1) : b.order - a.order));
}

/** Calls onPick(hits, how) when features of `layers` are picked: by a click, or by Enter on the
    focused map, which picks under the crosshair at its centre. how: {lngLat, point, additive
    (Shift, Ctrl or Cmd held), keyboard}. Also points the cursor at what a click would pick. */
export function pickFeatures(map, { layers, radius, onPick, cursor = true }) {
  const pick = (point, lngLat, event, keyboard) => {
    const additive = !!(event && (event.shiftKey || event.ctrlKey || event.metaKey));
    onPick(featuresAt(map, point, { layers, radius }), { lngLat, point, additive, keyboard });
  };
  map.on("click", (event) => pick(event.point, event.lngLat, event.originalEvent, false));
  const container = map.getContainer();
  if (!container.querySelector(".mapkit-crosshair")) {
    const crosshair = document.createElement("div");
    crosshair.className = "mapkit-crosshair";
    crosshair.setAttribute("aria-hidden", "true");
    container.appendChild(crosshair);
  }
  map.getCanvas().addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const canvas = map.getCanvas();
    const point = { x: canvas.clientWidth / 2, y: canvas.clientHeight / 2 };
    pick(point, map.unproject([point.x, point.y]), event, true);
  });
  if (cursor) {
    whenLoaded(map, () => {
      const basemap = new Set(layerList(map).filter((m) => m.basemap).map((m) => m.name));
      styleLayers(map, layers)
        .filter((l) => !basemap.has(l.name))
        .forEach((l) => {
          map.on("mouseenter", l.id, () => (map.getCanvas().style.cursor = "pointer"));
          map.on("mouseleave", l.id, () => (map.getCanvas().style.cursor = ""));
        });
    });
  }
}

/** Picks parcels into a form input that lists their codes ("a, b"), outlining them on the map,
    and outlines the codes the input already holds or that are typed into it.

    options: input; layer ("parcels"); minZoom (below it a click zooms in, calling onZoomIn);
    multiple: "shift" (a click picks one parcel, Shift-click adds or takes out) or "toggle" (every
    click adds or takes out); enabled() (picking is off while it says false); onChange(codes). */
export function parcelPicker(map, options) {
  const { input, layer = "parcels", minZoom = 0, multiple = "shift", codeProperty = "cadastral_code" } = options;
  const ids = new Map(); // code -> feature id, as tiles show them
  const outlined = new Set();
  const codes = () => input.value.split(/[\s,;]+/).filter(Boolean);
  map.boxZoom.disable(); // Shift-click adds a parcel here; it does not start a box to zoom to

  // The feature state follows the input: what is listed is outlined, and nothing else.
  function sync() {
    if (!map.getSource(layer)) return;
    const wanted = new Set(codes());
    if (wanted.size) {
      const filter = ["in", ["get", codeProperty], ["literal", [...wanted]]];
      map.querySourceFeatures(layer, { sourceLayer: layer, filter }).forEach((f) => {
        if (f.id !== undefined) ids.set(f.properties[codeProperty], f.id);
      });
    }
    outlined.forEach((code) => {
      if (!wanted.has(code)) {
        setSelected(map, layer, ids.get(code), false);
        outlined.delete(code);
      }
    });
    wanted.forEach((code) => {
      if (ids.has(code) && !outlined.has(code)) {
        setSelected(map, layer, ids.get(code), true);
        outlined.add(code);
      }
    });
  }

  function set(list) {
    input.value = list.join(", ");
    sync();
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (options.onChange) options.onChange(list);
  }

  whenLoaded(map, () => {
    selectionOutline(map, layer, { minZoom });
    sync();
    map.on("idle", sync); // tiles that arrive later carry parcels that the input lists
  });
  input.addEventListener("input", sync);
  input.addEventListener("change", sync);

  pickFeatures(map, {
    layers: [layer],
    radius: 0,
    cursor: false,
    onPick(hits, how) {
      if (options.enabled && !options.enabled()) return;
      if (map.getZoom() < minZoom - 0.001) {
        if (options.onZoomIn) options.onZoomIn();
        map.easeTo(motion({ center: how.lngLat, zoom: minZoom + 1 }, 600));
        return;
      }
      const hit = hits.find((h) => h.layer === layer);
      if (!hit) return;
      const code = hit.properties[codeProperty];
      if (hit.id !== undefined) ids.set(code, hit.id);
      const list = codes();
      const at = list.indexOf(code);
      if (multiple === "toggle" || how.additive) {
        if (at === -1) list.push(code);
        else list.splice(at, 1);
        set(list);
      } else {
        // A click on the one parcel picked takes it out; on another, picks that one instead.
        set(at !== -1 && list.length === 1 ? [] : [code]);
      }
    },
  });
  return { codes, set, clear: () => set([]) };
}

// Drawing ------------------------------------------------------------------------------------

const drawings = new WeakMap(); // map -> the one terra-draw of that map, shared by its fields

const MODE_OF = { Polygon: "polygon", LineString: "linestring", Point: "point" };

function drawingOf(map) {
  let drawing = drawings.get(map);
  if (drawing) return drawing;
  const td = window.terraDraw;
  const adapter = window.terraDrawMaplibreGlAdapter;
  if (!td || !adapter) return null;
  drawing = { fields: new Map(), active: null };
  // Colours follow the field that a feature belongs to, or the field drawing it now.
  const fieldOf = (feature) => drawing.fields.get(feature.properties.field) || drawing.active || {};
  const fill = (f) => fieldOf(f).fill || DRAW_FILL;
  const line = (f) => fieldOf(f).colour || DRAW_LINE;
  const shape = { fillColor: fill, fillOpacity: 0.4, outlineColor: line, outlineWidth: 2.5 };
  const editable = { feature: { draggable: true, coordinates: { draggable: true, midpoints: true, deletable: true } } };
  drawing.draw = new td.TerraDraw({
    adapter: new adapter.TerraDrawMapLibreGLAdapter({ map }),
    modes: [
      new td.TerraDrawRenderMode({ modeName: "static", styles: {} }),
      new td.TerraDrawPolygonMode({ styles: shape }),
      new td.TerraDrawRectangleMode({ styles: shape }),
      new td.TerraDrawLineStringMode({ styles: { lineStringColor: line, lineStringWidth: 3 } }),
      new td.TerraDrawPointMode({ styles: { pointColor: fill, pointOutlineColor: line, pointWidth: 6, pointOutlineWidth: 2 } }),
      new td.TerraDrawSelectMode({
        flags: { polygon: editable, rectangle: editable, linestring: editable, point: { feature: { draggable: true } } },
        styles: { selectedPolygonColor: fill, selectedPolygonOutlineColor: line, selectedLineStringColor: line, selectedPointColor: fill },
      }),
    ],
  });
  drawing.draw.start();
  drawing.draw.setMode("static");
  drawing.draw.on("finish", (id, context) => {
    const feature = drawing.draw.getSnapshotFeature(id);
    if (!feature) return;
    let field = drawing.fields.get(feature.properties.field);
    if (!field && drawing.active) {
      field = drawing.active;
      drawing.draw.updateFeatureProperties(id, { field: field.id });
    }
    if (field) field.finished(id, context || {});
  });
  drawing.draw.on("change", (ids, type) => {
    if (type === "delete") drawing.fields.forEach((field) => field.write());
  });
  drawings.set(map, drawing);
  return drawing;
}

/** terra-draw bound to a form input that holds GeoJSON (EPSG:4326): the input's value is drawn,
    every change is written back (an "input" event, bubbling), and a value typed or pasted into
    the input is drawn when it changes. Several fields on one map share one terra-draw.

    options: modes the field draws with (["polygon", "rectangle"]); multiple (keep several
    shapes, written as Multi…; otherwise a new shape replaces the old); colour and fill; live
    (redraw while typing, not only on change); onChange(geometry, context) after every change
    the drawing makes; onInvalid(reason) when the input holds what cannot be drawn ("wkt",
    "parse", "crs"); onRead(geometry) after a value from the input was drawn. Call it once the
    map has loaded. Returns null without terra-draw, else the field:
    {start(mode), stop(), clear(), load(geometry), geometry(), draw (the terra-draw)}. */
export function drawField(map, input, options = {}) {
  const drawing = drawingOf(map);
  if (!drawing) return null;
  const draw = drawing.draw;
  const id = options.id || input.id || input.name || `field-${drawing.fields.size + 1}`;
  let writing = false;
  let preview = null; // what terra-draw cannot take (holes, collections) is shown, not edited

  const own = () => draw.getSnapshot().filter((f) => f.properties.field === id && !f.properties.currentlyDrawing);

  const field = {
    id,
    draw,
    colour: options.colour,
    fill: options.fill,
    geometry: () => parseGeometry(input.value).geometry || null,
    start(mode) {
      drawing.active = field;
      draw.setMode(mode);
    },
    stop() {
      if (drawing.active === field) drawing.active = null;
      draw.setMode("static");
    },
    write(context) {
      const geometry = combine(own().map((f) => f.geometry));
      if (preview && !geometry) return; // a shown value stays until something is drawn
      setPreview(null);
      writing = true;
      input.value = geometry ? JSON.stringify(geometry) : "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      writing = false;
      if (options.onChange) options.onChange(geometry, context || {});
    },
    finished(featureId, context) {
      if (context.action === "draw" && !options.multiple) {
        const others = own().filter((f) => f.id !== featureId).map((f) => f.id);
        if (others.length) draw.removeFeatures(others);
        setPreview(null);
      }
      field.write(context);
    },
    clear() {
      const mine = own().map((f) => f.id);
      if (mine.length) draw.removeFeatures(mine);
      setPreview(null);
      field.write({ action: "clear" });
    },
    /** Draws a geometry to edit (replacing the field's shapes); false when it cannot be drawn. */
    load(geometry) {
      const mine = own().map((f) => f.id);
      if (mine.length) draw.removeFeatures(mine);
      setPreview(null);
      const features = parts(geometry).map((g) => ({
        type: "Feature",
        geometry: { type: g.type, coordinates: rounded(g.coordinates) },
        properties: { mode: MODE_OF[g.type], field: id },
      }));
      if (!features.length) return false;
      const results = draw.addFeatures(features);
      if (results.every((r) => r.valid)) return true;
      draw.removeFeatures(results.filter((r) => r.valid).map((r) => r.id));
      setPreview(geometry);
      return false;
    },
  };

  function setPreview(geometry) {
    if (!geometry) {
      if (preview) preview.remove();
      preview = null;
      return;
    }
    const colours = { colour: options.colour || DRAW_LINE, fill: options.fill || DRAW_FILL };
    preview = showGeometry(map, `mapkit-preview-${id}`, geometry, { ...colours, fillOpacity: 0.35 });
  }

  function fromInput() {
    if (writing) return;
    const parsed = parseGeometry(input.value);
    if (parsed.error) {
      if (options.onInvalid) options.onInvalid(parsed.error);
      return;
    }
    if (options.onInvalid) options.onInvalid(null);
    if (parsed.geometry) field.load(parsed.geometry);
    else {
      const mine = own().map((f) => f.id);
      if (mine.length) draw.removeFeatures(mine);
      setPreview(null);
    }
    if (options.onRead) options.onRead(parsed.geometry);
  }

  drawing.fields.set(id, field);
  fromInput();
  input.addEventListener("change", fromInput);
  if (options.live) {
    let timer;
    input.addEventListener("input", () => {
      if (writing) return; // the drawing's own change
      window.clearTimeout(timer);
      timer = window.setTimeout(fromInput, 300);
    });
  }
  return field;
}

// Cards --------------------------------------------------------------------------------------

/** A slot that shows cards: HTML fetched from a URL, its heading focused, its close action
    ([data-action='close-card']) handled, errors said. htmx, when the page has it, processes
    what comes in.

    options: loading and failed (messages; the kit's by default); bodyClass (on <body> while a
    card shows); onShow(card, openOptions) after a card came in; onClose(). Returns
    {open(url, {focus, returnFocusTo}), show(html), close({focus}), isOpen()}. */
export function cardSlot(slot, options = {}) {
  let request = 0;
  let returnFocusTo = null;

  function show(html) {
    slot.innerHTML = html;
    slot.hidden = false;
    if (options.bodyClass) document.body.classList.add(options.bodyClass);
    if (window.htmx) window.htmx.process(slot);
  }

  function message(text, alert) {
    const p = document.createElement("p");
    p.className = "parcel-none";
    if (alert) p.setAttribute("role", "alert");
    p.textContent = text;
    show("");
    slot.appendChild(p);
  }

  function focusHeading() {
    const heading = slot.querySelector("[data-card-heading], [id$='-card-title'], h1, h2, h3");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }

  async function open(url, openOptions = {}) {
    const mine = ++request;
    returnFocusTo = openOptions.returnFocusTo || document.activeElement;
    slot.setAttribute("aria-busy", "true");
    if (slot.hidden) message(options.loading || kitText("loading"));
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      const html = await response.text();
      if (mine !== request) return null;
      // A 400 answers JSON for programs; people get the plain message. A 404 is a card too.
      if (response.status >= 500 || (response.headers.get("Content-Type") || "").includes("json")) throw new Error(String(response.status));
      slot.removeAttribute("aria-busy");
      show(html);
    } catch (error) {
      if (mine !== request) return null;
      slot.removeAttribute("aria-busy");
      message(options.failed || kitText("loadFailed"), true);
      return null;
    }
    const card = slot.firstElementChild;
    if (options.onShow) options.onShow(card, openOptions);
    if (openOptions.focus !== false) focusHeading();
    return card;
  }

  function close({ focus = true } = {}) {
    request++;
    slot.innerHTML = "";
    slot.hidden = true;
    slot.removeAttribute("aria-busy");
    if (options.bodyClass) document.body.classList.remove(options.bodyClass);
    if (options.onClose) options.onClose();
    const fallback = typeof options.focusOnClose === "function" ? options.focusOnClose() : options.focusOnClose;
    const target = returnFocusTo && document.contains(returnFocusTo) ? returnFocusTo : fallback;
    returnFocusTo = null;
    if (focus && target) target.focus();
  }

  slot.addEventListener("click", (event) => {
    if (event.target.closest("[data-action='close-card']")) {
      event.preventDefault();
      close();
    }
  });

  return { open, show, close, focusHeading, isOpen: () => !slot.hidden, slot, get returnFocusTo() { return returnFocusTo; } };
}
