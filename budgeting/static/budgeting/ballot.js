/* The ballot: the projects on the map and in the list of checkboxes are one choice. Choosing
   on either marks the project on both, updates the bar of money chosen and remaining, and keeps
   the choice as a draft through the ballot API. The form works without this script. */
import { bboxOf, createMap, format, legend, pageStrings, readJSON, whenLoaded } from "../core/mapkit.js";

const config = readJSON("ballot-config");
const form = document.getElementById("ballot-form");
const boxes = [...form.querySelectorAll('input[name="projects"]')];
const statusLine = document.getElementById("ballot-status");
const numbers = new Intl.NumberFormat(config.language === "ka" ? "ka-GE" : "en-GB", { maximumFractionDigits: 0 });
const SOURCE = "ballot-projects";
const checkedOut = config.status === "checked_out";

document.documentElement.classList.add("js");

function chosenIds() {
  return boxes.filter((box) => box.checked).map((box) => Number(box.value));
}

function say(text, problem = false) {
  statusLine.textContent = text || "";
  statusLine.classList.toggle("is-problem", problem);
}

function updateBar() {
  const chosen = boxes.filter((box) => box.checked);
  const total = chosen.reduce((sum, box) => sum + Number(box.dataset.cost), 0);
  const meter = document.getElementById("ballot-meter");
  if (meter) {
    meter.value = Math.min(total, config.amount);
    meter.textContent = String(total);
    document.getElementById("ballot-total").textContent = numbers.format(total);
    const remaining = config.amount - total;
    document.getElementById("ballot-remaining").textContent = numbers.format(remaining);
    const wrap = document.getElementById("ballot-remaining-wrap");
    wrap.classList.toggle("is-over", remaining < 0);
  }
  document.getElementById("ballot-count").textContent = String(chosen.length);
  boxes.forEach((box) => box.closest(".ballot-project").classList.toggle("is-chosen", box.checked));
  if (map && map.getSource(SOURCE)) {
    boxes.forEach((box) => map.setFeatureState({ source: SOURCE, id: Number(box.value) }, { chosen: box.checked }));
  }
  return total;
}

let saving = null;
let again = false;

async function saveDraft() {
  if (!config.open) return;
  if (checkedOut) {
    say(pageStrings.counted);
    return;
  }
  if (saving) {
    again = true;
    return;
  }
  const token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  saving = fetch(config.api, {
    method: "PUT",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": config.language, "X-CSRFToken": token },
    body: JSON.stringify({ projects: chosenIds() }),
  })
    .then(async (response) => {
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        say(body.detail || pageStrings.saveFailed, true);
        return;
      }
      if (body.problem) say(`${pageStrings.saved} ${body.problem}`, true);
      else say(pageStrings.saved);
    })
    .catch(() => say(pageStrings.saveFailed, true))
    .finally(() => {
      saving = null;
      if (again) {
        again = false;
        saveDraft();
      }
    });
}

function toggle(id) {
  const box = boxes.find((b) => Number(b.value) === Number(id));
  if (!box || box.disabled) return;
  box.checked = !box.checked;
  changed();
}

function changed() {
  const total = updateBar();
  if (config.kind !== "approval" && total > config.amount) {
    say(format(pageStrings.over, { amount: numbers.format(total - config.amount) }), true);
  }
  saveDraft();
}

boxes.forEach((box) => box.addEventListener("change", changed));

const container = document.getElementById("ballot-map");
const features = config.projects.features;
const map = createMap(container, {
  style: config.styleUrl,
  bounds: config.bbox || bboxOf(config.projects),
  fitPadding: 50,
  fitMaxZoom: 16,
  scrollZoom: false,
  scale: true,
  global: "gisportalMap",
});

if (map) {
  const polygon = ["match", ["geometry-type"], ["Polygon", "MultiPolygon"], true, false];
  const point = ["match", ["geometry-type"], ["Point", "MultiPoint"], true, false];
  const colour = ["case", ["boolean", ["feature-state", "chosen"], false], config.colours.chosen, config.colours.open];
  whenLoaded(map, () => {
    map.addSource(SOURCE, { type: "geojson", data: config.projects, promoteId: "id" });
    map.addLayer({ id: `${SOURCE}-fill`, type: "fill", source: SOURCE, filter: polygon, paint: { "fill-color": colour, "fill-opacity": 0.35 } });
    map.addLayer({ id: `${SOURCE}-line`, type: "line", source: SOURCE, filter: polygon, paint: { "line-color": colour, "line-width": 2.5 } });
    map.addLayer({
      id: `${SOURCE}-circle`,
      type: "circle",
      source: SOURCE,
      filter: point,
      paint: {
        "circle-radius": ["case", ["boolean", ["feature-state", "chosen"], false], 10, 8],
        "circle-color": colour,
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 2,
      },
    });
    map.addLayer({
      id: `${SOURCE}-label`,
      type: "symbol",
      source: SOURCE,
      filter: point,
      layout: { "text-field": ["get", "title"], "text-size": 12, "text-offset": [0, 1.3], "text-anchor": "top", "text-optional": true },
      paint: { "text-color": "#1d2733", "text-halo-color": "#ffffff", "text-halo-width": 1.5 },
    });
    legend(
      map,
      [
        { label: pageStrings.chosen, colour: config.colours.chosen, fill: config.colours.chosen },
        { label: pageStrings.notChosen, colour: config.colours.open, fill: config.colours.open },
      ],
      { label: pageStrings.legend },
    );
    updateBar();
    const layers = [`${SOURCE}-circle`, `${SOURCE}-fill`];
    map.on("click", (event) => {
      const box = [
        [event.point.x - 6, event.point.y - 6],
        [event.point.x + 6, event.point.y + 6],
      ];
      const hit = map.queryRenderedFeatures(box, { layers })[0];
      if (hit) toggle(hit.id);
    });
    layers.forEach((layer) => {
      map.on("mouseenter", layer, () => (map.getCanvas().style.cursor = "pointer"));
      map.on("mouseleave", layer, () => (map.getCanvas().style.cursor = ""));
    });
  });
}
if (checkedOut && config.open) say(pageStrings.counted);
