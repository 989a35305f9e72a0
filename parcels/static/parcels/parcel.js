/* The parcel page's small map: the parcel's outline over the portal's own layers. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("parcel-config").textContent);
  var el = document.getElementById("parcel-map");
  if (!window.maplibregl || !el) return;

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
      fitBoundsOptions: { padding: 60, maxZoom: 18 },
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      cooperativeGestures: false,
      scrollZoom: false,
      attributionControl: false,
      interactive: true,
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
    map.addSource("portal-parcel", {
      type: "geojson",
      data: { type: "Feature", properties: {}, geometry: config.geometry },
    });
    map.addLayer({
      id: "portal-parcel-fill",
      type: "fill",
      source: "portal-parcel",
      paint: { "fill-color": "#1d6fa5", "fill-opacity": 0.3 },
    });
    map.addLayer({
      id: "portal-parcel-line",
      type: "line",
      source: "portal-parcel",
      paint: { "line-color": "#0b2f52", "line-width": 3 },
    });
  });
  map.on("idle", function () {
    el.setAttribute("data-state", "idle");
  });
})();
