// The admin's geometry widget: draws the GeoJSON of its text area with MapLibre, offline.
// No tiles: a plain background and the geometry itself, redrawn as the text is edited.
(function () {
  "use strict";

  var STYLE = {
    version: 8,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#f4f3ef" } }],
  };
  var GEOMETRY_TYPES = [
    "Point", "MultiPoint", "LineString", "MultiLineString",
    "Polygon", "MultiPolygon", "GeometryCollection",
  ];

  // A Feature or FeatureCollection for the map, or a string naming why there is none.
  function readGeoJSON(text) {
    var trimmed = text.trim();
    if (!trimmed) return { type: "FeatureCollection", features: [] };
    if (trimmed[0] !== "{") return "wkt";
    var data;
    try {
      data = JSON.parse(trimmed);
    } catch (e) {
      return "parse";
    }
    var crs = data && data.crs && data.crs.properties && String(data.crs.properties.name || "");
    if (crs && !/(CRS84|EPSG:{1,2}[\d.]*:?4326)$/.test(crs)) return "crs";
    if (data.type === "Feature") return data;
    if (GEOMETRY_TYPES.indexOf(data.type) >= 0) return { type: "Feature", properties: {}, geometry: data };
    return "parse";
  }

  function extend(bounds, coords) {
    if (typeof coords[0] === "number") {
      bounds[0] = Math.min(bounds[0], coords[0]);
      bounds[1] = Math.min(bounds[1], coords[1]);
      bounds[2] = Math.max(bounds[2], coords[0]);
      bounds[3] = Math.max(bounds[3], coords[1]);
      return;
    }
    for (var i = 0; i < coords.length; i++) extend(bounds, coords[i]);
  }

  function boundsOf(feature) {
    var bounds = [Infinity, Infinity, -Infinity, -Infinity];
    var geometries = feature.geometry ? [feature.geometry] : [];
    while (geometries.length) {
      var g = geometries.pop();
      if (!g) continue;
      if (g.type === "GeometryCollection") geometries = geometries.concat(g.geometries || []);
      else if (g.coordinates) extend(bounds, g.coordinates);
    }
    return isFinite(bounds[0]) ? bounds : null;
  }

  function setUp(root) {
    var textarea = root.querySelector("textarea");
    var status = root.querySelector(".geometry-widget-status");
    var container = root.querySelector(".geometry-widget-map");
    var say = function (key) {
      status.textContent = key ? root.dataset["msg" + key[0].toUpperCase() + key.slice(1)] || "" : "";
    };
    if (!window.maplibregl) {
      say("nomap");
      return;
    }
    var map;
    try {
      map = new maplibregl.Map({
        container: container,
        style: STYLE,
        center: [parseFloat(root.dataset.lon), parseFloat(root.dataset.lat)],
        zoom: parseFloat(root.dataset.zoom),
        attributionControl: false,
      });
    } catch (e) {
      say("nomap");
      container.hidden = true;
      return;
    }
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));

    function show(fit) {
      var feature = readGeoJSON(textarea.value);
      if (typeof feature === "string") {
        say(feature);
        return;
      }
      say(null);
      map.getSource("geometry").setData(feature);
      var bounds = fit && boundsOf(feature);
      if (bounds) map.fitBounds(bounds, { padding: 30, maxZoom: 18, duration: 0 });
    }

    map.on("load", function () {
      map.addSource("geometry", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      map.addLayer({
        id: "geometry-fill", type: "fill", source: "geometry",
        filter: ["==", ["geometry-type"], "Polygon"],
        paint: { "fill-color": "#2b6cb0", "fill-opacity": 0.25 },
      });
      map.addLayer({
        id: "geometry-line", type: "line", source: "geometry",
        filter: ["!=", ["geometry-type"], "Point"],
        paint: { "line-color": "#1a4a80", "line-width": 2 },
      });
      map.addLayer({
        id: "geometry-point", type: "circle", source: "geometry",
        filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-color": "#1a4a80", "circle-radius": 5 },
      });
      show(true);
      var timer;
      textarea.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { show(true); }, 300);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var roots = document.querySelectorAll("[data-geometry-widget]");
    for (var i = 0; i < roots.length; i++) setUp(roots[i]);
  });
})();
