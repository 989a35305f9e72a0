"""HTTP views of the registry: vector tiles and TileJSON."""

from __future__ import annotations

import gzip
import hashlib
import math

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from layers import tilecache
from layers.ogcapi.features import extents
from layers.registry import Layer, visible_layer_for
from layers.style import basemap_layers
from layers.tiles import (
    EXTENT,
    MAX_ZOOM,
    WEB_MERCATOR_HALF,
    TileOutOfRange,
    max_zoom_of,
    tile_bounds,
)
from layers.versions import layer_token

MVT = "application/vnd.mapbox-vector-tile"
# The view a TileJSON's centre zoom fits the layer's bounds into, in 256-pixel tiles.
CENTER_VIEW_TILES = 4


def visible_layer(request: HttpRequest, name: str) -> Layer:
    """The layer, or 404 when it does not exist or the request may not see it (no hint which)."""
    layer = visible_layer_for(request, name)
    if layer is None:
        raise Http404(f"No layer {name!r}.")
    return layer


def _cache_control(response: HttpResponse, layer: Layer) -> None:
    visibility = "public" if layer.visibility == "public" else "private"
    response["Cache-Control"] = f"{visibility}, max-age={settings.TILE_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept-Encoding"])


def _without_body(status: int) -> HttpResponse:
    """An empty tile (204) or an unchanged one (304): no body, so no Content-Type."""
    response = HttpResponse(status=status)
    del response["Content-Type"]
    return response


def tile_response(request: HttpRequest, layer: Layer, z: int, x: int, y: int) -> HttpResponse:
    """A tile from the cache keyed by the layer's version, or built and cached.

    The ETag is the version, so a client that has the tile is answered 304 with no work.
    Tiles are cached gzipped; the rare client without gzip gets them inflated. Tiles of public
    layers are usually answered before Django by layers.fastpath, the same way.
    """
    try:
        tile_bounds(z, x, y)
    except TileOutOfRange as exc:
        return JsonResponse({"detail": str(exc), "parameter": "z/x/y"}, status=400)
    token = layer_token(layer)
    etag = tilecache.tile_etag(layer.name, token, z, x, y)
    if tilecache.etag_matches(request.headers.get("If-None-Match"), etag):
        response = _without_body(304)
    else:
        body = tilecache.gzipped_tile(layer, token, z, x, y)
        if not body:
            response = _without_body(204)
        elif "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(body, content_type=MVT)
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(gzip.decompress(body), content_type=MVT)
    response["ETag"] = etag
    _cache_control(response, layer)
    return response


@require_safe
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    return tile_response(request, visible_layer(request, layer), z, x, y)


@require_safe
def basemap_tile(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """GET /tiles/all/{z}/{x}/{y}.mvt: every public layer's tile in one, for clients that take
    one source only (QGIS's vector tiles from a style). Vector tiles are protobuf messages of
    repeated layers, so the tiles of the layers put end to end are one tile."""
    try:
        tile_bounds(z, x, y)
    except TileOutOfRange as exc:
        return JsonResponse({"detail": str(exc), "parameter": "z/x/y"}, status=400)
    found = [layer for layer in basemap_layers() if layer.min_zoom <= z <= max_zoom_of(layer)]
    tokens = [(layer, layer_token(layer)) for layer in found]
    etags = [tilecache.tile_etag(layer.name, token, z, x, y) for layer, token in tokens]
    digest = hashlib.sha256("".join(etags).encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    if tilecache.etag_matches(request.headers.get("If-None-Match"), etag):
        response = _without_body(304)
    else:
        body = b"".join(
            gzip.decompress(part)
            for layer, token in tokens
            if (part := tilecache.gzipped_tile(layer, token, z, x, y))
        )
        if not body:
            response = _without_body(204)
        elif "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(tilecache.compress(body), content_type=MVT)
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(body, content_type=MVT)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.TILE_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def tile_bbox(layer: Layer) -> list[float]:
    """The layer's bounds in EPSG:4326 (west, south, east, north), from its data; the region of
    the municipalities when it has none."""
    bbox = extents([layer])[layer.name].get("bbox")
    return list(bbox) if bbox else list(settings.GEORGIA_BBOX)


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0511), -85.0511)
    return WEB_MERCATOR_HALF / math.pi * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def tile_center(bbox: list[float], min_zoom: int, max_zoom: int) -> list[float]:
    """[lon, lat, zoom]: the middle of the bounds, at the zoom that shows them whole in a view
    of CENTER_VIEW_TILES tiles across, within the layer's zoom range."""
    west, south, east, north = bbox
    span = max((east - west) / 360 * 2 * WEB_MERCATOR_HALF, _mercator_y(north) - _mercator_y(south))
    zoom = max_zoom
    if span > 0:
        zoom = math.floor(math.log2(CENTER_VIEW_TILES * 2 * WEB_MERCATOR_HALF / span))
    zoom = max(min_zoom, min(zoom, max_zoom))
    return [round((west + east) / 2, 6), round((south + north) / 2, 6), zoom]


def tile_fields(layer: Layer) -> dict[str, str]:
    """TileJSON's description of each property: its type, and the zoom from which tiles carry
    it when the layer's overview tiles leave it out (Layer.tile_properties)."""
    described = {}
    for field in layer.fields():
        since = next(
            (
                z
                for z in range(layer.min_zoom, MAX_ZOOM + 1)
                if field.name in layer.tile_properties_at(z)
            ),
            None,
        )
        if since is None:
            continue
        described[field.name] = (
            field.type if since == layer.min_zoom else f"{field.type}, in tiles from zoom {since}"
        )
    return described


@require_safe
def tilejson(request: HttpRequest, layer: str) -> JsonResponse:
    found = visible_layer(request, layer)
    template = request.build_absolute_uri(
        reverse("layers:tile", kwargs={"layer": found.name, "z": 0, "x": 0, "y": 0})
    ).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    max_zoom = max_zoom_of(found)
    bbox = tile_bbox(found)
    data = {
        "tilejson": "3.0.0",
        "name": found.title,
        "description": found.description,
        "scheme": "xyz",
        "tiles": [template],
        "minzoom": found.min_zoom,
        "maxzoom": max_zoom,
        "bounds": bbox,
        "center": tile_center(bbox, found.min_zoom, max_zoom),
        "vector_layers": [
            {
                "id": found.name,
                "description": found.description,
                "minzoom": found.min_zoom,
                "maxzoom": max_zoom,
                "fields": tile_fields(found),
            }
        ],
        "extent": EXTENT,
    }
    return JsonResponse(data)
