/* The map's layer panel: every layer that the style carries, grouped into thematic layers and the
   base map, each with its legend, a toggle, an opacity slider, a note when the zoom hides it, and
   links to its table, OGC API collection and downloads. Built from the style's own metadata
   ("gislayer-pages:list", written by layers/style.py for the user who asked), so an uploaded dataset
   appears here as soon as it is published. The choices are kept in localStorage. An ES module:
   the map page's script imports it. */
import { motion } from "../core/mapkit.js";

var STORAGE_KEY = "gisportal:layer-panel:v1";
var SVG_NS = "http://www.w3.org/2000/svg";
// The paint properties that make each kind of style layer more or less transparent.
var OPACITY_PROPERTIES = {
  fill: ["fill-opacity"],
  line: ["line-opacity"],
  circle: ["circle-opacity", "circle-stroke-opacity"],
  symbol: ["icon-opacity", "text-opacity"],
  "fill-extrusion": ["fill-extrusion-opacity"],
  raster: ["raster-opacity"],
  heatmap: ["heatmap-opacity"],
};

function readState() {
  try {
    var value = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "{}");
    return value && typeof value === "object" ? value : {};
  } catch (error) {
    return {};
  }
}

function writeState(state) {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch (error) {
    // Private windows may refuse storage: the panel works, it only forgets.
  }
}

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, function (match, key) {
    return values[key] !== undefined ? values[key] : match;
  });
}

function isZoom(expression) {
  return Array.isArray(expression) && expression[0] === "zoom";
}

// An opacity multiplied by k. A zoom curve must stay the outermost expression in MapLibre,
// so its stops are scaled one by one instead of the whole being wrapped in a product.
export function scaled(value, k) {
  if (value === undefined || value === null) return k;
  if (typeof value === "number") return Math.round(value * k * 1000) / 1000;
  if (!Array.isArray(value)) return value;
  var op = value[0];
  var copy, i;
  if ((op === "interpolate" || op === "interpolate-hcl" || op === "interpolate-lab") && isZoom(value[2])) {
    copy = value.slice();
    for (i = 4; i < copy.length; i += 2) copy[i] = scaled(copy[i], k);
    return copy;
  }
  if (op === "step" && isZoom(value[1])) {
    copy = value.slice();
    for (i = 2; i < copy.length; i += 2) copy[i] = scaled(copy[i], k);
    return copy;
  }
  return ["*", value, k];
}

function svg(name, attributes) {
  var el = document.createElementNS(SVG_NS, name);
  Object.keys(attributes).forEach(function (key) {
    if (attributes[key] !== undefined && attributes[key] !== null) el.setAttribute(key, String(attributes[key]));
  });
  return el;
}

// The same drawing as the server's _layer_swatch.html, from the same swatch data.
export function swatchSvg(swatch) {
  var root = svg("svg", { class: "swatch", viewBox: "0 0 28 20", width: 28, height: 20, "aria-hidden": "true", focusable: "false" });
  swatch = swatch || { kind: "polygon", fill: "#5b6b7a", fill_opacity: 0.3, stroke: "#5b6b7a", stroke_width: 1 };
  if (swatch.kind === "point") {
    root.appendChild(
      svg("circle", {
        cx: 14,
        cy: 10,
        r: 5.5,
        fill: swatch.circle,
        "fill-opacity": swatch.circle_opacity,
        stroke: swatch.circle_stroke || undefined,
        "stroke-width": swatch.circle_stroke ? swatch.circle_stroke_width || 1 : undefined,
      })
    );
  } else if (swatch.kind === "line") {
    if (swatch.casing) {
      root.appendChild(svg("path", { d: "M3 15 C 9 3, 18 19, 25 5", fill: "none", stroke: "#8d99a6", "stroke-width": swatch.casing_width, "stroke-linecap": "round" }));
    }
    root.appendChild(
      svg("path", {
        d: "M3 15 C 9 3, 18 19, 25 5",
        fill: "none",
        stroke: swatch.stroke,
        "stroke-opacity": swatch.stroke_opacity,
        "stroke-width": swatch.stroke_width,
        "stroke-linecap": "round",
        "stroke-dasharray": swatch.dashed ? "4 3" : undefined,
      })
    );
  } else {
    root.appendChild(
      svg("rect", {
        x: 3,
        y: 3,
        width: 22,
        height: 14,
        rx: 2,
        fill: swatch.kind === "outline" ? "none" : swatch.fill,
        "fill-opacity": swatch.fill_opacity || 0,
        stroke: swatch.stroke,
        "stroke-opacity": swatch.stroke_opacity,
        "stroke-width": swatch.stroke_width,
        "stroke-dasharray": swatch.dashed ? "4 3" : undefined,
      })
    );
  }
  return root;
}

