"""The portal's MapLibre style, built from the layer registry for the user who asks for it."""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET

from layers.registry import Layer, registry
from layers.versions import layer_token

# The sea around Batumi; land is drawn by the municipalities' own fill.
BACKGROUND_COLOR = "#cfe1ea"
# Beyond z16 one unit of a 4096-unit tile is finer than 10 cm here, so MapLibre overzooms
# z16 tiles instead of asking the server for ever smaller ones.
SOURCE_MAX_ZOOM = 16
STYLE_MAX_ZOOM = 24


def tile_url_template(request: HttpRequest, layer: Layer) -> str:
    """The absolute {z}/{x}/{y} URL of a layer's tiles: workers fetch them without a base URL.

    It carries the layer's version, so that browsers drop tiles they kept of older data as soon
    as the style is asked for again (the tiles themselves may be cached for minutes).
    """
    url = reverse("layers:tile", kwargs={"layer": layer.name, "z": 0, "x": 0, "y": 0})
    template = request.build_absolute_uri(url).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    return f"{template}?v={layer_token(layer)}"


def style_layer_ids(layer: Layer) -> list[str]:
    """Stable ids of a layer's style entries: `parcels-fill`, `parcels-line`, `x-line-2`..."""
    ids: list[str] = []
    for definition in layer.style:
        base = f"{layer.name}-{definition.get('type', 'layer')}"
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


def build_style(request: HttpRequest, layers: list[Layer]) -> dict[str, Any]:
    """A MapLibre style (version 8): one vector source per layer, its entries in registry order.

    No glyphs or sprite: the portal draws no text on the map, so it needs nothing from the
    internet. Titles come in the active language and sit in the metadata for the legend.
    """
    sources: dict[str, Any] = {}
    style_layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": BACKGROUND_COLOR}}
    ]
    legend: list[dict[str, Any]] = []
    for layer in layers:
        if not layer.style:
            continue
        sources[layer.name] = {
            "type": "vector",
            "tiles": [tile_url_template(request, layer)],
            "minzoom": layer.min_zoom,
            "maxzoom": max(layer.min_zoom, min(layer.max_zoom, SOURCE_MAX_ZOOM)),
            "bounds": list(settings.GEORGIA_BBOX),
        }
        ids = style_layer_ids(layer)
        for layer_id, definition in zip(ids, layer.style, strict=True):
            entry = copy.deepcopy(definition)
            entry.update({"id": layer_id, "source": layer.name, "source-layer": layer.name})
            entry.setdefault("minzoom", layer.min_zoom)
            if layer.max_zoom < STYLE_MAX_ZOOM - 1:
                # The registry's max_zoom is the last zoom shown; MapLibre's maxzoom excludes.
                entry.setdefault("maxzoom", layer.max_zoom + 1)
            entry.setdefault("metadata", {})["gisportal:layer"] = layer.name
            style_layers.append(entry)
        legend.append(
            {
                "name": layer.name,
                "title": layer.title,
                "description": layer.description,
                "basemap": layer.basemap,
                "min_zoom": layer.min_zoom,
                "style_layers": ids,
                "legend": [dict(item) for item in layer.legend],
            }
        )
    return {
        "version": 8,
        "name": "gisportal",
        "metadata": {"gisportal:layers": legend},
        "sources": sources,
        "layers": style_layers,
    }


def style_language(request: HttpRequest) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = request.GET.get("lang", "")
    return language if language in codes else settings.LANGUAGE_CODE


@require_GET
def style_json(request: HttpRequest) -> JsonResponse:
    """GET /tiles/style.json?lang=ka: the style of the layers this user may see."""
    with translation.override(style_language(request)):
        layers = registry.visible_to(request.user, getattr(request, "api_key", None))
        style = build_style(request, layers)
    response = JsonResponse(style)
    # Which layers appear depends on who asks, so no shared cache may keep it.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response
