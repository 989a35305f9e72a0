"""Vector tiles of registered layers: they decode, hold the right features, and refuse bad input."""

import gzip
from datetime import date

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point

from core.models import Membership, Role
from layers.access import api_key_create
from layers.registry import registry
from layers.tiles import lonlat_to_tile, max_zoom_of, tile_bounds
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square


def make_parcel(municipality, code: str, dx: float, dy: float, size: float = 20.0) -> Parcel:
    x, y = BATUMI_ORIGIN
    geom = multi(square(x + dx, y + dy, size))
    return Parcel.objects.create(
        cadastral_code=code,
        municipality=municipality,
        geom=geom,
        area_m2=geom.area,
        land_use=LandUse.RESIDENTIAL,
        valid_from=date(2024, 1, 1),
    )


def tile_of(parcel: Parcel, z: int) -> tuple[int, int]:
    centre = parcel.geom.centroid.transform(4326, clone=True)
    return lonlat_to_tile(centre.x, centre.y, z)


def decode(response) -> dict:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return mapbox_vector_tile.decode(body)


@pytest.fixture
def parcels(batumi):
    return [
        make_parcel(batumi, "05.24.11.001", 1000, 1000),
        make_parcel(batumi, "05.24.11.002", 1020, 1000),
        make_parcel(batumi, "05.24.11.003", 1040, 1000),
    ]


def test_parcel_tile_at_zoom_16_holds_the_parcels_with_their_codes(client, parcels):
    x, y = tile_of(parcels[0], 16)
    response = client.get(f"/tiles/parcels/16/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Content-Encoding"] == "gzip"
    features = decode(response)["parcels"]["features"]
    assert {f["id"] for f in features} == {p.pk for p in parcels}
    assert {f["properties"]["cadastral_code"] for f in features} == {
        "05.24.11.001",
        "05.24.11.002",
        "05.24.11.003",
    }


def test_tile_is_built_in_one_query_after_the_version_lookup(
    client, parcels, django_assert_num_queries
):
    x, y = tile_of(parcels[0], 16)
    with django_assert_num_queries(2):
        assert client.get(f"/tiles/parcels/16/{x}/{y}.mvt").status_code == 200


def test_repeated_tile_comes_from_the_cache(client, parcels, django_assert_num_queries):
    x, y = tile_of(parcels[0], 16)
    first = client.get(f"/tiles/parcels/16/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip")
    with django_assert_num_queries(1):
        again = client.get(f"/tiles/parcels/16/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip")
    assert again.content == first.content


def test_a_change_to_the_data_is_in_the_next_tile(client, parcels):
    x, y = tile_of(parcels[0], 16)
    before = client.get(f"/tiles/parcels/16/{x}/{y}.mvt")
    Parcel.objects.filter(pk=parcels[2].pk).update(cadastral_code="05.24.11.099")
    after = client.get(f"/tiles/parcels/16/{x}/{y}.mvt")
    assert after["ETag"] != before["ETag"]
    codes = {f["properties"]["cadastral_code"] for f in decode(after)["parcels"]["features"]}
    assert "05.24.11.099" in codes


def test_retired_parcels_are_not_in_the_tile(client, parcels):
    parcels[1].valid_to = date(2025, 1, 1)
    parcels[1].save()
    x, y = tile_of(parcels[0], 17)
    ids = {
        f["id"] for f in decode(client.get(f"/tiles/parcels/17/{x}/{y}.mvt"))["parcels"]["features"]
    }
    assert parcels[1].pk not in ids
    assert parcels[0].pk in ids


def test_feature_on_a_tile_edge_appears_in_both_tiles(client, batumi):
    # A parcel straddling the edge between two z18 tiles is clipped into both, buffer included.
    probe = make_parcel(batumi, "05.24.11.010", 1500, 1500, size=1)
    x, y = tile_of(probe, 18)
    probe.delete()
    minx, miny, maxx, maxy = tile_bounds(18, x, y)
    edge = Point(maxx, (miny + maxy) / 2, srid=3857).transform(32638, clone=True)
    geom = multi(square(edge.x - 5, edge.y - 5, 10))
    parcel = Parcel.objects.create(
        cadastral_code="05.24.11.011",
        municipality=batumi,
        geom=geom,
        area_m2=geom.area,
        land_use=LandUse.RESIDENTIAL,
        valid_from=date(2024, 1, 1),
    )
    for tx in (x, x + 1):
        features = decode(client.get(f"/tiles/parcels/18/{tx}/{y}.mvt"))["parcels"]["features"]
        assert parcel.pk in {f["id"] for f in features}


def test_empty_tile_answers_204(client, parcels):
    response = client.get("/tiles/parcels/16/0/0.mvt")
    assert response.status_code == 204
    assert not response.has_header("Content-Type")
    assert response.content == b""


