"""Portal pages: the map, its list alternatives, the feature cards and pages, and the health check."""

from __future__ import annotations

import datetime
import decimal
import json
import math
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.gis.db.models.functions import Envelope, Transform
from django.contrib.gis.geos import Point
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.models import Municipality
from layers import selectors as layer_selectors
from layers.registry import Layer, LayerField, registry, visible_layer_for
from layers.style import geometry_family, label_field, layer_legend, sentence_case
from parcels import selectors
from parcels.models import Parcel

# The zoom from which parcels are drawn when no "parcels" layer is registered.
DEFAULT_PARCEL_MIN_ZOOM = 15
SEARCH_PAGE_LIMIT = 50
SEARCH_BOX_LIMIT = 10


@require_GET
def root_redirect(request: HttpRequest) -> HttpResponse:
    language = translation.get_language_from_request(request, check_path=False)
    if language not in ("ka", "en"):
        language = "ka"
    return redirect(f"/{language}/")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), postgis_lib_version()")
            database, postgis = cursor.fetchone()
    except Exception as exc:  # the check reports any database failure as "down"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": database, "postgis": postgis})


# Shared by every portal page ---------------------------------------------------------------

LANGUAGE_SWITCH = (("ka", "ქა", "ქართული"), ("en", "EN", "English"))


def language_links(request: HttpRequest) -> list[dict[str, Any]]:
    """The current page in each language; the map's script appends the map position."""
    current = translation.get_language()
    path = request.get_full_path()
    return [
        {
            "code": code,
            "label": label,
            "name": name,
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, label, name in LANGUAGE_SWITCH
    ]


def municipalities_for_map() -> list[dict[str, Any]]:
    """Each municipality's name, map centre, zoom and bounds (EPSG:4326) for the city switch."""
    rows = (
        Municipality.objects.order_by("code")
        .annotate(bounds=Envelope(Transform("boundary", settings.SRID_API)))
        .defer("boundary")
    )
    result = []
    for m in rows:
        zoom = round(m.default_zoom, 2)
        result.append(
            {
                "code": m.code,
                "name": m.name,
                "center": [m.center_lon, m.center_lat],
                "zoom": zoom,
                "bbox": [round(v, 6) for v in m.bounds.extent] if m.bounds else None,
                "hash": f"#{zoom:g}/{m.center_lat:.5f}/{m.center_lon:.5f}",
            }
        )
    return result


def portal_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    extra.setdefault("cities", municipalities_for_map())
    return {"language_links": language_links(request), **extra}


def maplibre_locale() -> dict[str, str]:
    """MapLibre's own control labels, in the page's language."""
    return {
        "Map.Title": _("Map"),
        "NavigationControl.ZoomIn": _("Zoom in"),
        "NavigationControl.ZoomOut": _("Zoom out"),
        "NavigationControl.ResetBearing": _("Turn the map to north"),
        "AttributionControl.ToggleAttribution": _("About the map data"),
        "ScaleControl.Meters": _("m"),
        "ScaleControl.Kilometers": _("km"),
    }


# The parcel card ---------------------------------------------------------------------------


def parcels_for_card():
    """Current parcels with their own outline, without the municipality's or zone's geometry."""
    return selectors.parcels_for_display().defer(
        "municipality__boundary", "zone__geom", "zone__allowed_uses"
    )


def whole_number(value: float) -> str:
    """A rounded number in the active language's grouping, never broken across lines."""
    text = formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)
    return text.replace(" ", "\u00a0")


def parcel_display(parcel: Parcel) -> dict[str, Any]:
    """What the card and the parcel page show besides the model's own fields."""
    geom = parcel.geom.transform(settings.SRID_API, clone=True)
    center = geom.point_on_surface
    zone = parcel.zone
    limits = {}
    if zone is not None:
        # What the zone's coefficients allow on this parcel (georgia.md: K-1, K-2, K-3).
        area = parcel.area_m2
        limits = {
            "max_footprint": whole_number(float(zone.k1) * area),
            "max_floor_area": whole_number(float(zone.k2) * area),
            "min_green": whole_number(float(zone.k3) * area),
        }
    return {
        "parcel": parcel,
        "zone": zone,
        "area": whole_number(parcel.area_m2),
        **limits,
        "bbox": [round(v, 7) for v in geom.extent],
        "center": [round(center.x, 7), round(center.y, 7)],
        "geometry": json.loads(geom.json),
    }


