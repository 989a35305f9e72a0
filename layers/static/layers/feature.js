/* A feature's page: a small map of the feature over the portal's own layers, its layer shown. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("feature-config").textContent);
  var el = document.getElementById("feature-map");
  if (!window.maplibregl || !el || !config.geometry) return;

  var bbox = config.bbox;
  var map;
  try {
    map = new maplibregl.Map({
      container: el,
      style: config.styleUrl,
      bounds: [
        [bbox[0], bbox[1]],
        [bbox[2], bbox[3]],
      ],
      fitBoundsOptions: { padding: 50, maxZoom: 18 },
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      scrollZoom: false,
      attributionControl: false,
      fadeDuration: 0,
    });
  } catch (error) {
    el.hidden = true;
    return;
  }
  window.gisportalMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");

  map.on("load", function () {
    // The feature's own layer is shown even where the map starts with it hidden (zoning).
    map.getStyle().layers.forEach(function (layer) {
      if (layer.metadata && layer.metadata["gisportal:layer"] === config.layer) {
        map.setLayoutProperty(layer.id, "visibility", "visible");
      }
    });
    map.addSource("portal-feature", {
      type: "geojson",
      data: { type: "Feature", properties: {}, geometry: config.geometry },
    });
    if (config.geometryFamily === "point") {
      map.addLayer({
        id: "portal-feature-circle",
        type: "circle",
        source: "portal-feature",
        paint: { "circle-radius": 8, "circle-color": "#1d6fa5", "circle-opacity": 0.35, "circle-stroke-color": "#0b2f52", "circle-stroke-width": 3 },
      });
      return;
    }
    if (config.geometryFamily === "polygon") {
      map.addLayer({
        id: "portal-feature-fill",
        type: "fill",
        source: "portal-feature",
        paint: { "fill-color": "#1d6fa5", "fill-opacity": 0.22 },
      });
    }
    map.addLayer({
      id: "portal-feature-line",
      type: "line",
      source: "portal-feature",
      paint: { "line-color": "#0b2f52", "line-width": config.geometryFamily === "line" ? 5 : 3 },
      layout: { "line-cap": "round", "line-join": "round" },
    });
  });
  map.on("idle", function () {
    el.setAttribute("data-state", "idle");
  });
})();