function element(tag, className, text) {
  var el = document.createElement(tag);
  if (className) el.className = className;
  if (text) el.textContent = text;
  return el;
}

function fill(template, placeholder, value) {
  return template ? template.split(placeholder).join(encodeURIComponent(value)) : null;
}

var CHEVRON = '<svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false"><path d="m6 8 4 4 4-4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>';

/* options: map, layers (the style's "gislayer-pages:list"), root (the panel), body (where the
   groups go), toggle (the button that opens it), strings, urls, formats, narrow (a media query). */
export function LayerPanel(options) {
  this.map = options.map;
  this.layers = options.layers || [];
  this.root = options.root;
  this.body = options.body;
  this.toggle = options.toggle;
  this.S = options.strings;
  this.urls = options.urls || {};
  this.formats = options.formats || [];
  this.narrow = options.narrow;
  this.state = readState();
  this.state.layers = this.state.layers || {};
  this.state.groups = this.state.groups || {};
  this.byName = {};
  this.rows = {};
  this.originals = {};
  var self = this;
  this.layers.forEach(function (meta) {
    self.byName[meta.name] = meta;
  });
  this.captureOriginals();
  this.render();
  this.layers.forEach(function (meta) {
    self.apply(meta.name, false);
  });
  this.updateZoomNotes();
  this.map.on("zoomend", function () {
    self.updateZoomNotes();
  });
  this.toggle.addEventListener("click", function () {
    if (self.isOpen()) self.close();
    else self.open({ focus: true });
  });
  this.root.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      self.close({ focus: true });
    }
  });
  this.root.addEventListener("click", function (event) {
    if (event.target.closest("[data-action='close-layers']")) self.close({ focus: true });
  });
  this.toggle.hidden = false;
  // A phone opens on the map, not on the panel, whatever a wide screen left behind.
  if (this.state.open && !(this.narrow && this.narrow.matches)) this.open({ focus: false });
}

LayerPanel.prototype.captureOriginals = function () {
  var map = this.map;
  var originals = this.originals;
  this.layers.forEach(function (meta) {
    (meta.style_layers || []).forEach(function (id) {
      var styleLayer = map.getLayer(id);
      if (!styleLayer) return;
      var values = {};
      (OPACITY_PROPERTIES[styleLayer.type] || []).forEach(function (property) {
        values[property] = map.getPaintProperty(id, property);
      });
      originals[id] = values;
    });
  });
};

LayerPanel.prototype.saved = function (name) {
  var meta = this.byName[name];
  var saved = this.state.layers[name] || {};
  var opacity = typeof saved.opacity === "number" && saved.opacity >= 0 && saved.opacity <= 1 ? saved.opacity : 1;
  return { visible: typeof saved.visible === "boolean" ? saved.visible : !!meta.visible, opacity: opacity };
};

LayerPanel.prototype.isVisible = function (name) {
  return !!this.byName[name] && this.saved(name).visible;
};

LayerPanel.prototype.meta = function (name) {
  return this.byName[name] || null;
};

// The style's entries of a layer follow its toggle and its opacity.
LayerPanel.prototype.apply = function (name, announce) {
  var meta = this.byName[name];
  if (!meta) return;
  var map = this.map;
  var originals = this.originals;
  var choice = this.saved(name);
  (meta.style_layers || []).forEach(function (id) {
    if (!map.getLayer(id)) return;
    map.setLayoutProperty(id, "visibility", choice.visible ? "visible" : "none");
    var values = originals[id] || {};
    Object.keys(values).forEach(function (property) {
      var value = choice.opacity === 1 ? values[property] : scaled(values[property], choice.opacity);
      map.setPaintProperty(id, property, value);
    });
  });
  var row = this.rows[name];
  if (row) {
    row.checkbox.checked = choice.visible;
    row.slider.value = String(Math.round(choice.opacity * 100));
    row.output.textContent = Math.round(choice.opacity * 100) + "%";
    row.slider.setAttribute("aria-valuetext", row.output.textContent);
    row.slider.disabled = !choice.visible;
    row.item.classList.toggle("is-off", !choice.visible);
  }
  this.updateZoomNote(name);
  if (announce !== false) {
    document.dispatchEvent(
      new CustomEvent("gisportal:layerchange", { detail: { name: name, visible: choice.visible, opacity: choice.opacity } })
    );
  }
};

