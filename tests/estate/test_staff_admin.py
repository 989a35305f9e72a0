"""The estate's admin: each municipality's property officers see their own register and lots;
what the auction engine keeps is read-only, and bidders are not named while a lot is open."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from estate.models import AssetState, Bid, LotStatus
from tests.estate.auction_factories import make_asset, make_lot, register_bidder
from tests.estate.staff_factories import *  # noqa: F403  (its fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


def test_officer_sees_and_changes_only_their_municipality_s_assets(
    client, batumi, rustavi, batumi_officer
):
    mine, theirs = make_asset(batumi), make_asset(rustavi)
    client.force_login(batumi_officer)
    listing = client.get("/en/admin/estate/asset/").content.decode()
    assert mine.reference in listing and theirs.reference not in listing
    assert client.get(f"/en/admin/estate/asset/{theirs.pk}/change/").status_code == 404
    assert client.get("/en/admin/estate/asset/add/").status_code == 403

    data = {
        "name_ka": mine.name_ka,
        "name_en": "Renamed in the admin",
        "address_ka": "",
        "address_en": "",
        "ownership_basis": "registration",
        "ownership_document": "Extract 1/2025",
        "current_use_ka": "",
        "current_use_en": "",
        "state": "sold",
    }
    refused = client.post(f"/en/admin/estate/asset/{mine.pk}/change/", data)
    assert refused.status_code == 200  # the form again, with why
    assert "set by the auctions and contracts" in refused.content.decode()
    saved = client.post(f"/en/admin/estate/asset/{mine.pk}/change/", {**data, "state": "in_use"})
    assert saved.status_code == 302
    mine.refresh_from_db()
    assert (mine.name_en, mine.state) == ("Renamed in the admin", AssetState.IN_USE)


def test_engine_rows_are_read_only_and_bidders_unnamed_while_open(client, batumi, batumi_officer):
    lot = make_lot(batumi, created_by=batumi_officer)
    registration = register_bidder(lot)
    bid = Bid.objects.create(
        municipality=batumi,
        lot=lot,
        registration=registration,
        amount=Decimal("1000.00"),
        sequence=1,
        placed_at=timezone.now(),
    )
    client.force_login(batumi_officer)
    assert client.get("/en/admin/estate/bid/add/").status_code == 403
    assert client.get(f"/en/admin/estate/bid/{bid.pk}/delete/").status_code == 403
    bid_page = client.get(f"/en/admin/estate/bid/{bid.pk}/change/").content.decode()
    assert registration.legal_name not in bid_page
    assert client.post(f"/en/admin/estate/bid/{bid.pk}/change/", {"amount": "1"}).status_code == 403
    listing = client.get("/en/admin/estate/bidderregistration/").content.decode()
    assert registration.legal_name not in listing
    lot_page = client.get(f"/en/admin/estate/lot/{lot.pk}/change/").content.decode()
    assert 'name="start_price"' not in lot_page  # an open lot: its terms change on the lot's page

    lot.status = LotStatus.AWARDED
    lot.save(update_fields=["status"])
    assert (
        registration.legal_name
        in client.get("/en/admin/estate/bidderregistration/").content.decode()
    )


def test_a_draft_s_terms_are_corrected_in_the_admin(client, batumi, batumi_officer):
    lot = make_lot(batumi, created_by=batumi_officer, status=LotStatus.DRAFT)
    client.force_login(batumi_officer)
    page = client.get(f"/en/admin/estate/lot/{lot.pk}/change/")
    assert page.status_code == 200
    assert 'name="current_price"' not in page.content.decode()
    assert 'name="start_price"' in page.content.decode()
