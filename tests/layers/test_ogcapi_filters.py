"""Part 3: CQL2 filters in text and JSON, with geometry literals in the filter CRS."""

import json
from urllib.parse import urlencode

import pytest

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 30)


@pytest.fixture
def with_area():
    # The declared parcels layer has no area_m2; this one does, to filter on a number.
    with ogc.temporary_layer(ogc.parcels_layer("parcels-with-area")) as layer:
        yield layer


def filtered(client, collection: str = "parcels", **params) -> list[int]:
    query = urlencode({"limit": 100, **params})
    response = client.get(f"/ogcapi/collections/{collection}/items?{query}")
    assert response.status_code == 200, response.content
    return ogc.ids(response)


def test_cql2_text_combines_properties(client, grid, with_area):
    found = filtered(client, "parcels-with-area", filter="land_use='residential' AND area_m2 > 300")
    # Residential: every third parcel; 400 m²: the even ones.
    assert found == [p.pk for i, p in enumerate(grid) if i % 3 == 0 and i % 2 == 0]


def test_cql2_text_spatial_filter_in_crs84(client, grid):
    polygon = ogc.wkt_polygon(ogc.row_ring_lonlat(1))
    found = filtered(client, filter=f"S_INTERSECTS(geom, {polygon})")
    assert found == [p.pk for p in grid[10:20]]


def test_the_geometry_queryable_is_called_geometry_too(client, grid):
    polygon = ogc.wkt_polygon(ogc.row_ring_lonlat(2))
    found = filtered(client, filter=f"S_INTERSECTS(geometry, {polygon}) AND land_use = 'green'")
    assert found == [p.pk for i, p in enumerate(grid) if i >= 20 and i % 3 == 2]


def test_filter_crs_epsg_4326_reads_latitude_first(client, grid):
    ring = [(lat, lon) for lon, lat in ogc.row_ring_lonlat(0)]
    found = filtered(
        client,
        filter=f"S_INTERSECTS(geom, {ogc.wkt_polygon(ring)})",
        **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
    )
    assert found == [p.pk for p in grid[:10]]


def test_filter_crs_in_the_storage_grid(client, grid):
    x0, y0 = ogc.GRID_X + 5, ogc.GRID_Y + 5
    found = filtered(
        client,
        filter=f"S_INTERSECTS(geom, POINT({x0} {y0}))",
        **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/32638"},
    )
    assert found == [grid[0].pk]


def test_cql2_json_filter(client, grid):
    ring = [list(p) for p in ogc.row_ring_lonlat(0)]
    expression = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "land_use"}, "commercial"]},
            {
                "op": "s_intersects",
                "args": [{"property": "geom"}, {"type": "Polygon", "coordinates": [ring]}],
            },
        ],
    }
    found = filtered(client, filter=json.dumps(expression), **{"filter-lang": "cql2-json"})
    assert found == [p.pk for i, p in enumerate(grid[:10]) if i % 3 == 1]


def test_cql2_json_bbox_is_minx_miny_maxx_maxy(client, grid):
    ring = ogc.row_ring_lonlat(0)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    box = [
        max(lons[0], lons[3]),
        max(lats[0], lats[1]),
        min(lons[1], lons[2]),
        min(lats[2], lats[3]),
    ]
    expression = {"op": "s_intersects", "args": [{"property": "geom"}, {"bbox": box}]}
    found = filtered(client, filter=json.dumps(expression), **{"filter-lang": "cql2-json"})
    assert found == [p.pk for p in grid[:10]]


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("land_use IN ('green', 'commercial') AND is_municipal_property = true", [5, 10, 20, 25]),
        ("cadastral_code LIKE '05.24.90.00%'", list(range(10))),
        ("cadastral_code LIKE '05.24.90.0_5'", [5, 15, 25]),
        ("NOT (land_use <> 'green') AND is_municipal_property = true", [5, 20]),
        ("cadastral_code BETWEEN '05.24.90.010' AND '05.24.90.012'", [10, 11, 12]),
        ("cadastral_code IS NULL", []),
        (
            "land_use = 'green' OR cadastral_code = '05.24.90.000'",
            [0, 2, 5, 8, 11, 14, 17, 20, 23, 26, 29],
        ),
    ],
)
def test_cql2_text_comparison_operators(client, grid, expression, expected):
    assert filtered(client, filter=expression) == [grid[i].pk for i in expected]


def test_s_within_a_box_around_the_first_row(client, grid):
    polygon = ogc.wkt_polygon(ogc.row_ring_lonlat(0))
    assert filtered(client, filter=f"S_WITHIN(geom, {polygon})") == [p.pk for p in grid[:10]]


@pytest.mark.parametrize(
    "expression, message",
    [
        ("valid_from > DATE('2020-01-01')", "not a queryable"),
        ("land_use > 3", "does not fit"),
        ("is_municipal_property = 'yes'", "does not fit"),
        ("land_use = ", "not valid"),
        ("S_INTERSECTS(land_use, POINT(41 41))", "not a geometry"),
        ("geom = 'x'", "spatial"),
        ("S_INTERSECTS(geom, POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))", "not valid"),
        ("S_INTERSECTS(geom, SRID=2154;POINT(1 2))", "not offered"),
        ("casei(land_use) = 'green'", "property name"),
    ],
)
def test_a_filter_that_cannot_run_answers_400(client, grid, expression, message):
    response = client.get("/ogcapi/collections/parcels/items?" + urlencode({"filter": expression}))
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "filter"
    assert message in body["description"]


def test_temporal_functions_are_not_supported(client, grid):
    expression = {
        "op": "t_after",
        "args": [{"property": "cadastral_code"}, {"timestamp": "2024-01-01T00:00:00Z"}],
    }
    query = urlencode({"filter": json.dumps(expression), "filter-lang": "cql2-json"})
    response = client.get(f"/ogcapi/collections/parcels/items?{query}")
    assert response.status_code == 400
    assert "not supported" in response.json()["description"]


def test_malformed_cql2_json_answers_400(client, grid):
    query = urlencode({"filter": "{not json", "filter-lang": "cql2-json"})
    response = client.get(f"/ogcapi/collections/parcels/items?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == "filter"