LayerPanel.prototype.set = function (name, changes) {
  if (!this.byName[name]) return;
  var current = this.saved(name);
  this.state.layers[name] = {
    visible: changes.visible !== undefined ? !!changes.visible : current.visible,
    opacity: changes.opacity !== undefined ? changes.opacity : current.opacity,
  };
  writeState(this.state);
  this.apply(name);
};

LayerPanel.prototype.show = function (name) {
  if (this.byName[name] && !this.isVisible(name)) this.set(name, { visible: true });
};

LayerPanel.prototype.isOpen = function () {
  return !this.root.hidden;
};

LayerPanel.prototype.open = function (options) {
  this.root.hidden = false;
  this.toggle.setAttribute("aria-expanded", "true");
  document.body.classList.add("layers-open");
  this.state.open = true;
  writeState(this.state);
  if (options && options.focus) {
    var heading = this.root.querySelector("#layers-panel-title");
    if (heading) heading.focus({ preventScroll: true });
  }
};

LayerPanel.prototype.close = function (options) {
  this.root.hidden = true;
  this.toggle.setAttribute("aria-expanded", "false");
  document.body.classList.remove("layers-open");
  this.state.open = false;
  writeState(this.state);
  if (options && options.focus) this.toggle.focus();
};

LayerPanel.prototype.updateZoomNotes = function () {
  var self = this;
  Object.keys(this.rows).forEach(function (name) {
    self.updateZoomNote(name);
  });
};

// A layer the zoom hides says so, and offers to go where it shows.
LayerPanel.prototype.updateZoomNote = function (name) {
  var row = this.rows[name];
  var meta = this.byName[name];
  if (!row || !meta) return;
  var zoom = this.map.getZoom();
  var below = zoom < meta.min_zoom - 0.001;
  var above = meta.max_zoom < 22 && zoom >= meta.max_zoom + 1;
  row.item.classList.toggle("is-out-of-range", below || above);
  row.zoomTarget = below ? meta.min_zoom + 0.5 : above ? meta.max_zoom + 0.5 : null;
  row.zoom.hidden = !(below || above) || !this.saved(name).visible;
  row.zoom.textContent = below
    ? format(this.S.zoomInToSee, { zoom: meta.min_zoom })
    : format(this.S.zoomOutToSee, { zoom: meta.max_zoom });
};

LayerPanel.prototype.links = function (meta) {
  var urls = this.urls;
  var placeholder = urls.placeholder;
  var list = element("ul", "layer-row__links");
  function add(href, text, extra) {
    if (!href) return;
    var li = element("li");
    var a = element("a", null, text);
    a.href = href;
    if (extra) Object.keys(extra).forEach(function (k) { a.setAttribute(k, extra[k]); });
    li.appendChild(a);
    list.appendChild(li);
  }
  add(fill(urls.table, placeholder, meta.name), this.S.table);
  add(fill(urls.ogcapi, placeholder, meta.name), this.S.ogcApi);
  if (meta.downloadable && urls["export"]) {
    var li = element("li", "layer-row__downloads");
    li.appendChild(element("span", "layer-row__downloads-label", this.S.download + ":"));
    this.formats.forEach(function (f, i) {
      var a = element("a", null, f.label);
      a.href = fill(urls["export"], placeholder, meta.name).split("__format__").join(f.key);
      a.setAttribute("download", "");
      if (i) li.appendChild(document.createTextNode(" · "));
      else li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
    });
    list.appendChild(li);
  }
  return list;
};

