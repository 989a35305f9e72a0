"""Portal pages of the layers without the map: the list of layers with their legends and
addresses, a table of each layer's features, a card for the map and a page per feature."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.modules import Place
from core.modules import registry as modules
from core.shell import (
    bad_parameter,
    display_value,
    home_url,
    is_number,
    not_found_page,
    optional_reverse,
    parse_lonlat,
    whole_number,
)
from layers import selectors as layer_selectors
from layers.registry import Layer, LayerField, registry, visible_layer_for
from layers.style import geometry_family, label_field, layer_legend, sentence_case

EXPORT_FORMATS = (
    ("gpkg", "GeoPackage"),
    ("geojson", "GeoJSON"),
    ("csv", "CSV"),
    ("csv.zip", gettext_lazy("CSV with types and CRS (zip)")),
    ("shp.zip", gettext_lazy("Shapefile (zip)")),
    ("kml", "KML"),
)
# The map's panel offers the formats most people open; the list page offers them all.
PANEL_EXPORT_FORMATS = ("gpkg", "geojson", "csv")
TEXT_FILTER_MAX_LENGTH = layer_selectors.TEXT_FILTER_MAX_LENGTH
LAYER_PLACEHOLDER = "__layer__"
FEATURE_PLACEHOLDER = "__feature__"


def layer_url_templates() -> dict[str, str | None]:
    """Addresses of a layer's pages and services with placeholders, for the map's script."""
    layer, feature = LAYER_PLACEHOLDER, FEATURE_PLACEHOLDER
    return {
        "placeholder": layer,
        "featurePlaceholder": feature,
        "table": reverse("layer-pages:table", kwargs={"name": layer}),
        "card": reverse("layer-pages:card", kwargs={"name": layer}),
        "feature": reverse("layer-pages:feature", kwargs={"name": layer, "feature_id": feature}),
        "list": reverse("layer-pages:list"),
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
        "table": reverse("layer-pages:table", kwargs={"name": layer.name}),
        "ogcapi": optional_reverse("ogcapi:collection", collection_id=layer.name),
        "ogcapi_items": optional_reverse("ogcapi:items", collection_id=layer.name),
        "tilejson": optional_reverse("layers:tilejson", layer=layer.name),
        "downloads": downloads,
    }


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
            "layer-pages:feature", kwargs={"name": layer.name, "feature_id": feature_id}
        ),
        "ogcapi": optional_reverse("ogcapi:item", collection_id=layer.name, feature_id=feature_id),
        "map": f"{home_url()}?feature={quote(f'{layer.name}:{feature_id}', safe=':')}",
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
        "layers/list.html",
        dict(
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
                "layer-pages:feature", kwargs={"name": layer.name, "feature_id": str(feature.id)}
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
        "layers/table.html",
        dict(
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
            "layers/_feature_none.html",
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
            parameter = "lon" if not is_number(request.GET.get("lon")) else "lat"
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
            "layers/_feature_none.html",
            {"message": _("There is nothing of this layer here.")},
            status=404,
        )
    return render(request, "layers/_feature_card.html", feature_context(layer, feature, request))


# How far from a click a point or a line is still taken as clicked, in metres.
CLICK_TOLERANCE_M = 10.0


def feature_context(
    layer: Layer, feature: layer_selectors.Feature, request=None, *, compact: bool = True
) -> dict[str, Any]:
    """What a feature's card (compact) and page show, with what the modules add at it."""
    place_actions, place_panels = [], []
    if feature.center is not None:
        place = Place(
            lon=feature.center[0], lat=feature.center[1], feature=(layer.name, str(feature.id))
        )
        place_actions = modules.place_actions(place, getattr(request, "user", None))
        if request is not None:
            place_panels = modules.place_panels(place, request, compact=compact)
    return {
        "layer": layer,
        "feature": feature,
        "place_actions": place_actions,
        "place_panels": place_panels,
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
        "layers/feature.html",
        dict(
            config=config,
            legend=layer_legend(layer),
            page="layer-feature",
            **feature_context(layer, feature, request, compact=False),
        ),
    )
