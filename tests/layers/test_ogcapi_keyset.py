"""Items pages follow a keyset (`after-id`, `before-id`): every feature once, with any filter."""

import shutil
import sqlite3
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from layers.ogcapi import features
from layers.ogcapi.crs import CRS84
from layers.ogcapi.params import NOTHING
from layers.registry import registry
from parcels.models import Parcel
from tests.layers import ogc_helpers as ogc

ITEMS = "/ogcapi/collections/parcels/items"


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 35)


def rel(body: dict, name: str) -> str | None:
    return next((x["href"] for x in body["links"] if x["rel"] == name), None)


def query_of(href: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def ids(body: dict) -> list:
    return [feature["id"] for feature in body["features"]]


def walk(client, url: str) -> tuple[list, set[int]]:
    """Every id from following `next` links from url, and the numberMatched of each page."""
    found, matched = [], set()
    while url:
        body = client.get(url).json()
        found += ids(body)
        matched.add(body["numberMatched"])
        url = rel(body, "next")
    return found, matched


def test_the_next_link_follows_the_last_id_of_the_page(client, grid):
    body = client.get(f"{ITEMS}?limit=10&land_use=green").json()
    params = query_of(rel(body, "next"))
    assert params == {
        "limit": "10",
        "land_use": "green",
        "after-id": str(body["features"][-1]["id"]),
    }


def test_following_next_links_gives_every_feature_once(client, grid):
    found, matched = walk(client, f"{ITEMS}?limit=10")
    assert found == [p.pk for p in grid]
    assert matched == {35}


def test_a_keyset_page_is_the_features_after_the_id(client, grid):
    body = client.get(f"{ITEMS}?limit=5&after-id={grid[9].pk}").json()
    assert ids(body) == [p.pk for p in grid[10:15]]
    assert body["numberMatched"] == 35
    assert body["numberReturned"] == 5


@pytest.mark.parametrize(
    "query, expected",
    [
        ("land_use=green", lambda i: i % 3 == 2),
        ("filter=is_municipal_property = true", lambda i: i % 5 == 0),
        ("land_use=residential&filter=area_m2 > 300", lambda i: i % 3 == 0 and i % 2 == 0),
    ],
)
def test_the_keyset_combines_with_filters(client, grid, query, expected):
    found, matched = walk(client, f"{ITEMS}?limit=3&{query}")
    wanted = [p.pk for i, p in enumerate(grid) if expected(i)]
    assert found == wanted
    assert matched == {len(wanted)}


def test_the_keyset_combines_with_datetime(client, grid):
    layer = ogc.parcels_layer("timed-parcels", time_field="valid_from")
    with ogc.temporary_layer(layer):
        found, matched = walk(
            client, "/ogcapi/collections/timed-parcels/items?limit=3&datetime=2024-03-01/2024-06-30"
        )
    # valid_from is the first of month 1 + i % 12 of 2024.
    wanted = [p.pk for i, p in enumerate(grid) if 2 <= i % 12 <= 5]
    assert found == wanted
    assert matched == {len(wanted)}


def test_the_keyset_combines_with_a_bbox(client, grid):
    ring = ogc.row_ring_lonlat(2)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    inner = (
        max(lons[0], lons[3]),
        max(lats[0], lats[1]),
        min(lons[1], lons[2]),
        min(lats[2], lats[3]),
    )
    box = ",".join(str(v) for v in inner)
    found, matched = walk(client, f"{ITEMS}?limit=4&bbox={box}")
    assert found == [p.pk for p in grid[20:30]]
    assert matched == {10}


def test_the_prev_link_of_a_keyset_page_goes_back_one_page(client, grid):
    page = client.get(f"{ITEMS}?limit=5&after-id={grid[9].pk}").json()
    back = client.get(rel(page, "prev")).json()
    assert query_of(rel(page, "prev"))["before-id"] == str(grid[10].pk)
    assert ids(back) == [p.pk for p in grid[5:10]]
    assert query_of(rel(back, "next"))["after-id"] == str(grid[9].pk)
    assert rel(back, "prev") is not None


def test_the_first_page_reached_backwards_has_no_prev_link(client, grid):
    body = client.get(f"{ITEMS}?limit=5&before-id={grid[5].pk}").json()
    assert ids(body) == [p.pk for p in grid[:5]]
    assert rel(body, "prev") is None
    assert rel(body, "next") is not None


def test_the_last_keyset_page_has_no_next_link(client, grid):
    body = client.get(f"{ITEMS}?limit=5&after-id={grid[29].pk}").json()
    assert ids(body) == [p.pk for p in grid[30:]]
    assert rel(body, "next") is None


def test_offset_still_pages_as_before(client, grid):
    body = client.get(f"{ITEMS}?limit=5&offset=10").json()
    assert ids(body) == [p.pk for p in grid[10:15]]
    assert query_of(rel(body, "prev")) == {"limit": "5", "offset": "5"}
    assert query_of(rel(body, "next")) == {"limit": "5", "after-id": str(grid[14].pk)}


def test_an_offset_after_a_key_skips_from_the_key(client, grid):
    body = client.get(f"{ITEMS}?limit=5&offset=2&after-id={grid[9].pk}").json()
    assert ids(body) == [p.pk for p in grid[12:17]]
    assert "offset" not in query_of(rel(body, "next"))


def test_the_html_page_of_a_key_counts_from_its_position(client, grid):
    html = client.get(
        f"{ITEMS}?limit=5&f=html&after-id={grid[9].pk}", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Features 11 to 15 of 35." in html


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("after-id=abc", "after-id"),
        ("before-id=1.5", "before-id"),
        ("after-id=1&before-id=9", "before-id"),
    ],
)
def test_an_invalid_key_is_a_bad_request(client, grid, query, parameter):
    response = client.get(f"{ITEMS}?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_a_key_out_of_range_finds_nothing(client, grid):
    body = client.get(f"{ITEMS}?after-id=99999999999999999999").json()
    assert (body["features"], body["numberMatched"]) == ([], 35)
    assert rel(body, "next") is None and rel(body, "prev") is None


def test_number_matched_of_a_keyset_page_follows_a_change_of_the_data(client, grid):
    url = f"{ITEMS}?limit=5&after-id={grid[9].pk}"
    assert client.get(url).json()["numberMatched"] == 35
    Parcel.objects.filter(pk=grid[20].pk).delete()
    assert client.get(url).json()["numberMatched"] == 34


@pytest.mark.parametrize("query", ["", "&bbox=41.5,41.5,41.7,41.7", "&filter=area_m2 > 300"])
def test_a_deep_keyset_page_counts_the_matches_once(client, grid, query, django_assert_num_queries):
    client.get(f"{ITEMS}?limit=5&after-id={grid[0].pk}{query}")
    with django_assert_num_queries(2):  # the layer's version and the page
        client.get(f"{ITEMS}?limit=5&after-id={grid[29].pk}{query}")


def test_a_keyset_page_of_a_filter_that_matches_nothing_is_empty(grid):
    layer = registry.get("parcels")
    found = features.keyset_page(layer, NOTHING, CRS84, limit=5, offset=0, after=grid[0].pk)
    assert found == ([], 0, False)


def test_the_api_definition_lists_the_keys_as_form_parameters(client, grid):
    document = client.get("/ogcapi/api?f=json").json()
    items = document["paths"]["/collections/parcels/items"]["get"]["parameters"]
    refs = {p.get("$ref", "").rsplit("/", 1)[-1] for p in items}
    assert {"after-id", "before-id"} <= refs
    for name in ("after-id", "before-id"):
        found = document["components"]["parameters"][name]
        assert (found["in"], found["style"], found["explode"]) == ("query", "form", False)


@pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="GDAL is not installed")
def test_ogr2ogr_in_pages_of_50_copies_every_feature_once(
    live_server, batumi, tmp_path, monkeypatch
):
    parcels = ogc.parcel_grid(batumi, 260)
    keys = []
    keyset_page = features.keyset_page

    def recorded(*args, **kwargs):
        keys.append(kwargs["after"])
        return keyset_page(*args, **kwargs)

    monkeypatch.setattr(features, "keyset_page", recorded)
    target = tmp_path / "parcels.gpkg"
    result = subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GPKG",
            "-preserve_fid",
            str(target),
            f"OAPIF:{live_server.url}/ogcapi",
            "parcels",
            "-oo",
            "PAGE_SIZE=50",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as db:
        rows = db.execute("SELECT fid, cadastral_code FROM parcels ORDER BY fid").fetchall()
    assert rows == [(p.pk, p.cadastral_code) for p in parcels]
    assert keys == [p.pk for p in parcels[49:250:50]]
