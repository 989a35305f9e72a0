"""OGC API Features (parts 1-3) and Tiles over every layer that the request may see.

Views parse parameters (params), run queries (features), build links (links) and render
JSON or HTML, chosen by `f` or else by the Accept header (406 when it takes neither). A layer
the request may not see is answered exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import wraps

import orjson
from django.http import HttpRequest, HttpResponse
from django.http.request import MediaType
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from layers.ogcapi import features, links, params, queryables, tms
from layers.ogcapi.crs import CRS84, SUPPORTED, Crs
from layers.ogcapi.openapi import openapi_document
from layers.ogcapi.params import OgcError
from layers.registry import Layer, registry, visible_layer_for
from layers.tiles import MAX_ZOOM
from layers.views import tile_response

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
)
TRS_GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
# The landing page's links: the view's name, the relation, the media type, the title.
LANDING_LINKS = (
    ("api", "service-desc", links.OPENAPI, gettext_lazy("The API definition (OpenAPI 3.0)")),
    ("api-html", "service-doc", links.HTML, gettext_lazy("The API documentation")),
    ("conformance", "conformance", links.JSON, gettext_lazy("Conformance classes")),
    ("conformance", links.REL_CONFORMANCE, links.JSON, gettext_lazy("Conformance classes")),
    ("collections", "data", links.JSON, gettext_lazy("Collections")),
    ("collections", links.REL_DATA, links.JSON, gettext_lazy("Collections")),
    ("tile-matrix-sets", links.REL_TILING_SCHEMES, links.JSON, gettext_lazy("Tile matrix sets")),
)
# A collection's links: the view, its query, the relation, the media type, the title.
COLLECTION_LINKS = (
    ("items", {}, "items", links.GEOJSON, gettext_lazy("Features as GeoJSON")),
    ("items", {"f": "html"}, "items", links.HTML, gettext_lazy("Features as HTML")),
    ("queryables", {}, links.REL_QUERYABLES, links.SCHEMA, gettext_lazy("Queryables")),
    ("tilesets", {}, links.REL_TILESETS, links.JSON, gettext_lazy("Vector tiles")),
)


# Plumbing: errors, formats, rendering.


def ogc_view(view):
    """GET and HEAD only; an OgcError becomes its JSON answer."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except OgcError as exc:
            response = HttpResponse(
                dumps(exc.as_json()), content_type=links.JSON, status=exc.status
            )
        # The answer depends on the format asked for and on who asks (staff-only layers).
        patch_vary_headers(response, ["Accept", "X-API-Key", "Authorization"])
        if not response.has_header("Access-Control-Allow-Origin"):
            response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def negotiate(request: HttpRequest, json_types: tuple[str, ...] = ()) -> str:
    """The format, json or html: `f` when given, else what the Accept header prefers (a
    browser prefers HTML)."""
    chosen = params.format_param(request.GET)
    if chosen:
        return chosen
    preferred = acceptable(request, (links.JSON, links.GEOJSON, *json_types, links.HTML))
    return "html" if preferred == links.HTML else "json"


def acceptable(request: HttpRequest, offered: tuple[str, ...]) -> str | None:
    """The offered media type that the Accept header prefers; 406 when it accepts none."""
    preferred = request.get_preferred_type(offered)
    if preferred is None and not _accepts_any(request, offered):
        raise OgcError(
            406,
            "NotAcceptable",
            _("The Accept header asks for none of %(offered)s; f=json or f=html chooses one.")
            % {"offered": ", ".join(offered)},
        )
    return preferred


def _accepts_any(request: HttpRequest, offered: tuple[str, ...]) -> bool:
    """Whether the Accept header, its parameters left aside (`application/json; charset=utf-8`),
    takes one of the offered types; a missing or empty header takes anything."""
    if not request.headers.get("Accept", "").strip():
        return True
    accepted = [
        MediaType(f"{t.main_type}/{t.sub_type}") for t in request.accepted_types if t.quality > 0
    ]
    return any(MediaType(o).match(a) for o in offered for a in accepted)


