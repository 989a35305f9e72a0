/* The public pre-check: pick parcels or draw the site, draw the footprint with terra-draw,
   enter floors; each change asks POST /api/v1/permits/check (debounced) and shows the report.
   Texts come from the server in the page's language (config.strings and the report itself). */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("precheck-config").textContent);
  var S = config.strings;
  var mapEl = document.getElementById("map");
  var form = document.getElementById("precheck-form");
  var statusEl = document.getElementById("precheck-status");
  var reportEl = document.getElementById("report");
  var reportBody = document.getElementById("report-body");
  var toolsEl = document.getElementById("tools");
  var parcelsInput = form.elements.parcels;
  var footprintAreaInput = form.elements.footprint_area_m2;

  var map = null;
  var draw = null;
  var tool = "select";
  var selected = {}; // cadastral code -> feature id
  var siteFeatureId = null; // a drawn site (terra-draw id)
  var footprintId = null;
  var pendingTarget = null; // what the feature being drawn will be: "site" or "footprint"
  var timer = null;
  var request = 0;

  function setState(state) {
    mapEl.setAttribute("data-state", state);
  }

  function say(text) {
    statusEl.textContent = text || "";
  }

  function fmt(value, digits) {
    return new Intl.NumberFormat(config.language, { maximumFractionDigits: digits == null ? 1 : digits }).format(value);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child != null) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // Status: an icon AND a word, never colour alone.
  function statusBadge(status) {
    var icon = status === "pass" ? "\u2713" : status === "fail" ? "\u2715" : "!";
    return el("span", { class: "status status--" + status }, [el("span", { "aria-hidden": "true", text: icon }), " " + S[status]]);
  }

  // The report ------------------------------------------------------------------------------

  function cell(rule, key) {
    var m2 = rule[key + "_m2"];
    var value = rule[key];
    if (m2 != null) return fmt(m2) + "\u00a0" + S.m2 + " (" + fmt(value, 2) + ")";
    if (value == null || value === "") return "\u2014";
    var unit = rule.unit && rule.unit !== "ratio" ? "\u00a0" + rule.unit : "";
    return (typeof value === "number" ? fmt(value) : String(value)) + unit;
  }

  function renderReport(data) {
    var icon = data.outcome === "compliant" || data.outcome === "no_permit_needed" ? "\u2713" : data.outcome === "not_compliant" ? "\u2715" : "!";
    var parts = [];
    parts.push(
      el("div", { class: "outcome outcome--" + data.outcome, "data-outcome": data.outcome }, [
        el("span", { class: "outcome__icon", "aria-hidden": "true", text: icon }),
        el("strong", { text: data.outcome_message }),
      ])
    );
    var facts = el("dl", { class: "report__facts" });
    function fact(label, value) {
      facts.appendChild(el("div", {}, [el("dt", { text: label }), el("dd", { text: value })]));
    }
    if (data.zone) fact(S.zone, data.zone.code + " \u2014 " + data.zone.name);
    fact(S.siteArea, fmt(data.site_area_m2) + "\u00a0" + S.m2);
    fact(S.footprintArea, fmt(data.footprint_area_m2) + "\u00a0" + S.m2);
    fact(S.floorArea, fmt(data.floor_area_m2) + "\u00a0" + S.m2);
    parts.push(facts);

    var tbody = el("tbody");
    data.rules.forEach(function (rule) {
      tbody.appendChild(
        el("tr", { class: "rule rule--" + rule.status, "data-rule": rule.code }, [
          el("th", { scope: "row", text: rule.title }),
          el("td", { text: cell(rule, "value") }),
          el("td", { text: cell(rule, "limit") }),
          el("td", {}, [statusBadge(rule.status)]),
        ])
      );
      tbody.appendChild(el("tr", { class: "rule__message-row" }, [el("td", { colspan: "4", text: rule.message })]));
    });
    parts.push(
      el("table", { class: "rules" }, [
        el("thead", {}, [
          el("tr", {}, [
            el("th", { scope: "col", text: S.rule }),
            el("th", { scope: "col", text: S.value }),
            el("th", { scope: "col", text: S.limit }),
            el("th", { scope: "col", text: S.status }),
          ]),
        ]),
        tbody,
      ])
    );

    parts.push(el("h3", { text: S.constraints }));
    if (!data.constraints.length) {
      parts.push(el("p", { text: S.noConstraints }));
    } else {
      var list = el("ul", { class: "constraints" });
      data.constraints.forEach(function (hit) {
        var area = fmt(hit.site_area_m2) + "\u00a0" + S.m2 + " " + S.onSite;
        if (hit.footprint_area_m2 != null) area += ", " + fmt(hit.footprint_area_m2) + "\u00a0" + S.m2 + " " + S.onFootprint;
        list.appendChild(
          el("li", { class: "constraint constraint--" + hit.status, "data-kind": hit.kind }, [
            statusBadge(hit.status),
            " ",
            el("strong", { text: hit.kind_name + ": " + hit.name }),
            " ",
            el("span", { class: "constraint__area", text: area }),
            el("p", { text: hit.message }),
          ])
        );
      });
      parts.push(list);
    }
    if (data.notes && data.notes.length) {
      parts.push(el("h3", { text: S.notes }));
      parts.push(
        el(
          "ul",
          { class: "notes" },
          data.notes.map(function (note) {
            return el("li", { text: note });
          })
        )
      );
    }
    reportBody.textContent = "";
    parts.forEach(function (part) {
      reportBody.appendChild(part);
    });
    reportEl.hidden = false;
    highlight(data.constraints);
  }

  function highlight(hits) {
    if (!map || !map.getSource("precheck-constraints")) return;
    map.getSource("precheck-constraints").setData({
      type: "FeatureCollection",
      features: (hits || [])
        .filter(function (hit) {
          return hit.geometry;
        })
        .map(function (hit) {
          return { type: "Feature", properties: { status: hit.status, kind: hit.kind }, geometry: hit.geometry };
        }),
    });
  }

  // The request -----------------------------------------------------------------------------

  function numberOf(name) {
    var input = form.elements[name];
    if (!input || input.value.trim() === "") return null;
    var value = Number(input.value.replace(",", "."));
    return isNaN(value) ? input.value : value;
  }

  function snapshotFeature(id) {
    if (!draw || id == null) return null;
    var found = draw.getSnapshot().filter(function (f) {
      return f.id === id;
    });
    return found.length ? found[0] : null;
  }

  function codes() {
    return parcelsInput.value.split(/[\s,;]+/).filter(Boolean);
  }

  function body() {
    var footprint = snapshotFeature(footprintId);
    var site = snapshotFeature(siteFeatureId);
    var result = { floors: numberOf("floors") };
    if (site) result.site = site.geometry;
    else if (codes().length) result.parcels = codes();
    if (footprint) result.footprint = footprint.geometry;
    ["floor_area_m2", "green_area_m2", "height_m", "incomplete_floors", "attic_area_over_1_6m"].forEach(function (name) {
      var value = numberOf(name);
      if (value !== null) result[name] = value;
    });
    ["building_class", "use"].forEach(function (name) {
      if (form.elements[name].value) result[name] = form.elements[name].value;
    });
    return result;
  }

  function clearFieldErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".field--error"), function (field) {
      field.classList.remove("field--error");
      var error = field.querySelector(".field__error");
      if (error) error.remove();
    });
  }

  function showFieldError(parameter, message) {
    var field = form.querySelector('[data-field="' + parameter + '"]');
    if (!field) {
      say(message);
      return;
    }
    field.classList.add("field--error");
    field.appendChild(el("p", { class: "field__error", role: "alert", text: message }));
  }

  function check() {
    var data = body();
    if (!data.site && !data.parcels) return say(S.needSite);
    if (!data.footprint) return say(S.needFootprint);
    if (data.floors == null) return say(S.needFloors);
    var mine = ++request;
    say(S.checking);
    reportEl.setAttribute("aria-busy", "true");
    fetch(config.checkUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": config.language },
      body: JSON.stringify(data),
      credentials: "omit",
    })
      .then(function (response) {
        return response.json().then(function (json) {
          return { status: response.status, json: json };
        });
      })
      .then(function (result) {
        if (mine !== request) return;
        reportEl.removeAttribute("aria-busy");
        clearFieldErrors();
        if (result.status === 200) {
          say("");
          renderReport(result.json);
        } else if (result.status === 400) {
          var parameter = (result.json.parameter || "").replace(/\[\d+\]$/, "");
          if (parameter === "site" && !siteFeatureId) parameter = "parcels";
          if (parameter === "footprint") say(result.json.detail);
          else showFieldError(parameter, result.json.detail);
        } else {
          say(S.checkFailed);
        }
      })
      .catch(function () {
        if (mine !== request) return;
        reportEl.removeAttribute("aria-busy");
        say(S.checkFailed);
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 350);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (event) {
    // With a drawn footprint the map's check answers; otherwise the form goes to the server.
    if (footprintId != null) {
      event.preventDefault();
      check();
    }
  });

  // The map ---------------------------------------------------------------------------------

  function setSelected(code, id, on) {
    if (on) selected[code] = id;
    else delete selected[code];
    if (id != null) map.setFeatureState({ source: config.parcelLayer, sourceLayer: config.parcelLayer, id: id }, { selected: on });
  }

  function syncParcelsInput() {
    parcelsInput.value = Object.keys(selected).sort().join(", ");
  }

  function clearSelection() {
    Object.keys(selected).forEach(function (code) {
      setSelected(code, selected[code], false);
    });
  }

  function pickParcel(event) {
    if (tool !== "select") return;
    if (map.getZoom() < config.parcelMinZoom - 0.001) {
      say(S.zoomIn);
      map.easeTo({ center: event.lngLat, zoom: config.parcelMinZoom + 1 });
      return;
    }
    var layers = map.getStyle().layers.filter(function (l) {
      return l.metadata && l.metadata["gisportal:layer"] === config.parcelLayer && l.type === "fill";
    });
    var features = map.queryRenderedFeatures(event.point, {
      layers: layers.map(function (l) {
        return l.id;
      }),
    });
    if (!features.length) return;
    var feature = features[0];
    var code = feature.properties.cadastral_code;
    var add = event.originalEvent && (event.originalEvent.shiftKey || event.originalEvent.ctrlKey || event.originalEvent.metaKey);
    if (!add) {
      var was = code in selected && Object.keys(selected).length === 1;
      clearSelection();
      if (!was) setSelected(code, feature.id, true);
    } else {
      setSelected(code, feature.id, !(code in selected));
    }
    if (siteFeatureId != null) {
      draw.removeFeatures([siteFeatureId]);
      siteFeatureId = null;
    }
    syncParcelsInput();
    say(Object.keys(selected).length ? S.selectedParcels.replace("%(codes)s", parcelsInput.value) : S.needSite);
    schedule();
  }

  function setTool(name) {
    if (name === "clear") {
      if (draw) draw.clear();
      siteFeatureId = footprintId = null;
      clearSelection();
      syncParcelsInput();
      highlight([]);
      reportEl.hidden = true;
      name = "select";
    }
    tool = name;
    Array.prototype.forEach.call(toolsEl.querySelectorAll("[data-tool]"), function (button) {
      if (button.getAttribute("data-tool") !== "clear") button.setAttribute("aria-pressed", button.getAttribute("data-tool") === name ? "true" : "false");
    });
    if (!draw) return;
    if (name === "select") {
      draw.setMode("static");
      pendingTarget = null;
    } else if (name === "site") {
      pendingTarget = "site";
      draw.setMode("polygon");
    } else {
      pendingTarget = "footprint";
      draw.setMode(name);
    }
  }

  toolsEl.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tool]");
    if (button) setTool(button.getAttribute("data-tool"));
  });

  function onFinish(id) {
    if (pendingTarget === "site") {
      if (siteFeatureId != null && siteFeatureId !== id) draw.removeFeatures([siteFeatureId]);
      siteFeatureId = id;
      clearSelection();
      parcelsInput.value = "";
      var feature = snapshotFeature(id);
      if (feature) feature.properties.target = "site";
      say(S.drawnSite);
      setTool("polygon"); // next: the footprint
    } else {
      if (footprintId != null && footprintId !== id) draw.removeFeatures([footprintId]);
      footprintId = id;
      footprintAreaInput.value = "";
    }
    schedule();
  }

  function startDraw() {
    var td = window.terraDraw;
    var adapterLib = window.terraDrawMaplibreGlAdapter;
    if (!td || !adapterLib) return;
    draw = new td.TerraDraw({
      adapter: new adapterLib.TerraDrawMapLibreGLAdapter({ map: map }),
      modes: [
        new td.TerraDrawRenderMode({ modeName: "static", styles: {} }),
        new td.TerraDrawPolygonMode({
          styles: { fillColor: "#f4a261", fillOpacity: 0.45, outlineColor: "#9c4a00", outlineWidth: 2 },
        }),
        new td.TerraDrawRectangleMode({
          styles: { fillColor: "#f4a261", fillOpacity: 0.45, outlineColor: "#9c4a00", outlineWidth: 2 },
        }),
      ],
    });
    draw.start();
    draw.setMode("static");
    draw.on("finish", function (id) {
      onFinish(id);
    });
    window.precheckDraw = draw;
    toolsEl.hidden = false;
  }

  function initialView() {
    var hash = /^#\d/.test(window.location.hash);
    var first = config.municipalities[0];
    if (hash || !first) return { center: first ? first.center : [43.4, 42.2], zoom: first ? 16 : 6.5 };
    return { center: first.center, zoom: 16 };
  }

  function startMap() {
    var view = initialView();
    map = new maplibregl.Map({
      container: mapEl,
      style: config.styleUrl,
      center: view.center,
      zoom: view.zoom,
      hash: true,
      maxBounds: config.maxBounds,
      minZoom: 6,
      maxZoom: 20,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      doubleClickZoom: false,
      attributionControl: false,
      fadeDuration: 0,
    });
    window.gisportalMap = map;
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");

    map.on("load", function () {
      map.getStyle().layers.forEach(function (layer) {
        var name = layer.metadata && layer.metadata["gisportal:layer"];
        if (name && config.showLayers.indexOf(name) !== -1) map.setLayoutProperty(layer.id, "visibility", "visible");
      });
      map.addSource("precheck-constraints", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      map.addLayer({
        id: "precheck-constraints-fill",
        type: "fill",
        source: "precheck-constraints",
        paint: { "fill-color": ["match", ["get", "status"], "fail", "#c1121f", "#e9a800"], "fill-opacity": 0.35 },
      });
      map.addLayer({
        id: "precheck-constraints-line",
        type: "line",
        source: "precheck-constraints",
        paint: { "line-color": ["match", ["get", "status"], "fail", "#7a0010", "#7a5200"], "line-width": 2.5 },
      });
      if (map.getSource(config.parcelLayer)) {
        map.addLayer({
          id: "precheck-selected-outline",
          type: "line",
          source: config.parcelLayer,
          "source-layer": config.parcelLayer,
          minzoom: config.parcelMinZoom,
          paint: { "line-color": "#0b2f52", "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 3.5, 0] },
        });
      }
      startDraw();
      say(S.needSite);
    });
    map.on("click", pickParcel);
    map.on("movestart", function () {
      setState("busy");
    });
    map.on("dataloading", function () {
      if (mapEl.getAttribute("data-state") === "idle") setState("busy");
    });
    map.on("idle", function () {
      setState("idle");
    });
    map.on("error", function (event) {
      if (window.console) console.warn("map:", event && event.error ? event.error.message : event);
    });
  }

  try {
    if (!window.maplibregl) throw new Error("MapLibre did not load");
    startMap();
  } catch (error) {
    setState("failed");
    mapEl.appendChild(el("p", { class: "map__fallback", role: "alert", text: S.mapFailed }));
  }
})();
