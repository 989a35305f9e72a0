/* The map page: MapLibre map of the registered layers, the layer panel, the card of a clicked
   feature (the parcel card for parcels, a generic card for any other layer), the search box.
   Everything the user reads comes from the server in the page's language (config.strings, the
   style's metadata, the cards' HTML); this script only moves it about. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var mapLocale = JSON.parse(document.getElementById("maplibre-locale").textContent);
  var S = config.strings;

  var mapEl = document.getElementById("map");
  var cardEl = document.getElementById("card");
  var searchForm = document.getElementById("search");
  var searchInput = document.getElementById("search-q");
  var searchSelect = document.getElementById("search-municipality");
  var resultsEl = document.getElementById("search-results");
  var statusEl = document.getElementById("search-status");
  var zoomHint = document.getElementById("zoom-hint");
  var zoomHintButton = document.getElementById("zoom-hint-button");
  var cityLinks = Array.prototype.slice.call(document.querySelectorAll("[data-city]"));
  var langLinks = Array.prototype.slice.call(document.querySelectorAll("[data-lang-link]"));
  var layersRoot = document.getElementById("layers-panel");
  var layersToggle = document.getElementById("layers-toggle");
  var narrow = window.matchMedia("(max-width: 720px)");
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  var map = null;
  var panel = null;
  var layersMeta = {};
  var selectedId = null;
  var highlighted = null;
  var cardRequest = 0;
  var returnFocusTo = null;
  var urls = config.layerUrls || {};

  function setState(state) {
    mapEl.setAttribute("data-state", state);
  }

  function byCode(code) {
    for (var i = 0; i < config.municipalities.length; i++) {
      if (config.municipalities[i].code === code) return config.municipalities[i];
    }
    return null;
  }

  function parseList(value) {
    if (!value) return null;
    var numbers = value.split(",").map(Number);
    return numbers.some(isNaN) ? null : numbers;
  }

  // The part of the map that the panel or the bottom sheet does not cover.
  function mapPadding() {
    if (narrow.matches) {
      var sheet = cardEl.hidden ? 0 : cardEl.getBoundingClientRect().height;
      return { top: 150, bottom: Math.min(sheet + 24, mapEl.clientHeight * 0.6), left: 24, right: 24 };
    }
    var panel = document.getElementById("panel").getBoundingClientRect();
    return { top: 48, bottom: 48, left: panel.width + 48, right: 64 };
  }

  function animate(options) {
    options.duration = reducedMotion.matches ? 0 : options.duration || 900;
    return options;
  }

  function flyToBbox(bbox, minZoom) {
    if (!map || !bbox) return;
    var camera = map.cameraForBounds(
      [
        [bbox[0], bbox[1]],
        [bbox[2], bbox[3]],
      ],
      { padding: mapPadding(), maxZoom: 18.5 }
    );
    if (!camera) return;
    // Never stop above the zoom at which the feature's layer appears: the card is about it.
    camera.zoom = Math.max(camera.zoom, (minZoom === undefined ? config.parcelMinZoom : minZoom) + 0.5);
    map.flyTo(animate(Object.assign(camera, { essential: true })));
  }

  // On a phone the card covers the lower part of the map: move the parcel above it.
  function keepVisible(center) {
    if (!map || !center || !narrow.matches || cardEl.hidden) return;
    var point = map.project(center);
    var sheetTop = cardEl.getBoundingClientRect().top - mapEl.getBoundingClientRect().top;
    var target = Math.max(160, sheetTop / 2 + 60);
    if (point.y > sheetTop - 40) map.panBy([0, point.y - target], animate({ duration: 400 }));
  }

  // Selection: the parcels style colours features whose state says "selected".
  function select(id) {
    if (!map || !map.getSource(config.parcelLayer)) {
      selectedId = id;
      return;
    }
    if (selectedId !== null) {
      map.setFeatureState({ source: config.parcelLayer, sourceLayer: config.parcelLayer, id: selectedId }, { selected: false });
    }
    selectedId = id;
    if (id !== null) {
      map.setFeatureState({ source: config.parcelLayer, sourceLayer: config.parcelLayer, id: id }, { selected: true });
    }
  }

  // Any other layer's feature is outlined by a layer of its own, filtered to the feature's id.
  var HIGHLIGHT_IDS = ["portal-highlight-fill", "portal-highlight-line", "portal-highlight-circle"];

  function clearHighlight() {
    highlighted = null;
    if (!map) return;
    HIGHLIGHT_IDS.forEach(function (id) {
      if (map.getLayer(id)) map.removeLayer(id);
    });
  }

  function highlight(name, id) {
    clearHighlight();
    var meta = layersMeta[name];
    if (!map || !meta || !map.getSource(name) || id === null || id === undefined) return;
    highlighted = { layer: name, id: id };
    var base = { source: name, "source-layer": name, filter: ["==", ["id"], id], minzoom: meta.min_zoom };
    function add(definition) {
      map.addLayer(Object.assign(definition, base));
    }
    if (meta.geometry === "point") {
      add({
        id: "portal-highlight-circle",
        type: "circle",
        paint: { "circle-radius": 10, "circle-opacity": 0, "circle-stroke-color": "#0b2f52", "circle-stroke-width": 3 },
      });
      return;
    }
    var line = meta.geometry === "line";
    if (!line) {
      add({ id: "portal-highlight-fill", type: "fill", paint: { "fill-color": "#1d6fa5", "fill-opacity": 0.18 } });
    }
    // A line is marked by a wide, half-transparent band, so the line itself still shows.
    add({
      id: "portal-highlight-line",
      type: "line",
      paint: { "line-color": "#0b2f52", "line-width": line ? 7 : 3, "line-opacity": line ? 0.55 : 1 },
      layout: { "line-cap": "round", "line-join": "round" },
    });
  }

  // The card -------------------------------------------------------------------------------

  // The address names what the card shows: ?parcel=CODE, or ?feature=LAYER:ID for any other.
  function setUrlSelection(key, value) {
    var url = new URL(window.location.href);
    ["parcel", "feature"].forEach(function (name) {
      if (name === key && value) url.searchParams.set(name, value);
      else url.searchParams.delete(name);
    });
    // A colon may stand as it is in a query; zones:12 reads better than zones%3A12.
    var search = url.search.replace(/%3A/gi, ":");
    window.history.replaceState(window.history.state, "", url.pathname + search + url.hash);
    updateLanguageLinks();
  }

  function setUrlParcel(code) {
    setUrlSelection("parcel", code);
  }

  function fillUrl(template, layer) {
    return template.split(urls.placeholder).join(encodeURIComponent(layer));
  }

  function showCard(html) {
    cardEl.innerHTML = html;
    cardEl.hidden = false;
    document.body.classList.add("has-card");
  }

  function closeCard() {
    cardRequest++;
    cardEl.innerHTML = "";
    cardEl.hidden = true;
    cardEl.removeAttribute("aria-busy");
    document.body.classList.remove("has-card");
    select(null);
    clearHighlight();
    setUrlParcel(null);
    var target = returnFocusTo && document.contains(returnFocusTo) ? returnFocusTo : map && map.getCanvas();
    returnFocusTo = null;
    if (target) target.focus();
  }

  function featureLabel(hit) {
    var meta = layersMeta[hit.layer];
    var value = meta && meta.label_field ? hit.properties[meta.label_field] : null;
    return value !== null && value !== undefined && value !== "" ? String(value) : S.feature.replace("%(id)s", hit.id);
  }

  // "N more here": the other features under the click, to choose from.
  function renderMoreHere(hits, current) {
    if (!hits || hits.length < 2) return;
    var nav = document.createElement("nav");
    nav.className = "more-here";
    nav.setAttribute("aria-label", S.moreHereLabel);
    var title = document.createElement("h3");
    title.className = "more-here__title";
    title.textContent = S.moreHere.replace("%(count)s", hits.length - 1);
    nav.appendChild(title);
    var list = document.createElement("ul");
    list.className = "more-here__list";
    hits.forEach(function (hit, index) {
      if (index === current) return;
      var meta = layersMeta[hit.layer] || {};
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "more-here__item";
      button.setAttribute("data-layer", hit.layer);
      button.setAttribute("data-feature-id", hit.id);
      if (window.GisportalLayerPanel) button.appendChild(window.GisportalLayerPanel.swatchSvg(meta.swatches && meta.swatches[0]));
      var text = document.createElement("span");
      text.className = "more-here__text";
      var layerTitle = document.createElement("span");
      layerTitle.className = "more-here__layer";
      layerTitle.textContent = meta.title || hit.layer;
      var label = document.createElement("span");
      label.className = "more-here__label";
      label.textContent = featureLabel(hit);
      text.appendChild(layerTitle);
      text.appendChild(label);
      button.appendChild(text);
      button.addEventListener("click", function () {
        openHit(hits, index, { focus: true, returnFocusTo: returnFocusTo });
      });
      li.appendChild(button);
      list.appendChild(li);
    });
    nav.appendChild(list);
    var card = cardEl.firstElementChild;
    (card && card.tagName === "ARTICLE" ? card : cardEl).appendChild(nav);
  }

  /* Fetch a card's HTML and show it. options: fly (to the feature's bounds), focus (its title),
     returnFocusTo (where Escape goes back to), hits and current (for "N more here"). */
  function openCard(url, options) {
    options = options || {};
    var request = ++cardRequest;
    // On a phone both are sheets over the map: the card asked for comes to the front.
    if (panel && narrow.matches && panel.isOpen()) panel.close();
    returnFocusTo = options.returnFocusTo || document.activeElement;
    cardEl.setAttribute("aria-busy", "true");
    if (cardEl.hidden) showCard('<p class="parcel-none">' + S.loading + "</p>");
    return fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) {
          return { ok: response.ok, status: response.status, html: html, type: response.headers.get("Content-Type") || "" };
        });
      })
      .then(function (result) {
        if (request !== cardRequest) return;
        cardEl.removeAttribute("aria-busy");
        // A 400 answers JSON for programs; people get the plain message.
        if (result.status >= 500 || result.type.indexOf("json") !== -1) throw new Error(String(result.status));
        showCard(result.html);
        renderMoreHere(options.hits, options.current);
        var parcel = cardEl.querySelector("[data-parcel-id]");
        var feature = cardEl.querySelector("[data-feature-card]");
        var titleSelector = "#parcel-card-title";
        var center = null;
        if (parcel) {
          clearHighlight();
          select(Number(parcel.getAttribute("data-parcel-id")));
          setUrlParcel(parcel.getAttribute("data-code"));
          if (options.fly) flyToBbox(parseList(parcel.getAttribute("data-bbox")));
          center = parseList(parcel.getAttribute("data-center"));
        } else if (feature) {
          var layer = feature.getAttribute("data-layer");
          var rawId = feature.getAttribute("data-feature-id");
          var id = /^-?\d+$/.test(rawId) ? Number(rawId) : rawId;
          select(null);
          if (panel) panel.show(layer);
          highlight(layer, id);
          setUrlSelection("feature", layer + ":" + rawId);
          titleSelector = "#feature-card-title";
          if (options.fly) flyToBbox(parseList(feature.getAttribute("data-bbox")), Number(feature.getAttribute("data-min-zoom")) || 0);
          center = parseList(feature.getAttribute("data-center"));
        } else {
          select(null);
          clearHighlight();
          setUrlSelection(null, null);
          return;
        }
        if (!options.fly) keepVisible(center);
        if (options.focus !== false) {
          var title = cardEl.querySelector(titleSelector);
          if (title) title.focus({ preventScroll: true });
        }
      })
      .catch(function () {
        if (request !== cardRequest) return;
        cardEl.removeAttribute("aria-busy");
        showCard('<p class="parcel-none" role="alert">' + S.featureFailed + "</p>");
      });
  }

  function parcelCardUrl(params) {
    return config.cardUrl + "?" + new URLSearchParams(params).toString();
  }

  function featureCardUrl(layer, id) {
    return fillUrl(urls.card, layer) + "?" + new URLSearchParams({ id: String(id) }).toString();
  }

  // Parcels keep their own card, found by the point that was clicked; other layers by id.
  function openHit(hits, index, options) {
    var hit = hits[index];
    var url =
      hit.layer === config.parcelLayer && hit.lngLat
        ? parcelCardUrl({ lon: hit.lngLat.lng.toFixed(7), lat: hit.lngLat.lat.toFixed(7) })
        : featureCardUrl(hit.layer, hit.id);
    if (hit.layer === config.parcelLayer) select(hit.id);
    return openCard(url, Object.assign({ hits: hits, current: index }, options || {}));
  }

  cardEl.addEventListener("click", function (event) {
    var close = event.target.closest("[data-action='close-card']");
    if (close) {
      event.preventDefault();
      closeCard();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || cardEl.hidden) return;
    var inSearch = searchForm.contains(document.activeElement);
    if (!inSearch) closeCard();
  });

  // A layer switched off takes its selection with it; parcels switched off need no zoom hint.
  document.addEventListener("gisportal:layerchange", function (event) {
    var detail = event.detail || {};
    if (!detail.visible && highlighted && highlighted.layer === detail.name) clearHighlight();
    if (map) updateZoomHint();
  });

  // The header: city switch and language links ---------------------------------------------

  var nextLinks = Array.prototype.slice.call(document.querySelectorAll("[data-next-link]"));

  // Links that leave the map (other language, sign in) come back to the same place.
  function updateLanguageLinks() {
    langLinks.forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      url.search = window.location.search;
      url.hash = window.location.hash;
      link.href = url.toString();
    });
    nextLinks.forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("next", window.location.pathname + window.location.search + window.location.hash);
      link.href = url.toString();
    });
  }

  // Messages (signed in, signed out) say their piece, then leave the map free.
  var messages = document.querySelector(".messages");
  if (messages) {
    window.setTimeout(function () {
      messages.hidden = true;
    }, 8000);
  }

  function updateCurrentCity() {
    if (!map) return;
    var c = map.getCenter();
    cityLinks.forEach(function (link) {
      var m = byCode(link.getAttribute("data-city"));
      var inside = m && m.bbox && c.lng >= m.bbox[0] && c.lng <= m.bbox[2] && c.lat >= m.bbox[1] && c.lat <= m.bbox[3];
      if (inside) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
  }

  cityLinks.forEach(function (link) {
    link.addEventListener("click", function (event) {
      var m = byCode(link.getAttribute("data-city"));
      if (!map || !m) return;
      event.preventDefault();
      searchSelect.value = m.code;
      map.flyTo(animate({ center: m.center, zoom: m.zoom, essential: true, duration: 1600 }));
    });
  });

  // Search ---------------------------------------------------------------------------------

  var results = [];
  var activeIndex = -1;
  var searchTimer = null;
  var searchRequest = 0;

  function formatArea(value) {
    return new Intl.NumberFormat(config.language, { maximumFractionDigits: 0 }).format(value);
  }

  function setExpanded(expanded) {
    resultsEl.hidden = !expanded;
    searchInput.setAttribute("aria-expanded", expanded ? "true" : "false");
    if (!expanded) {
      activeIndex = -1;
      searchInput.removeAttribute("aria-activedescendant");
    }
  }

  function renderResults() {
    resultsEl.textContent = "";
    results.forEach(function (result, index) {
      var li = document.createElement("li");
      li.id = "search-option-" + index;
      li.className = "search__option";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", index === activeIndex ? "true" : "false");
      li.setAttribute("data-code", result.code);
      var code = document.createElement("span");
      code.className = "search__option-code";
      code.textContent = result.code;
      li.appendChild(code);
      if (result.address) {
        var address = document.createElement("span");
        address.className = "search__option-address";
        address.textContent = result.address;
        li.appendChild(address);
      }
      if (result.meta) {
        var meta = document.createElement("span");
        meta.className = "search__option-meta";
        meta.textContent = result.meta;
        li.appendChild(meta);
      }
      li.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep focus in the input until the choice is made
      });
      li.addEventListener("click", function () {
        choose(index);
      });
      resultsEl.appendChild(li);
    });
    setExpanded(results.length > 0);
  }

  function setActive(index) {
    if (!results.length) return;
    activeIndex = (index + results.length) % results.length;
    Array.prototype.forEach.call(resultsEl.children, function (li, i) {
      li.setAttribute("aria-selected", i === activeIndex ? "true" : "false");
    });
    var active = resultsEl.children[activeIndex];
    searchInput.setAttribute("aria-activedescendant", active.id);
    active.scrollIntoView({ block: "nearest" });
  }

  function fromApi(data) {
    return (data.results || []).map(function (r) {
      var municipality = byCode(r.municipality);
      var meta = [
        r.land_use_label,
        r.area_m2 != null ? formatArea(r.area_m2) + "\u00a0" + S.squareMetres : "",
        municipality ? municipality.name : r.municipality,
      ]
        .filter(Boolean)
        .join(" · ");
      return { code: r.cadastral_code, address: r.address, meta: meta, bbox: r.bbox || null };
    });
  }

  function fromListPage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    return Array.prototype.map.call(doc.querySelectorAll("[data-code]"), function (item) {
      return {
        code: item.getAttribute("data-code"),
        address: item.getAttribute("data-address"),
        meta: item.getAttribute("data-meta"),
        bbox: null,
      };
    });
  }

  function search(query) {
    var request = ++searchRequest;
    var params = new URLSearchParams({ q: query, limit: String(config.searchLimit) });
    if (searchSelect.value) params.set("municipality", searchSelect.value);
    statusEl.textContent = S.searching;
    var headers = { Accept: "application/json", "Accept-Language": config.language };
    function fromListPageSearch() {
      // Without the search API the list page answers the same question, in HTML.
      var pageParams = new URLSearchParams(params);
      pageParams.set("fragment", "1");
      return fetch(config.searchPageUrl + "?" + pageParams.toString(), { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text().then(fromListPage);
      });
    }
    var pending = !config.searchApiUrl
      ? fromListPageSearch()
      : fetch(config.searchApiUrl + "?" + params.toString(), { headers: headers, credentials: "same-origin" }).then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
          if (response.ok && json) return response.json().then(fromApi);
          if (response.status === 400 && json) return [];
          return fromListPageSearch();
        });
    pending
      .then(function (found) {
        if (request !== searchRequest) return;
        results = found;
        activeIndex = -1;
        renderResults();
        statusEl.textContent = found.length ? S.resultsCount.replace("%(count)s", found.length) : S.noResults;
      })
      .catch(function () {
        if (request !== searchRequest) return;
        results = [];
        renderResults();
        statusEl.textContent = S.searchFailed;
      });
  }

  function scheduleSearch() {
    window.clearTimeout(searchTimer);
    var query = searchInput.value.trim();
    if (query.length < 2) {
      searchRequest++;
      results = [];
      renderResults();
      statusEl.textContent = "";
      return;
    }
    searchTimer = window.setTimeout(function () {
      search(query);
    }, 220);
  }

  function choose(index) {
    var result = results[index];
    if (!result) return;
    searchInput.value = result.code;
    setExpanded(false);
    statusEl.textContent = "";
    // On a wide screen the flight starts at once; on a phone it waits for the card, whose
    // height decides where the parcel can be seen.
    var flyNow = result.bbox && !narrow.matches;
    if (flyNow) flyToBbox(result.bbox);
    openCard(parcelCardUrl({ code: result.code }), { fly: !flyNow, returnFocusTo: searchInput });
  }

  searchInput.addEventListener("input", scheduleSearch);
  searchSelect.addEventListener("change", function () {
    if (searchInput.value.trim().length >= 2) search(searchInput.value.trim());
  });
  searchInput.addEventListener("focus", function () {
    if (results.length) setExpanded(true);
  });
  searchInput.addEventListener("blur", function () {
    window.setTimeout(function () {
      if (!searchForm.contains(document.activeElement)) setExpanded(false);
    }, 150);
  });
  searchInput.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (resultsEl.hidden && results.length) setExpanded(true);
      setActive(activeIndex + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive(activeIndex - 1);
    } else if (event.key === "Enter") {
      if (!resultsEl.hidden && activeIndex >= 0) {
        event.preventDefault();
        choose(activeIndex);
      } else if (results.length === 1) {
        event.preventDefault();
        choose(0);
      }
      // Otherwise the form goes to the list page, as it does without JavaScript.
    } else if (event.key === "Escape") {
      if (!resultsEl.hidden) {
        event.preventDefault();
        setExpanded(false);
      } else if (searchInput.value) {
        searchInput.value = "";
        scheduleSearch();
      }
    }
  });

  // The map --------------------------------------------------------------------------------

  function initialView() {
    var first = config.municipalities[0];
    return first ? { center: first.center, zoom: first.zoom } : { center: [43.4, 42.2], zoom: 6.5 };
  }

  function parcelsShown() {
    return !panel || !panel.meta(config.parcelLayer) || panel.isVisible(config.parcelLayer);
  }

  function updateZoomHint() {
    zoomHint.hidden = !parcelsShown() || map.getZoom() >= config.parcelMinZoom - 0.001;
  }

  function addSelectionOutline() {
    if (!map.getSource(config.parcelLayer) || map.getLayer("portal-selected-outline")) return;
    map.addLayer({
      id: "portal-selected-outline",
      type: "line",
      source: config.parcelLayer,
      "source-layer": config.parcelLayer,
      minzoom: config.parcelMinZoom,
      paint: {
        "line-color": "#0b2f52",
        "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 3.5, 0],
      },
    });
  }

  // Every feature under a point, the layer drawn on top first, thematic layers before the base
  // map; each once, however many tiles it was cut into. Lines and points are small targets, so
  // they are looked for in a few pixels around the point; areas only under the point itself,
  // or a click beside a parcel's outline would pick the parcel.
  var PICK_RADIUS = 5;

  function hitsAt(point, lngLat) {
    var style = map.getStyle();
    var position = {};
    var polygonIds = [];
    var thinIds = [];
    style.layers.forEach(function (entry, index) {
      var name = entry.metadata && entry.metadata["gisportal:layer"];
      if (!name || !layersMeta[name]) return;
      position[entry.id] = index;
      if (layersMeta[name].geometry === "polygon") polygonIds.push(entry.id);
      else thinIds.push(entry.id);
    });
    var found = [];
    if (polygonIds.length) found = found.concat(map.queryRenderedFeatures(point, { layers: polygonIds }));
    if (thinIds.length) {
      var box = [
        [point.x - PICK_RADIUS, point.y - PICK_RADIUS],
        [point.x + PICK_RADIUS, point.y + PICK_RADIUS],
      ];
      found = found.concat(map.queryRenderedFeatures(box, { layers: thinIds }));
    }
    var seen = {};
    var hits = [];
    found.forEach(function (feature) {
      var name = feature.layer.metadata && feature.layer.metadata["gisportal:layer"];
      if (!name || feature.id === undefined || feature.id === null) return;
      var key = name + ":" + feature.id;
      var order = position[feature.layer.id] || 0;
      if (seen[key] !== undefined) {
        hits[seen[key]].order = Math.max(hits[seen[key]].order, order);
        return;
      }
      seen[key] = hits.length;
      hits.push({ layer: name, id: feature.id, properties: feature.properties || {}, order: order, lngLat: lngLat, basemap: !!layersMeta[name].basemap });
    });
    hits.sort(function (a, b) {
      if (a.basemap !== b.basemap) return a.basemap ? 1 : -1;
      return b.order - a.order;
    });
    return hits;
  }

  function showFeaturesAt(lngLat, point, options) {
    var hits = hitsAt(point, lngLat);
    var thematic = hits.filter(function (hit) {
      return !hit.basemap;
    });
    var belowParcels = map.getZoom() < config.parcelMinZoom - 0.001;
    if (!thematic.length && belowParcels && parcelsShown()) {
      // Nothing of interest here at this zoom: go closer, where parcels are drawn.
      map.easeTo(animate({ center: lngLat, zoom: Math.min(map.getZoom() + 2, config.parcelMinZoom + 1), duration: 600 }));
      return;
    }
    if (!hits.length) {
      if (parcelsShown() && !belowParcels) {
        openCard(parcelCardUrl({ lon: lngLat.lng.toFixed(7), lat: lngLat.lat.toFixed(7) }), options);
      }
      return;
    }
    openHit(hits, 0, options);
  }

  function startMap() {
    var hasHash = /^#\d/.test(window.location.hash);
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
      attributionControl: false,
      locale: mapLocale,
      fadeDuration: 0,
    });
    window.gisportalMap = map;
    map.touchZoomRotate.disableRotation();
    map.keyboard.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: S.attribution }), "bottom-right");
    if (narrow.matches) {
      // The header says the data is a demo already; on a phone the line would cover the map.
      var attribution = mapEl.querySelector(".maplibregl-ctrl-attrib");
      if (attribution) {
        attribution.removeAttribute("open");
        attribution.classList.remove("maplibregl-compact-show");
      }
    }

    map.on("load", function () {
      var layers = ((map.getStyle().metadata || {})["gislayer-pages:list"] || []).slice();
      layers.forEach(function (meta) {
        layersMeta[meta.name] = meta;
      });
      if (window.GisportalLayerPanel && layersRoot) {
        panel = new window.GisportalLayerPanel({
          map: map,
          layers: layers,
          root: layersRoot,
          body: document.getElementById("layers-panel-body"),
          toggle: layersToggle,
          strings: S,
          urls: urls,
          formats: config.downloadFormats,
          narrow: narrow,
        });
        window.gisportalLayerPanel = panel;
      }
      addSelectionOutline();
      if (selectedId !== null) select(selectedId);
      var card = cardEl.querySelector("[data-parcel-id]");
      if (card) {
        select(Number(card.getAttribute("data-parcel-id")));
        if (!hasHash) flyToBbox(parseList(card.getAttribute("data-bbox")));
      }
      // ?feature=LAYER:ID opens that feature's card, from a feature page's "show on the map".
      var wanted = new URL(window.location.href).searchParams.get("feature");
      var match = wanted && /^([a-z0-9][a-z0-9_-]*):(.+)$/.exec(wanted);
      if (match && !card && urls.card) {
        if (panel) panel.show(match[1]);
        openCard(featureCardUrl(match[1], match[2]), { fly: !hasHash, focus: false });
      }
      // A pointer over anything that a click would open says so.
      var pointerIds = [];
      layers.forEach(function (meta) {
        if (!meta.basemap) pointerIds = pointerIds.concat(meta.style_layers || []);
      });
      pointerIds.forEach(function (id) {
        map.on("mouseenter", id, function () {
          map.getCanvas().style.cursor = "pointer";
        });
        map.on("mouseleave", id, function () {
          map.getCanvas().style.cursor = "";
        });
      });
      updateZoomHint();
      updateCurrentCity();
      updateLanguageLinks();
    });

    map.on("click", function (event) {
      showFeaturesAt(event.lngLat, event.point, { focus: false });
    });
    map.on("zoom", updateZoomHint);
    map.on("moveend", function () {
      updateCurrentCity();
      updateLanguageLinks();
    });
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
      // A tile that fails is logged; the rest of the map goes on.
      if (window.console) console.warn("map:", event && event.error ? event.error.message : event);
    });

    // Keyboard users: Enter on the focused map shows the parcel under the crosshair.
    map.getCanvas().addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var centre = map.getCenter();
        showFeaturesAt(centre, map.project(centre), { focus: true });
      }
    });

    zoomHintButton.addEventListener("click", function () {
      map.easeTo(animate({ zoom: config.parcelMinZoom + 1, duration: 700 }));
    });
  }

  try {
    if (!window.maplibregl) throw new Error("MapLibre did not load");
    startMap();
  } catch (error) {
    setState("failed");
    var message = document.createElement("p");
    message.className = "map__fallback";
    message.setAttribute("role", "alert");
    var link = document.createElement("a");
    link.href = config.searchPageUrl;
    link.textContent = S.mapFailed;
    message.appendChild(link);
    mapEl.appendChild(message);
  }
})();