def link_header(found: list[dict]) -> str:
    """A document's links as a Link header (RFC 8288): self, alternate, prev and next."""
    return ", ".join(
        f'<{x["href"]}>; rel="{x["rel"]}"; type="{x["type"]}"'
        for x in found
        if x["rel"] in ("self", "alternate", "prev", "next")
    )


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def dumps_bytes(data) -> bytes:
    """Compact UTF-8 JSON; dates, times and decimals as _plain writes them."""
    return orjson.dumps(data, default=_plain, option=_ORJSON_OPTIONS)


def dumps(data) -> str:
    return dumps_bytes(data).decode()


def respond(
    request: HttpRequest,
    fmt: str,
    data: dict,
    template: str,
    context: dict | None = None,
    content_type: str = links.JSON,
) -> HttpResponse:
    if fmt == "html":
        return render(
            request,
            f"layers/ogcapi/{template}",
            {"data": data, "page": "ogcapi", **(context or {})},
        )
    return HttpResponse(dumps(data), content_type=content_type)


def visible_layer(request: HttpRequest, collection_id: str) -> Layer:
    layer = visible_layer_for(request, collection_id)
    if layer is None:
        raise params.not_found(_("There is no collection %(id)r.") % {"id": collection_id})
    return layer


def visible_layers(request: HttpRequest) -> list[Layer]:
    return registry.visible_to(request.user, getattr(request, "api_key", None))


# The service: landing page, conformance, API definition.


@ogc_view
def landing(request: HttpRequest) -> HttpResponse:
    params.simple(request.GET)
    fmt = negotiate(request)
    data = {
        "title": _("gisportal: spatial data of Batumi and Rustavi"),
        "description": _(
            "The layers of the municipal e-services portal as OGC API Features and Tiles."
        ),
        "links": [
            *links.self_and_alternate(request, fmt),
            *(
                links.link(links.url(request, name), rel, type_, title)
                for name, rel, type_, title in LANDING_LINKS
            ),
        ],
    }
    return respond(request, fmt, data, "landing.html")


@ogc_view
def conformance(request: HttpRequest) -> HttpResponse:
    params.simple(request.GET)
    fmt = negotiate(request)
    data = {"conformsTo": list(CONFORMANCE), "links": links.self_and_alternate(request, fmt)}
    return respond(request, fmt, data, "conformance.html")


def _api_page(request: HttpRequest, document: dict) -> HttpResponse:
    operations = [
        {
            "path": document["servers"][0]["url"] + path,
            "summary": item["get"]["summary"],
            "parameters": [
                p.get("name") or p["$ref"].rsplit("/", 1)[-1] for p in item["get"]["parameters"]
            ],
        }
        for path, item in document["paths"].items()
    ]
    context = {"api": document, "operations": operations, "page": "ogcapi"}
    return render(request, "layers/ogcapi/api.html", context)


