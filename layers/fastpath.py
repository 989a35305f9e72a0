"""Tiles of public layers, answered before Django's middleware and URL routing.

A map asks for dozens of tiles per view and most of them are already cached, so a tile must
cost next to nothing beyond its cache read: this WSGI wrapper (gisportal/wsgi.py) matches the
tile URL, reads the layer's version (one prepared query, at most every
TILE_VERSION_CHECK_SECONDS per process: a write reaches cached answers within that time) and
answers from the tile cache, or builds and caches the tile, with the same
status, body and headers as layers.views.tile_response and layers.cors.CorsMiddleware. Anything
else (a staff-only or uploaded layer, a client without gzip, a browser's OPTIONS preflight, a
host that is not allowed, a database error) goes on to Django unchanged.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.http.request import split_domain_port, validate_host

from layers import cors, tilecache
from layers.registry import Layer, Visibility, registry
from layers.tiles import TileOutOfRange, tile_bounds
from layers.versions import layer_token

# layers/urls.py: tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.mvt
TILE_PATH = re.compile(r"^/tiles/([-a-zA-Z0-9_]+)/([0-9]+)/([0-9]+)/([0-9]+)\.mvt$")
MVT = "application/vnd.mapbox-vector-tile"
STATUS = {200: "200 OK", 204: "204 No Content", 304: "304 Not Modified"}


def _is_secure(environ: dict) -> bool:
    """HttpRequest.is_secure() of this request: the proxy's header when one is named."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        return value is not None and value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _security_headers(secure: bool) -> list[tuple[str, str]]:
    """What SecurityMiddleware and XFrameOptionsMiddleware add to every answer."""
    headers = []
    if secure and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append(("Strict-Transport-Security", hsts))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        if not isinstance(policy, str):
            policy = ",".join(policy)
        headers.append(("Referrer-Policy", policy))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
    return headers


def _plain_request(environ: dict) -> bool:
    """A GET over a host that Django would accept, from a client that takes gzip,
    that Django's security settings would not redirect to HTTPS."""
    if environ.get("REQUEST_METHOD") != "GET":  # the view takes GET only
        return False
    if "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", ""):
        return False
    if settings.SECURE_SSL_REDIRECT and not _is_secure(environ):
        return False
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        return False
    domain, _port = split_domain_port(environ.get("HTTP_HOST", ""))
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


# Layer name -> (monotonic time until which it holds, version token).
_tokens: dict[str, tuple[float, str]] = {}


def _token(layer: Layer) -> str:
    """The layer's version token, asked of the database at most every
    TILE_VERSION_CHECK_SECONDS per process."""
    now = time.monotonic()
    found = _tokens.get(layer.name)
    if found is not None and found[0] > now:
        return found[1]
    token = layer_token(layer)
    _tokens[layer.name] = (now + settings.TILE_VERSION_CHECK_SECONDS, token)
    return token


def _headers(environ: dict, etag: str) -> list[tuple[str, str]]:
    return [
        ("ETag", etag),
        ("Cache-Control", f"public, max-age={settings.TILE_CACHE_SECONDS}"),
        ("Vary", "Accept-Encoding"),
        *cors.response_headers(),
        *_security_headers(_is_secure(environ)),
    ]


def _answer(environ: dict, layer: Layer, z: int, x: int, y: int):
    token = _token(layer)
    etag = tilecache.tile_etag(layer.name, token, z, x, y)
    if tilecache.etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
        return 304, _headers(environ, etag), b""
    # A tile built now from a version read up to TILE_VERSION_CHECK_SECONDS ago holds data at
    # least as new as that version: no older answer is ever filed under a newer version.
    body = tilecache.gzipped_tile(layer, token, z, x, y)
    if not body:
        return 204, _headers(environ, etag), b""
    headers = _headers(environ, etag)
    headers += [("Content-Type", MVT), ("Content-Encoding", "gzip")]
    headers.append(("Content-Length", str(len(body))))
    return 200, headers, body


def public_tile(environ: dict) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) of a tile of a public layer, or None to let Django answer."""
    match = TILE_PATH.match(environ.get("PATH_INFO", ""))
    if match is None or not _plain_request(environ):
        return None
    layer = registry.get_declared(match[1])
    if layer is None or layer.visibility != Visibility.PUBLIC:
        return None
    z, x, y = int(match[2]), int(match[3]), int(match[4])
    try:
        tile_bounds(z, x, y)
    except TileOutOfRange:
        return None
    _tidy_connections()
    try:
        return _answer(environ, layer, z, x, y)
    except DatabaseError:
        return None  # Django answers it, and reports the error its own way
    finally:
        _tidy_connections()


def _tidy_connections() -> None:
    """What Django does when a request starts and ends: close a connection that is broken or
    older than CONN_MAX_AGE; never within a transaction (a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()


class TileFastPath:
    """WSGI middleware: tiles of public layers here, every other request to `app` (Django)."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        found = public_tile(environ)
        if found is None:
            return self.app(environ, start_response)
        status, headers, body = found
        start_response(STATUS[status], headers)
        return [body] if body else []
