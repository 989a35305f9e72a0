"""The portal's HTML pages: the map shell, the list of parcels and the parcel page."""

import datetime
import re

import pytest

pytestmark = pytest.mark.django_db

EXTERNAL_URL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_root_redirects_to_georgian(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/ka/"


def test_map_page_is_georgian_under_ka(client, batumi, rustavi):
    response = client.get("/ka/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ka">' in html
    assert "მუნიციპალური ელ-სერვისები" in html
    assert "ბათუმი" in html and "რუსთავი" in html
    assert "/tiles/style.json?lang=ka" in html


def test_map_page_is_english_under_en(client, batumi, rustavi):
    response = client.get("/en/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Municipal e-services" in html
    assert "Batumi" in html and "Rustavi" in html
    assert "/tiles/style.json?lang=en" in html


def test_map_page_says_the_data_is_a_demo(client, settings):
    settings.GISPORTAL_DEMO = True
    assert "not the official cadastre" in client.get("/en/").content.decode()

    settings.GISPORTAL_DEMO = False
    assert "not the official cadastre" not in client.get("/en/").content.decode()


def test_map_page_loads_nothing_from_the_internet(client, batumi):
    html = client.get("/ka/").content.decode()

    assert not EXTERNAL_URL.search(html)


def test_map_page_opens_with_the_card_of_a_parcel_given_by_code(client, parcels):
    html = client.get("/en/?parcel=05.24.11.005").content.decode()

    assert 'data-code="05.24.11.005"' in html
    assert "Rustaveli St. 12" in html


def test_map_page_query_count_does_not_grow_with_municipalities(
    client, batumi, rustavi, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        client.get("/ka/")


def test_list_page_without_a_query_shows_only_the_form(client, parcels):
    response = client.get("/ka/parcels/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="q"' in html
    assert "results__item" not in html


def test_list_page_finds_a_parcel_by_its_code(client, parcels):
    html = client.get("/en/parcels/", {"q": "05.24.11.005"}).content.decode()

    assert 'href="/en/parcels/05.24.11.005/"' in html
    assert "Rustaveli St. 12" in html
    assert "05.24.11.006" not in html


def test_list_page_finds_parcels_by_the_beginning_of_a_code(client, parcels):
    html = client.get("/en/parcels/", {"q": "05.24.11"}).content.decode()

    assert "05.24.11.005" in html and "05.24.11.006" in html
    assert "02.07.03.011" not in html


def test_list_page_finds_a_parcel_by_its_georgian_address(client, parcels):
    html = client.get("/ka/parcels/", {"q": "გორგილაძის"}).content.decode()

    assert 'href="/ka/parcels/05.24.11.006/"' in html
    assert "გორგილაძის ქ. 3" in html


def test_list_page_finds_a_parcel_by_its_english_address(client, parcels):
    html = client.get("/en/parcels/", {"q": "Kostava"}).content.decode()

    assert 'href="/en/parcels/02.07.03.011/"' in html


def test_list_page_filters_by_municipality(client, parcels):
    html = client.get("/en/parcels/", {"q": "St", "municipality": "RST"}).content.decode()

    assert "Rustaveli St. 12" not in html


def test_list_page_says_when_nothing_matches(client, parcels):
    html = client.get("/en/parcels/", {"q": "99.99.99"}).content.decode()

    assert "No parcel matches “99.99.99”." in html


def test_list_page_is_translated(client, parcels):
    html = client.get("/ka/parcels/", {"q": "05.24.11.005"}).content.decode()

    assert "ნაკვეთის ძიება" in html
    assert "საცხოვრებელი" in html  # the land use label


def test_list_fragment_carries_what_the_search_box_shows(client, parcels):
    response = client.get("/en/parcels/", {"q": "05.24.11.005", "fragment": "1"})

    html = response.content.decode()
    assert "<html" not in html
    assert 'data-code="05.24.11.005"' in html
    assert 'data-address="Rustaveli St. 12"' in html


def test_parcel_page_shows_the_parcel_and_its_zoning(client, parcels):
    response = client.get("/en/parcels/05.24.11.005/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Rustaveli St. 12" in html
    assert "SZ-6" in html and "Residential zone 6" in html
    assert "400&nbsp;m²" in html
    assert "up to 200 m² footprint" in html
    assert "up to 720 m² of floors" in html
    assert "Municipal property" in html
    assert 'id="parcel-config"' in html  # the outline for the small map


def test_parcel_page_is_georgian_under_ka(client, parcels):
    html = client.get("/ka/parcels/05.24.11.005/").content.decode()

    assert '<html lang="ka">' in html
    assert "რუსთაველის ქ. 12" in html
    assert "მუნიციპალური ქონება" in html


def test_parcel_page_answers_404_for_an_unknown_code(client, parcels):
    response = client.get("/en/parcels/99.99.99.999/")

    assert response.status_code == 404
    assert "No parcel has the cadastral code 99.99.99.999." in response.content.decode()
    assert 'href="/en/parcels/?q=99.99.99.999"' in response.content.decode()


def test_parcel_page_answers_404_for_a_retired_parcel(client, parcels):
    parcels["gorgiladze"].valid_to = datetime.date(2025, 1, 1)
    parcels["gorgiladze"].save()

    assert client.get("/en/parcels/05.24.11.006/").status_code == 404


def test_unknown_page_answers_with_the_portals_own_404(client, settings):
    settings.DEBUG = False

    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert "Back to the map" in response.content.decode()