def parse_lonlat(request: HttpRequest) -> Point | None:
    try:
        lon = float(request.GET["lon"])
        lat = float(request.GET["lat"])
    except (KeyError, ValueError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return Point(lon, lat, srid=settings.SRID_API)


@require_GET
def parcel_card(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/parcels/card/?lon=..&lat=.. or ?code=..: the card shown beside the map."""
    code = request.GET.get("code", "").strip()
    if code:
        parcel = selectors.parcel_by_code(code, queryset=parcels_for_card())
    else:
        point = parse_lonlat(request)
        if point is None:
            return render(
                request,
                "gisportal/_parcel_none.html",
                {"message": _("Give a cadastral code, or a longitude and latitude.")},
                status=400,
            )
        parcel = selectors.parcel_at(point, queryset=parcels_for_card())
    if parcel is None:
        return render(
            request,
            "gisportal/_parcel_none.html",
            {"message": _("There is no parcel here.")},
            status=404,
        )
    return render(request, "gisportal/_parcel_card.html", parcel_display(parcel))


# Pages -------------------------------------------------------------------------------------


def search_api_url() -> str | None:
    """The REST API's search, when it is installed; the search box uses the list page if not."""
    try:
        return reverse("parcels:parcel-search")
    except NoReverseMatch:
        return None


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    parcels_layer = registry.get("parcels")
    municipalities = municipalities_for_map()
    language = translation.get_language()
    # /{lang}/?parcel=CODE opens with that parcel's card, also without JavaScript.
    selected = None
    selected_card = ""
    code = request.GET.get("parcel", "").strip()
    if code:
        parcel = selectors.parcel_by_code(code, queryset=parcels_for_card())
        if parcel is not None:
            selected = parcel_display(parcel)
            selected_card = render_to_string("gisportal/_parcel_card.html", selected, request)
    config = {
        "language": language,
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "cardUrl": reverse("portal:parcel-card"),
        "searchApiUrl": search_api_url(),
        "searchPageUrl": reverse("portal:parcel-search"),
        "parcelMinZoom": parcels_layer.min_zoom if parcels_layer else DEFAULT_PARCEL_MIN_ZOOM,
        "parcelLayer": "parcels",
        "searchLimit": SEARCH_BOX_LIMIT,
        "maxBounds": [list(settings.GEORGIA_BBOX[:2]), list(settings.GEORGIA_BBOX[2:])],
        "municipalities": municipalities,
        "layerUrls": layer_url_templates(),
        "downloadFormats": [
            {"key": key, "label": str(label)}
            for key, label in EXPORT_FORMATS
            if key in PANEL_EXPORT_FORMATS
        ],
        "strings": {
            "searching": _("Searching…"),
            "noResults": _("No parcel matches this search."),
            "resultsCount": _("%(count)s results. Use the up and down arrows to choose."),
            "searchFailed": _("The search failed. Please try again."),
            "cardFailed": _("The parcel could not be loaded. Please try again."),
            "loading": _("Loading…"),
            "mapFailed": _("The map could not be drawn. Use the list of parcels instead."),
            "squareMetres": _("m²"),
            "featureFailed": _("These details could not be loaded. Please try again."),
            "moreHere": _("%(count)s more here"),
            "moreHereLabel": _("Other features at this place"),
            "feature": _("Feature %(id)s"),
            "thematicLayers": _("Thematic layers"),
            "basemapLayers": _("Base map"),
            "opacity": _("Opacity"),
            "opacityOf": _("Opacity of %(layer)s"),
            "aboutLayer": _("About %(layer)s"),
            "table": _("Table"),
            "ogcApi": _("OGC API"),
            "download": _("Download"),
            "zoomInToSee": _("Visible from zoom %(zoom)s. Zoom in"),
            "zoomOutToSee": _("Visible up to zoom %(zoom)s. Zoom out"),
            "noLayers": _("No layers are published."),
            "allLayers": _("All layers, without the map"),
            "attribution": (
                _("Demo data of gisportal, not the official cadastre")
                if settings.GISPORTAL_DEMO
                else "gisportal"
            ),
        },
    }
    return render(
        request,
        "gisportal/map.html",
        portal_context(
            request,
            config=config,
            maplibre_locale=maplibre_locale(),
            cities=municipalities,
            selected=selected,
            selected_card=selected_card,
            page="map",
        ),
    )


@require_GET
def parcel_search_page(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/parcels/?q=..&municipality=BTM: the list alternative to the map."""
    query = " ".join(request.GET.get("q", "").split())[:200]
    municipalities = list(Municipality.objects.order_by("code").defer("boundary"))
    code = request.GET.get("municipality", "")
    municipality = next((m for m in municipalities if m.code == code), None)
    results = (
        selectors.parcel_search(
            query,
            municipality=municipality,
            limit=SEARCH_PAGE_LIMIT,
            queryset=selectors.parcels_for_search_results(),
        )
        if query
        else []
    )
    for parcel in results:
        parcel.area_text = whole_number(parcel.area_m2)
    context = portal_context(
        request,
        query=query,
        municipality_choices=municipalities,
        municipality=municipality,
        results=results,
        limit=SEARCH_PAGE_LIMIT,
        page="search",
    )
    if request.GET.get("fragment"):
        # The map's search box falls back to this list when the JSON API does not answer.
        return render(request, "gisportal/_search_results.html", context)
    return render(request, "gisportal/parcel_search.html", context)


@require_GET
def parcel_page(request: HttpRequest, code: str) -> HttpResponse:
    """GET /{lang}/parcels/{code}/: one parcel, its facts and its outline on a small map."""
    parcel = selectors.parcel_by_code(code, queryset=parcels_for_card())
    if parcel is None:
        # The portal's 404 page, told what was missing so that it can offer to search.
        return render(
            request,
            "404.html",
            portal_context(
                request,
                message=_("No parcel has the cadastral code %(code)s.") % {"code": code},
                query=code,
            ),
            status=404,
        )
    display = parcel_display(parcel)
    language = translation.get_language()
    config = {
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "bbox": display["bbox"],
        "parcelLayer": "parcels",
        "parcelId": parcel.pk,
        "geometry": display["geometry"],
    }
    return render(
        request,
        "gisportal/parcel_detail.html",
        portal_context(request, config=config, page="parcel", **display),
    )


# Layers without the map: the list of layers, a table of each, a page and a card per feature ---

EXPORT_FORMATS = (
    ("gpkg", "GeoPackage"),
    ("geojson", "GeoJSON"),
    ("csv", "CSV"),
    ("shp.zip", gettext_lazy("Shapefile (zip)")),
    ("kml", "KML"),
)
# The map's panel offers the formats most people open; the list page offers them all.
PANEL_EXPORT_FORMATS = ("gpkg", "geojson", "csv")
TEXT_FILTER_MAX_LENGTH = layer_selectors.TEXT_FILTER_MAX_LENGTH
LAYER_PLACEHOLDER = "__layer__"
FEATURE_PLACEHOLDER = "__feature__"


def optional_reverse(url_name: str, **kwargs: Any) -> str | None:
    """The URL of a publishing service, or None when that service is not installed here."""
    try:
        return reverse(url_name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def layer_url_templates() -> dict[str, str | None]:
    """Addresses of a layer's pages and services with placeholders, for the map's script."""
    layer, feature = LAYER_PLACEHOLDER, FEATURE_PLACEHOLDER
    return {
        "placeholder": layer,
        "featurePlaceholder": feature,
        "table": reverse("portal:layer-table", kwargs={"name": layer}),
        "card": reverse("portal:layer-card", kwargs={"name": layer}),
        "feature": reverse("portal:layer-feature", kwargs={"name": layer, "feature_id": feature}),
        "list": reverse("portal:layers"),
        "ogcapi": optional_reverse("ogcapi:collection", collection_id=layer),
        "ogcapiItem": optional_reverse("ogcapi:item", collection_id=layer, feature_id=feature),
        "export": optional_reverse("layer_exports:export", name=layer, fmt="__format__"),
    }


def wfs_capabilities_url() -> str | None:
    url = optional_reverse("wfs:wfs")
    return f"{url}?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0" if url else None


def layer_links(layer: Layer, *, formats_shown=None) -> dict[str, Any]:
    """Where a layer can be read: its table, OGC API collection, TileJSON and downloads."""
    downloads = []
    if layer.downloadable:
        for key, label in EXPORT_FORMATS:
            if formats_shown is not None and key not in formats_shown:
                continue
            url = optional_reverse("layer_exports:export", name=layer.name, fmt=key)
            if url:
                downloads.append({"key": key, "label": label, "url": url})
    return {
        "table": reverse("portal:layer-table", kwargs={"name": layer.name}),
        "ogcapi": optional_reverse("ogcapi:collection", collection_id=layer.name),
        "ogcapi_items": optional_reverse("ogcapi:items", collection_id=layer.name),
        "tilejson": optional_reverse("layers:tilejson", layer=layer.name),
        "downloads": downloads,
    }


def bad_parameter(parameter: str, message: str, code: str = "invalid_parameter") -> JsonResponse:
    """The house's 400: JSON that names the parameter at fault."""
    return JsonResponse({"detail": message, "parameter": parameter, "code": code}, status=400)


def not_found_page(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "404.html", portal_context(request, message=message), status=404)


def display_value(value: Any, kind: str, labels: dict[Any, str] | None = None) -> str:
    """A property's value as people read it, in the active language."""
    if value is None or value == "":
        return "—"
    if labels and value in labels:
        return str(labels[value])
    if isinstance(value, bool) or kind == "boolean":
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, float):
        # Measured values (areas, lengths) carry more digits than anyone reads: two at most.
        return floatformat(value, "-2") if math.isfinite(value) else "—"
    if isinstance(value, int | decimal.Decimal):
        return formats.localize(value, use_l10n=True)
    return str(value)


def value_labels(layer: Layer, features: list[layer_selectors.Feature]) -> dict[str, dict]:
    """What stored values stand for: choices' labels, and the names of referenced rows."""
    return {
        **layer_selectors.property_choices(layer),
        **layer_selectors.related_labels(layer, features),
    }


def is_numeric(found: LayerField, labels: dict[str, dict]) -> bool:
    """Whether a column holds numbers (set right-aligned), not labels that stand for them."""
    return found.type in ("integer", "number") and found.name not in labels


def property_rows(layer: Layer, feature: layer_selectors.Feature) -> list[dict[str, Any]]:
    """Each public property with its title (translated for model fields) and its value."""
    choices = value_labels(layer, [feature])
    return [
        {
            "name": found.name,
            "title": sentence_case(found.title),
            "value": display_value(
                feature.properties.get(found.name), found.type, choices.get(found.name)
            ),
            "numeric": is_numeric(found, choices),
        }
        for found in layer.fields()
    ]


def feature_label(layer: Layer, feature: layer_selectors.Feature) -> str:
    """What names a feature: its name in the active language, else its first text property."""
    name = label_field(layer)
    value = feature.properties.get(name) if name else None
    if value not in (None, ""):
        return str(value)
    return _("Feature %(id)s") % {"id": feature.id}


def feature_links(layer: Layer, feature: layer_selectors.Feature) -> dict[str, str | None]:
    feature_id = str(feature.id)
    return {
        "page": reverse(
            "portal:layer-feature", kwargs={"name": layer.name, "feature_id": feature_id}
        ),
        "ogcapi": optional_reverse("ogcapi:item", collection_id=layer.name, feature_id=feature_id),
        "map": f"{reverse('portal:map')}?feature={quote(f'{layer.name}:{feature_id}', safe=':')}",
        "module": layer.page_for(feature.properties),
    }


@require_GET
def layer_list(request: HttpRequest) -> HttpResponse:
    """GET /{lang}/layers/: every layer this request may see, with its legend and addresses."""
    layers = registry.visible_to(request.user, getattr(request, "api_key", None))
    counts = layer_selectors.feature_counts(layers)
    entries = [
        {
            "layer": layer,
            "count": counts.get(layer.name, 0),
            "count_text": whole_number(counts.get(layer.name, 0)),
            "legend": layer_legend(layer),
            "links": layer_links(layer),
            "geometry": geometry_family(layer),
        }
        for layer in layers
    ]
    groups = [
        {
            "key": "thematic",
            "title": _("Thematic layers"),
            "entries": [e for e in entries if not e["layer"].basemap],
        },
        {
            "key": "basemap",
            "title": _("Base map"),
            "entries": [e for e in entries if e["layer"].basemap],
        },
    ]
    return render(
        request,
        "gisportal/layer_list.html",
        portal_context(
            request,
            groups=[g for g in groups if g["entries"]],
            ogcapi_url=optional_reverse("ogcapi:landing"),
            wfs_url=wfs_capabilities_url(),
            page="layers",
        ),
    )


def page_param(request: HttpRequest) -> int | JsonResponse:
    raw = request.GET.get("page", "").strip()
    if not raw:
        return 1
    try:
        number = int(raw)
    except ValueError:
        return bad_parameter(
            "page",
            _("page=%(value)s is not a whole number.") % {"value": raw[:20]},
            "not_an_integer",
        )
    if number < 1:
        return bad_parameter("page", _("page must be at least 1."), "too_small")
    return number


@require_GET
def layer_table(request: HttpRequest, name: str) -> HttpResponse:
    """GET /{lang}/layers/{name}/?page=&sort=&q=: a layer's features, 50 to a page."""
    layer = visible_layer_for(request, name)
    if layer is None:
        return not_found_page(request, _("There is no layer %(name)s.") % {"name": name[:100]})
    number = page_param(request)
    if isinstance(number, JsonResponse):
        return number
    sort_raw = request.GET.get("sort", "").strip()
    descending = sort_raw.startswith("-")
    sort = sort_raw.removeprefix("-") or None
    query = " ".join(request.GET.get("q", "").split())[:TEXT_FILTER_MAX_LENGTH]
    try:
        page = layer_selectors.features_page(
            layer, number=number, sort=sort, descending=descending, text=query or None
        )
    except layer_selectors.InvalidSort:
        known = ", ".join(layer.properties)
        return bad_parameter(
            "sort",
            _(
                "sort=%(value)s names no property of this layer; choose one of %(known)s, with - in front to reverse."
            )
            % {"value": sort_raw[:100], "known": known},
            "unknown_property",
        )
    if number > page.pages:
        return not_found_page(request, _("This table has %(count)s pages.") % {"count": page.pages})
    fields = layer.fields()
    choices = value_labels(layer, page.features)
    rows = [
        {
            "feature": feature,
            "url": reverse(
                "portal:layer-feature", kwargs={"name": layer.name, "feature_id": str(feature.id)}
            ),
            "cells": [
                {
                    "value": display_value(
                        feature.properties.get(f.name), f.type, choices.get(f.name)
                    ),
                    "numeric": is_numeric(f, choices),
                }
                for f in fields
            ],
        }
        for feature in page.features
    ]

    def table_url(**changes: Any) -> str:
        params: dict[str, Any] = {"q": query, "sort": sort_raw, "page": number, **changes}
        if params["page"] == 1:
            del params["page"]
        kept = {k: v for k, v in params.items() if v not in ("", None)}
        return f"{request.path}?{urlencode(kept)}" if kept else request.path

    columns = []
    for f in fields:
        current = sort == f.name
        next_sort = f"-{f.name}" if current and not descending else f.name
        columns.append(
            {
                "field": f,
                "title": sentence_case(f.title),
                "numeric": is_numeric(f, choices),
                "sorted": ("descending" if descending else "ascending") if current else None,
                "url": table_url(sort=next_sort, page=1),
            }
        )
    return render(
        request,
        "gisportal/layer_table.html",
        portal_context(
            request,
            layer=layer,
            legend=layer_legend(layer),
            links=layer_links(layer),
            page_obj=page,
            numbers={
                key: whole_number(getattr(page, key))
                for key in ("start", "end", "count", "number", "pages")
            },
            columns=columns,
            rows=rows,
            query=query,
            sort=sort_raw,
            searchable=bool(layer_selectors.text_fields(layer)),
            previous_url=table_url(page=number - 1) if page.has_previous else None,
            next_url=table_url(page=number + 1) if page.has_next else None,
            first_url=table_url(page=1) if number > 2 else None,
            last_url=table_url(page=page.pages) if number < page.pages - 1 else None,
            page="layer-table",
        ),
    )


@require_GET
def layer_card(request: HttpRequest, name: str) -> HttpResponse:
    """GET /{lang}/layers/{name}/card/?id=.. (or ?lon=..&lat=..): a feature's card for the map."""
    layer = visible_layer_for(request, name)
    if layer is None:
        return render(
            request,
            "gisportal/_feature_none.html",
            {"message": _("There is no such layer.")},
            status=404,
        )
    raw_id = request.GET.get("id", "").strip()
    feature = None
    if raw_id:
        try:
            feature_id = layer_selectors.parse_feature_id(layer, raw_id)
        except layer_selectors.InvalidFeatureId:
            return bad_parameter(
                "id",
                _("id=%(value)s is not an id of this layer.") % {"value": raw_id[:40]},
                "invalid_id",
            )
        feature = layer_selectors.feature_by_id(layer, feature_id)
    elif "lon" in request.GET or "lat" in request.GET:
        point = parse_lonlat(request)
        if point is None:
            parameter = "lon" if not _is_number(request.GET.get("lon")) else "lat"
            return bad_parameter(
                parameter,
                _("lon and lat must be a longitude and a latitude in degrees."),
                "not_a_number",
            )
        tolerance = 0.0 if geometry_family(layer) == "polygon" else CLICK_TOLERANCE_M
        found = layer_selectors.features_at(layer, point, tolerance_m=tolerance, limit=1)
        feature = found[0] if found else None
    else:
        return bad_parameter("id", _("Give a feature id, or a longitude and latitude."), "required")
    if feature is None:
        return render(
            request,
            "gisportal/_feature_none.html",
            {"message": _("There is nothing of this layer here.")},
            status=404,
        )
    return render(request, "gisportal/_feature_card.html", feature_context(layer, feature))


# How far from a click a point or a line is still taken as clicked, in metres.
CLICK_TOLERANCE_M = 10.0


def _is_number(raw: str | None) -> bool:
    try:
        return raw is not None and math.isfinite(float(raw))
    except ValueError:
        return False


def feature_context(layer: Layer, feature: layer_selectors.Feature) -> dict[str, Any]:
    return {
        "layer": layer,
        "feature": feature,
        "label": feature_label(layer, feature),
        "rows": property_rows(layer, feature),
        "links": feature_links(layer, feature),
        "geometry_family": geometry_family(layer),
    }


@require_GET
def layer_feature_page(request: HttpRequest, name: str, feature_id: str) -> HttpResponse:
    """GET /{lang}/layers/{name}/{id}/: one feature, its properties and a small map of it."""
    layer = visible_layer_for(request, name)
    if layer is None:
        return not_found_page(request, _("There is no layer %(name)s.") % {"name": name[:100]})
    missing = _("%(layer)s has no feature %(id)s.") % {"layer": layer.title, "id": feature_id[:40]}
    try:
        key = layer_selectors.parse_feature_id(layer, feature_id)
    except layer_selectors.InvalidFeatureId:
        return not_found_page(request, missing)
    feature = layer_selectors.feature_by_id(layer, key, with_geometry=True)
    if feature is None:
        return not_found_page(request, missing)
    language = translation.get_language()
    config = {
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "bbox": feature.bbox,
        "layer": layer.name,
        "geometry": feature.geometry,
        "geometryFamily": geometry_family(layer),
        "minZoom": layer.min_zoom,
    }
    return render(
        request,
        "gisportal/layer_feature.html",
        portal_context(
            request,
            config=config,
            legend=layer_legend(layer),
            page="layer-feature",
            **feature_context(layer, feature),
        ),
    )
