"""HTTP views of the registry: vector tiles, TileJSON and the portal's map style."""

from __future__ import annotations

import gzip
import hashlib

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from layers.registry import Layer, registry
from layers.tiles import EXTENT, TileOutOfRange, render_tile


def visible_layer(request: HttpRequest, name: str) -> Layer:
    """The layer, or 404 when it does not exist or the user may not see it (no hint which)."""
    layer = registry.get(name)
    if layer is None or not layer.can_view(request.user):
        raise Http404(f"No layer {name!r}.")
    return layer


def _tile_response(request: HttpRequest, body: bytes, layer: Layer) -> HttpResponse:
    if not body:
        response = HttpResponse(status=204)
    else:
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponse(status=304)
        else:
            accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
            if accepts_gzip:
                body = gzip.compress(body, compresslevel=5)
            response = HttpResponse(body, content_type="application/vnd.mapbox-vector-tile")
            if accepts_gzip:
                response["Content-Encoding"] = "gzip"
        response["ETag"] = etag
    visibility = "public" if layer.visibility == "public" else "private"
    response["Cache-Control"] = f"{visibility}, max-age={settings.TILE_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    found = visible_layer(request, layer)
    try:
        body = render_tile(found, z, x, y)
    except TileOutOfRange as exc:
        return JsonResponse({"detail": str(exc), "parameter": "z/x/y"}, status=400)
    return _tile_response(request, body, found)


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
        "bounds": [39.8, 40.9, 46.9, 43.7],
        "vector_layers": [
            {
                "id": found.name,
                "description": found.description,
                "minzoom": found.min_zoom,
                "maxzoom": min(found.max_zoom, 22),
                "fields": {name: "" for name in found.properties},
            }
        ],
        "extent": EXTENT,
    }
    response = JsonResponse(data)
    response["Access-Control-Allow-Origin"] = "*"
    return response
