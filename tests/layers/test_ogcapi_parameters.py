"""Query parameters: unknown ones and bad values answer 400 in the OGC exception shape."""

import pytest

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 3)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("foo=1", "foo"),
        ("limit=0", "limit"),
        ("limit=-3", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=1.5", "offset"),
        ("f=xml", "f"),
        ("crs=EPSG:2154", "crs"),
        ("bbox-crs=EPSG:32638", "bbox-crs"),
        ("filter-lang=ecql", "filter-lang"),
        ("is_municipal_property=maybe", "is_municipal_property"),
        ("land_use=castle", "land_use"),
        ("limit=2&limit=3", "limit"),
        ("datetime=yesterday", "datetime"),
    ],
)
def test_bad_parameter_answers_400_naming_it(client, grid, query, parameter):
    response = client.get(f"/ogcapi/collections/parcels/items?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "InvalidParameterValue"
    assert body["parameter"] == parameter
    assert body["description"]


@pytest.mark.parametrize(
    "path",
    [
        "/ogcapi/?foo=1",
        "/ogcapi/conformance?limit=1",
        "/ogcapi/collections?bbox=1,2,3,4",
        "/ogcapi/collections/parcels?foo=1",
        "/ogcapi/collections/parcels/queryables?foo=1",
        "/ogcapi/collections/parcels/tiles?foo=1",
        "/ogcapi/tileMatrixSets?foo=1",
    ],
)
def test_every_resource_refuses_unknown_parameters(client, grid, path):
    assert client.get(path).status_code == 400


def test_the_same_parameter_twice_with_the_same_value_is_accepted(client, grid):
    # GDAL appends the parameters of its connection URL to links that already carry them.
    response = client.get("/ogcapi/collections/parcels/items?limit=2&limit=2")
    assert response.status_code == 200


def test_api_key_is_a_parameter_of_every_resource(client, grid):
    assert client.get("/ogcapi/collections/parcels/items?api_key=nothing").status_code == 200


def test_writes_are_not_allowed(client, grid):
    assert client.post("/ogcapi/collections/parcels/items", {}).status_code == 405
