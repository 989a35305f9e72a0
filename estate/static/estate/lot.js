/* The live lot page: the price, the minimum next bid, the time left and the price path kept
   current without a reload, and bids sent without one.

   The state comes from the server's stream (Server-Sent Events, estate/live.py); where
   EventSource is missing or its connection keeps failing, the page asks the state endpoint
   every POLL_MS with If-None-Match instead. The page without this script shows the state at
   load and bids through the plain form. Every text shown comes from the page (lot-config). */
import { bboxOf, createMap, readJSON, showGeometry, whenLoaded } from "../core/mapkit.js";

const POLL_MS = 1500;
const FAILURES_BEFORE_POLLING = 3;

const config = readJSON("lot-config");
const strings = (config && config.strings) || {};
let state = (config && config.state) || {};
let clockOffset = 0; // server time minus the browser's, in ms
let myTop = config && config.myTop ? Number(config.myTop) : null;

const $ = (selector) => document.querySelector(selector);
const live = (name) => document.querySelector(`[data-live="${name}"]`);

function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, key) => (key in values ? values[key] : ""));
}

function money(value) {
  return value == null || value === "" ? "—" : String(value);
}

const timeFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: (config && config.timeZone) || undefined,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const parts = Object.fromEntries(timeFormat.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.day}.${parts.month}.${parts.year} ${parts.hour}:${parts.minute}:${parts.second}`;
}

function setText(element, text) {
  if (element && element.textContent !== text) element.textContent = text;
}

function renderPath(bids) {
  const body = live("path");
  if (!body || !Array.isArray(bids)) return;
  const withAlias = body.closest("table").querySelectorAll("thead th").length > 3;
  const rows = [...bids].sort((a, b) => b.sequence - a.sequence);
  if (!rows.length) return;
  const shown = new Set([...body.querySelectorAll("tr[data-sequence]")].map((tr) => tr.dataset.sequence));
  const kept = [...body.querySelectorAll("tr")].filter((tr) => !tr.hasAttribute("data-empty"));
  if (kept.length && !shown.size) kept.forEach((tr) => tr.remove()); // rows written by the server
  body.querySelector("[data-empty]")?.remove();
  for (const bid of rows.reverse()) {
    if (shown.has(String(bid.sequence))) continue;
    const tr = document.createElement("tr");
    tr.dataset.sequence = String(bid.sequence);
    const cells = [String(bid.sequence), money(bid.amount), when(bid.placed_at || bid.at)];
    if (withAlias) cells.push(bid.alias != null ? `#${bid.alias}` : bid.bidder != null ? `#${bid.bidder}` : "");
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      if (i < 2) td.className = "num";
      td.textContent = text;
      tr.appendChild(td);
    });
    body.prepend(tr);
  }
  const limit = Math.max(rows.length, 50);
  [...body.querySelectorAll("tr")].slice(limit).forEach((tr) => tr.remove());
}

function renderStanding() {
  const element = live("standing");
  if (!element || myTop == null || state.current_price == null) return;
  const leading = Number(state.current_price) === myTop;
  setText(element, leading ? strings.lead : strings.outbid);
  element.hidden = false;
  element.dataset.standing = leading ? "lead" : "outbid";
}

let amountTyped = false;

function apply(next, { fromServerClock = true } = {}) {
  if (!next) return;
  if (state.version != null && next.version != null && Number(next.version) < Number(state.version)) return;
  const priceChanged = next.current_price !== state.current_price;
  state = { ...state, ...next };
  if (fromServerClock && next.server_time) clockOffset = new Date(next.server_time).getTime() - Date.now();
  const price = live("current_price");
  setText(price, money(state.final_price || state.current_price));
  if (priceChanged && price) {
    const dd = price.closest("dd");
    dd.classList.remove("lot-live--changed");
    void dd.offsetWidth; // restart the animation
    dd.classList.add("lot-live--changed");
  }
  setText(live("minimum_bid"), money(state.minimum_bid));
  setText(live("bid_count"), String(state.bid_count ?? ""));
  const closes = live("closes_at");
  if (closes && state.closes_at) {
    setText(closes, when(state.closes_at));
    closes.setAttribute("datetime", state.closes_at);
  }
  const amount = document.querySelector("[data-bid-form] input[name=amount]");
  if (amount && state.minimum_bid != null && (!amountTyped || Number(amount.value) < Number(state.minimum_bid))) {
    if (document.activeElement !== amount) {
      amount.value = state.minimum_bid;
      amountTyped = false;
    }
  }
  renderPath(state.bids);
  renderStanding();
  document.body.dataset.lotVersion = String(state.version ?? "");
  tick();
}

