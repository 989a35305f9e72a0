"""The WSGI fast path (gisportal/wsgi.py): tiles of public layers answered before Django, with
the same answers as the view, and everything else passed on to Django untouched."""

import gzip
from datetime import date

import mapbox_vector_tile
import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory

from layers import fastpath, tilecache
from layers.tiles import lonlat_to_tile
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square


class Recorder:
    """Django behind the fast path, counting the requests that reach it."""

    def __init__(self):
        self.django = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        # As Django's test client does: a request must not close the test's connection.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = self.django(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return [body]


def call(app, path: str, **headers) -> tuple[int, dict, bytes]:
    environ = RequestFactory().get(path, HTTP_HOST="testserver", **headers).environ
    found = {}

    def start_response(status, response_headers, exc_info=None):
        found["status"] = int(status.split()[0])
        found["headers"] = dict(response_headers)

    body = b"".join(app(environ, start_response))
    return found["status"], found["headers"], body


@pytest.fixture
def shared_file_cache(settings, tmp_path):
    """The production setting: a file cache with the in-process copy in front of it."""
    settings.CACHES = {
        **settings.CACHES,
        "tiles": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "tiles"),
        },
    }
    settings.TILE_VERSION_CHECK_SECONDS = 0
    tilecache.memory.clear()
    fastpath._tokens.clear()
    yield
    tilecache.memory.clear()
    fastpath._tokens.clear()


@pytest.fixture
def parcel(batumi):
    x, y = BATUMI_ORIGIN
    geom = multi(square(x + 1000, y + 1000, 20))
    return Parcel.objects.create(
        cadastral_code="05.24.11.001",
        municipality=batumi,
        geom=geom,
        area_m2=geom.area,
        land_use=LandUse.RESIDENTIAL,
        valid_from=date(2024, 1, 1),
    )


def tile_path(parcel: Parcel, z: int = 16, layer: str = "parcels") -> str:
    centre = parcel.geom.centroid.transform(4326, clone=True)
    x, y = lonlat_to_tile(centre.x, centre.y, z)
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt"


def test_a_public_tile_is_answered_before_django_like_the_view(shared_file_cache, parcel):
    app = fastpath.TileFastPath(Recorder())
    path = tile_path(parcel)
    status, headers, body = call(app, path, HTTP_ACCEPT_ENCODING="gzip")
    assert app.app.calls == 0
    assert status == 200
    assert headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"].startswith("public, max-age=")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Content-Type-Options"] == "nosniff"
    features = mapbox_vector_tile.decode(gzip.decompress(body))["parcels"]["features"]
    assert [f["id"] for f in features] == [parcel.pk]

    # The view answers the same tile with the same body and ETag, from the same cache.
    django_status, django_headers, django_body = call(Recorder(), path, HTTP_ACCEPT_ENCODING="gzip")
    assert (django_status, django_body) == (200, body)
    assert django_headers["ETag"] == headers["ETag"]


