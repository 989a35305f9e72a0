/* The permit application's map: step 2 picks parcels by clicking (their codes go into the
   list field, which works without the map too); step 3 draws the footprint with terra-draw
   into a hidden GeoJSON field and shows the live compliance report (POST /api/v1/permits/check);
   the review page shows the site and the footprint over the zones and constraints. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("apply-config").textContent);
  var mapEl = document.getElementById("map");
  if (!mapEl || !window.maplibregl) return;
  var step = mapEl.getAttribute("data-step");
  var form = document.getElementById("apply-form");
  var codesInput = form && form.elements.parcel_codes;
  var footprintInput = form && form.elements.footprint;
  var areaInput = form && form.elements.footprint_area_m2;
  var floorsInput = form && form.elements.floors;
  var reportEl = document.getElementById("report");
  var reportBody = document.getElementById("report-body");
  var toolsEl = document.getElementById("tools");
  var draw = null;
  var footprintId = null;
  var timer = null;

  function codes() {
    return (codesInput.value || "").split(/[\s,;]+/).filter(Boolean);
  }

  function bounds(geojson) {
    var b = new maplibregl.LngLatBounds();
    (function walk(c) {
      if (typeof c[0] === "number") b.extend(c);
      else c.forEach(walk);
    })(geojson.coordinates);
    return b;
  }

  var map = new maplibregl.Map({
    container: mapEl,
    style: config.styleUrl,
    center: config.center || [41.64, 41.64],
    zoom: 16,
    dragRotate: false,
    doubleClickZoom: false,
    attributionControl: false,
  });
  window.gisportalMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");

  function addShape(id, geojson, colour) {
    if (!geojson) return;
    map.addSource(id, { type: "geojson", data: geojson });
    map.addLayer({ id: id + "-fill", type: "fill", source: id, paint: { "fill-color": colour, "fill-opacity": 0.2 } });
    map.addLayer({ id: id + "-line", type: "line", source: id, paint: { "line-color": colour, "line-width": 2.5 } });
  }

  function liveCheck() {
    if (!reportBody || !floorsInput || !floorsInput.value) return;
    var body = { floors: parseInt(floorsInput.value, 10) };
    if (config.site) body.site = config.site;
    else return;
    if (footprintInput.value) body.footprint = JSON.parse(footprintInput.value);
    else if (areaInput.value) body.footprint_area_m2 = parseFloat(areaInput.value);
    else return;
    fetch(config.checkUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": config.language },
      body: JSON.stringify(body),
    })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (!data) return;
        var list = document.createElement("ul");
        var head = document.createElement("p");
        head.className = "outcome outcome--" + data.outcome;
        head.setAttribute("data-outcome", data.outcome);
        head.textContent = data.outcome_message;
        (data.rules || []).forEach(function (rule) {
          var li = document.createElement("li");
          li.className = "rule rule--" + rule.status;
          li.textContent = rule.title + ": " + rule.message;
          list.appendChild(li);
        });
        reportBody.replaceChildren(head, list);
        reportEl.hidden = false;
      })
      .catch(function () {});
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(liveCheck, 400);
  }

  map.on("load", function () {
    map.getStyle().layers.forEach(function (layer) {
      var name = layer.metadata && layer.metadata["gisportal:layer"];
      if (name && config.showLayers.indexOf(name) !== -1) map.setLayoutProperty(layer.id, "visibility", "visible");
    });
    if (step === "2" && map.getSource(config.parcelLayer)) {
      // The parcels clicked into the list, outlined (feature state "selected").
      map.addLayer({
        id: "apply-selected-outline",
        type: "line",
        source: config.parcelLayer,
        "source-layer": config.parcelLayer,
        paint: { "line-color": "#0b2f52", "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 3.5, 0] },
      });
    }
    addShape("apply-site", config.site, "#0b2f52");
    addShape("apply-footprint", step === "3" ? null : config.footprint, "#9c4a00");
    if (config.site) map.fitBounds(bounds(config.site), { padding: 60, maxZoom: 19, duration: 0 });
    if (step === "3" && window.terraDraw && window.terraDrawMaplibreGlAdapter) {
      var td = window.terraDraw;
      var style = { fillColor: "#f4a261", fillOpacity: 0.45, outlineColor: "#9c4a00", outlineWidth: 2 };
      draw = new td.TerraDraw({
        adapter: new window.terraDrawMaplibreGlAdapter.TerraDrawMapLibreGLAdapter({ map: map }),
        modes: [
          new td.TerraDrawRenderMode({ modeName: "static", styles: {} }),
          new td.TerraDrawPolygonMode({ styles: style }),
          new td.TerraDrawRectangleMode({ styles: style }),
        ],
      });
      draw.start();
      draw.setMode("static");
      window.applyDraw = draw;
      if (config.footprint) {
        // terra-draw refuses coordinates finer than 9 decimals; the stored footprint has more.
        var round = function (c) {
          return typeof c[0] === "number"
            ? c.map(function (n) {
                return Math.round(n * 1e8) / 1e8;
              })
            : c.map(round);
        };
        config.footprint.coordinates.forEach(function (polygon) {
          var added = draw.addFeatures([
            { type: "Feature", geometry: { type: "Polygon", coordinates: round(polygon) }, properties: { mode: "polygon" } },
          ]);
          if (added[0] && added[0].valid) footprintId = added[0].id;
        });
      }
      draw.on("finish", function (id) {
        if (footprintId != null && footprintId !== id) draw.removeFeatures([footprintId]);
        footprintId = id;
        var feature = draw.getSnapshot().filter(function (f) {
          return f.id === id;
        })[0];
        if (feature) {
          footprintInput.value = JSON.stringify(feature.geometry);
          areaInput.value = "";
        }
        draw.setMode("static");
        schedule();
      });
      toolsEl.hidden = false;
      toolsEl.addEventListener("click", function (event) {
        var button = event.target.closest("[data-tool]");
        if (!button) return;
        var name = button.getAttribute("data-tool");
        if (name === "clear") {
          draw.clear();
          footprintId = null;
          footprintInput.value = "";
          draw.setMode("static");
        } else {
          draw.setMode(name);
        }
      });
    }
  });

  if (step === "2" && codesInput) {
    map.on("click", function (event) {
      var ids = map
        .getStyle()
        .layers.filter(function (l) {
          return l.metadata && l.metadata["gisportal:layer"] === config.parcelLayer && l.type === "fill";
        })
        .map(function (l) {
          return l.id;
        });
      var features = map.queryRenderedFeatures(event.point, { layers: ids });
      if (!features.length) return;
      var code = features[0].properties.cadastral_code;
      var list = codes();
      var at = list.indexOf(code);
      if (at === -1) list.push(code);
      else list.splice(at, 1);
      if (features[0].id != null) {
        map.setFeatureState(
          { source: config.parcelLayer, sourceLayer: config.parcelLayer, id: features[0].id },
          { selected: at === -1 }
        );
      }
      codesInput.value = list.join(", ");
      codesInput.dispatchEvent(new Event("change"));
    });
  }
  if (form && floorsInput) {
    form.addEventListener("input", schedule);
    schedule();
  }
})();