function tick() {
  const element = live("time_left");
  if (!element || !state.closes_at) return;
  const now = Date.now() + clockOffset;
  const starts = state.starts_at ? new Date(state.starts_at).getTime() : 0;
  let left = Math.floor((new Date(state.closes_at).getTime() - now) / 1000);
  if (state.status && state.status !== "published") {
    setText(element, strings.closed);
    return;
  }
  if (now < starts) {
    setText(element, strings.notStarted);
    return;
  }
  if (left <= 0) {
    setText(element, strings.closed);
    return;
  }
  const days = Math.floor(left / 86400);
  left %= 86400;
  const pad = (n) => String(n).padStart(2, "0");
  const clock = `${pad(Math.floor(left / 3600))}:${pad(Math.floor((left % 3600) / 60))}:${pad(left % 60)}`;
  setText(element, days ? `${format(strings.days, { days })} ${clock}` : clock);
}

function showMode(text) {
  const element = live("mode");
  if (!element) return;
  setText(element, text);
  element.hidden = false;
}

// --- Following the lot --------------------------------------------------------------------

let etag = null;

async function poll() {
  try {
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    const response = await fetch(config.stateUrl, { headers, credentials: "same-origin" });
    if (response.status === 200) {
      etag = response.headers.get("ETag");
      apply(await response.json());
    }
  } catch (error) {
    /* the next turn tries again */
  }
  window.setTimeout(poll, POLL_MS);
}

function startPolling() {
  document.body.dataset.lotLive = "polling";
  showMode(strings.polling);
  window.setTimeout(poll, 0);
}

function follow() {
  // A closed lot changes no more: its page is the state.
  if (!config || (state.status && state.status !== "published")) return;
  if (!("EventSource" in window)) {
    startPolling();
    return;
  }
  const source = new EventSource(config.stream);
  let failures = 0;
  source.onopen = () => {
    document.body.dataset.lotLive = "stream";
    showMode(strings.live);
  };
  source.onmessage = (event) => {
    failures = 0;
    try {
      apply(JSON.parse(event.data));
    } catch (error) {
      /* a message cut short: the next one is whole */
    }
  };
  source.onerror = () => {
    failures += 1;
    if (source.readyState === EventSource.CLOSED || failures >= FAILURES_BEFORE_POLLING) {
      source.close();
      startPolling();
    }
  };
}

// --- Bidding without a reload -------------------------------------------------------------

function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function bidding() {
  const form = $("[data-bid-form]");
  if (!form) return;
  const amount = form.querySelector("input[name=amount]");
  const key = form.querySelector("[data-bid-key]");
  const error = form.querySelector("[data-bid-error]");
  const ok = form.querySelector("[data-bid-ok]");
  const button = form.querySelector("button[type=submit]");
  amount.addEventListener("input", () => {
    amountTyped = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    ok.hidden = true;
    button.disabled = true;
    const sent = amount.value.trim();
    try {
      const response = await fetch(config.bidUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          // The API answers in the language asked for: the page's, not the browser's.
          "Accept-Language": document.documentElement.lang || "ka",
          "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
        },
        body: JSON.stringify({ amount: sent, key: key.value }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 201) {
        myTop = Number(body.amount ?? sent);
        ok.textContent = format(strings.accepted, { amount: body.amount ?? sent });
        ok.hidden = false;
        key.value = newKey();
        amountTyped = false;
        apply(
          { current_price: body.current_price, minimum_bid: body.minimum_bid, closes_at: body.closes_at },
          { fromServerClock: false },
        );
        if (document.activeElement === amount) amount.value = body.minimum_bid;
      } else {
        error.textContent = body.detail || strings.failed;
        error.hidden = false;
        if (response.status < 500) key.value = newKey();
        if (body.minimum_bid != null) apply({ minimum_bid: body.minimum_bid }, { fromServerClock: false });
      }
    } catch (failure) {
      // The same key again is the same bid: a retry after a lost answer cannot bid twice.
      error.textContent = strings.failed;
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}

// --- The assets on the map ----------------------------------------------------------------

function assetsMap() {
  const element = document.getElementById("lot-map");
  const assets = readJSON("lot-assets");
  if (!element || !assets || !assets.features || !assets.features.length) {
    element?.closest(".lot-map__wrap")?.setAttribute("hidden", "");
    return;
  }
  const map = createMap(element, {
    style: element.dataset.styleUrl,
    center: [parseFloat(element.dataset.lon) || 41.64, parseFloat(element.dataset.lat) || 41.64],
    zoom: 15,
    bounds: bboxOf(assets),
    fitMaxZoom: 18,
    scrollZoom: false,
    global: "lotMap",
  });
  if (map) whenLoaded(map, () => showGeometry(map, "lot-assets", assets, { colour: "#c2410c", fill: "#c2410c" }));
}

apply(state);
window.setInterval(tick, 1000);
follow();
bidding();
assetsMap();
