/* Boundary changes on the map.

   On the planner's review page (data-mode="draw") the map shows the site as it is; the planner
   draws the proposed site with terra-draw (a polygon or a rectangle), or copies the current site
   and drags its corners. Each change writes the drawn polygons as GeoJSON (EPSG:4326) into the
   form's text field, which stays usable without the map: a GeoJSON typed or pasted there is
   shown on the map when the field changes.

   On the applicant's answer page (data-mode="compare") the map shows the site now and the
   proposed site over each other, with a legend. */
(function () {
  "use strict";

  var mapEl = document.getElementById("boundary-map");
  if (!mapEl || !window.maplibregl) return;
  var mode = mapEl.getAttribute("data-mode");
  var OLD_COLOUR = "#0b2f52";
  var NEW_COLOUR = "#c2410c";
  var PRECISION = 1e8; // terra-draw refuses coordinates finer than its precision (9 digits)

  function readJSON(text) {
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;
    }
  }

  function geometryOf(value) {
    if (!value) return null;
    if (value.type === "Feature") return value.geometry;
    if (value.type === "FeatureCollection") {
      var polygons = [];
      value.features.forEach(function (f) {
        polygonsOf(f.geometry).forEach(function (p) {
          polygons.push(p);
        });
      });
      return polygons.length ? { type: "MultiPolygon", coordinates: polygons } : null;
    }
    return value;
  }

  function polygonsOf(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return [geometry.coordinates];
    if (geometry.type === "MultiPolygon") return geometry.coordinates;
    return [];
  }

  function oldSite() {
    var own = readJSON(mapEl.getAttribute("data-old-geometry"));
    if (own) return geometryOf(own);
    var config = readJSON((document.getElementById("apply-config") || {}).textContent);
    return config && config.site ? config.site : null;
  }

  function bounds(geometries) {
    var b = new maplibregl.LngLatBounds();
    var any = false;
    (function walk(c) {
      if (typeof c[0] === "number") {
        b.extend(c);
        any = true;
      } else c.forEach(walk);
    })(
      geometries
        .filter(Boolean)
        .map(function (g) {
          return g.coordinates;
        })
    );
    return any ? b : null;
  }

  function addShape(map, id, geometry, colour, dashed) {
    map.addSource(id, {
      type: "geojson",
      data: geometry ? { type: "Feature", geometry: geometry, properties: {} } : { type: "FeatureCollection", features: [] },
    });
    map.addLayer({ id: id + "-fill", type: "fill", source: id, paint: { "fill-color": colour, "fill-opacity": 0.15 } });
    var paint = { "line-color": colour, "line-width": 3 };
    if (dashed) paint["line-dasharray"] = [2, 1.5];
    map.addLayer({ id: id + "-line", type: "line", source: id, paint: paint });
  }

  var old = oldSite();
  var map = new maplibregl.Map({
    container: mapEl,
    style: mapEl.getAttribute("data-style-url"),
    center: [parseFloat(mapEl.getAttribute("data-lon")) || 41.64, parseFloat(mapEl.getAttribute("data-lat")) || 41.64],
    zoom: 16,
    dragRotate: false,
    doubleClickZoom: false,
    attributionControl: false,
    fadeDuration: 0,
  });
  window.boundaryMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");

  function frame(geometries) {
    var b = bounds(geometries);
    if (b) map.fitBounds(b, { padding: 50, maxZoom: 19, duration: 0 });
  }

  function setState(state) {
    mapEl.setAttribute("data-state", state);
  }
  setState("loading");
  map.on("idle", function () {
    setState("idle");
  });

  if (mode === "compare") {
    var proposed = geometryOf(readJSON(mapEl.getAttribute("data-new-geometry")));
    map.on("load", function () {
      addShape(map, "boundary-old", old, OLD_COLOUR, true);
      addShape(map, "boundary-new", proposed, NEW_COLOUR, false);
      frame([old, proposed]);
    });
    return;
  }

  // The planner's drawing ----------------------------------------------------------------------

  var input = document.getElementById(mapEl.getAttribute("data-input"));
  var toolsEl = document.getElementById("boundary-tools");
  var draw = null;
  var writing = false;

  function rounded(coordinates) {
    if (typeof coordinates[0] === "number") {
      return coordinates.map(function (n) {
        return Math.round(n * PRECISION) / PRECISION;
      });
    }
    return coordinates.map(rounded);
  }

  function drawnPolygons() {
    return draw
      .getSnapshot()
      .filter(function (f) {
        return f.geometry.type === "Polygon" && !(f.properties && f.properties.currentlyDrawing);
      })
      .map(function (f) {
        return f.geometry.coordinates;
      });
  }

  function writeInput() {
    if (!input) return;
    var polygons = drawnPolygons();
    writing = true;
    if (!polygons.length) input.value = "";
    else if (polygons.length === 1) input.value = JSON.stringify({ type: "Polygon", coordinates: polygons[0] });
    else input.value = JSON.stringify({ type: "MultiPolygon", coordinates: polygons });
    input.dispatchEvent(new Event("input", { bubbles: true }));
    writing = false;
  }

  function load(geometry) {
    // Replace what is drawn with this geometry's polygons, ready to be edited.
    draw.clear();
    var features = polygonsOf(geometry).map(function (polygon) {
      return { type: "Feature", geometry: { type: "Polygon", coordinates: rounded(polygon) }, properties: { mode: "polygon" } };
    });
    if (!features.length) return false;
    var results = draw.addFeatures(features);
    return results.some(function (r) {
      return r.valid;
    });
  }

  function setTool(name) {
    if (!draw) return;
    if (name === "copy") {
      if (load(old)) writeInput();
      name = "select";
    } else if (name === "clear") {
      draw.clear();
      writeInput();
      name = "static";
    }
    draw.setMode(name);
    Array.prototype.forEach.call(toolsEl.querySelectorAll("[data-tool]"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-tool") === name ? "true" : "false");
    });
  }

  function startDraw() {
    var td = window.terraDraw;
    var adapterLib = window.terraDrawMaplibreGlAdapter;
    if (!td || !adapterLib || !toolsEl) return;
    var style = { fillColor: NEW_COLOUR, fillOpacity: 0.3, outlineColor: NEW_COLOUR, outlineWidth: 3 };
    draw = new td.TerraDraw({
      adapter: new adapterLib.TerraDrawMapLibreGLAdapter({ map: map }),
      modes: [
        new td.TerraDrawRenderMode({ modeName: "static", styles: {} }),
        new td.TerraDrawPolygonMode({ styles: style }),
        new td.TerraDrawRectangleMode({ styles: style }),
        new td.TerraDrawSelectMode({
          flags: {
            polygon: { feature: { draggable: true, coordinates: { draggable: true, midpoints: true, deletable: true } } },
            rectangle: { feature: { draggable: true, coordinates: { draggable: true, midpoints: true, deletable: true } } },
          },
        }),
      ],
    });
    draw.start();
    draw.setMode("static");
    draw.on("finish", function (id, context) {
      writeInput();
      if (context && context.action === "draw") setTool("select");
    });
    draw.on("change", function (ids, type) {
      if (type === "delete") writeInput();
    });
    // A geometry already in the field (typed, or sent back with an error) is shown to edit.
    var given = geometryOf(readJSON(input && input.value));
    if (given) load(given);
    toolsEl.hidden = false;
    window.boundaryDraw = draw;
  }

  if (toolsEl) {
    toolsEl.addEventListener("click", function (event) {
      var button = event.target.closest("[data-tool]");
      if (button) setTool(button.getAttribute("data-tool"));
    });
  }
  if (input) {
    input.addEventListener("change", function () {
      if (writing || !draw) return;
      var given = geometryOf(readJSON(input.value));
      if (given) load(given);
    });
  }

  map.on("load", function () {
    addShape(map, "boundary-old", old, OLD_COLOUR, true);
    frame([old]);
    startDraw();
  });
})();
