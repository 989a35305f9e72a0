"""Overview tiles: below a layer's detail zoom, tiles keep its larger features only (at most a
set number, the largest first) and simplify them, so a tile over a whole city stays small; from
the detail zoom on, every feature is there as it is."""

import dataclasses
from datetime import date

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from layers.registry import registry
from layers.tiles import (
    SCREEN_PIXELS,
    lonlat_to_tile,
    overview_min_size,
    render_tile,
    simplify_tolerance,
    tile_width,
)
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.layers import ogc_helpers as ogc


def parcel(municipality, code: str, dx: float, dy: float, size: float, geom=None) -> Parcel:
    x, y = BATUMI_ORIGIN
    geom = geom or multi(square(x + dx, y + dy, size))
    return Parcel.objects.create(
        cadastral_code=code,
        municipality=municipality,
        geom=geom,
        area_m2=geom.area,
        land_use=LandUse.RESIDENTIAL,
        valid_from=date(2024, 1, 1),
    )


def tile_at(z: int, dx: float, dy: float) -> tuple[int, int]:
    lon, lat = ogc.TO_LONLAT.transform(BATUMI_ORIGIN[0] + dx, BATUMI_ORIGIN[1] + dy)
    return lonlat_to_tile(lon, lat, z)


def one_tile(x0: float, y0: float, x1: float, y1: float, zooms=range(19, 9, -1)):
    """The deepest zoom (and its tile) where one tile holds this box (metres from the origin)."""
    for z in zooms:
        if tile_at(z, x0, y0) == tile_at(z, x1, y1):
            return z, *tile_at(z, x0, y0)
    raise AssertionError("no tile holds the box")


def pixels_for(metres: float, z: int) -> float:
    """How many screen pixels `metres` (EPSG:3857) are at zoom z."""
    return metres / (tile_width(z) / SCREEN_PIXELS)


def features(layer, z: int, x: int, y: int) -> list[dict]:
    body = render_tile(layer, z, x, y)
    return mapbox_vector_tile.decode(body)[layer.name]["features"] if body else []


@pytest.fixture
def city(batumi):
    """Forty 20 m parcels and four of 400 m, all within 1.3 km."""
    small = [parcel(batumi, f"05.24.30.{i:03d}", 300 + (i % 8) * 25, 300 + (i // 8) * 25, 20) for i in range(40)]  # fmt: skip
    large = [parcel(batumi, f"05.24.31.{i:03d}", (i % 2) * 450, 450 + (i // 2) * 450, 400) for i in range(4)]  # fmt: skip
    return small, large


@pytest.fixture
def parcels_layer():
    return registry.get("parcels")


def test_the_parcels_layer_is_served_from_zoom_10_with_overviews_until_15(parcels_layer):
    assert parcels_layer.min_zoom == 10
    assert parcels_layer.detail_zoom == 15
    assert parcels_layer.first_detail_zoom == 15
    assert [z for z in range(10, 18) if parcels_layer.is_overview(z)] == [10, 11, 12, 13, 14]


def test_an_overview_leaves_out_what_is_less_than_a_pixel_or_two_across(city, parcels_layer):
    small, large = city
    z, x, y = one_tile(-10, -10, 1310, 1310, zooms=range(14, 9, -1))
    # 100 m in EPSG:3857 is 75 m on the ground at Batumi's latitude: between the two sizes.
    layer = dataclasses.replace(parcels_layer, overview_min_pixels=pixels_for(100, z))
    assert overview_min_size(layer, z) == pytest.approx(100)
    found = {f["properties"]["cadastral_code"] for f in features(layer, z, x, y)}
    assert found == {p.cadastral_code for p in large}


def test_an_overview_keeps_the_largest_features_up_to_its_limit(city, parcels_layer):
    small, large = city
    layer = dataclasses.replace(parcels_layer, overview_min_pixels=0.1, overview_max_features=5)
    z, x, y = one_tile(-10, -10, 1310, 1310, zooms=range(14, 9, -1))
    found = {f["properties"]["cadastral_code"] for f in features(layer, z, x, y)}
    assert len(found) == 5
    assert {p.cadastral_code for p in large} <= found


def test_from_the_detail_zoom_every_feature_is_in_the_tile(city, parcels_layer):
    small, large = city
    layer = dataclasses.replace(parcels_layer, overview_max_features=5)
    z, x, y = one_tile(290, 290, 500, 500, zooms=range(17, 14, -1))
    found = {f["properties"]["cadastral_code"] for f in features(layer, z, x, y)}
    assert {p.cadastral_code for p in small} <= found


def test_an_overview_is_simplified_by_a_pixel(batumi, parcels_layer):
    x0, y0 = BATUMI_ORIGIN[0] + 300, BATUMI_ORIGIN[1] + 300
    # A 60 m square with a notch 2 m wide and 5 m deep in its top edge: a screen pixel is 9.6 m
    # at z13 (EPSG:3857; 7 m on the ground), so the overview drops the notch, and the detailed
    # tile keeps it.
    ring = [(x0, y0), (x0 + 60, y0), (x0 + 60, y0 + 60), (x0 + 31, y0 + 60),
            (x0 + 30, y0 + 55), (x0 + 29, y0 + 60), (x0, y0 + 60), (x0, y0)]  # fmt: skip
    notched = MultiPolygon(Polygon(ring, srid=32638), srid=32638)
    parcel(batumi, "05.24.32.001", 0, 0, 0, geom=notched)
    assert simplify_tolerance(parcels_layer, 13) > 0
    assert simplify_tolerance(parcels_layer, 15) == 0

    def vertices(zooms):
        z, x, y = one_tile(295, 295, 365, 365, zooms)
        (feature,) = features(parcels_layer, z, x, y)
        return len(feature["geometry"]["coordinates"][0])

    assert vertices(range(13, 9, -1)) < vertices(range(19, 14, -1))


def test_a_layer_stored_in_another_crs_gets_overviews_too(city):
    small, large = city
    # The same parcels, declared without the stored EPSG:3857 copy: the tile transforms them.
    layer = dataclasses.replace(
        ogc.parcels_layer("overview-parcels", properties=("cadastral_code",)),
        min_zoom=10,
        detail_zoom=15,
    )
    assert layer.tile_geometry_field is None
    z, x, y = one_tile(-10, -10, 1310, 1310, zooms=range(14, 9, -1))
    layer = dataclasses.replace(layer, overview_min_pixels=pixels_for(100, z))
    found = {f["properties"]["cadastral_code"] for f in features(layer, z, x, y)}
    assert found == {p.cadastral_code for p in large}


def test_a_city_overview_tile_is_served_with_the_map_properties(client, city):
    small, large = city
    z, x, y = one_tile(-10, -10, 1310, 1310, zooms=range(14, 9, -1))
    response = client.get(f"/tiles/parcels/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    tile = mapbox_vector_tile.decode(response.content)
    assert set(tile["parcels"]["features"][0]["properties"]) == {
        "cadastral_code",
        "is_municipal_property",
    }
