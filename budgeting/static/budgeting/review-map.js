/* The budget officer's maps: the cycle's proposals by status, or one proposal's place. Without
   JavaScript the list and the facts beside them say the same. */
import { createMap, fit, legend, pageStrings, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const queue = readJSON("queue-map-config");
const queueContainer = document.getElementById("queue-map");
if (queue && queueContainer) {
  const all = { type: "FeatureCollection", features: queue.groups.flatMap((g) => g.data.features) };
  const map = createMap(queueContainer, {
    style: queue.styleUrl,
    center: queue.center,
    zoom: queue.zoom,
    bounds: all.features.length ? all : undefined,
    fitMaxZoom: 16,
    scale: true,
  });
  if (map)
    whenLoaded(map, () => {
      queue.groups.forEach((group) => {
        const id = `review-${group.status}`;
        showGeometry(map, id, group.data, { colour: group.colour, pointRadius: 6 });
        // A click on a proposal opens its review page.
        map.on("click", `${id}-circle`, (event) => {
          const feature = event.features && event.features[0];
          if (feature && feature.properties.url) window.location.assign(feature.properties.url);
        });
        map.on("mouseenter", `${id}-circle`, () => (map.getCanvas().style.cursor = "pointer"));
        map.on("mouseleave", `${id}-circle`, () => (map.getCanvas().style.cursor = ""));
      });
      if (queue.groups.length)
        legend(
          map,
          queue.groups.map((g) => ({ label: g.label, colour: g.colour, fill: g.colour })),
          { label: pageStrings.legend },
        );
    });
}

const one = readJSON("proposal-map-config");
const oneContainer = document.getElementById("proposal-map");
if (one && oneContainer && one.geometry) {
  const geometry = one.geometry;
  const map = createMap(oneContainer, { style: one.styleUrl, bounds: geometry, fitMaxZoom: 16, scale: true });
  if (map)
    whenLoaded(map, () => {
      showGeometry(map, "review-proposal", geometry, { colour: "#c05a00", fillOpacity: 0.25, width: 3 });
      fit(map, geometry, { animate: false, maxZoom: 16 });
    });
}
