/* The results' pages: the projects on a map coloured by the rules that chose them, and, while
   a computation runs, its progress bar kept up to date. Without JavaScript the table says the
   same, and the page refreshes itself while the computation runs. */
import { createMap, pickFeatures, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const config = readJSON("results-config");
const container = document.getElementById("results-map");
if (config && container && config.features.features.length) {
  const map = createMap(container, {
    style: config.styleUrl,
    bounds: config.features,
    fitMaxZoom: 16,
    fitPadding: 40,
    scrollZoom: false,
    scale: true,
    global: "resultsMap",
  });
  if (map)
    whenLoaded(map, () => {
      showGeometry(map, "results", config.features, {
        colour: ["get", "colour"],
        fill: ["get", "colour"],
        fillOpacity: 0.35,
        pointRadius: 8,
      });
      pickFeatures(map, {
        layers: ["results-circle", "results-fill"],
        onPick: (features) => {
          const reference = features.length ? features[0].properties.reference : null;
          const row = reference && document.querySelector(`tr[data-reference="${CSS.escape(reference)}"]`);
          if (!row) return;
          document.querySelectorAll("tr.results-row--picked").forEach((r) => r.classList.remove("results-row--picked"));
          row.classList.add("results-row--picked");
          row.scrollIntoView({ block: "center" });
        },
      });
    });
} else if (container) {
  container.hidden = true;
}

const bar = document.getElementById("results-progress");
if (bar) {
  // The page's meta refresh is for pages without JavaScript; here the bar is polled instead.
  document.querySelectorAll('meta[http-equiv="refresh"]').forEach((meta) => meta.remove());
  const percent = document.getElementById("results-percent");
  const language = document.documentElement.lang || "ka";
  const poll = async () => {
    try {
      const response = await fetch(bar.dataset.url, { headers: { Accept: "application/json", "Accept-Language": language } });
      if (response.ok) {
        const state = await response.json();
        bar.value = state.percent;
        if (percent) percent.textContent = `${state.percent} %`;
        if (state.done) {
          window.location.assign(state.page);
          return;
        }
      }
    } catch (error) {
      console.warn("results:", error);
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
}