@ogc_view
def api(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document (service-desc); as HTML with f=html."""
    params.simple(request.GET)
    fmt = params.format_param(request.GET)
    if fmt is None:
        acceptable(request, (links.OPENAPI, links.JSON, links.HTML))
    document = openapi_document(request, visible_layers(request))
    if fmt == "html":
        return _api_page(request, document)
    return HttpResponse(dumps(document), content_type=links.OPENAPI)


@ogc_view
def api_html(request: HttpRequest) -> HttpResponse:
    """The API documentation (service-doc)."""
    params.simple(request.GET)
    return _api_page(request, openapi_document(request, visible_layers(request)))


# Collections.


def collection_document(request: HttpRequest, layer: Layer, extent: dict) -> dict:
    name = layer.name
    data = {
        "id": name,
        "title": layer.title,
        "description": layer.description,
        "keywords": list(layer.keywords),
        "itemType": "feature",
        "crs": [c.uri for c in SUPPORTED],
        "storageCrs": f"http://www.opengis.net/def/crs/EPSG/0/{layer.srid}",
        "links": [
            links.link(links.url(request, view, name, **query), rel, type_, title)
            for view, query, rel, type_, title in COLLECTION_LINKS
        ],
    }
    if extent:
        data["extent"] = {}
        if "bbox" in extent:
            data["extent"]["spatial"] = {"bbox": [extent["bbox"]], "crs": CRS84.uri}
        if "interval" in extent:
            data["extent"]["temporal"] = {"interval": [extent["interval"]], "trs": TRS_GREGORIAN}
    return data


@ogc_view
def collections(request: HttpRequest) -> HttpResponse:
    params.simple(request.GET)
    fmt = negotiate(request)
    layers = visible_layers(request)
    found = features.extents(layers)
    data = {
        "collections": [collection_document(request, layer, found[layer.name]) for layer in layers],
        "crs": [c.uri for c in SUPPORTED],
        "links": links.self_and_alternate(request, fmt),
    }
    rows = [
        {"doc": doc, "url": links.url(request, "collection", doc["id"], f="html")}
        for doc in data["collections"]
    ]
    return respond(request, fmt, data, "collections.html", {"rows": rows})


@ogc_view
def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    layer = visible_layer(request, collection_id)
    params.simple(request.GET)
    fmt = negotiate(request)
    data = collection_document(request, layer, features.extents([layer])[layer.name])
    data["links"][:0] = links.self_and_alternate(request, fmt)
    return respond(request, fmt, data, "collection.html", {"layer": layer})


@ogc_view
def queryables_view(request: HttpRequest, collection_id: str) -> HttpResponse:
    layer = visible_layer(request, collection_id)
    params.simple(request.GET)
    fmt = negotiate(request, (links.SCHEMA,))
    schema = queryables.json_schema(layer, url=links.url(request, "queryables", layer.name))
    context = {"layer": layer, "queryables": queryables.queryables(layer).values()}
    return respond(request, fmt, schema, "queryables.html", context, links.SCHEMA)


# Features.


def _feature_json(layer: Layer, row: dict, extra: bytes = b"") -> bytes:
    """One GeoJSON Feature; the geometry is GeoJSON text written by PostGIS."""
    properties = {name: row[name] for name in layer.properties}
    geometry = row[features.GEOMETRY]
    return b"".join(
        (
            b'{"type":"Feature","id":',
            dumps_bytes(row[features.ID]),
            b',"geometry":',
            geometry.encode() if geometry else b"null",
            b',"properties":',
            dumps_bytes(properties),
            extra,
            b"}",
        )
    )


def _with_crs(response: HttpResponse, crs: Crs) -> HttpResponse:
    response["Content-Crs"] = crs.header
    return response


def _shown(value):
    """A property value for an HTML table."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "—" if value is None else value


def _html_rows(request: HttpRequest, layer: Layer, found: list[dict]) -> list[dict]:
    return [
        {
            "id": row[features.ID],
            "url": links.url(request, "item", layer.name, str(row[features.ID]), f="html"),
            "values": [_shown(row[name]) for name in layer.properties],
        }
        for row in found
    ]


def _page_steps(
    query: params.ItemsQuery, fmt: str, found: list[dict], matched: int, more: bool
) -> tuple[dict | None, dict | None]:
    """The parameter changes of the `prev` and `next` links (None where there is no such
    page). Clients that download a collection follow `next`, so it follows the key of the
    page's last feature; a page reached by offset goes back by offset, and an HTML page, read
    by a person who may count pages, goes on by offset too."""
    keys = {"offset": None, params.AFTER: None, params.BEFORE: None}
    first, last = (found[0][features.ID], found[-1][features.ID]) if found else (None, None)
    if not query.keyset:
        prev = {"offset": max(0, query.offset - query.limit)} if query.offset > 0 else None
        ahead = query.offset + len(found) < matched
        if fmt == "html":
            return prev, ({"offset": query.offset + query.limit} if ahead else None)
    elif query.after is not None:
        prev, ahead = (keys | {params.BEFORE: first} if found else None), more
    else:
        prev = keys | {params.BEFORE: first} if more else None
        ahead = bool(found)
    return prev, (keys | {params.AFTER: last} if ahead and found else None)


def _position(layer: Layer, query: params.ItemsQuery, found: list[dict]) -> int:
    """The number of matching features before this page."""
    if not query.keyset:
        return query.offset
    if not found:
        return 0
    before = layer.get_queryset().filter(query.where, pk__lt=found[0][features.ID])
    return before.count()


@ogc_view
def items(request: HttpRequest, collection_id: str) -> HttpResponse:
    layer = visible_layer(request, collection_id)
    query = params.items_query(request.GET, layer)
    fmt = negotiate(request)
    more = False
    if query.keyset:
        found, matched, more = features.keyset_page(
            layer,
            query.where,
            query.crs,
            limit=query.limit,
            offset=query.offset,
            after=query.after,
            before=query.before,
        )
    else:
        found, matched = features.page(
            layer,
            query.where,
            query.crs,
            limit=query.limit,
            offset=query.offset,
            only_bbox=query.only_bbox,
        )
    prev, next_ = _page_steps(query, fmt, found, matched, more)
    head = {
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": len(found),
        "timeStamp": timezone.now().astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "links": [
            *links.self_and_alternate(request, fmt, links.GEOJSON),
            links.link(
                links.url(request, "collection", layer.name), "collection", links.JSON, layer.title
            ),
            *links.paging(request, fmt, limit=query.limit, prev=prev, next_=next_),
        ],
    }
    if fmt == "html":
        position = _position(layer, query, found)
        context = {
            "layer": layer,
            "columns": layer.fields(),
            "rows": _html_rows(request, layer, found),
            "first": position + 1,
            "last": position + len(found),
            "prev": next((x["href"] for x in head["links"] if x["rel"] == "prev"), None),
            "next": next((x["href"] for x in head["links"] if x["rel"] == "next"), None),
        }
        response = respond(request, fmt, head, "items.html", context)
    else:
        body = b"".join(
            (
                dumps_bytes(head)[:-1],
                b',"features":[',
                b",".join([_feature_json(layer, r) for r in found]),
                b"]}",
            )
        )
        response = HttpResponse(body, content_type=links.GEOJSON)
    response["Link"] = link_header(head["links"])
    return _with_crs(response, query.crs)


@ogc_view
def item(request: HttpRequest, collection_id: str, feature_id: str) -> HttpResponse:
    layer = visible_layer(request, collection_id)
    crs = params.item_crs(request.GET)
    fmt = negotiate(request)
    row = features.one(layer, feature_id, crs)
    if row is None:
        raise params.not_found(
            _("There is no feature %(fid)r in %(id)s.") % {"fid": feature_id, "id": layer.name}
        )
    feature_links = [
        *links.self_and_alternate(request, fmt, links.GEOJSON),
        links.link(
            links.url(request, "collection", layer.name), "collection", links.JSON, layer.title
        ),
    ]
    if fmt == "html":
        context = {
            "layer": layer,
            "feature_id": row[features.ID],
            "values": [(f, _shown(row[f.name])) for f in layer.fields()],
            "items_url": links.url(request, "items", layer.name, f="html"),
        }
        response = respond(request, fmt, {"links": feature_links}, "item.html", context)
        return _with_crs(response, crs)
    body = _feature_json(layer, row, b',"links":' + dumps_bytes(feature_links))
    return _with_crs(HttpResponse(body, content_type=links.GEOJSON), crs)


# Tiles.


def _tile_template(request: HttpRequest, layer: Layer) -> str:
    href = request.build_absolute_uri(
        reverse("ogcapi:tile", args=[layer.name, tms.WEB_MERCATOR_QUAD, 0, 0, 0])
    )
    href = href.removesuffix("/0/0/0") + "/{tileMatrix}/{tileRow}/{tileCol}"
    key = request.GET.get("api_key")
    return f"{href}?api_key={key}" if key else href


def _tiling_scheme(request: HttpRequest) -> dict:
    return links.link(
        links.url(request, "tile-matrix-set", tms.WEB_MERCATOR_QUAD),
        links.REL_TILING_SCHEME,
        links.JSON,
        _("The WebMercatorQuad tile matrix set"),
    )


@ogc_view
def tilesets(request: HttpRequest, collection_id: str) -> HttpResponse:
    layer = visible_layer(request, collection_id)
    params.simple(request.GET)
    fmt = negotiate(request)
    tileset_url = links.url(request, "tileset", layer.name, tms.WEB_MERCATOR_QUAD)
    data = {
        "tilesets": [
            {
                "title": layer.title,
                "dataType": "vector",
                "crs": tms.CRS,
                "tileMatrixSetURI": tms.URI,
                "links": [
                    links.link(tileset_url, "self", links.JSON, _("WebMercatorQuad vector tiles")),
                    _tiling_scheme(request),
                ],
            }
        ],
        "links": links.self_and_alternate(request, fmt),
    }
    context = {"layer": layer, "tileset_url": tileset_url}
    return respond(request, fmt, data, "tilesets.html", context)


@ogc_view
def tileset(request: HttpRequest, collection_id: str, tms_id: str) -> HttpResponse:
    layer = visible_layer(request, collection_id)
    if tms_id != tms.WEB_MERCATOR_QUAD:
        raise params.not_found(_("There is no tile matrix set %(id)r.") % {"id": tms_id})
    params.simple(request.GET)
    fmt = negotiate(request)
    extent = features.extents([layer])[layer.name]
    max_zoom = min(layer.max_zoom, MAX_ZOOM)
    data = {
        "title": layer.title,
        "description": layer.description,
        "dataType": "vector",
        "crs": tms.CRS,
        "tileMatrixSetURI": tms.URI,
        "minTileMatrix": str(layer.min_zoom),
        "maxTileMatrix": str(max_zoom),
        "layers": [
            {
                "id": layer.name,
                "title": layer.title,
                "dataType": "vector",
                "geometryDimension": _dimension(layer.geometry_type),
                "minTileMatrix": str(layer.min_zoom),
                "maxTileMatrix": str(max_zoom),
                "propertiesSchema": queryables.json_schema(
                    layer, url=links.url(request, "queryables", layer.name)
                ),
            }
        ],
        "links": [
            *links.self_and_alternate(request, fmt),
            _tiling_scheme(request),
            links.link(
                _tile_template(request, layer), "item", links.MVT, _("Vector tiles"), templated=True
            ),
            links.link(
                links.url(request, "collection", layer.name), "collection", links.JSON, layer.title
            ),
        ],
    }
    if "bbox" in extent:
        lower, upper = extent["bbox"][:2], extent["bbox"][2:]
        data["boundingBox"] = {"lowerLeft": lower, "upperRight": upper, "crs": CRS84.uri}
    context = {"layer": layer, "tile_template": _tile_template(request, layer)}
    return respond(request, fmt, data, "tileset.html", context)


def _dimension(geometry_type: str) -> int:
    kind = geometry_type.lower()
    if "point" in kind:
        return 0
    if "line" in kind:
        return 1
    return 2


@ogc_view
def tile(
    request: HttpRequest, collection_id: str, tms_id: str, z: int, y: int, x: int
) -> HttpResponse:
    """A vector tile: tileMatrix is the zoom, tileRow the y and tileCol the x of the XYZ grid."""
    layer = visible_layer(request, collection_id)
    if tms_id != tms.WEB_MERCATOR_QUAD:
        raise params.not_found(_("There is no tile matrix set %(id)r.") % {"id": tms_id})
    params.check_known(request.GET, params.COMMON)
    f = params.text(request.GET, "f")
    if f is not None and f.lower() != "mvt":
        raise params.invalid("f", _("Tiles are served as mvt only."))
    return tile_response(request, layer, z, x, y)


@ogc_view
def tile_matrix_sets(request: HttpRequest) -> HttpResponse:
    params.simple(request.GET)
    fmt = negotiate(request)
    data = {
        "tileMatrixSets": [
            {
                "id": tms.WEB_MERCATOR_QUAD,
                "title": "Google Maps Compatible for the World",
                "uri": tms.URI,
                "links": [
                    links.link(
                        links.url(request, "tile-matrix-set", tms.WEB_MERCATOR_QUAD),
                        "self",
                        links.JSON,
                        tms.WEB_MERCATOR_QUAD,
                    )
                ],
            }
        ],
        "links": links.self_and_alternate(request, fmt),
    }
    return respond(request, fmt, data, "tile_matrix_sets.html")


@ogc_view
def tile_matrix_set(request: HttpRequest, tms_id: str) -> HttpResponse:
    if tms_id != tms.WEB_MERCATOR_QUAD:
        raise params.not_found(_("There is no tile matrix set %(id)r.") % {"id": tms_id})
    params.simple(request.GET)
    fmt = negotiate(request)
    data = tms.definition() | {"links": links.self_and_alternate(request, fmt)}
    return respond(request, fmt, data, "tile_matrix_set.html")
