"""GET /api/v1/parcels/at/?lon=&lat=: the parcel that covers a point."""

from datetime import date

import pytest
from django.conf import settings

from core.geometry import transformer
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square

URL = "/api/v1/parcels/at/"
X0, Y0 = BATUMI_ORIGIN


def make_parcel(municipality, code: str, dx: float, dy: float, size: float = 20.0, **fields):
    """A square parcel `size` metres wide, `dx`, `dy` metres from BATUMI_ORIGIN (EPSG:32638)."""
    geom = multi(square(X0 + dx, Y0 + dy, size))
    values = {"area_m2": geom.area, "land_use": LandUse.RESIDENTIAL, "valid_from": date(2024, 1, 1)}
    values.update(fields)
    return Parcel.objects.create(
        cadastral_code=code, municipality=municipality, geom=geom, **values
    )


def lonlat(dx: float, dy: float) -> dict[str, str]:
    """The lon and lat parameters of a point given in metres from BATUMI_ORIGIN."""
    lon, lat = transformer(settings.SRID_STORAGE, settings.SRID_API).transform(X0 + dx, Y0 + dy)
    return {"lon": str(lon), "lat": str(lat)}


def test_the_parcel_covering_the_point_comes_as_one_geojson_feature(client, batumi):
    make_parcel(batumi, "05.24.11.001", 100, 100)
    make_parcel(batumi, "05.24.11.002", 200, 100)

    response = client.get(URL, lonlat(110, 110))

    assert response.status_code == 200
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["id"] == "05.24.11.001"
    assert feature["properties"]["cadastral_code"] == "05.24.11.001"
    assert feature["geometry"]["type"] == "MultiPolygon"
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert lon == pytest.approx(41.6164357, abs=1e-6)
    assert lat == pytest.approx(41.6198327, abs=1e-6)


def test_the_smallest_parcel_wins_where_parcels_overlap(client, batumi):
    make_parcel(batumi, "05.24.11.001", 0, 0, size=500)
    make_parcel(batumi, "05.24.11.002", 100, 100, size=20)

    response = client.get(URL, lonlat(110, 110))

    assert response.json()["id"] == "05.24.11.002"


def test_a_retired_parcel_is_not_found_at_its_old_place(client, batumi):
    make_parcel(batumi, "05.24.11.001", 100, 100, valid_to=date(2024, 6, 1))

    response = client.get(URL, lonlat(110, 110))

    assert response.status_code == 404


def test_a_point_that_no_parcel_covers_answers_404_in_json(client, batumi):
    make_parcel(batumi, "05.24.11.001", 100, 100)

    response = client.get(URL, lonlat(1000, 1000))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "No parcel covers" in response.json()["detail"]


def test_finding_the_parcel_at_a_point_takes_one_query(client, batumi, django_assert_num_queries):
    make_parcel(batumi, "05.24.11.001", 100, 100)

    with django_assert_num_queries(1):
        response = client.get(URL, lonlat(110, 110))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "parameter", "code"),
    [
        ({"lat": "41.62"}, "lon", "required"),
        ({"lon": "41.62"}, "lat", "required"),
        ({"lon": "41.62", "lat": ""}, "lat", "required"),
        ({"lon": "abc", "lat": "41.62"}, "lon", "not_a_number"),
        ({"lon": "41.62", "lat": "4l.62"}, "lat", "not_a_number"),
        ({"lon": "nan", "lat": "41.62"}, "lon", "not_finite"),
        ({"lon": "41.62", "lat": "-inf"}, "lat", "not_finite"),
        ({"lon": "2.35", "lat": "48.85"}, "lon", "outside_georgia"),
        ({"lon": "41.62", "lat": "48.85"}, "lat", "outside_georgia"),
        ({"lon": "41.62", "lat": "95"}, "lat", "out_of_range"),
        ({"lon": "41.55", "lat": "45.0"}, "lon", "swapped"),
    ],
)
def test_bad_coordinates_are_refused_naming_the_parameter(client, db, params, parameter, code):
    response = client.get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter
    assert body["code"] == code
    assert body["detail"]


def test_swapped_coordinates_are_called_swapped_in_the_message(client, db):
    # Rustavi is at 45.0 E, 41.55 N; given the other way round the point lies outside Georgia.
    response = client.get(URL, {"lon": "41.55", "lat": "45.0"})

    assert "swapped" in response.json()["detail"]
    assert "longitude first" in response.json()["detail"]
