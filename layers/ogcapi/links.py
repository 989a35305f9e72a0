"""The links of every OGC API document: absolute URLs, relations and media types.

An `api_key` that came as a query parameter is carried into every link, so that a client
such as GDAL, which follows links and can only add a parameter, keeps its access.
"""

from __future__ import annotations

from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
MVT = "application/vnd.mapbox-vector-tile"

OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
REL_CONFORMANCE = OGC_REL + "conformance"
REL_DATA = OGC_REL + "data"
REL_ITEMS = "items"
REL_QUERYABLES = OGC_REL + "queryables"
REL_TILESETS = OGC_REL + "tilesets-vector"
REL_TILING_SCHEME = OGC_REL + "tiling-scheme"
REL_TILING_SCHEMES = OGC_REL + "tiling-schemes"


def link(href: str, rel: str, type_: str, title: str = "", **extra) -> dict:
    found = {"href": href, "rel": rel, "type": type_}
    if title:
        found["title"] = str(title)
    return found | extra


def _carried(request: HttpRequest) -> dict[str, str]:
    key = request.GET.get("api_key")
    return {"api_key": key} if key else {}


def url(request: HttpRequest, name: str, *args, **query) -> str:
    """The absolute URL of a named OGC API resource, with `api_key` carried over."""
    params = QueryDict(mutable=True)
    params.update(_carried(request))
    for key, value in query.items():
        if value is not None:
            params[key] = value
    href = request.build_absolute_uri(reverse(f"ogcapi:{name}", args=args))
    return f"{href}?{params.urlencode(safe='/:,')}" if params else href


def this(request: HttpRequest, **changes) -> str:
    """This request's URL with some parameters changed (None removes one), all others kept."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    href = request.build_absolute_uri(request.path)
    return f"{href}?{params.urlencode(safe='/:,')}" if params else href


def self_and_alternate(request: HttpRequest, fmt: str, json_type: str = JSON) -> list[dict]:
    """`self` for the format being served and `alternate` for the other one."""
    as_json = link(this(request, f="json"), "self", json_type, _("This document as JSON"))
    as_html = link(this(request, f="html"), "self", HTML, _("This document as HTML"))
    if fmt == "html":
        as_json["rel"] = "alternate"
        return [as_html, as_json]
    as_html["rel"] = "alternate"
    return [as_json, as_html]


def paging(
    request: HttpRequest, fmt: str, *, limit: int, prev: dict | None, next_: dict | None
) -> list[dict]:
    """`prev` and `next` links of a page of items: this request's URL with the paging
    parameters changed as given (offset or a key), every other kept."""
    type_ = HTML if fmt == "html" else GEOJSON
    found = []
    if prev is not None:
        found.append(link(this(request, **prev, limit=limit), "prev", type_, _("Previous page")))
    if next_ is not None:
        found.append(link(this(request, **next_, limit=limit), "next", type_, _("Next page")))
    return found
