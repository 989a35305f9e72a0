"""The property officer's register: an asset entered from a parcel, edited, with its history;
and who may reach these pages."""

from __future__ import annotations

import pytest

from estate.models import Asset, AssetState
from parcels.models import Building
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.estate.auction_factories import make_asset
from tests.estate.staff_factories import *  # noqa: F403  (its fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]

NEW_ASSET = {
    "kind": "land",
    "building": "",
    "name_ka": "ნაკვეთი რუსთაველზე",
    "name_en": "Parcel on Rustaveli",
    "address_ka": "",
    "address_en": "",
    "area_m2": "",
    "ownership_basis": "registration",
    "ownership_document": "Extract 882/2024",
    "current_use_ka": "",
    "current_use_en": "",
    "state": "available",
}


def test_officer_enters_an_asset_from_a_municipal_parcel(client, parcels, batumi_officer):
    client.force_login(batumi_officer)
    page = client.get("/en/estate/staff/assets/new/?cadastral_code=05.24.11.005")
    assert page.status_code == 200
    assert "Rustaveli St. 12" in page.content.decode()

    answer = client.post(
        "/en/estate/staff/assets/new/", {"cadastral_code": "05.24.11.005", **NEW_ASSET}
    )
    asset = Asset.objects.get(cadastral_code="05.24.11.005")
    assert answer.status_code == 302
    assert answer["Location"] == f"/en/estate/staff/assets/{asset.reference}/"
    assert asset.reference == "BTM-A-00001"
    assert asset.parcel == parcels["rustaveli"]
    assert asset.address_en == "Rustaveli St. 12"
    assert asset.area_m2 == pytest.approx(400.0)
    assert asset.geom.equals(parcels["rustaveli"].geom)

    again = client.post(
        "/en/estate/staff/assets/new/", {"cadastral_code": "05.24.11.005", **NEW_ASSET}
    )
    assert again.status_code == 400
    assert "already holds this parcel as BTM-A-00001" in again.content.decode()


def test_a_building_takes_the_outline_of_the_cadastre_building(client, parcels, batumi_officer):
    x, y = BATUMI_ORIGIN
    building = Building.objects.create(
        municipality=parcels["rustaveli"].municipality,
        floors=3,
        geom=multi(square(x + 105, y + 105, 10)),
    )
    client.force_login(batumi_officer)
    answer = client.post(
        "/en/estate/staff/assets/new/",
        {
            "cadastral_code": "05.24.11.005",
            **NEW_ASSET,
            "kind": "building",
            "building": building.pk,
        },
    )
    assert answer.status_code == 302
    asset = Asset.objects.get(kind="building")
    assert asset.area_m2 == pytest.approx(100.0)
    assert asset.geom.equals(building.geom)


def test_a_parcel_that_is_not_municipal_or_not_ours_is_refused(client, parcels, batumi_officer):
    client.force_login(batumi_officer)
    private = client.post(
        "/en/estate/staff/assets/new/", {"cadastral_code": "05.24.11.006", **NEW_ASSET}
    )
    assert private.status_code == 400
    assert "not record this parcel as municipal property" in private.content.decode()
    rustavi = client.post(
        "/en/estate/staff/assets/new/", {"cadastral_code": "02.07.03.011", **NEW_ASSET}
    )
    assert rustavi.status_code == 400
    assert "whose register you do not keep" in rustavi.content.decode()
    assert not Asset.objects.exists()


