"""Every resource in HTML too: chosen by f=html or by a browser's Accept header."""

import re

import pytest

from tests.layers import ogc_helpers as ogc

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 12)


PAGES = [
    "/ogcapi/",
    "/ogcapi/conformance",
    "/ogcapi/collections",
    "/ogcapi/collections/parcels",
    "/ogcapi/collections/parcels/items",
    "/ogcapi/collections/parcels/queryables",
    "/ogcapi/collections/parcels/tiles",
    "/ogcapi/collections/parcels/tiles/WebMercatorQuad",
    "/ogcapi/tileMatrixSets",
    "/ogcapi/tileMatrixSets/WebMercatorQuad",
    "/ogcapi/api.html",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_browser_gets_a_portal_page_with_no_external_address(client, grid, path):
    response = client.get(path, HTTP_ACCEPT=BROWSER, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="site-header"' in html  # the portal's base template
    for address in re.findall(r'(?:src|href|action)="(https?://[^"]+)"', html):
        assert address.startswith("http://testserver/"), address


def test_f_overrides_the_accept_header(client, grid):
    as_json = client.get("/ogcapi/collections?f=json", HTTP_ACCEPT=BROWSER)
    assert as_json["Content-Type"] == "application/json"
    as_html = client.get("/ogcapi/collections?f=html", HTTP_ACCEPT="application/json")
    assert as_html["Content-Type"].startswith("text/html")
    assert "Accept" in as_json["Vary"]


def test_items_page_is_a_table_with_links_to_each_feature_and_the_next_page(client, grid):
    html = client.get(
        "/ogcapi/collections/parcels/items?limit=5&f=html", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "<table" in html
    assert "Features 1 to 5 of 12." in html
    assert f'href="http://testserver/ogcapi/collections/parcels/items/{grid[0].pk}?f=html"' in html
    assert 'rel="next"' in html and "offset=5" in html
    assert "05.24.90.004" in html and "05.24.90.005" not in html


def test_item_page_lists_the_properties(client, grid):
    response = client.get(
        f"/ogcapi/collections/parcels/items/{grid[0].pk}?f=html", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert "cadastral code" in html and "05.24.90.000" in html
    assert "yes" in html  # parcel 0 is municipal property


def test_pages_speak_the_requests_language(client, grid):
    georgian = client.get("/ogcapi/collections/parcels?f=html", HTTP_ACCEPT_LANGUAGE="ka")
    english = client.get("/ogcapi/collections/parcels?f=html", HTTP_ACCEPT_LANGUAGE="en")
    assert "საკადასტრო ნაკვეთები" in georgian.content.decode()
    assert "Cadastral parcels" in english.content.decode()
    assert 'lang="en"' in english.content.decode()
