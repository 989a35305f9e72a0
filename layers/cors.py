"""Cross-origin access to the publishing services: tiles, TileJSON, the style, OGC API, WFS and
layer downloads, for web maps served from other sites.

Their data is public, or protected by an API key that the client sends itself (X-API-Key,
`Authorization: Api-Key …` or `?api_key=`), never by a cookie; so any origin may read them and
no credentials are allowed (`*`). The portal's pages, the admin and the APIs that rely on the
session stay same-origin.
"""

from __future__ import annotations

from django.http import HttpResponse

# Path prefixes of the publishing services (gisportal/urls.py).
PUBLIC_PREFIXES = ("/tiles/", "/ogcapi/", "/api/v1/layers/")
PUBLIC_PATHS = ("/ogcapi", "/wfs")
# WFS takes XML queries by POST as well.
POST_PATHS = ("/wfs",)

ALLOW_HEADERS = (
    "Accept",
    "Accept-Language",
    "Authorization",
    "Content-Type",
    "If-None-Match",
    "X-API-Key",
)
EXPOSE_HEADERS = (
    "Content-Crs",
    "Content-Disposition",
    "Content-Language",
    "Content-Length",
    "ETag",
    "Link",
    "Location",
    "Retry-After",
)
MAX_AGE_SECONDS = 86400


def is_public(path: str) -> bool:
    """Whether the path is one of the publishing services that any origin may read."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def methods(path: str) -> str:
    return "GET, HEAD, POST, OPTIONS" if path in POST_PATHS else "GET, HEAD, OPTIONS"


def response_headers() -> list[tuple[str, str]]:
    """What every answer of a publishing service carries for cross-origin readers."""
    return [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", ", ".join(EXPOSE_HEADERS)),
    ]


def preflight_headers(path: str) -> list[tuple[str, str]]:
    """The answer to an OPTIONS request (a browser's preflight) for the path."""
    allowed = methods(path)
    return [
        ("Allow", allowed),
        *response_headers(),
        ("Access-Control-Allow-Methods", allowed),
        ("Access-Control-Allow-Headers", ", ".join(ALLOW_HEADERS)),
        ("Access-Control-Max-Age", str(MAX_AGE_SECONDS)),
    ]


class CorsMiddleware:
    """Answers preflights of the publishing services and marks their answers readable by any
    origin; every other path is left as it is."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not is_public(request.path_info):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            del response["Content-Type"]
            for name, value in preflight_headers(request.path_info):
                response[name] = value
            return response
        response = self.get_response(request)
        for name, value in response_headers():
            response[name] = value
        return response
