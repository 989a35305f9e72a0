"""The public pages of municipal property: the offers (map and a list that works without
JavaScript), the register, an asset's page and the results of closed auctions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from estate.models import AssetKind, AssetState, LotKind
from tests.estate.register_factories import asset, closed_lot, lot, officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(batumi, rustavi, parcels):
    by = officer(batumi)
    listed = asset(
        batumi, state=AssetState.LISTED, parcel=parcels["rustaveli"], name_en="Seaside plot"
    )
    hall = asset(batumi, state=AssetState.IN_AUCTION, kind=AssetKind.BUILDING, name_en="Old hall")
    lease = lot(batumi, assets=[hall], created_by=by)
    shop = asset(rustavi, state=AssetState.IN_AUCTION, kind=AssetKind.UNIT, name_en="Corner shop")
    sale = lot(
        rustavi,
        assets=[shop],
        created_by=officer(rustavi),
        kind=LotKind.SALE,
        start_price=51000,
        bid_step=2500,
        deposit_amount=5100,
        deposit_percent=None,
        lease_months=None,
    )
    in_use = asset(batumi, state=AssetState.IN_USE, name_en="Kindergarten")
    withdrawn = asset(batumi, state=AssetState.WITHDRAWN, name_en="Gone plot")
    sold = asset(batumi, state=AssetState.SOLD, name_en="Sold plot")
    awarded = closed_lot(batumi, assets=[sold], created_by=by)
    return locals()


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_offers_list_shows_each_offer_with_its_terms(client, estate):
    html = page(client, "/en/estate/")

    assert "Seaside plot" in html and "Old hall" in html and "Corner shop" in html
    assert "Kindergarten" not in html and "Sold plot" not in html
    assert "51,000.00" in html and "2,500.00" in html and "5,100.00" in html
    assert "4,860.00" in html and "243.00" in html and "60 months" in html
    assert "05.24.11.005" in html and "SZ-6" in html
    assert f'href="/en/estate/lots/{estate["lease"].reference}/"' in html
    assert 'id="estate-map"' in html


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"q": "05.24.11.005"}, "Seaside plot", "Old hall"),
        ({"q": "hall"}, "Old hall", "Seaside plot"),
        ({"municipality": "RST"}, "Corner shop", "Old hall"),
        ({"asset_kind": "building"}, "Old hall", "Corner shop"),
        ({"offer_kind": "sale"}, "Corner shop", "Old hall"),
        ({"price_min": "10000"}, "Corner shop", "Old hall"),
        ({"price_max": "10000"}, "Old hall", "Corner shop"),
    ],
)
def test_offers_list_filters_and_searches(client, estate, params, shown, hidden):
    html = page(client, "/en/estate/", **params)
    listing = html.split('id="offers-list"')[1]

    assert shown in listing and hidden not in listing


def test_offers_search_finds_a_lot_number(client, estate):
    html = page(client, "/en/estate/", q=estate["sale"].reference)

    assert "Corner shop" in html.split('id="offers-list"')[1]


def test_offers_sort_by_price(client, estate):
    html = page(client, "/en/estate/", sort="-price").split('id="offers-list"')[1]

    assert html.index("Corner shop") < html.index("Old hall")


def test_register_lists_every_state_but_withdrawn_and_filters(client, estate):
    html = page(client, "/en/estate/register/")
    assert "Kindergarten" in html and "Sold plot" in html and "Gone plot" not in html

    offered = page(client, "/en/estate/register/", state="offered")
    assert "Seaside plot" in offered and "Kindergarten" not in offered
    assert "Corner shop" not in page(client, "/en/estate/register/", municipality="BTM")
    assert f'href="/en/estate/assets/{estate["in_use"].reference}/"' in html


def test_asset_page_shows_the_facts_and_lots(client, estate):
    html = page(client, f"/ka/estate/assets/{estate['sold'].reference}/")

    assert estate["awarded"].reference in html
    assert "56" in html and estate["sold"].ownership_document in html
    listed = page(client, f"/en/estate/assets/{estate['listed'].reference}/")
    assert 'href="/en/parcels/05.24.11.005/"' in listed
    assert "Residential zone 6" in listed


def test_withdrawn_or_unknown_asset_is_not_found(client, estate):
    assert client.get(f"/en/estate/assets/{estate['withdrawn'].reference}/").status_code == 404
    assert client.get("/en/estate/assets/NOPE/").status_code == 404


def test_results_list_closed_auctions_and_link_the_open_data(client, estate):
    html = page(client, "/en/estate/results/")

    assert estate["awarded"].reference in html and "56,000.00" in html
    assert estate["lease"].reference not in html
    assert 'href="/api/v1/estate/results.csv"' in html
    assert 'href="/api/v1/estate/price-paths.csv"' in html
    assert "Secret" not in html


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("url", ["/en/estate/", "/en/estate/register/", "/en/estate/results/"])
def test_lists_take_as_many_queries_whatever_their_length(client, estate, batumi, url):
    before = queries_for(client, url)
    by = officer(batumi)
    for _ in range(3):
        made = asset(batumi, state=AssetState.IN_AUCTION)
        lot(batumi, assets=[made], created_by=by)
        closed_lot(batumi, assets=[asset(batumi, state=AssetState.SOLD)], created_by=by)

    assert queries_for(client, url) == before


def test_a_draft_lot_number_finds_nothing(client, estate, batumi):
    draft = lot(
        batumi,
        assets=[estate["listed"]],
        created_by=officer(batumi),
        status="draft",
        reference="BTM-DRAFT-1",
    )

    listing = page(client, "/en/estate/", q=draft.reference).split('id="offers-list"')[1]

    assert "Seaside plot" not in listing
