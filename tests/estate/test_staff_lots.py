"""The property officer's lots: a draft prepared from the register, published, its terms
edited before the cut-off and refused after it; cancelled; and what staff see of the bidders."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from estate.models import AssetState, Bid, Lot, LotStatus
from tests.estate.auction_factories import make_asset, make_lot, move_clock, register_bidder
from tests.estate.staff_factories import *  # noqa: F403  (its fixtures)
from tests.estate.staff_factories import lot_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


def test_officer_prepares_a_draft_lot_from_the_register(client, batumi, batumi_officer):
    first, second = make_asset(batumi), make_asset(batumi, state=AssetState.LISTED)
    client.force_login(batumi_officer)
    chosen = client.get(
        f"/en/estate/staff/lots/new/?assets={first.reference}&assets={second.reference}"
    )
    assert chosen.status_code == 200
    assert [a.reference for a in chosen.context["selected"]] == sorted(
        [first.reference, second.reference]
    )

    answer = client.post("/en/estate/staff/lots/new/", lot_form(assets=[first, second]))
    lot = Lot.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/en/estate/staff/lots/{lot.reference}/"
    assert lot.reference == f"BTM-L-{timezone.localdate().year}-0001"
    assert (lot.status, lot.created_by, lot.closes_at) == (
        LotStatus.DRAFT,
        batumi_officer,
        lot.ends_at,
    )
    assert lot.deposit == Decimal("120.00")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == AssetState.LISTED
    page = client.get(f"/en/estate/staff/lots/{lot.reference}/").content.decode()
    assert "Publish" in page and "Cancel the lot" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"bid_step": "0"}, "bid_step", "The bid step must be more than zero."),
        ({"deposit_amount": "100"}, "deposit_amount", "not both"),
        ({"deposit_percent": ""}, "deposit_amount", "as an amount or as a percentage"),
        ({"lease_months": ""}, "lease_months", "Give the term in months"),
        ({"days": 3}, "ends_at", "at least 7 days"),
    ],
)
def test_a_lot_s_terms_are_checked_with_clear_messages(
    client, batumi, batumi_officer, change, field, message
):
    asset = make_asset(batumi)
    client.force_login(batumi_officer)
    days = change.pop("days", 10)
    answer = client.post(
        "/en/estate/staff/lots/new/", lot_form(assets=[asset], days=days, **change)
    )
    assert answer.status_code == 400
    assert message in " ".join(answer.context["form"].errors[field])
    assert not Lot.objects.exists()
    asset.refresh_from_db()
    assert asset.state == AssetState.AVAILABLE


def test_the_end_must_come_after_the_start(client, batumi, batumi_officer):
    asset = make_asset(batumi)
    client.force_login(batumi_officer)
    data = lot_form(assets=[asset])
    data["ends_at"], data["starts_at"] = data["starts_at"], data["ends_at"]
    answer = client.post("/en/estate/staff/lots/new/", data)
    assert "Bidding must end after it starts." in answer.context["form"].errors["ends_at"]


def test_officer_publishes_then_edits_terms_before_the_cut_off(client, batumi, batumi_officer):
    asset = make_asset(batumi)
    client.force_login(batumi_officer)
    client.post("/en/estate/staff/lots/new/", lot_form(assets=[asset]))
    lot = Lot.objects.get()
    published = client.post(f"/en/estate/staff/lots/{lot.reference}/", {"action": "publish"})
    assert published.status_code == 302
    lot.refresh_from_db()
    asset.refresh_from_db()
    assert (lot.status, asset.state) == (LotStatus.PUBLISHED, AssetState.IN_AUCTION)

    edit = client.get(f"/en/estate/staff/lots/{lot.reference}/edit/")
    assert "cancels the standing bids" in edit.content.decode()
    data = {k: v for k, v in lot_form().items() if k != "assets"}
    data["ends_at"] = timezone.localtime(lot.ends_at).strftime("%Y-%m-%dT%H:%M")
    data["starts_at"] = timezone.localtime(lot.starts_at).strftime("%Y-%m-%dT%H:%M")
    data["start_price"] = "900.00"
    saved = client.post(f"/en/estate/staff/lots/{lot.reference}/edit/", data)
    assert saved.status_code == 302
    lot.refresh_from_db()
    assert lot.start_price == Decimal("900.00")


def test_terms_are_refused_after_the_cut_off_and_nothing_changes(client, batumi, batumi_officer):
    lot = make_lot(batumi, created_by=batumi_officer)
    bidder = register_bidder(lot)
    Bid.objects.create(
        municipality=batumi,
        lot=lot,
        registration=bidder,
        amount=Decimal("1000.00"),
        sequence=1,
        placed_at=timezone.now(),
    )
    move_clock(lot, closes_in=datetime.timedelta(hours=24))  # the cut-off is 120 h before
    client.force_login(batumi_officer)
    page = client.get(f"/en/estate/staff/lots/{lot.reference}/edit/")
    assert "can no longer change" in page.content.decode()
    data = {k: v for k, v in lot_form().items() if k != "assets"}
    data["starts_at"] = timezone.localtime(lot.starts_at).strftime("%Y-%m-%dT%H:%M")
    data["ends_at"] = (timezone.localtime(lot.ends_at) + datetime.timedelta(days=10)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    data["start_price"] = "500.00"
    answer = client.post(f"/en/estate/staff/lots/{lot.reference}/edit/", data)
    assert answer.status_code == 409
    assert "can no longer change" in answer.content.decode()
    before = lot.start_price
    lot.refresh_from_db()
    assert lot.start_price == before
    assert Bid.objects.get().cancelled_at is None


def test_cancelling_a_draft_makes_its_assets_available(client, batumi, batumi_officer):
    asset = make_asset(batumi, state=AssetState.LISTED)
    lot = make_lot(batumi, created_by=batumi_officer, status=LotStatus.DRAFT, assets=[asset])
    client.force_login(batumi_officer)
    answer = client.post(f"/en/estate/staff/lots/{lot.reference}/", {"action": "cancel"})
    assert answer.status_code == 302
    lot.refresh_from_db()
    asset.refresh_from_db()
    assert (lot.status, asset.state) == (LotStatus.CANCELLED, AssetState.AVAILABLE)


def test_a_lot_with_bidders_is_not_cancelled(client, batumi, batumi_officer):
    lot = make_lot(batumi, created_by=batumi_officer)
    register_bidder(lot)
    client.force_login(batumi_officer)
    answer = client.post(f"/en/estate/staff/lots/{lot.reference}/", {"action": "cancel"})
    assert answer.status_code == 400
    lot.refresh_from_db()
    assert lot.status == LotStatus.PUBLISHED


def test_bidders_names_are_never_shown_while_open(client, batumi, batumi_officer):
    lot = make_lot(batumi, created_by=batumi_officer)
    registration = register_bidder(lot)
    register_bidder(lot, paid=False)
    client.force_login(batumi_officer)
    page = client.get(f"/en/estate/staff/lots/{lot.reference}/").content.decode()
    assert registration.legal_name not in page
    assert registration.id_number_masked not in page
    assert "2 registrations" in page and "1 deposit paid" in page

    Lot.objects.filter(pk=lot.pk).update(status=LotStatus.AWARDED, winner=registration)
    closed = client.get(f"/en/estate/staff/lots/{lot.reference}/").content.decode()
    assert registration.legal_name in closed
    assert "/estate/contracts/new/?lot=" in closed or "Draw up the contract" not in closed


def test_lots_list_by_status(client, batumi, rustavi, batumi_officer, rustavi_officer):
    mine = make_lot(batumi, created_by=batumi_officer, status=LotStatus.DRAFT)
    theirs = make_lot(rustavi, created_by=rustavi_officer)
    client.force_login(batumi_officer)
    page = client.get("/en/estate/staff/lots/?status=draft").content.decode()
    assert mine.reference in page and theirs.reference not in page


def test_rustavi_officer_gets_404_on_batumi_s_lot(client, batumi, batumi_officer, rustavi_officer):
    lot = make_lot(batumi, created_by=batumi_officer, status=LotStatus.DRAFT)
    client.force_login(rustavi_officer)
    assert client.get(f"/en/estate/staff/lots/{lot.reference}/").status_code == 404
    assert client.get(f"/en/estate/staff/lots/{lot.reference}/edit/").status_code == 404
    cancel = client.post(f"/en/estate/staff/lots/{lot.reference}/", {"action": "cancel"})
    assert cancel.status_code == 404
    lot.refresh_from_db()
    assert lot.status == LotStatus.DRAFT


def test_citizen_gets_404_on_a_lot_s_staff_page(client, batumi, batumi_officer, citizen):
    lot = make_lot(batumi, created_by=batumi_officer)
    client.force_login(citizen)
    assert client.get(f"/en/estate/staff/lots/{lot.reference}/").status_code == 404
    assert client.get(f"/en/estate/staff/lots/{lot.reference}/edit/").status_code == 404


def test_saving_the_same_terms_keeps_the_bids(client, batumi, batumi_officer):
    lot = make_lot(batumi, created_by=batumi_officer)
    bidder = register_bidder(lot)
    Bid.objects.create(
        municipality=batumi,
        lot=lot,
        registration=bidder,
        amount=Decimal("1000.00"),
        sequence=1,
        placed_at=timezone.now(),
    )
    client.force_login(batumi_officer)
    form = client.get(f"/en/estate/staff/lots/{lot.reference}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for name in ("starts_at", "ends_at"):
        data[name] = timezone.localtime(getattr(lot, name)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(f"/en/estate/staff/lots/{lot.reference}/edit/", data)
    assert answer.status_code == 302
    assert Bid.objects.get().cancelled_at is None
