"""GET /api/v1/parcels/{cadastral_code}/: one parcel by its code, dots and all."""

from datetime import date

import pytest
from django.urls import reverse

from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square

X0, Y0 = BATUMI_ORIGIN


def make_parcel(municipality, code: str, dx: float, dy: float, size: float = 20.0, **fields):
    """A square parcel `size` metres wide, `dx`, `dy` metres from BATUMI_ORIGIN (EPSG:32638)."""
    geom = multi(square(X0 + dx, Y0 + dy, size))
    values = {"area_m2": geom.area, "land_use": LandUse.RESIDENTIAL, "valid_from": date(2024, 1, 1)}
    values.update(fields)
    return Parcel.objects.create(
        cadastral_code=code, municipality=municipality, geom=geom, **values
    )


@pytest.mark.parametrize("code", ["05.24.11.005", "05.24.11.005.01"])
def test_a_parcel_is_found_by_its_dotted_cadastral_code(client, batumi, code):
    make_parcel(batumi, code, 100, 100, address_en="1 Sea St")

    response = client.get(f"/api/v1/parcels/{code}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["id"] == code
    assert feature["properties"]["address"] == "1 Sea St"
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert lon == pytest.approx(41.6164357, abs=1e-6)
    assert lat == pytest.approx(41.6198327, abs=1e-6)


def test_the_detail_url_is_reversed_with_its_dots(batumi):
    assert (
        reverse("parcels-api:parcel-detail", args=["05.24.11.005"])
        == "/api/v1/parcels/05.24.11.005/"
    )


def test_an_unknown_cadastral_code_answers_404_in_json(client, batumi):
    response = client.get("/api/v1/parcels/05.24.11.999/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "No current parcel has the cadastral code 05.24.11.999.",
        "code": "not_found",
    }


def test_a_segment_that_is_no_cadastral_code_answers_404_in_json(client, db):
    response = client.get("/api/v1/parcels/drop-table/")

    assert response.status_code == 404
    assert "is not a cadastral code" in response.json()["detail"]


def test_a_retired_parcel_is_not_served_by_its_code(client, batumi):
    make_parcel(batumi, "05.24.11.005", 100, 100, valid_to=date(2024, 6, 1))

    response = client.get("/api/v1/parcels/05.24.11.005/")

    assert response.status_code == 404


def test_a_parcel_by_code_takes_one_query(client, batumi, django_assert_num_queries):
    make_parcel(batumi, "05.24.11.005", 100, 100)

    with django_assert_num_queries(1):
        response = client.get("/api/v1/parcels/05.24.11.005/")

    assert response.status_code == 200
