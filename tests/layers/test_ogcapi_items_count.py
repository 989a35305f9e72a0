"""numberMatched from the page's own query (count(*) OVER ()), and a count only past the end;
an unfiltered page's from a count kept under the layer's version."""

import pytest

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 25)


def test_the_last_page_costs_one_query_and_still_says_how_many(
    client, grid, django_assert_num_queries
):
    with django_assert_num_queries(1):
        body = client.get(
            "/ogcapi/collections/parcels/items?limit=10&offset=5&land_use=residential"
        ).json()
    assert body["numberReturned"] == 4
    assert body["numberMatched"] == 9


def test_a_page_past_the_end_counts(client, grid, django_assert_num_queries):
    with django_assert_num_queries(2):
        body = client.get("/ogcapi/collections/parcels/items?offset=30&land_use=residential").json()
    assert body["numberReturned"] == 0
    assert body["numberMatched"] == 9
