"""The parcel list pages past 50 results: the count of all that match, 50 a page, and links to
the previous and next pages that keep the search."""

import re

import pytest

from tests.parcels.test_api_at import make_parcel

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(batumi):
    """120 parcels of one block, 05.24.11.001 to 05.24.11.120, and one of another block."""
    for n in range(1, 121):
        make_parcel(
            batumi, f"05.24.11.{n:03d}", 25 * (n % 12), 25 * (n // 12), address_en=f"{n} Sea St"
        )
    make_parcel(batumi, "05.24.12.001", 400, 400, address_en="1 Hill St")


def codes(html: str) -> list[str]:
    return re.findall(r'data-code="([\d.]+)"', html)


def test_the_first_page_shows_50_of_all_that_match_and_leads_on(client, many):
    html = client.get("/en/parcels/", {"q": "05.24.11"}).text

    assert codes(html) == [f"05.24.11.{n:03d}" for n in range(1, 51)]
    assert "120 parcels match “05.24.11”." in html
    assert "Shown: 1–50." in html
    assert "Page 1 of 3" in html
    assert 'href="/en/parcels/?q=05.24.11&amp;page=2" rel="next"' in html
    assert 'rel="prev"' not in html
    assert "make the search more precise" not in html


def test_the_last_page_has_the_rest_and_leads_back(client, many):
    html = client.get("/en/parcels/", {"q": "05.24.11", "page": "3"}).text

    assert codes(html) == [f"05.24.11.{n:03d}" for n in range(101, 121)]
    assert "Shown: 101–120." in html and "Page 3 of 3" in html
    assert 'href="/en/parcels/?q=05.24.11&amp;page=2" rel="prev"' in html
    assert 'rel="next"' not in html
    assert '<ol class="results" aria-labelledby="results-count" start="101">' in html


def test_the_second_page_leads_to_the_first_without_a_page_number(client, many):
    html = client.get("/en/parcels/", {"q": "05.24.11", "page": "2"}).text

    assert codes(html)[0] == "05.24.11.051"
    assert 'href="/en/parcels/?q=05.24.11" rel="prev"' in html


def test_the_pages_keep_the_municipality_and_an_address_search(client, many):
    html = client.get("/en/parcels/", {"q": "Sea St", "municipality": "BTM"}).text

    assert len(codes(html)) == 50
    assert "120 parcels match “Sea St”." in html
    assert 'href="/en/parcels/?q=Sea+St&amp;municipality=BTM&amp;page=2"' in html


def test_a_page_past_the_end_shows_the_last_and_a_bad_one_the_first(client, many):
    assert codes(client.get("/en/parcels/", {"q": "05.24.11", "page": "99"}).text)[-1] == (
        "05.24.11.120"
    )
    assert codes(client.get("/en/parcels/", {"q": "05.24.11", "page": "x"}).text)[0] == (
        "05.24.11.001"
    )


def test_a_search_of_one_page_has_no_pager(client, many):
    html = client.get("/en/parcels/", {"q": "05.24.12"}).text

    assert codes(html) == ["05.24.12.001"]
    assert "1 parcel matches" in html and "Page 1 of" not in html


def test_a_page_costs_the_same_queries_whichever_page(client, many, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get("/en/parcels/", {"q": "05.24.11", "page": "2"})
