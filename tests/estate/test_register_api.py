"""The estate's read API and open data: public lots, the register as GeoJSON, and the CSVs of
results and price paths, where bidders are numbers and never names."""

import csv
import io

import pytest

from estate.models import AssetState, LotStatus
from tests.estate.register_factories import asset, closed_lot, lot, officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(batumi, rustavi):
    by = officer(batumi)
    hall = asset(batumi, state=AssetState.IN_AUCTION)
    published = lot(batumi, assets=[hall], created_by=by)
    draft = lot(batumi, assets=[asset(batumi)], created_by=by, status=LotStatus.DRAFT)
    sold = asset(batumi, state=AssetState.SOLD)
    awarded = closed_lot(batumi, assets=[sold], created_by=by)
    theirs = asset(rustavi, state=AssetState.LEASED)
    return locals()


def test_lot_list_has_public_lots_only(client, estate):
    body = client.get("/api/v1/estate/lots/").json()

    references = {item["reference"] for item in body["results"]}
    assert references == {estate["published"].reference, estate["awarded"].reference}
    assert body["count"] == 2


def test_lot_list_filters_and_refuses_an_unknown_status(client, estate):
    body = client.get("/api/v1/estate/lots/", {"status": "awarded"}).json()
    assert [item["reference"] for item in body["results"]] == [estate["awarded"].reference]
    assert client.get("/api/v1/estate/lots/", {"municipality": "RST"}).json()["count"] == 0

    bad = client.get("/api/v1/estate/lots/", {"status": "draft"})
    assert bad.status_code == 400
    assert bad.json()["parameter"] == "status"


def test_lot_detail_has_terms_assets_and_result(client, estate):
    body = client.get(f"/api/v1/estate/lots/{estate['awarded'].reference}/").json()

    assert body["status"] == "awarded" and body["final_price"] == "56000.00"
    assert body["deposit"] == "5100.00" and body["bid_step"] == "2500.00"
    assert body["assets"][0]["cadastral_code"] == estate["sold"].cadastral_code


def test_draft_lot_is_not_found(client, estate):
    response = client.get(f"/api/v1/estate/lots/{estate['draft'].reference}/")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_assets_are_geojson_in_wgs84_with_a_bbox(client, estate):
    body = client.get("/api/v1/estate/assets/").json()

    assert body["type"] == "FeatureCollection" and body["count"] == 4
    lon, lat = body["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 41 < lon < 46 and 41 < lat < 42
    x0, y0, x1, y1 = estate["theirs"].geom.transform(4326, clone=True).extent
    bbox = f"{x0 - 0.001},{y0 - 0.001},{x1 + 0.001},{y1 + 0.001}"
    box = client.get("/api/v1/estate/assets/", {"bbox": bbox}).json()
    assert [f["id"] for f in box["features"]] == [estate["theirs"].reference]
    assert client.get("/api/v1/estate/assets/", {"state": "nope"}).status_code == 400


def rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_results_csv_has_a_row_per_closed_auction(client, estate):
    [row] = rows(client.get("/api/v1/estate/results.csv"))

    assert row["lot_reference"] == estate["awarded"].reference
    assert row["status"] == "awarded" and row["final_price"] == "56000.00"
    assert row["bids"] == "3" and row["deposit"] == "5100.00"
    assert row["cadastral_codes"] == estate["sold"].cadastral_code


def test_price_paths_csv_has_every_bid_and_no_name(client, estate):
    response = client.get("/api/v1/estate/price-paths.csv")
    found = rows(response)

    assert [r["amount"] for r in found] == ["51000.00", "53500.00", "56000.00"]
    assert [r["bidder_number"] for r in found] == ["1", "2", "1"]
    assert b"Secret" not in response.content and b"Bidder" not in response.content