def test_unchanged_tile_answers_304_without_a_content_type(client, parcels):
    x, y = tile_of(parcels[0], 16)
    etag = client.get(f"/tiles/parcels/16/{x}/{y}.mvt")["ETag"]
    again = client.get(f"/tiles/parcels/16/{x}/{y}.mvt", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert not again.has_header("Content-Type")


def test_parcels_are_not_drawn_below_their_minimum_zoom(client, parcels):
    z = registry.get("parcels").min_zoom - 1
    x, y = tile_of(parcels[0], z)
    assert client.get(f"/tiles/parcels/{z}/{x}/{y}.mvt").status_code == 204


def test_boundaries_are_drawn_at_low_zoom(client, parcels, batumi):
    x, y = tile_of(parcels[0], 8)
    layer = decode(client.get(f"/tiles/municipalities/8/{x}/{y}.mvt"))["municipalities"]
    assert [f["properties"]["code"] for f in layer["features"]] == ["BTM"]


@pytest.mark.parametrize("path", ["/tiles/parcels/3/8/0.mvt", "/tiles/parcels/30/0/0.mvt"])
def test_tile_outside_the_grid_answers_400(client, db, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_unknown_layer_answers_404(client, db):
    assert client.get("/tiles/nothing/1/0/0.mvt").status_code == 404


def test_repeated_request_with_the_etag_answers_304(client, parcels):
    x, y = tile_of(parcels[0], 16)
    first = client.get(f"/tiles/parcels/16/{x}/{y}.mvt")
    assert "max-age" in first["Cache-Control"]
    again = client.get(f"/tiles/parcels/16/{x}/{y}.mvt", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_tilejson_points_at_the_tiles(client, db):
    data = client.get("/tiles/parcels.json").json()
    assert data["tiles"][0].endswith("/tiles/parcels/{z}/{x}/{y}.mvt")
    assert data["minzoom"] == 10
    assert data["vector_layers"][0]["id"] == "parcels"


def test_tilejson_bounds_and_centre_come_from_the_data(client, parcels):
    data = client.get("/tiles/parcels.json").json()
    west, south, east, north = data["bounds"]
    for parcel in parcels:
        lon0, lat0, lon1, lat1 = parcel.geom.transform(4326, clone=True).extent
        assert west <= lon0 and lon1 <= east and south <= lat0 and lat1 <= north
    assert east - west < 0.01 and north - south < 0.01
    lon, lat, zoom = data["center"]
    assert west <= lon <= east and south <= lat <= north
    assert data["minzoom"] <= zoom <= data["maxzoom"]


def test_tilejson_of_an_empty_layer_falls_back_to_the_region(client, db, settings):
    data = client.get("/tiles/parcels.json").json()
    assert data["bounds"] == list(settings.GEORGIA_BBOX)
    lon, lat, zoom = data["center"]
    assert (lon, lat) == pytest.approx(
        ((settings.GEORGIA_BBOX[0] + settings.GEORGIA_BBOX[2]) / 2,
         (settings.GEORGIA_BBOX[1] + settings.GEORGIA_BBOX[3]) / 2)
    )  # fmt: skip
    assert zoom == data["minzoom"]


def test_tilejson_zooms_are_the_layers_declared_range(client, db):
    for layer in registry.visible_to(None):
        data = client.get(f"/tiles/{layer.name}.json").json()
        assert data["minzoom"] == layer.min_zoom
        assert data["maxzoom"] == max_zoom_of(layer)
        assert data["vector_layers"][0]["maxzoom"] == data["maxzoom"]


def test_staff_flag_without_a_role_does_not_open_a_staff_layer(
    client, parcels, staff_only_layer, django_user_model
):
    user = django_user_model.objects.create_user("clerk@example.ge", password="x", is_staff=True)
    client.force_login(user)
    x, y = tile_of(parcels[0], 16)
    assert client.get(f"/tiles/staff-parcels/16/{x}/{y}.mvt").status_code == 404


def test_api_key_opens_only_the_layers_it_was_granted(client, parcels, staff_only_layer):
    _, granted = api_key_create(name="QGIS of the city", layers=["staff-parcels"])
    _, other = api_key_create(name="Another system", layers=["zones"])
    x, y = tile_of(parcels[0], 16)
    url = f"/tiles/staff-parcels/16/{x}/{y}.mvt"
    assert client.get(url, HTTP_X_API_KEY=granted).status_code == 200
    assert client.get(url + f"?api_key={granted}").status_code == 200
    assert client.get(url, HTTP_X_API_KEY=other).status_code == 404
    assert client.get(url, HTTP_X_API_KEY=granted + "x").status_code == 404


def test_staff_only_layer_is_invisible_to_the_public(client, parcels, staff_only_layer):
    x, y = tile_of(parcels[0], 16)
    assert client.get(f"/tiles/staff-parcels/16/{x}/{y}.mvt").status_code == 404
    assert client.get("/tiles/staff-parcels.json").status_code == 404


def test_staff_only_layer_is_served_to_staff(client, parcels, staff_only_layer, django_user_model):
    user = django_user_model.objects.create_user("gis@example.ge", password="x", is_staff=True)
    Membership.objects.create(user=user, municipality=parcels[0].municipality, role=Role.PLANNER)
    client.force_login(user)
    x, y = tile_of(parcels[0], 16)
    response = client.get(f"/tiles/staff-parcels/16/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")


def test_tilejson_fields_say_from_which_zoom_tiles_carry_them(client, parcels):
    fields = client.get("/tiles/parcels.json").json()["vector_layers"][0]["fields"]
    at_every_zoom = {name for name, text in fields.items() if "from zoom" not in text}
    assert at_every_zoom == {"cadastral_code", "is_municipal_property"}
    assert fields["land_use"].endswith("in tiles from zoom 17")

    for z, expected in ((15, at_every_zoom), (17, set(fields))):
        x, y = tile_of(parcels[0], z)
        tile = decode(client.get(f"/tiles/parcels/{z}/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip"))
        assert set(tile["parcels"]["features"][0]["properties"]) == expected