def test_the_etag_answers_304_and_a_write_changes_it(shared_file_cache, parcel):
    app = fastpath.TileFastPath(Recorder())
    path = tile_path(parcel)
    _, first, _ = call(app, path, HTTP_ACCEPT_ENCODING="gzip")
    status, _, body = call(app, path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert (status, body) == (304, b"")
    Parcel.objects.filter(pk=parcel.pk).update(cadastral_code="05.24.11.099")
    status, headers, body = call(
        app, path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert status == 200 and headers["ETag"] != first["ETag"]
    features = mapbox_vector_tile.decode(gzip.decompress(body))["parcels"]["features"]
    assert features[0]["properties"]["cadastral_code"] == "05.24.11.099"
    assert app.app.calls == 0


@pytest.mark.parametrize("named", ["W/{etag}", '"other", {etag}', "*"])
def test_the_fast_path_compares_the_etag_weakly(shared_file_cache, parcel, named):
    app = fastpath.TileFastPath(Recorder())
    path = tile_path(parcel)
    _, first, _ = call(app, path, HTTP_ACCEPT_ENCODING="gzip")
    header = named.format(etag=first["ETag"])
    status, _, body = call(app, path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=header)
    assert (status, body) == (304, b"")


def test_an_empty_tile_answers_204(shared_file_cache, parcel):
    app = fastpath.TileFastPath(Recorder())
    status, headers, body = call(app, "/tiles/parcels/16/0/0.mvt", HTTP_ACCEPT_ENCODING="gzip")
    assert (status, body) == (204, b"")
    assert "ETag" in headers
    assert "Content-Type" not in headers


def test_the_fast_path_and_the_view_give_the_same_cors_headers(shared_file_cache, parcel):
    path = tile_path(parcel)
    _, fast, _ = call(fastpath.TileFastPath(Recorder()), path, HTTP_ACCEPT_ENCODING="gzip")
    _, slow, _ = call(Recorder(), path, HTTP_ACCEPT_ENCODING="identity")
    for name in ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers"):
        assert fast[name] == slow[name]
    assert "ETag" in fast["Access-Control-Expose-Headers"]


def test_a_preflight_goes_to_django_and_is_answered_there(shared_file_cache, parcel):
    app = fastpath.TileFastPath(Recorder())
    environ = (
        RequestFactory()
        .options(
            tile_path(parcel),
            HTTP_HOST="testserver",
            HTTP_ORIGIN="https://maps.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
        )
        .environ
    )
    assert fastpath.public_tile(environ) is None
    found = {}

    def start_response(status, headers, exc_info=None):
        found["status"], found["headers"] = status, dict(headers)

    app(environ, start_response)
    assert app.app.calls == 1
    assert found["status"].startswith("204")
    assert found["headers"]["Access-Control-Allow-Origin"] == "*"
    assert "X-API-Key" in found["headers"]["Access-Control-Allow-Headers"]


def test_a_staff_only_layer_goes_to_django(shared_file_cache, parcel, staff_only_layer):
    app = fastpath.TileFastPath(Recorder())
    status, _, _ = call(app, tile_path(parcel, layer="staff-parcels"), HTTP_ACCEPT_ENCODING="gzip")
    assert status == 404
    assert app.app.calls == 1


@pytest.mark.parametrize(
    ("path", "environ"),
    [
        ("tile", {"HTTP_ACCEPT_ENCODING": "identity"}),  # Django inflates the tile
        ("tile", {"HTTP_HOST": "evil.example"}),  # Django refuses the host
        ("/tiles/parcels/3/8/0.mvt", {}),  # outside the grid: Django's 400
        ("/tiles/nothing/16/0/0.mvt", {}),  # no such layer: Django's 404
        ("/tiles/style.json", {}),
    ],
)
def test_anything_else_goes_to_django(shared_file_cache, parcel, path, environ):
    app = fastpath.TileFastPath(Recorder())
    path = tile_path(parcel) if path == "tile" else path
    request = RequestFactory().get(path, HTTP_HOST="testserver", HTTP_ACCEPT_ENCODING="gzip")
    request.environ.update(environ)
    assert fastpath.public_tile(request.environ) is None
    app(request.environ, lambda status, headers, exc_info=None: None)
    assert app.app.calls == 1


def test_a_post_goes_to_django(shared_file_cache, parcel):
    environ = RequestFactory().post(tile_path(parcel), HTTP_HOST="testserver").environ
    environ["HTTP_ACCEPT_ENCODING"] = "gzip"
    assert fastpath.public_tile(environ) is None


def test_the_memory_copy_serves_repeats_without_reading_the_file(shared_file_cache, parcel):
    app = fastpath.TileFastPath(Recorder())
    path = tile_path(parcel)
    _, _, body = call(app, path, HTTP_ACCEPT_ENCODING="gzip")
    assert len(tilecache.memory._items) == 1
    from django.core.cache import caches

    caches["tiles"].clear()  # only the in-process copy is left
    _, _, again = call(app, path, HTTP_ACCEPT_ENCODING="gzip")
    assert again == body


def test_under_https_redirects_a_tile_over_https_is_answered_with_hsts(
    shared_file_cache, parcel, settings
):
    """The production profile: HTTPS tiles stay on the fast path with Django's HSTS header;
    a plain-HTTP tile goes to Django, which redirects it."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    app = fastpath.TileFastPath(Recorder())
    path = tile_path(parcel)

    status, headers, _ = call(
        app, path, HTTP_ACCEPT_ENCODING="gzip", HTTP_X_FORWARDED_PROTO="https"
    )
    assert (status, app.app.calls) == (200, 0)
    django_status, django_headers, _ = call(
        Recorder(), path, HTTP_ACCEPT_ENCODING="gzip", HTTP_X_FORWARDED_PROTO="https"
    )
    assert django_status == 200
    assert headers["Strict-Transport-Security"] == django_headers["Strict-Transport-Security"]

    status, headers, _ = call(app, path, HTTP_ACCEPT_ENCODING="gzip")
    assert (status, app.app.calls) == (301, 1)
    assert headers["Location"].startswith("https://")
