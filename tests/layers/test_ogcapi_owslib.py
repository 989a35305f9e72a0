"""OWSLib's OGC API Features client, and plain HTTP against a running server."""

import json
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from owslib.ogcapi.features import Features

from layers.access import api_key_create
from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 30)


def fetch(url: str, **headers) -> tuple[int, dict, dict]:
    try:
        with urlopen(Request(url, headers=headers), timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_owslib_lists_collections_and_reads_items(live_server, grid):
    service = Features(f"{live_server.url}/ogcapi/")
    assert "parcels" in service.feature_collections()
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in service.conformance()["conformsTo"]
    )
    items = service.collection_items("parcels", limit=5)
    assert [f["id"] for f in items["features"]] == [p.pk for p in grid[:5]]
    assert "land_use" in service.collection_queryables("parcels")["properties"]
    assert service.collection_item("parcels", str(grid[3].pk))["id"] == grid[3].pk


def test_following_next_over_http_returns_every_id_once(live_server, grid):
    url, seen = f"{live_server.url}/ogcapi/collections/parcels/items?limit=4", []
    while url:
        _, _, body = fetch(url)
        seen += [f["id"] for f in body["features"]]
        url = next((x["href"] for x in body["links"] if x["rel"] == "next"), None)
    assert seen == [p.pk for p in grid]


def test_owslib_cql2_text_filters(live_server, grid):
    with ogc.temporary_layer(ogc.parcels_layer("parcels-with-area")):
        service = Features(f"{live_server.url}/ogcapi/")
        found = service.collection_items(
            "parcels-with-area", limit=100, filter="land_use='residential' AND area_m2 > 300"
        )
    assert [f["id"] for f in found["features"]] == [
        p.pk for i, p in enumerate(grid) if i % 3 == 0 and i % 2 == 0
    ]
    polygon = ogc.wkt_polygon(ogc.row_ring_lonlat(1))
    found = service.collection_items("parcels", limit=100, filter=f"S_INTERSECTS(geom, {polygon})")
    assert [f["id"] for f in found["features"]] == [p.pk for p in grid[10:20]]


def test_cql2_json_over_http(live_server, grid):
    expression = {"op": "=", "args": [{"property": "is_municipal_property"}, True]}
    query = urlencode({"filter": json.dumps(expression), "filter-lang": "cql2-json", "limit": 100})
    _, _, body = fetch(f"{live_server.url}/ogcapi/collections/parcels/items?{query}")
    assert [f["id"] for f in body["features"]] == [p.pk for i, p in enumerate(grid) if i % 5 == 0]


def test_crs_over_http_gives_utm_with_the_content_crs_header(live_server, grid):
    status, headers, body = fetch(
        f"{live_server.url}/ogcapi/collections/parcels/items?limit=1&crs=EPSG:32638"
    )
    assert status == 200
    assert headers["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/32638>"
    x, y = body["features"][0]["geometry"]["coordinates"][0][0][0]
    assert (x, y) == pytest.approx((ogc.GRID_X, ogc.GRID_Y), abs=0.01)


@pytest.mark.parametrize("query", ["unknown=1", "bbox=1,2,3", "bbox=a,b,c,d"])
def test_bad_requests_over_http_answer_400(live_server, grid, query):
    status, _, body = fetch(f"{live_server.url}/ogcapi/collections/parcels/items?{query}")
    assert status == 400
    assert body["code"] == "InvalidParameterValue"


def test_a_staff_layer_over_http(live_server, grid):
    with ogc.temporary_layer(ogc.staff_layer()) as layer:
        public = Features(f"{live_server.url}/ogcapi/")
        assert layer.name not in public.feature_collections()
        for path in ("items", f"items/{grid[0].pk}", "queryables", "tiles"):
            status, _, _ = fetch(f"{live_server.url}/ogcapi/collections/{layer.name}/{path}")
            assert status == 404, path
        _, key = api_key_create(name="Another system", layers=[layer.name])
        status, _, body = fetch(
            f"{live_server.url}/ogcapi/collections/{layer.name}/items?limit=100",
            **{"X-API-Key": key},
        )
        assert status == 200 and len(body["features"]) == 30
        keyed = Features(f"{live_server.url}/ogcapi/?api_key={key}")
        assert layer.name in keyed.feature_collections()
