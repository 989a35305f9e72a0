"""Content negotiation: 406 when the Accept header asks only for what cannot be produced."""

import pytest

from tests.layers import ogc_helpers as ogc

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 3)


@pytest.mark.parametrize(
    "path",
    [
        "/ogcapi/",
        "/ogcapi/collections",
        "/ogcapi/collections/parcels",
        "/ogcapi/collections/parcels/items",
        "/ogcapi/collections/parcels/queryables",
        "/ogcapi/api",
    ],
)
def test_an_accept_header_for_nothing_offered_answers_406(client, grid, path):
    response = client.get(path, HTTP_ACCEPT="application/xml, image/png")
    assert response.status_code == 406
    assert response.json()["code"] == "NotAcceptable"


@pytest.mark.parametrize(
    "accept, content_type",
    [
        ("*/*", "application/geo+json"),
        ("", "application/geo+json"),
        ("application/geo+json", "application/geo+json"),
        ("application/json; charset=utf-8", "application/geo+json"),
        ("application/*", "application/geo+json"),
        (BROWSER, "text/html; charset=utf-8"),
        ("text/html", "text/html; charset=utf-8"),
    ],
)
def test_usual_accept_headers_are_served(client, grid, accept, content_type):
    response = client.get("/ogcapi/collections/parcels/items", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


def test_no_accept_header_is_served_as_json(client, grid):
    response = client.get("/ogcapi/collections/parcels/items")
    assert response.status_code == 200


def test_f_overrides_an_accept_header_for_nothing_offered(client, grid):
    response = client.get("/ogcapi/collections/parcels/items?f=json", HTTP_ACCEPT="image/png")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "accept",
    [
        "application/vnd.oai.openapi+json;version=3.0",
        "application/vnd.oai.openapi+json",
        "application/vnd.oai.openapi+json;version=3.0, application/json",
    ],
)
def test_the_api_definition_is_served_to_openapi_clients(client, db, accept):
    response = client.get("/ogcapi/api", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.0")


def test_queryables_are_served_as_json_schema(client, grid):
    response = client.get(
        "/ogcapi/collections/parcels/queryables", HTTP_ACCEPT="application/schema+json"
    )
    assert response.status_code == 200
    assert response.json()["type"] == "object"
