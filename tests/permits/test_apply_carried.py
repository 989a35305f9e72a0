"""Applying from the map or the pre-check: step 1 opens with the parcels' municipality (not
asked), and the draft starts with the parcels as its site and the pre-check's building; what
cannot be used is said on step 1, and the rest is kept."""

import json
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from cases.catalogue import catalogue_sync
from permits.models import PermitApplication
from tests.cases.factories import applicant
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, rect
from tests.permits.factories import ZoneFactory

APPLY = "/en/permits/apply/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True


@pytest.fixture
def parcels(batumi):
    ZoneFactory(municipality=batumi)
    return [
        ParcelFactory(
            municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20))
        ),
        ParcelFactory(
            municipality=batumi, cadastral_code="05.24.11.006", geom=multi(square(X + 20, Y, 20))
        ),
    ]


@pytest.fixture
def person(client):
    user = applicant()
    client.force_login(user)
    return user


def start(client, query: str, **posted):
    return client.post(
        f"{APPLY}?{query}", {"stage": "construction_permit", "building_class": "II", **posted}
    )


def the_application(response) -> PermitApplication:
    assert response.status_code == 302, response.content.decode()[:2000]
    reference = response["Location"].split("/")[-3]
    return PermitApplication.objects.get(case__reference=reference)


def test_a_parcel_from_the_map_names_the_municipality_and_becomes_the_site(client, parcels, person):
    page = client.get(APPLY, {"parcels": "05.24.11.005"})

    assert page.status_code == 200
    assert 'name="municipality"' not in page.text
    assert "Taken over from the map and the pre-check" in page.text
    assert "Batumi" in page.text and "05.24.11.005" in page.text
    response = start(client, "parcels=05.24.11.005")
    assert response["Location"].endswith("/2/")
    application = the_application(response)
    assert application.case.municipality.code == "BTM"
    assert [p.cadastral_code for p in application.parcels.all()] == ["05.24.11.005"]
    assert application.site.equals_exact(parcels[0].geom, 0.01)
    step2 = client.get(response["Location"]).text
    assert 'value="05.24.11.005"' in step2


def test_the_pre_check_building_is_saved_with_the_draft(client, parcels, person):
    footprint = json.dumps(geojson(rect(X + 2, Y + 2, X + 32, Y + 12)))
    query = (
        "parcels=05.24.11.005,05.24.11.006"
        f"&footprint={quote(footprint)}&floors=3&height_m=9.5&green_area_m2=150"
        "&floor_area_m2=880&use=residential&building_class=III"
    )

    page = client.get(f"{APPLY}?{query}")
    assert page.status_code == 200
    assert "Footprint drawn on the map" in page.text and "300" in page.text
    assert '<option value="III" selected>' in page.text
    application = the_application(start(client, query, building_class="III"))

    assert sorted(p.cadastral_code for p in application.parcels.all()) == [
        "05.24.11.005",
        "05.24.11.006",
    ]
    assert application.site.area == pytest.approx(800, abs=0.1)
    assert application.footprint.area == pytest.approx(300, abs=0.5)
    assert (application.floors, application.height_m, application.green_area_m2) == (3, 9.5, 150)
    assert (application.floor_area_m2, application.use) == (880, "residential")
    assert application.building_class == "III"
    assert application.compliance["outcome"]
    assert application.case.location.equals_exact(application.site, 0.01)


def test_signing_in_on_the_way_keeps_the_query(client, parcels):
    response = client.get(APPLY, {"parcels": "05.24.11.005", "floors": "2"})

    assert response.status_code == 302
    next_url = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert next_url == "/en/permits/apply/?parcels=05.24.11.005&floors=2"
    client.force_login(applicant())
    assert "05.24.11.005" in client.get(next_url).text


def test_unknown_and_bad_codes_are_said_and_the_rest_is_kept(client, parcels, person):
    query = "parcels=05.24.11.005,99.99.99.999,abc&floors=2"

    page = client.get(f"{APPLY}?{query}")

    assert page.status_code == 200
    assert "No current parcel has the cadastral code 99.99.99.999" in page.text
    assert "abc is not a cadastral code" in page.text
    assert 'name="municipality"' not in page.text  # 05.24.11.005 names it
    application = the_application(start(client, query))
    assert [p.cadastral_code for p in application.parcels.all()] == ["05.24.11.005"]
    assert application.floors == 2


def test_with_no_usable_parcel_the_municipality_is_asked_and_the_figures_kept(
    client, batumi, parcels, person
):
    query = "parcels=99.99.99.999&floors=4&footprint_area_m2=120"

    page = client.get(f"{APPLY}?{query}")

    assert 'name="municipality"' in page.text
    assert "99.99.99.999" in page.text
    assert start(client, query).status_code == 200  # the municipality is missing
    application = the_application(start(client, query, municipality=batumi.pk))
    assert application.site is None
    assert (application.floors, application.footprint_area_m2) == (4, 120)


def test_figures_that_cannot_be_used_are_said_and_left_out(client, parcels, person):
    query = "parcels=05.24.11.005&floors=many&footprint=%7Bnot%20json&height_m=12"

    page = client.get(f"{APPLY}?{query}")

    assert "Floors above ground could not be used" in page.text
    assert "Footprint could not be used" in page.text
    application = the_application(start(client, query))
    assert application.floors is None and application.footprint is None
    assert application.height_m == 12


def test_parcels_of_two_municipalities_are_not_one_site(client, batumi, rustavi, person):
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20)))
    rx, ry = rustavi.boundary.extent[:2]
    ParcelFactory(
        municipality=rustavi,
        cadastral_code="02.01.01.001",
        geom=multi(square(rx + 100, ry + 100, 20)),
    )

    page = client.get(APPLY, {"parcels": "05.24.11.005,02.01.01.001"})

    assert "lie in more than one municipality" in page.text
    assert 'name="municipality"' in page.text


def test_the_form_pre_check_offers_to_apply_with_its_building(client, parcels):
    page = client.get(
        "/en/permits/check/",
        {
            "parcels": "05.24.11.005",
            "footprint_area_m2": "100",
            "floors": "2",
            "green_area_m2": "200",
            "use": "residential",
        },
    )

    assert page.status_code == 200
    start_at = page.text.index("data-apply-link")
    href = page.text[page.text.rindex('href="', 0, start_at) + 6 :].split('"')[0]
    query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert query == {
        "parcels": ["05.24.11.005"],
        "footprint_area_m2": ["100"],
        "floors": ["2"],
        "green_area_m2": ["200"],
        "use": ["residential"],
    }
    client.force_login(applicant())
    carried = client.get(href.replace("&amp;", "&")).text
    assert "Floors above ground" in carried and "05.24.11.005" in carried


def test_a_class_i_pre_check_offers_no_application(client, parcels):
    page = client.get(
        "/en/permits/check/",
        {"parcels": "05.24.11.005", "footprint_area_m2": "20", "floors": "1", "height_m": "3"},
    )

    assert 'data-outcome="no_permit_needed"' in page.text
    assert "data-apply-link" not in page.text
