"""Cross-origin access: browsers on other sites may read the publishing services (tiles,
TileJSON, the style, OGC API, WFS, downloads) without credentials; the portal's own pages and
the session-based APIs stay same-origin."""

import pytest

from layers.access import api_key_create
from tests.layers import ogc_helpers as ogc

pytestmark = pytest.mark.django_db

PUBLISHING = [
    "/ogcapi",
    "/ogcapi/",
    "/ogcapi/collections/parcels/items",
    "/ogcapi/tileMatrixSets/WebMercatorQuad",
    "/tiles/parcels/16/0/0.mvt",
    "/tiles/parcels.json",
    "/tiles/style.json",
    "/wfs",
    "/api/v1/layers/parcels/export.geojson",
]
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
SAME_ORIGIN = [
    "/en/",
    "/en/admin/",
    "/api/v1/cases/",
    "/api/v1/comments/",
    "/healthz",
]


def preflight(client, path: str, method: str = "GET", headers: str = "x-api-key"):
    return client.options(
        path,
        HTTP_ORIGIN="https://maps.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


@pytest.mark.parametrize("path", PUBLISHING)
def test_a_preflight_of_a_publishing_service_is_answered(client, path):
    response = preflight(client, path)
    assert response.status_code == 204
    assert response.content == b""
    assert not response.has_header("Content-Type")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Access-Control-Allow-Credentials")
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "HEAD", "OPTIONS"} <= methods
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"x-api-key", "accept", "accept-language", "if-none-match", "content-type"} <= allowed
    assert int(response["Access-Control-Max-Age"]) > 0


def test_wfs_takes_post_from_other_origins(client):
    response = preflight(client, "/wfs", method="POST", headers="content-type")
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "POST" not in preflight(client, "/ogcapi/collections")["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("path", SAME_ORIGIN)
def test_the_portal_and_the_session_apis_stay_same_origin(client, path):
    response = preflight(client, path)
    assert not response.has_header("Access-Control-Allow-Origin")
    assert not client.get(path).has_header("Access-Control-Allow-Origin")


def test_answers_of_the_ogc_api_expose_their_headers(client, batumi):
    ogc.parcel_grid(batumi, 3)
    response = client.get("/ogcapi/collections/parcels/items", {"crs": EPSG_3857})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"Content-Crs", "ETag", "Link", "Content-Disposition", "Content-Length"} <= exposed
    assert response.has_header("Content-Crs")


@pytest.mark.parametrize(
    "path",
    ["/tiles/parcels.json", "/tiles/style.json", "/tiles/parcels/16/0/0.mvt", "/ogcapi/"],
)
def test_answers_of_the_publishing_services_allow_any_origin(client, path):
    response = client.get(path, HTTP_ORIGIN="https://maps.example")
    assert response.status_code in (200, 204)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_errors_are_readable_from_other_origins(client):
    response = client.get("/tiles/nothing.json", HTTP_ORIGIN="https://maps.example")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_wfs_and_downloads_allow_any_origin(client, batumi):
    ogc.parcel_grid(batumi, 2)
    wfs = client.get("/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities"})
    assert wfs["Access-Control-Allow-Origin"] == "*"
    download = client.get("/api/v1/layers/parcels/export.geojson")
    assert download.status_code == 200
    assert download["Access-Control-Allow-Origin"] == "*"
    assert "Content-Disposition" in download["Access-Control-Expose-Headers"]


def test_a_preflight_does_not_open_a_layer_without_its_key(client, staff_only_layer):
    assert preflight(client, "/tiles/staff-parcels.json").status_code == 204
    assert client.get("/tiles/staff-parcels.json").status_code == 404
    _, key = api_key_create(name="Web map", layers=[staff_only_layer.name])
    response = client.get("/tiles/staff-parcels.json", HTTP_X_API_KEY=key)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
