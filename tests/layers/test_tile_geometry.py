"""Parcel tiles from the stored EPSG:3857 geometry: the same features, fewer properties below
z17, and SQL compiled once per zoom with no transformation in it."""

import gzip
from datetime import date

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import GEOSGeometry

from layers.registry import registry
from layers.tiles import lonlat_to_tile, render_tile, tile_sql
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square


@pytest.fixture
def parcel(batumi):
    x, y = BATUMI_ORIGIN
    geom = multi(square(x + 1000, y + 1000, 20))
    return Parcel.objects.create(
        cadastral_code="05.24.11.001",
        municipality=batumi,
        geom=geom,
        area_m2=geom.area,
        land_use=LandUse.RESIDENTIAL,
        valid_from=date(2024, 1, 1),
    )


def tile_of(parcel: Parcel, z: int) -> tuple[int, int]:
    centre = parcel.geom.centroid.transform(4326, clone=True)
    return lonlat_to_tile(centre.x, centre.y, z)


def features(client, parcel, z):
    x, y = tile_of(parcel, z)
    response = client.get(f"/tiles/parcels/{z}/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip")
    return mapbox_vector_tile.decode(gzip.decompress(response.content))["parcels"]["features"]


def test_the_stored_tile_geometry_follows_the_geometry(parcel):
    stored = Parcel.objects.values_list("geom_web", flat=True).get(pk=parcel.pk)
    expected = parcel.geom.transform(3857, clone=True)
    assert stored.srid == 3857
    assert GEOSGeometry(stored).equals_exact(expected, tolerance=0.01)
    moved = multi(square(BATUMI_ORIGIN[0] + 2000, BATUMI_ORIGIN[1] + 2000, 20))
    Parcel.objects.filter(pk=parcel.pk).update(geom=moved)
    stored = Parcel.objects.values_list("geom_web", flat=True).get(pk=parcel.pk)
    assert stored.equals_exact(moved.transform(3857, clone=True), tolerance=0.01)


def test_parcels_load_without_the_tile_geometry(parcel):
    assert "geom_web" in Parcel.objects.get(pk=parcel.pk).get_deferred_fields()


def test_below_z17_a_tile_carries_what_the_map_draws(client, parcel):
    (feature,) = features(client, parcel, 16)
    assert feature["id"] == parcel.pk
    assert feature["properties"] == {
        "cadastral_code": "05.24.11.001",
        "is_municipal_property": False,
    }


def test_from_z17_a_tile_carries_every_property(client, parcel):
    (feature,) = features(client, parcel, 17)
    assert set(feature["properties"]) == set(registry.get("parcels").properties)


def test_the_tile_sql_clips_the_stored_geometry_without_transforming(parcel):
    layer = registry.get("parcels")
    x, y = tile_of(parcel, 16)
    sql, params = tile_sql(layer, 16, x, y)
    assert '"geom_web"' in sql and "ST_Transform" not in sql
    assert params.count(x) == 2 and params.count(y) == 2
    again, _ = tile_sql(layer, 16, x + 1, y)
    assert again is sql  # compiled once per zoom


def test_the_stored_and_the_transformed_geometry_give_the_same_tile(parcel, batumi):
    layer = registry.get("parcels")
    x, y = tile_of(parcel, 16)
    through_orm = render_tile(layer, 16, x, y, queryset=Parcel.objects.current())
    stored = render_tile(layer, 16, x, y)
    decoded = [mapbox_vector_tile.decode(t)["parcels"]["features"] for t in (through_orm, stored)]
    assert [f["geometry"] for f in decoded[0]] == [f["geometry"] for f in decoded[1]]
