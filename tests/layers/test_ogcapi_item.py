"""One feature by its primary key; anything else answers 404."""

import pytest

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 3)


def test_item_is_a_feature_with_links_back_to_its_collection(client, grid):
    response = client.get(f"/ogcapi/collections/parcels/items/{grid[1].pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    feature = response.json()
    assert feature["id"] == grid[1].pk
    assert feature["properties"]["cadastral_code"] == "05.24.90.001"
    rels = {link["rel"]: link["href"] for link in feature["links"]}
    assert rels["collection"] == "http://testserver/ogcapi/collections/parcels"
    assert rels["self"].startswith(
        f"http://testserver/ogcapi/collections/parcels/items/{grid[1].pk}"
    )


def test_item_in_another_crs(client, grid):
    feature = client.get(f"/ogcapi/collections/parcels/items/{grid[0].pk}?crs=EPSG:32638").json()
    x, y = feature["geometry"]["coordinates"][0][0][0]
    assert (x, y) == pytest.approx((ogc.GRID_X, ogc.GRID_Y), abs=0.01)


@pytest.mark.parametrize("feature_id", ["999999", "abc", "1.5", "-1"])
def test_unknown_or_malformed_feature_id_answers_404(client, grid, feature_id):
    response = client.get(f"/ogcapi/collections/parcels/items/{feature_id}")
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"


def test_item_refuses_parameters_it_does_not_know(client, grid):
    response = client.get(f"/ogcapi/collections/parcels/items/{grid[0].pk}?limit=3")
    assert response.status_code == 400
    assert response.json()["parameter"] == "limit"
