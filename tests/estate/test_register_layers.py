"""The estate's layers: the public layer has only what is offered now, with its lot's terms and
nothing private; each municipality's register layer is its property officers' and GIS staff's
alone, through tiles, OGC API, WFS and downloads."""

import pytest

from core.models import Role
from estate.layers import OFFERS_LAYER, register_layer_name
from estate.models import AssetKind, AssetState
from layers.registry import registry
from layers.tiles import lonlat_to_tile
from tests.estate.register_factories import asset, lot, officer

pytestmark = pytest.mark.django_db

BTM = register_layer_name("BTM")
RST = register_layer_name("RST")


@pytest.fixture
def estate(batumi, rustavi, parcels):
    by = officer(batumi)
    listed = asset(batumi, state=AssetState.LISTED, parcel=parcels["rustaveli"])
    in_auction = asset(batumi, state=AssetState.IN_AUCTION, kind=AssetKind.BUILDING)
    offered = lot(batumi, assets=[in_auction], created_by=by)
    in_use = asset(batumi, state=AssetState.IN_USE)
    theirs = asset(rustavi, state=AssetState.LEASED)
    return {
        "listed": listed,
        "in_auction": in_auction,
        "lot": offered,
        "in_use": in_use,
        "rustavi": theirs,
    }


def items(client, name):
    return client.get(f"/ogcapi/collections/{name}/items?f=json")


def test_public_layer_has_only_offered_assets_with_their_lot(client, estate):
    body = items(client, OFFERS_LAYER).json()

    found = {f["properties"]["reference"]: f["properties"] for f in body["features"]}
    assert set(found) == {estate["listed"].reference, estate["in_auction"].reference}
    terms = found[estate["in_auction"].reference]
    assert terms["lot_reference"] == estate["lot"].reference
    assert float(terms["start_price"]) == 4860.0
    assert float(terms["deposit"]) == 243.0  # 5% of the start price
    assert float(terms["bid_step"]) == 243.0
    assert terms["lease_months"] == 60
    assert found[estate["listed"].reference]["zone"] == "SZ-6"
    assert found[estate["listed"].reference]["lot_reference"] is None


def test_public_layer_carries_nothing_private(client, estate):
    body = items(client, OFFERS_LAYER).json()

    for feature in body["features"]:
        assert "ownership_document" not in feature["properties"]
        assert "current_use_en" not in feature["properties"]


def test_public_layer_links_the_lot_page_or_the_asset_page(estate):
    layer = registry.get(OFFERS_LAYER)

    assert layer.page_for({"reference": "BTM-R-1", "lot_reference": None}).endswith(
        "/estate/assets/BTM-R-1/"
    )
    assert layer.page_for({"reference": "BTM-R-1", "lot_reference": "L-1"}).endswith(
        "/estate/lots/L-1/"
    )


def test_each_municipality_has_its_register_layer(estate):
    names = {layer.name for layer in registry.all()}
    assert {BTM, RST} <= names
    assert registry.get(BTM).visibility == "staff"


@pytest.mark.parametrize("role", [Role.PROPERTY_OFFICER, Role.GIS_OFFICER])
def test_staff_of_the_municipality_read_its_whole_register(client, estate, batumi, role):
    client.force_login(officer(batumi, role))

    found = {f["properties"]["reference"] for f in items(client, BTM).json()["features"]}

    assert found == {estate[k].reference for k in ("listed", "in_auction", "in_use")}
    assert items(client, RST).status_code == 404


def test_other_staff_and_anonymous_get_nothing_of_the_register(client, estate, batumi, rustavi):
    assert items(client, BTM).status_code == 404
    client.force_login(officer(batumi, Role.PLANNER))
    assert items(client, BTM).status_code == 404
    client.force_login(officer(rustavi))
    assert items(client, BTM).status_code == 404
    assert items(client, RST).status_code == 200


def test_register_tiles_are_refused_to_other_staff(client, estate, batumi, rustavi):
    centre = estate["in_use"].geom.centroid.transform(4326, clone=True)
    x, y = lonlat_to_tile(centre.x, centre.y, 15)
    url = f"/tiles/{BTM}/15/{x}/{y}.mvt"

    assert client.get(url).status_code == 404
    client.force_login(officer(rustavi))
    assert client.get(url).status_code == 404
    client.force_login(officer(batumi))
    response = client.get(url)
    assert response.status_code == 200 and response.content


def test_register_wfs_and_download_are_refused_to_other_staff(client, estate, rustavi):
    client.force_login(officer(rustavi))
    wfs = client.get(
        f"/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={BTM}&OUTPUTFORMAT=geojson"
    )
    assert wfs.status_code in (400, 404)
    assert estate["in_use"].reference.encode() not in wfs.content
    download = client.get(f"/api/v1/layers/{BTM}/export.geojson")
    assert download.status_code == 404
    capabilities = client.get("/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities")
    assert BTM.encode() not in capabilities.content and RST.encode() in capabilities.content
