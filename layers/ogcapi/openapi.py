"""The OpenAPI 3.0 definition of the OGC API, written for the layers the request may see.

Each collection's items path lists its own queryables as parameters, and `limit` states its
default and maximum: GDAL reads both from here (page size, filters it can pass on).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from layers.ogcapi import links, params, tms
from layers.ogcapi.crs import SUPPORTED
from layers.ogcapi.queryables import JSON_TYPES, queryables
from layers.registry import Layer


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _json(description: str, media_type: str = links.JSON, schema: dict | None = None) -> dict:
    return {
        "description": description,
        "content": {media_type: {"schema": schema or {"type": "object"}}, links.HTML: {}},
    }


ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "404": {"$ref": "#/components/responses/NotFound"},
}


def _operation(operation_id: str, summary: str, parameters: list, ok: dict, tags: list) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": tags,
            "parameters": parameters,
            "responses": {"200": ok, **ERRORS},
        }
    }


def _query(name: str, schema: dict, description: str = "") -> dict:
    """A query parameter as OGC API Features defines them: optional, `form` style, a list
    written with commas (QGIS and the OGC test suite look for both)."""
    found = {"name": name, "in": "query", "required": False}
    if description:
        found["description"] = description
    return found | {"schema": schema, "style": "form", "explode": False}


def _components() -> dict:
    crs_uris = [c.uri for c in SUPPORTED]
    string = {"type": "string"}
    return {
        "parameters": {
            "f": _query(
                "f",
                {"type": "string", "enum": ["json", "html"]},
                _("The format: json or html; without it, the Accept header decides."),
            ),
            "bbox": _query(
                "bbox",
                {
                    "type": "array",
                    # The bounds of both forms, which clients and test suites read, and the two
                    # forms themselves, as OGC's bbox.yaml has them (together: 4 or 6 numbers).
                    "minItems": 4,
                    "maxItems": 6,
                    "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                    "items": {"type": "number"},
                },
                _(
                    "minx,miny,maxx,maxy (or minx,miny,minz,maxx,maxy,maxz) in bbox-crs (CRS84 "
                    "by default); features that intersect it. In degrees, minx > maxx crosses "
                    "the antimeridian."
                ),
            ),
            "bbox-crs": _query("bbox-crs", {"type": "string", "format": "uri", "enum": crs_uris}),
            "crs": _query("crs", {"type": "string", "format": "uri", "enum": crs_uris}),
            "limit": _query(
                "limit",
                {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": settings.API_MAX_PAGE_SIZE,
                    "default": params.DEFAULT_LIMIT,
                },
                _("Features per page; a larger value is cut to the maximum."),
            ),
            "offset": _query("offset", {"type": "integer", "minimum": 0, "default": 0}),
            params.AFTER: _query(
                params.AFTER,
                string,
                _(
                    "Only features whose id follows this one, in id order: the `next` links "
                    "page with it, which costs the same however deep the page."
                ),
            ),
            params.BEFORE: _query(
                params.BEFORE,
                string,
                _(
                    "Only the features just before this id, in id order: the `prev` links "
                    "page with it."
                ),
            ),
            "datetime": _query(
                "datetime",
                string,
                _(
                    "An instant or an interval (a/b, ../b, a/..) in RFC 3339, on the collection's time property."
                ),
            ),
            "filter": _query("filter", string, _("A CQL2 filter.")),
            "filter-lang": _query(
                "filter-lang",
                {"type": "string", "enum": list(params.FILTER_LANGS), "default": "cql2-text"},
            ),
            "filter-crs": _query(
                "filter-crs", {"type": "string", "format": "uri", "enum": crs_uris}
            ),
            "collectionId": {
                "name": "collectionId",
                "in": "path",
                "required": True,
                "schema": string,
            },
            "featureId": {"name": "featureId", "in": "path", "required": True, "schema": string},
            "tileMatrixSetId": {
                "name": "tileMatrixSetId",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": [tms.WEB_MERCATOR_QUAD]},
            },
            "tileMatrix": {"name": "tileMatrix", "in": "path", "required": True, "schema": string},
            "tileRow": {
                "name": "tileRow",
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
            },
            "tileCol": {
                "name": "tileCol",
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 0},
            },
        },
        "schemas": {
            "exception": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": string, "description": string, "parameter": string},
            },
        },
        "responses": {
            "BadRequest": {
                "description": _("A parameter is unknown or its value is not valid."),
                "content": {links.JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
            },
            "NotFound": {
                "description": _("No such resource, or not one the request may see."),
                "content": {links.JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
            },
        },
        "securitySchemes": {
            "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key"},
        },
    }


def _property_parameter(name: str, kind: str, title: str) -> dict:
    return _query(
        name,
        JSON_TYPES.get(kind, {"type": "string"}),
        _("Only features whose %(title)s equals this value.") % {"title": title},
    )


def _collection_paths(layer: Layer) -> dict:
    base = f"/collections/{layer.name}"
    tags = [layer.name]
    item_params = [
        _ref(n)
        for n in (
            "f",
            "bbox",
            "bbox-crs",
            "crs",
            "limit",
            "offset",
            params.AFTER,
            params.BEFORE,
            "datetime",
            "filter",
            "filter-lang",
            "filter-crs",
        )
    ]
    item_params += [
        _property_parameter(q.name, q.type, q.title)
        for q in queryables(layer).values()
        if not q.is_geometry and q.name not in params.ITEMS
    ]
    geojson = {"type": "object", "required": ["type", "features"]}
    return {
        base: _operation(
            f"{layer.name}-collection", layer.title, [_ref("f")], _json(_("The collection.")), tags
        ),
        f"{base}/items": _operation(
            f"{layer.name}-items",
            _("Features of %(title)s") % {"title": layer.title},
            item_params,
            _json(_("A page of features."), links.GEOJSON, geojson),
            tags,
        ),
        f"{base}/items/{{featureId}}": _operation(
            f"{layer.name}-item",
            _("One feature of %(title)s") % {"title": layer.title},
            [_ref("featureId"), _ref("f"), _ref("crs")],
            _json(_("The feature."), links.GEOJSON),
            tags,
        ),
        f"{base}/queryables": _operation(
            f"{layer.name}-queryables",
            _("Queryables of %(title)s") % {"title": layer.title},
            [_ref("f")],
            _json(_("The queryables as JSON Schema."), links.SCHEMA),
            tags,
        ),
    }


def openapi_document(request: HttpRequest, layers: list[Layer]) -> dict:
    server = request.build_absolute_uri(reverse("ogcapi:landing")).rstrip("/")
    service = ["service"]
    tiles = ["tiles"]
    collection_id = {**_ref("collectionId")}
    paths = {
        "/": _operation(
            "landing", _("Landing page"), [_ref("f")], _json(_("The landing page.")), service
        ),
        "/conformance": _operation(
            "conformance",
            _("Conformance classes"),
            [_ref("f")],
            _json(_("The conformance classes.")),
            service,
        ),
        "/api": _operation(
            "api",
            _("This API definition"),
            [_ref("f")],
            _json(_("OpenAPI 3.0"), links.OPENAPI),
            service,
        ),
        "/collections": _operation(
            "collections", _("Collections"), [_ref("f")], _json(_("The collections.")), service
        ),
    }
    for layer in layers:
        paths |= _collection_paths(layer)
    paths |= {
        "/collections/{collectionId}/tiles": _operation(
            "tilesets",
            _("Vector tilesets of a collection"),
            [collection_id, _ref("f")],
            _json(_("The tilesets.")),
            tiles,
        ),
        "/collections/{collectionId}/tiles/{tileMatrixSetId}": _operation(
            "tileset",
            _("A vector tileset"),
            [collection_id, _ref("tileMatrixSetId"), _ref("f")],
            _json(_("The tileset.")),
            tiles,
        ),
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}": {
            "get": {
                "operationId": "tile",
                "summary": _("A vector tile (Mapbox Vector Tile)"),
                "tags": tiles,
                "parameters": [
                    collection_id,
                    _ref("tileMatrixSetId"),
                    _ref("tileMatrix"),
                    _ref("tileRow"),
                    _ref("tileCol"),
                ],
                "responses": {
                    "200": {
                        "description": _("The tile."),
                        "content": {links.MVT: {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "204": {"description": _("The tile holds no feature.")},
                    **ERRORS,
                },
            }
        },
        "/tileMatrixSets": _operation(
            "tile-matrix-sets",
            _("Tile matrix sets"),
            [_ref("f")],
            _json(_("The tile matrix sets.")),
            tiles,
        ),
        "/tileMatrixSets/{tileMatrixSetId}": _operation(
            "tile-matrix-set",
            _("A tile matrix set"),
            [_ref("tileMatrixSetId"), _ref("f")],
            _json(_("The tile matrix set.")),
            tiles,
        ),
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": _("gisportal OGC API"),
            "version": "1.0.0",
            "description": _(
                "OGC API Features (parts 1, 2 and 3) and OGC API Tiles over the spatial layers of "
                "Batumi and Rustavi. Non-public layers need an API key (X-API-Key header or "
                "api_key parameter) or a staff session."
            ),
        },
        "servers": [{"url": server}],
        "security": [{}, {"apiKeyHeader": []}, {"apiKeyQuery": []}],
        "tags": [{"name": "service"}, {"name": "tiles"}]
        + [{"name": layer.name, "description": layer.title} for layer in layers],
        "paths": paths,
        "components": _components(),
    }