def test_officer_edits_an_asset_and_sees_its_history(client, batumi, batumi_officer):
    asset = make_asset(batumi)
    client.force_login(batumi_officer)
    form = client.get(f"/en/estate/staff/assets/{asset.reference}/edit/")
    assert form.status_code == 200
    data = {
        "name_ka": asset.name_ka,
        "name_en": "Old market site",
        "address_ka": "",
        "address_en": "",
        "ownership_basis": "registration",
        "ownership_document": "Extract 882/2024",
        "current_use_ka": "",
        "current_use_en": "Car park",
        "state": "in_use",
    }
    answer = client.post(f"/en/estate/staff/assets/{asset.reference}/edit/", data)
    assert answer.status_code == 302
    asset.refresh_from_db()
    assert (asset.name_en, asset.state) == ("Old market site", AssetState.IN_USE)

    page = client.get(f"/en/estate/staff/assets/{asset.reference}/").content.decode()
    history = page[page.index('id="history"') :]
    assert "Old market site" in history
    assert "In use by the municipality" in history
    assert batumi_officer.get_username() in history or batumi_officer.get_full_name() in history


def test_the_engine_s_states_are_not_set_by_hand(client, batumi, batumi_officer):
    leased = make_asset(batumi, state=AssetState.LEASED)
    available = make_asset(batumi)
    client.force_login(batumi_officer)
    base = {
        "name_ka": "x",
        "name_en": "x",
        "ownership_basis": "registration",
        "ownership_document": "Extract",
    }
    into = client.post(
        f"/en/estate/staff/assets/{available.reference}/edit/", {**base, "state": "sold"}
    )
    assert into.status_code == 400
    out = client.post(
        f"/en/estate/staff/assets/{leased.reference}/edit/", {**base, "state": "available"}
    )
    assert out.status_code == 302  # the disabled state is kept as it is
    leased.refresh_from_db()
    available.refresh_from_db()
    assert (leased.state, available.state) == (AssetState.LEASED, AssetState.AVAILABLE)


def test_register_lists_searches_and_counts_only_the_officer_s_assets(
    client, batumi, rustavi, batumi_officer
):
    mine = make_asset(batumi, name_en="Seaside kiosk")
    make_asset(batumi, state=AssetState.IN_USE)
    theirs = make_asset(rustavi, name_en="Rustavi depot")
    client.force_login(batumi_officer)
    page = client.get("/en/estate/staff/register/")
    body = page.content.decode()
    assert page.status_code == 200
    assert mine.reference in body and theirs.reference not in body
    found = client.get("/en/estate/staff/register/?q=kiosk&state=available").content.decode()
    assert mine.reference in found
    assert (
        client.get("/en/estate/staff/register/?state=sold").context["page_obj"].paginator.count == 0
    )


def test_rustavi_officer_gets_404_on_batumi_s_asset(client, batumi, rustavi_officer):
    asset = make_asset(batumi)
    client.force_login(rustavi_officer)
    for path in ("", "edit/"):
        assert client.get(f"/en/estate/staff/assets/{asset.reference}/{path}").status_code == 404


def test_citizen_and_anonymous_cannot_reach_the_staff_pages(client, batumi, citizen):
    asset = make_asset(batumi)
    lists = (
        "/en/estate/staff/register/",
        "/en/estate/staff/assets/new/",
        "/en/estate/staff/lots/",
        "/en/estate/staff/lots/new/",
    )
    for path in lists + (f"/en/estate/staff/assets/{asset.reference}/",):
        answer = client.get(path)
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"], path
    client.force_login(citizen)
    for path in lists:
        assert client.get(path).status_code == 403, path
    assert client.get(f"/en/estate/staff/assets/{asset.reference}/").status_code == 404


def test_the_register_s_queries_do_not_grow_with_its_rows(
    client, batumi, batumi_officer, django_assert_max_num_queries
):
    for _ in range(12):
        make_asset(batumi)
    client.force_login(batumi_officer)
    client.get("/en/estate/staff/register/")  # sessions and roles read once
    with django_assert_max_num_queries(11):
        assert client.get("/en/estate/staff/register/?q=Land").status_code == 200


def test_an_officer_without_the_second_factor_is_sent_to_set_it_up(client, batumi, batumi_officer):
    client.force_login(batumi_officer)
    session = client.session
    session.pop("account_authentication_methods", None)  # the password alone
    session.save()
    answer = client.get("/en/estate/staff/register/")
    assert answer.status_code == 302
    assert "/accounts/2fa/" in answer["Location"]
