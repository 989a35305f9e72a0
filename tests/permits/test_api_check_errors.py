"""Bad input to the check answers 400 with a message that names the parameter at fault."""

import pytest

from tests.conftest import square
from tests.permits.api_helpers import X, Y, geojson, post, rect
from tests.permits.factories import ZoneFactory

BATUMI = (41.636, 41.642)


@pytest.fixture
def body(batumi):
    ZoneFactory(municipality=batumi)
    return {
        "site": geojson(square(X, Y, 20)),
        "footprint": geojson(rect(X, Y, X + 10, Y + 10)),
        "floors": 2,
    }


def near(dx: float, dy: float) -> list[float]:
    return [BATUMI[0] + dx * 1e-4, BATUMI[1] + dy * 1e-4]


def refused(client, body, parameter):
    response = post(client, body)
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["parameter"] == parameter
    return data


def test_a_bow_tie_footprint_is_refused_naming_footprint(client, body):
    body["footprint"] = {
        "type": "Polygon",
        "coordinates": [[near(0, 0), near(1, 1), near(1, 0), near(0, 1), near(0, 0)]],
    }

    data = refused(client, body, "footprint")

    assert data["detail"].startswith("footprint:")
    assert "self-intersection" in data["detail"].lower()
    assert data["code"] == "invalid_geometry"


def test_an_unclosed_ring_in_the_site_is_refused_naming_site(client, body):
    body["site"] = {
        "type": "Polygon",
        "coordinates": [[near(0, 0), near(1, 0), near(1, 1), near(0, 1), near(0, 0.5)]],
    }

    data = refused(client, body, "site")

    assert "not closed" in data["detail"]
    assert data["code"] == "unclosed_ring"


def test_swapped_longitude_and_latitude_are_refused(client, body):
    # In Batumi longitude and latitude are both near 41.6; Rustavi's (45.0, 41.55) tell apart.
    ring = [[41.55, 45.0], [41.5501, 45.0], [41.5501, 45.0001], [41.55, 45.0]]
    body["footprint"] = {"type": "Polygon", "coordinates": [ring]}

    data = refused(client, body, "footprint")

    assert data["code"] == "swapped"
    assert "swapped" in data["detail"]


def test_a_footprint_outside_georgia_is_refused(client, body):
    body["footprint"] = {
        "type": "Polygon",
        "coordinates": [[[30.0, 50.0], [30.001, 50.0], [30.001, 50.001], [30.0, 50.0]]],
    }

    data = refused(client, body, "footprint")

    assert data["code"] == "outside_georgia"


def test_a_point_is_not_a_footprint(client, body):
    body["footprint"] = {"type": "Point", "coordinates": near(0, 0)}

    data = refused(client, body, "footprint")

    assert data["code"] == "type"


def test_unknown_parcel_codes_are_named(client, body):
    del body["site"]
    body["parcels"] = ["05.24.99.999"]

    data = refused(client, body, "parcels")

    assert "05.24.99.999" in data["detail"]


def test_a_malformed_parcel_code_is_refused(client, body):
    del body["site"]
    body["parcels"] = ["DROP TABLE"]

    refused(client, body, "parcels")


def test_site_or_parcels_is_required_but_not_both(client, body):
    without = {k: v for k, v in body.items() if k != "site"}
    refused(client, without, "site")
    refused(client, {**body, "parcels": ["05.24.11.005"]}, "site")


@pytest.mark.parametrize("floors", [0, -1, "many", None])
def test_floors_must_be_a_whole_number_from_one(client, body, floors):
    body["floors"] = floors

    data = refused(client, body, "floors")

    assert data["detail"].startswith("floors:")


def test_floors_are_required(client, body):
    del body["floors"]

    refused(client, body, "floors")


def test_negative_areas_are_refused(client, body):
    body["green_area_m2"] = -5

    refused(client, body, "green_area_m2")


def test_more_incomplete_floors_than_floors_are_refused(client, body):
    body["incomplete_floors"] = 3

    refused(client, body, "incomplete_floors")


def test_an_unknown_building_class_or_use_is_refused(client, body):
    refused(client, {**body, "building_class": "VI"}, "building_class")
    refused(client, {**body, "use": "casino"}, "use")


def test_a_body_that_is_not_an_object_is_refused(client, batumi):
    response = post(client, ["not", "an", "object"])

    assert response.status_code == 400


def test_broken_json_is_a_400_not_a_500(client, batumi):
    response = client.post(
        "/api/v1/permits/check", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
