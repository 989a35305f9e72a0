"""bbox and bbox-crs: features that intersect a box given in CRS84, EPSG:4326 or the grid."""

import pytest

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 30)


def first_row_box_in_utm() -> tuple[float, float, float, float]:
    return ogc.GRID_X - 10, ogc.GRID_Y - 10, ogc.GRID_X + 400, ogc.GRID_Y + 30


def lonlat_box() -> tuple[float, float, float, float]:
    ring = ogc.row_ring_lonlat(0)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    # The inner box of the ring's corners, so that it stays clear of the second row.
    return (
        max(lons[0], lons[3]),
        max(lats[0], lats[1]),
        min(lons[1], lons[2]),
        min(lats[2], lats[3]),
    )


def get_ids(client, query: str) -> list[int]:
    response = client.get(f"/ogcapi/collections/parcels/items?limit=100&{query}")
    assert response.status_code == 200, response.content
    return ogc.ids(response)


def test_bbox_in_crs84_selects_the_features_that_intersect_it(client, grid):
    minx, miny, maxx, maxy = lonlat_box()
    found = get_ids(client, f"bbox={minx},{miny},{maxx},{maxy}")
    assert found == [p.pk for p in grid[:10]]


def test_bbox_in_epsg_4326_is_latitude_first(client, grid):
    minx, miny, maxx, maxy = lonlat_box()
    crs = "http://www.opengis.net/def/crs/EPSG/0/4326"
    found = get_ids(client, f"bbox={miny},{minx},{maxy},{maxx}&bbox-crs={crs}")
    assert found == [p.pk for p in grid[:10]]


def test_bbox_in_the_storage_grid(client, grid):
    box = ",".join(str(v) for v in first_row_box_in_utm())
    found = get_ids(client, f"bbox={box}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/32638")
    assert found == [p.pk for p in grid[:10]]


def test_bbox_touching_one_corner_finds_that_feature(client, grid):
    x, y = ogc.GRID_X + 20, ogc.GRID_Y + 20  # the upper right corner of parcel 0
    found = get_ids(client, f"bbox={x - 1},{y - 1},{x + 1},{y + 1}&bbox-crs=EPSG:32638")
    assert found == [grid[0].pk]


def test_a_box_far_from_georgia_is_empty_not_an_error(client, grid):
    assert get_ids(client, "bbox=-75,40,-73,41") == []


def test_the_whole_world_holds_every_feature(client, grid):
    assert len(get_ids(client, "bbox=-180,-90,180,90")) == 30


@pytest.mark.parametrize(
    "bbox",
    [
        "1,2,3",
        "41.6,41.6,10,41.7,41.7,0",
        "1,2,3,4,5",
        "a,b,c,d",
        "41.6,41.7,41.7,41.6",
        "nan,41.6,41.7,41.7",
        "41.6,41.6,inf,41.7",
        "41.6,-95,41.7,41.7",
        "",
    ],
)
def test_bad_bbox_answers_400(client, grid, bbox):
    response = client.get(f"/ogcapi/collections/parcels/items?bbox={bbox}")
    if bbox == "":
        assert response.status_code == 200  # an empty parameter is no filter
        return
    assert response.status_code == 400
    assert response.json()["parameter"] == "bbox"


def test_a_bbox_with_heights_ignores_them(client, grid):
    minx, miny, maxx, maxy = lonlat_box()
    found = get_ids(client, f"bbox={minx},{miny},-100,{maxx},{maxy},2500")
    assert found == [p.pk for p in grid[:10]]


def test_a_bbox_with_heights_in_epsg_4326_is_latitude_first(client, grid):
    minx, miny, maxx, maxy = lonlat_box()
    crs = "http://www.opengis.net/def/crs/EPSG/0/4326"
    found = get_ids(client, f"bbox={miny},{minx},0,{maxy},{maxx},10&bbox-crs={crs}")
    assert found == [p.pk for p in grid[:10]]


def test_a_bbox_across_the_antimeridian_is_the_union_of_both_sides(client, grid):
    minx, miny, maxx, maxy = lonlat_box()
    # From the first row's west edge eastward over 180° and round to 170° west.
    assert get_ids(client, f"bbox={minx},{miny},-170,{maxy}") == [p.pk for p in grid[:10]]
    # From 170° east over 180° to the first row's east edge: the row lies in the western part.
    assert get_ids(client, f"bbox=170,{miny},{maxx},{maxy}") == [p.pk for p in grid[:10]]


def test_a_bbox_across_the_antimeridian_away_from_the_data_is_empty(client, grid):
    assert get_ids(client, "bbox=170,40,-170,45") == []


def test_a_bbox_across_the_antimeridian_in_epsg_4326_crosses_on_longitude(client, grid):
    minx, miny, maxx, maxy = lonlat_box()
    crs = "http://www.opengis.net/def/crs/EPSG/0/4326"
    found = get_ids(client, f"bbox={miny},{minx},{maxy},-170&bbox-crs={crs}")
    assert found == [p.pk for p in grid[:10]]


def test_a_projected_bbox_given_east_to_west_answers_400(client, grid):
    x0, y0, x1, y1 = first_row_box_in_utm()
    response = client.get(
        f"/ogcapi/collections/parcels/items?bbox={x1},{y0},{x0},{y1}&bbox-crs=EPSG:32638"
    )
    assert response.status_code == 400
    assert response.json()["parameter"] == "bbox"
