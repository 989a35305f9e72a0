"""Part 2: coordinates in the CRS asked for, with the Content-Crs header that names it."""

import pytest
from pyproj import Transformer

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def parcel(batumi):
    return ogc.parcel_grid(batumi, 1)[0]


def first_vertex(client, crs: str | None):
    query = f"?crs={crs}" if crs else ""
    response = client.get(f"/ogcapi/collections/parcels/items{query}")
    assert response.status_code == 200
    return response, response.json()["features"][0]["geometry"]["coordinates"][0][0][0]


def test_default_is_crs84_longitude_first(client, parcel):
    response, (x, y) = first_vertex(client, None)
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    lon, lat = ogc.TO_LONLAT.transform(ogc.GRID_X, ogc.GRID_Y)
    assert (x, y) == pytest.approx((lon, lat), abs=1e-7)


def test_epsg_4326_is_latitude_first(client, parcel):
    uri = "http://www.opengis.net/def/crs/EPSG/0/4326"
    response, (x, y) = first_vertex(client, uri)
    assert response["Content-Crs"] == f"<{uri}>"
    lon, lat = ogc.TO_LONLAT.transform(ogc.GRID_X, ogc.GRID_Y)
    assert (x, y) == pytest.approx((lat, lon), abs=1e-7)


@pytest.mark.parametrize(
    "crs", ["EPSG:32638", "http://www.opengis.net/def/crs/EPSG/0/32638", "[EPSG:32638]"]
)
def test_storage_grid_gives_utm_metres(client, parcel, crs):
    response, (x, y) = first_vertex(client, crs)
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/32638>"
    assert (x, y) == pytest.approx((ogc.GRID_X, ogc.GRID_Y), abs=0.01)


def test_web_mercator(client, parcel):
    response, (x, y) = first_vertex(client, "http://www.opengis.net/def/crs/EPSG/0/3857")
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/3857>"
    expected = Transformer.from_crs(32638, 3857, always_xy=True).transform(ogc.GRID_X, ogc.GRID_Y)
    assert (x, y) == pytest.approx(expected, abs=0.01)


def test_a_crs_not_offered_answers_400(client, parcel):
    response = client.get(
        "/ogcapi/collections/parcels/items?crs=http://www.opengis.net/def/crs/EPSG/0/2154"
    )
    assert response.status_code == 400
    assert response.json()["parameter"] == "crs"
