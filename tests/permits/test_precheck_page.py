"""The pre-check page for anyone, and its form that works without the map."""

import pytest

from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y
from tests.permits.factories import ConstraintFactory, ZoneFactory


@pytest.fixture
def parcel(batumi):
    ZoneFactory(municipality=batumi)
    return ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20))
    )


def test_anyone_can_open_the_precheck_page_in_both_languages(client, batumi):
    for language in ("ka", "en"):
        response = client.get(f"/{language}/permits/check/")
        assert response.status_code == 200
        assert b"precheck-config" in response.content
        assert b"vendor/terra-draw/terra-draw.umd.js" in response.content
    assert "Check a building before you apply" in client.get("/en/permits/check/").text


def test_the_form_checks_parcel_codes_with_the_footprint_area_and_floors(client, parcel, batumi):
    ConstraintFactory(municipality=batumi, kind="flood_area", geom=multi(square(X, Y, 10)))

    response = client.get(
        "/en/permits/check/",
        {"parcels": "05.24.11.005", "footprint_area_m2": "210", "floors": "3"},
    )

    text = response.text
    assert response.status_code == 200
    assert 'data-rule="k1"' in text and 'data-rule="k2"' in text
    assert 'data-outcome="not_compliant"' in text  # 210 m² > 200 m²
    assert "200.0" in text  # the K-1 limit in m²
    assert 'data-kind="flood_area"' in text
    assert "100.0 m² on the site" in text


def test_bad_form_input_is_shown_with_what_was_entered(client, parcel):
    response = client.get(
        "/en/permits/check/", {"parcels": "05.24.99.999", "footprint_area_m2": "", "floors": "0"}
    )

    text = response.text
    assert response.status_code == 200
    assert "No current parcel has the cadastral code: 05.24.99.999." in text
    assert 'value="05.24.99.999"' in text
    assert "Enter the footprint area, or draw the footprint on the map." in text
    assert 'id="id_floors-error"' in text
    assert 'data-rule="k1"' not in text


def test_the_form_report_is_in_georgian_on_the_georgian_page(client, parcel):
    response = client.get(
        "/ka/permits/check/", {"parcels": "05.24.11.005", "footprint_area_m2": "100", "floors": "2"}
    )

    assert "400 მ² ფართობის სამშენებლო ნაკვეთზე" in response.text
