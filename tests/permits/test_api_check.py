"""POST /api/v1/permits/check: the site as GeoJSON or as parcel codes, the report as JSON."""

import pytest
from django.core.cache import caches

from permits.api import CheckThrottle
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, post, rect
from tests.permits.factories import ConstraintFactory, ZoneFactory


@pytest.fixture
def zone(batumi):
    return ZoneFactory(municipality=batumi, code="SZ-6")


def test_a_drawn_site_and_footprint_give_k1_and_k2_with_their_limits(client, zone):
    body = {
        "site": geojson(square(X, Y, 20)),
        "footprint": geojson(rect(X + 1, Y + 1, X + 19, Y + 11)),
        "floors": 4,
    }

    response = post(client, body)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["zone"]["code"] == "SZ-6"
    assert data["site_area_m2"] == pytest.approx(400, abs=0.05)
    assert data["footprint_area_m2"] == pytest.approx(180, abs=0.05)
    rules = {rule["code"]: rule for rule in data["rules"]}
    assert rules["k1"]["limit_m2"] == pytest.approx(200, abs=0.05)
    assert rules["k2"]["limit_m2"] == pytest.approx(720, abs=0.05)
    assert rules["k2"]["status"] == "pass"
    assert set(rules["k1"]) >= {"code", "title", "value", "limit", "unit", "status", "message"}
    # K-3 and the height are assumed: notes under a compliant result, not warnings.
    assert data["outcome"] == "compliant"
    assert len(data["notes"]) == 2
    assert response["Vary"].find("Accept-Language") >= 0


def test_the_site_may_be_the_union_of_parcels_given_by_code(client, batumi, zone):
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20)))
    ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.006", geom=multi(square(X + 20, Y, 20))
    )
    body = {
        "parcels": ["05.24.11.005", "05.24.11.006"],
        "footprint": geojson(rect(X + 10, Y + 5, X + 30, Y + 15)),
        "floors": 2,
        "height_m": 7,
        "green_area_m2": 400,
    }

    data = post(client, body).json()

    assert data["site_area_m2"] == pytest.approx(800, abs=0.01)
    rules = {rule["code"]: rule for rule in data["rules"]}
    assert rules["footprint_inside_site"]["status"] == "pass"
    assert rules["k1"]["limit_m2"] == pytest.approx(400, abs=0.01)
    assert data["outcome"] == "compliant"


def test_constraints_come_with_their_areas_and_shapes(client, batumi, zone):
    ConstraintFactory(
        municipality=batumi,
        kind="red_line",
        name_en="Avenue",
        geom=multi(rect(X - 50, Y - 10, X + 50, Y + 4)),
    )
    body = {
        "site": geojson(square(X, Y, 20)),
        "footprint": geojson(rect(X + 5, Y + 2, X + 15, Y + 12)),
        "floors": 1,
    }

    data = post(client, body).json()

    [hit] = data["constraints"]
    assert hit["kind"] == "red_line"
    assert hit["status"] == "fail"
    assert hit["site_area_m2"] == pytest.approx(80, abs=0.1)
    assert hit["footprint_area_m2"] == pytest.approx(20, abs=0.1)
    assert hit["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert data["outcome"] == "not_compliant"


def test_messages_are_in_georgian_when_asked(client, zone):
    body = {
        "site": geojson(square(X, Y, 20)),
        "footprint": geojson(rect(X, Y, X + 20, Y + 10.5)),
        "floors": 1,
    }

    data = post(client, body, language="ka").json()

    k1 = next(rule for rule in data["rules"] if rule["code"] == "k1")
    assert k1["status"] == "fail"
    assert "სამშენებლო ნაკვეთზე" in k1["message"]
    assert "არ შეესაბამება" in k1["message"]
    assert "არღვევს" in data["outcome_message"]
    assert data["zone"]["name"] == "საცხოვრებელი ზონა"


def test_messages_are_in_english_when_asked(client, zone):
    body = {
        "site": geojson(square(X, Y, 20)),
        "footprint": geojson(rect(X, Y, X + 20, Y + 10.5)),
        "floors": 1,
    }

    data = post(client, body, language="en").json()

    k1 = next(rule for rule in data["rules"] if rule["code"] == "k1")
    assert "does not fit" in k1["message"]
    assert data["zone"]["name"] == "Residential zone"


def test_class_v_is_answered_with_the_national_agency(client, zone):
    body = {
        "site": geojson(square(X, Y, 20)),
        "footprint": geojson(rect(X, Y, X + 10, Y + 10)),
        "floors": 2,
        "building_class": "V",
    }

    data = post(client, body).json()

    assert data["outcome"] == "national_agency"
    assert "Technical and Construction Supervision Agency" in data["outcome_message"]


def test_the_check_reads_a_bounded_number_of_queries(
    client, batumi, zone, django_assert_max_num_queries, monkeypatch
):
    # The throttle counts requests in the shared cache (the database by default): not the
    # check's own reads, which are counted here.
    monkeypatch.setattr(CheckThrottle, "cache", caches["local"])
    for n in range(5):
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{n + 1:03d}",
            geom=multi(square(X + 20 * n, Y, 20)),
        )
    for n in range(6):
        ConstraintFactory(municipality=batumi, geom=multi(square(X + 15 * n, Y + 5, 10)))
    body = {
        "parcels": [f"05.24.11.{n + 1:03d}" for n in range(5)],
        "footprint": geojson(rect(X + 5, Y + 5, X + 60, Y + 15)),
        "floors": 2,
    }

    # One for the parcels, one for the zones, one for the constraints, however many each.
    with django_assert_max_num_queries(3):
        response = post(client, body)

    assert response.status_code == 200
    assert len(response.json()["constraints"]) == 6


def test_the_check_needs_no_sign_in_and_no_csrf_token(zone):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    body = {
        "site": geojson(square(X, Y, 20)),
        "footprint": geojson(rect(X, Y, X + 10, Y + 10)),
        "floors": 1,
    }

    assert post(client, body).status_code == 200


def test_the_check_is_described_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/permits/check"]["post"]
    assert operation["operationId"] == "permits_check"
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request.endswith("/CheckRequest")
    assert "400" in operation["responses"]
    assert "CheckResponse" in schema["components"]["schemas"]
