"""A WFS BBOX may be given in CRS84, longitude first, by its URN or by its OGC URI."""

import json

import pytest
from pyproj import Transformer

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

GET_PARCELS = (
    "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=parcels&OUTPUTFORMAT=geojson"
)
CRS84_NAMES = (
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def parcels(batumi):
    # Three 20 m squares in a row, 30 m apart (EPSG:32638).
    x, y = BATUMI_ORIGIN
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{i:03d}",
            geom=multi(square(x + 100 + 30 * i, y + 100, 20)),
        )
        for i in range(3)
    ]


def lon_lat_box(minx: float, miny: float, maxx: float, maxy: float) -> tuple[float, ...]:
    """A box of EPSG:32638 as longitudes and latitudes: min lon, min lat, max lon, max lat."""
    to_lon_lat = Transformer.from_crs(32638, 4326, always_xy=True)
    (west, east), (south, north) = to_lon_lat.transform([minx, maxx], [miny, maxy])
    return west, south, east, north


def codes(response) -> set[str]:
    assert response.status_code == 200, body(response)
    return {f["properties"]["cadastral_code"] for f in json.loads(body(response))["features"]}


@pytest.mark.parametrize("crs", CRS84_NAMES)
def test_a_crs84_bbox_is_read_longitude_first(client, parcels, crs):
    x, y = BATUMI_ORIGIN
    # Around the second square only.
    west, south, east, north = lon_lat_box(x + 125, y + 95, x + 145, y + 125)
    response = client.get(f"{GET_PARCELS}&BBOX={west},{south},{east},{north},{crs}")
    assert codes(response) == {parcels[1].cadastral_code}


def test_a_crs84_bbox_gives_what_the_same_box_in_epsg_4326_gives(client, parcels):
    x, y = BATUMI_ORIGIN
    west, south, east, north = lon_lat_box(x + 95, y + 95, x + 145, y + 125)
    crs84 = client.get(
        f"{GET_PARCELS}&BBOX={west},{south},{east},{north},urn:ogc:def:crs:OGC::CRS84"
    )
    # The EPSG URN puts latitude first.
    epsg = client.get(
        f"{GET_PARCELS}&BBOX={south},{west},{north},{east},urn:ogc:def:crs:EPSG::4326"
    )
    assert codes(crs84) == codes(epsg) == {parcels[0].cadastral_code, parcels[1].cadastral_code}


def test_a_crs84_bbox_with_latitude_first_finds_nothing(client, parcels):
    x, y = BATUMI_ORIGIN
    west, south, east, north = lon_lat_box(x + 95, y + 95, x + 205, y + 125)
    crs = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert codes(client.get(f"{GET_PARCELS}&BBOX={south},{west},{north},{east},{crs}")) == set()


def test_crs84_is_not_offered_as_an_output_crs(client, parcels):
    response = client.get(f"{GET_PARCELS}&SRSNAME=urn:ogc:def:crs:OGC::CRS84")
    assert response.status_code == 400
