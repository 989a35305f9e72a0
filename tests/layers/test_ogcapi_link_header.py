"""The Link header of a page of items (RFC 8288): the links of the page's body."""

import pytest

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 12)


def header_links(response) -> dict[str, str]:
    found = {}
    for value in response["Link"].split(", "):
        target, *attributes = value.split("; ")
        rel = next(a for a in attributes if a.startswith("rel="))[5:-1]
        found[rel] = target.strip("<>")
    return found


def test_a_middle_page_has_self_alternate_prev_and_next_in_its_link_header(client, grid):
    response = client.get("/ogcapi/collections/parcels/items?limit=5&offset=5")
    body = {x["rel"]: x["href"] for x in response.json()["links"]}
    found = header_links(response)
    assert set(found) == {"self", "alternate", "prev", "next"}
    assert all(found[rel] == body[rel] for rel in found)
    assert 'rel="next"; type="application/geo+json"' in response["Link"]


def test_the_last_page_has_no_next_link(client, grid):
    response = client.get("/ogcapi/collections/parcels/items?limit=5&offset=10")
    assert set(header_links(response)) == {"self", "alternate", "prev"}


def test_the_html_page_has_the_link_header_too(client, grid):
    response = client.get("/ogcapi/collections/parcels/items?limit=5&f=html")
    found = header_links(response)
    assert set(found) == {"self", "alternate", "next"}
    assert "f=html" in found["self"]
