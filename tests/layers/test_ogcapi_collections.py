"""Collections: one per layer the request may see, with its extent computed from the data."""

import pytest

from layers.registry import registry
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.layers import ogc_helpers as ogc
from tests.parcels.factories import ParcelFactory


@pytest.fixture(autouse=True)
def fresh_extents():
    ogc.clear_extent_cache()


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 12)


def test_collections_list_every_public_layer(client, db):
    body = client.get("/ogcapi/collections", HTTP_ACCEPT="application/json").json()
    listed = [c["id"] for c in body["collections"]]
    public = [layer.name for layer in registry.all() if layer.visibility == "public"]
    assert listed == public
    assert {
        "municipalities",
        "districts",
        "zones",
        "streets",
        "blocks",
        "buildings",
        "parcels",
    } <= set(listed)


def test_collection_extent_is_the_bbox_of_its_data_in_crs84(client, grid):
    body = client.get("/ogcapi/collections/parcels?f=json").json()
    minx, miny, maxx, maxy = body["extent"]["spatial"]["bbox"][0]
    assert body["extent"]["spatial"]["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    # The corners of every parcel in degrees: the box of the data, not of its UTM box turned.
    corners = [ogc.TO_LONLAT.transform(x, y) for p in grid for x, y in p.geom.coords[0][0]]
    lons, lats = [c[0] for c in corners], [c[1] for c in corners]
    assert [minx, miny, maxx, maxy] == pytest.approx(
        [min(lons), min(lats), max(lons), max(lats)], abs=2e-7
    )


def test_collection_describes_itself_in_the_requests_language(client, grid):
    english = client.get("/ogcapi/collections/parcels?f=json", HTTP_ACCEPT_LANGUAGE="en").json()
    georgian = client.get("/ogcapi/collections/parcels?f=json", HTTP_ACCEPT_LANGUAGE="ka").json()
    assert english["title"] == "Cadastral parcels"
    assert english["description"].startswith("Land parcels")
    assert georgian["title"] == "საკადასტრო ნაკვეთები"


def test_collection_states_its_crs_storage_crs_and_links(client, grid):
    body = client.get("/ogcapi/collections/parcels?f=json").json()
    assert body["itemType"] == "feature"
    assert body["storageCrs"] == "http://www.opengis.net/def/crs/EPSG/0/32638"
    assert set(body["crs"]) == {
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "http://www.opengis.net/def/crs/EPSG/0/4326",
        "http://www.opengis.net/def/crs/EPSG/0/32638",
        "http://www.opengis.net/def/crs/EPSG/0/3857",
    }
    hrefs = {(link["rel"], link["type"]): link["href"] for link in body["links"]}
    assert hrefs[("items", "application/geo+json")].endswith("/ogcapi/collections/parcels/items")
    assert hrefs[("http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json")]
    assert hrefs[("http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "application/json")]


def test_empty_layer_has_no_extent(client, db):
    body = client.get("/ogcapi/collections/zones?f=json").json()
    assert "extent" not in body


def test_extent_is_computed_once_per_layer_version(client, grid, django_assert_num_queries):
    before = client.get("/ogcapi/collections/parcels?f=json").json()["extent"]["spatial"]["bbox"][0]
    # Only the version lookup: the extent comes from the cache.
    with django_assert_num_queries(1):
        client.get("/ogcapi/collections/parcels?f=json")
    x, y = BATUMI_ORIGIN
    ParcelFactory(municipality=grid[0].municipality, geom=multi(square(x + 3000, y + 3000, 10)))
    after = client.get("/ogcapi/collections/parcels?f=json").json()["extent"]["spatial"]["bbox"][0]
    assert after[2] > before[2] + 0.02


def test_layer_with_a_time_field_has_a_temporal_extent(client, grid):
    with ogc.temporary_layer(ogc.parcels_layer("timed-parcels", time_field="valid_from")):
        body = client.get("/ogcapi/collections/timed-parcels?f=json").json()
    assert body["extent"]["temporal"]["interval"] == [
        ["2024-01-01T00:00:00Z", "2024-12-01T00:00:00Z"]
    ]


def test_unknown_collection_answers_404_in_the_ogc_shape(client, db):
    response = client.get("/ogcapi/collections/nothing")
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"