LayerPanel.prototype.renderRow = function (meta) {
  var self = this;
  var S = this.S;
  var safe = meta.name.replace(/[^a-z0-9_-]/gi, "_");
  var item = element("li", "layer-row");
  item.setAttribute("data-layer", meta.name);

  var main = element("div", "layer-row__main");
  var checkbox = element("input", "layer-row__check");
  checkbox.type = "checkbox";
  checkbox.id = "layer-toggle-" + safe;
  var label = element("label", "layer-row__label");
  label.htmlFor = checkbox.id;
  label.appendChild(swatchSvg(meta.swatches && meta.swatches[0]));
  label.appendChild(element("span", "layer-row__title", meta.title));
  var more = element("button", "layer-row__more");
  more.type = "button";
  more.setAttribute("aria-expanded", "false");
  more.setAttribute("aria-controls", "layer-about-" + safe);
  more.innerHTML = CHEVRON;
  more.appendChild(element("span", "visually-hidden", format(S.aboutLayer, { layer: meta.title })));
  main.appendChild(checkbox);
  main.appendChild(label);
  main.appendChild(more);
  item.appendChild(main);

  if (meta.swatches && meta.swatches.length > 1) {
    var legend = element("ul", "layer-legend layer-legend--panel");
    meta.swatches.forEach(function (swatch) {
      var li = element("li", "layer-legend__item");
      li.appendChild(swatchSvg(swatch));
      li.appendChild(element("span", null, swatch.label));
      legend.appendChild(li);
    });
    item.appendChild(legend);
  }

  var zoom = element("button", "layer-row__zoom");
  zoom.type = "button";
  zoom.hidden = true;
  item.appendChild(zoom);

  var opacity = element("div", "layer-row__opacity");
  var sliderLabel = element("label", "layer-row__opacity-label");
  sliderLabel.htmlFor = "layer-opacity-" + safe;
  sliderLabel.appendChild(element("span", null, S.opacity));
  var slider = element("input", "layer-row__slider");
  slider.type = "range";
  slider.id = "layer-opacity-" + safe;
  slider.min = "0";
  slider.max = "100";
  slider.step = "5";
  slider.setAttribute("aria-label", format(S.opacityOf, { layer: meta.title }));
  var output = element("output", "layer-row__value");
  output.htmlFor = slider.id;
  opacity.appendChild(sliderLabel);
  opacity.appendChild(slider);
  opacity.appendChild(output);

  // Opacity, description and links open under the row, so the list stays short.
  var about = element("div", "layer-row__about");
  about.id = "layer-about-" + safe;
  about.hidden = true;
  about.appendChild(opacity);
  if (meta.description) about.appendChild(element("p", "layer-row__description", meta.description));
  about.appendChild(this.links(meta));
  item.appendChild(about);

  var row = { item: item, checkbox: checkbox, slider: slider, output: output, opacity: opacity, zoom: zoom, zoomTarget: null };
  this.rows[meta.name] = row;

  checkbox.addEventListener("change", function () {
    self.set(meta.name, { visible: checkbox.checked });
  });
  slider.addEventListener("input", function () {
    self.set(meta.name, { opacity: Number(slider.value) / 100 });
  });
  more.addEventListener("click", function () {
    var expanded = more.getAttribute("aria-expanded") === "true";
    more.setAttribute("aria-expanded", expanded ? "false" : "true");
    about.hidden = expanded;
  });
  zoom.addEventListener("click", function () {
    if (row.zoomTarget === null) return;
    self.map.easeTo(motion({ zoom: row.zoomTarget }, 700));
  });
  return item;
};

LayerPanel.prototype.renderGroup = function (key, title, layers) {
  var self = this;
  var section = element("section", "layer-group-panel");
  section.setAttribute("data-group", key);
  var heading = element("h3", "layer-group-panel__heading");
  var button = element("button", "layer-group-panel__toggle");
  button.type = "button";
  button.id = "layer-group-" + key;
  var collapsed = !!this.state.groups[key];
  button.setAttribute("aria-expanded", collapsed ? "false" : "true");
  button.setAttribute("aria-controls", "layer-group-list-" + key);
  button.appendChild(element("span", null, title));
  button.appendChild(element("span", "layer-group-panel__count", String(layers.length)));
  button.insertAdjacentHTML("beforeend", CHEVRON);
  heading.appendChild(button);
  section.appendChild(heading);
  var list = element("ul", "layer-list");
  list.id = "layer-group-list-" + key;
  list.setAttribute("aria-labelledby", button.id);
  list.hidden = collapsed;
  // The list reads from the top of the map down: the layer drawn last comes first.
  layers
    .slice()
    .reverse()
    .forEach(function (meta) {
      list.appendChild(self.renderRow(meta));
    });
  section.appendChild(list);
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    list.hidden = open;
    self.state.groups[key] = open;
    writeState(self.state);
  });
  return section;
};

LayerPanel.prototype.render = function () {
  this.body.textContent = "";
  var thematic = this.layers.filter(function (m) {
    return !m.basemap;
  });
  var basemap = this.layers.filter(function (m) {
    return m.basemap;
  });
  if (!this.layers.length) {
    this.body.appendChild(element("p", "layers-panel__empty", this.S.noLayers));
    return;
  }
  if (thematic.length) this.body.appendChild(this.renderGroup("thematic", this.S.thematicLayers, thematic));
  if (basemap.length) this.body.appendChild(this.renderGroup("basemap", this.S.basemapLayers, basemap));
};
