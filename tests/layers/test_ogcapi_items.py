"""Items: GeoJSON pages of a collection, in a stable order, with counts and paging links."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from parcels.models import Parcel
from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 25)


def link(body: dict, rel: str) -> dict | None:
    return next((x for x in body["links"] if x["rel"] == rel), None)


def test_items_are_a_feature_collection_with_counts_and_a_timestamp(client, grid):
    response = client.get("/ogcapi/collections/parcels/items", HTTP_ACCEPT="application/geo+json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == 25
    assert body["numberReturned"] == 10
    assert body["timeStamp"].endswith("Z")
    assert ogc.ids(response) == [p.pk for p in grid[:10]]


def test_a_feature_carries_its_primary_key_and_only_the_public_properties(client, grid):
    feature = client.get("/ogcapi/collections/parcels/items?limit=1").json()["features"][0]
    assert feature["type"] == "Feature"
    assert feature["id"] == grid[0].pk
    assert feature["properties"] == {
        "cadastral_code": "05.24.90.000",
        "land_use": "residential",
        "area_m2": pytest.approx(grid[0].area_m2),
        "is_municipal_property": True,
    }
    assert feature["geometry"]["type"] == "MultiPolygon"
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 41.5 < lon < 41.8 and 41.5 < lat < 41.8


def test_following_next_returns_every_id_exactly_once(client, grid):
    url, seen = "/ogcapi/collections/parcels/items?limit=7&land_use=residential", []
    while url:
        body = client.get(url).json()
        seen += [f["id"] for f in body["features"]]
        following = link(body, "next")
        url = following["href"] if following else None
    expected = [p.pk for p in grid if p.land_use == "residential"]
    assert seen == expected


def test_paging_links_keep_every_other_parameter(client, grid):
    body = client.get(
        "/ogcapi/collections/parcels/items?limit=5&offset=5&land_use=green&f=json"
    ).json()
    following, previous = link(body, "next"), link(body, "prev")
    assert previous["type"] == "application/geo+json"
    assert body["numberMatched"] == 8
    assert following is None  # 8 green parcels: 5 to 8 is the last page
    assert parse_qs(urlsplit(previous["href"]).query) == {
        "limit": ["5"],
        "offset": ["0"],
        "land_use": ["green"],
        "f": ["json"],
    }
    first = client.get("/ogcapi/collections/parcels/items?limit=5&land_use=green&f=json").json()
    assert parse_qs(urlsplit(link(first, "next")["href"]).query)["land_use"] == ["green"]
    assert link(first, "next")["type"] == "application/geo+json"


def test_a_filtered_page_and_its_count_cost_one_query(client, grid, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/ogcapi/collections/parcels/items?limit=20&land_use=residential")
    assert response.json()["numberReturned"] == 9
    assert response.json()["numberMatched"] == 9


def test_an_unfiltered_page_costs_its_query_and_the_layers_version(
    client, grid, django_assert_num_queries
):
    client.get("/ogcapi/collections/parcels/items?limit=1")  # counts the layer once
    with django_assert_num_queries(2):
        response = client.get("/ogcapi/collections/parcels/items?limit=20")
    assert response.json()["numberReturned"] == 20
    assert response.json()["numberMatched"] == 25


def test_limit_above_the_maximum_is_cut_to_the_maximum(client, grid, settings):
    settings.API_MAX_PAGE_SIZE = 12
    body = client.get("/ogcapi/collections/parcels/items?limit=1000").json()
    assert body["numberReturned"] == 12
    assert "limit=12" in link(body, "next")["href"]


def test_default_page_is_ten_features(client, grid):
    assert client.get("/ogcapi/collections/parcels/items").json()["numberReturned"] == 10
    assert settings.API_MAX_PAGE_SIZE >= 10


def test_offset_past_the_end_gives_an_empty_page(client, grid):
    body = client.get("/ogcapi/collections/parcels/items?offset=100").json()
    assert body["features"] == [] and body["numberMatched"] == 25
    assert link(body, "next") is None


def test_retired_parcels_are_not_items(client, grid):
    Parcel.objects.filter(pk=grid[0].pk).update(valid_to="2025-01-01")
    body = client.get("/ogcapi/collections/parcels/items?limit=100").json()
    assert grid[0].pk not in [f["id"] for f in body["features"]]
    assert body["numberMatched"] == 24
