"""HTTP views of the registry: vector tiles and TileJSON."""

from __future__ import annotations

import gzip

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from layers import tilecache
from layers.registry import Layer, visible_layer_for
from layers.tiles import EXTENT, TileOutOfRange, tile_bounds
from layers.versions import layer_token


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
    response["Access-Control-Allow-Origin"] = "*"


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
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        body = tilecache.gzipped_tile(layer, token, z, x, y)
        if not body:
            response = HttpResponse(status=204)
        elif "gzip" in request.headers.get("Accept-Encoding", ""):
            response = HttpResponse(body, content_type="application/vnd.mapbox-vector-tile")
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(
                gzip.decompress(body), content_type="application/vnd.mapbox-vector-tile"
            )
    response["ETag"] = etag
    _cache_control(response, layer)
    return response


@require_GET
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    return tile_response(request, visible_layer(request, layer), z, x, y)


@require_GET
def tilejson(request: HttpRequest, layer: str) -> JsonResponse:
    found = visible_layer(request, layer)
    template = request.build_absolute_uri(
        reverse("layers:tile", kwargs={"layer": found.name, "z": 0, "x": 0, "y": 0})
    ).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt")
    data = {
        "tilejson": "3.0.0",
        "name": found.title,
        "description": found.description,
        "scheme": "xyz",
        "tiles": [template],
        "minzoom": found.min_zoom,
        "maxzoom": min(found.max_zoom, 22),
        "bounds": list(settings.GEORGIA_BBOX),
        "vector_layers": [
            {
                "id": found.name,
                "description": found.description,
                "minzoom": found.min_zoom,
                "maxzoom": min(found.max_zoom, 22),
                "fields": {f.name: f.type for f in found.fields()},
            }
        ],
        "extent": EXTENT,
    }
    response = JsonResponse(data)
    response["Access-Control-Allow-Origin"] = "*"
    return response
