"""Publishing a lot and editing its terms: the close job, the assets' states, the cut-off,
and an edit that cancels the standing bids."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from engagement.models import Notification
from estate.auctions import AuctionError, bid_place, lot_publish, lot_update_terms
from estate.models import Asset, AssetState, Bid, Lot, LotStatus
from tests.estate.auction_factories import *  # noqa: F403  (its fixtures)
from tests.estate.auction_factories import (
    make_asset,
    make_lot,
    move_clock,
    register_bidder,
    verified_user,
)

pytestmark = pytest.mark.django_db


def draft(batumi, officer, *, days=10, **fields):
    now = timezone.now()
    return make_lot(
        batumi,
        created_by=officer,
        status=LotStatus.DRAFT,
        starts_at=now + datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=days, hours=1),
        closes_at=now + datetime.timedelta(days=days, hours=1),
        **fields,
    )


def test_publishing_opens_the_lot_puts_its_assets_in_auction_and_schedules_the_close(
    batumi, officer
):
    lot = draft(batumi, officer)
    published = lot_publish(lot=lot, by=officer)
    assert published.status == LotStatus.PUBLISHED and published.published_at
    assert published.closes_at == published.ends_at
    assert published.version == 1
    assert set(Asset.objects.values_list("state", flat=True)) == {AssetState.IN_AUCTION}
    job = ProcrastinateJob.objects.get(task_name="estate.close_lot", args__lot_id=lot.pk)
    assert job.scheduled_at == published.closes_at and job.args == {"lot_id": lot.pk}


def test_bidding_must_stay_open_for_the_minimum_days(batumi, officer, settings):
    lot = draft(batumi, officer, days=3)
    with pytest.raises(AuctionError) as caught:
        lot_publish(lot=lot, by=officer)
    assert caught.value.code == "too_short"
    settings.ESTATE_MIN_BIDDING_DAYS = 2
    assert lot_publish(lot=lot, by=officer).status == LotStatus.PUBLISHED


def test_a_lot_of_an_asset_already_leased_cannot_be_published(batumi, officer):
    lot = draft(batumi, officer, assets=[make_asset(batumi, state=AssetState.LEASED)])
    with pytest.raises(AuctionError) as caught:
        lot_publish(lot=lot, by=officer)
    assert caught.value.code == "assets_unavailable"
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.DRAFT


def test_a_lot_without_assets_cannot_be_published(batumi, officer):
    lot = draft(batumi, officer, assets=[])
    with pytest.raises(AuctionError) as caught:
        lot_publish(lot=lot, by=officer)
    assert caught.value.code == "no_assets"


def test_only_the_municipality_s_property_officer_publishes(batumi, rustavi, officer):
    from tests.estate.auction_factories import property_officer

    lot = draft(batumi, officer)
    for someone in (verified_user(), property_officer(rustavi)):
        with pytest.raises(AuctionError) as caught:
            lot_publish(lot=lot, by=someone)
        assert caught.value.status == 404
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.DRAFT


def test_a_draft_s_terms_change_freely(batumi, officer):
    lot = draft(batumi, officer)
    changed = lot_update_terms(lot=lot, by=officer, start_price=Decimal("2000"), bid_step=100)
    assert (changed.start_price, changed.bid_step, changed.version) == (2000, 100, 0)


def test_an_edit_before_the_cut_off_cancels_the_bids_and_tells_their_bidders(
    open_lot, officer, bidder, rival
):
    for registration, amount in ((bidder, "1000"), (rival, "1050")):
        bid_place(
            lot_id=open_lot.pk,
            user=registration.user,
            amount=Decimal(amount),
            key=uuid.uuid4(),
        )
    silent = register_bidder(open_lot)
    version = Lot.objects.get(pk=open_lot.pk).version
    changed = lot_update_terms(
        lot=open_lot, by=officer, start_price=Decimal("900"), deposit_amount=Decimal("50")
    )
    assert changed.current_price is None and changed.leading_bid_id is None
    assert changed.bid_count == 0 and changed.version == version + 1
    assert changed.deposit == Decimal("50.00") and changed.deposit_percent is None
    assert not Bid.objects.filter(cancelled_at__isnull=True).exists()
    assert Bid.objects.count() == 2
    told = set(
        Notification.objects.filter(kind="estate_terms_changed").values_list("recipient", flat=True)
    )
    assert told == {bidder.user_id, rival.user_id}
    assert silent.user_id not in told
    # Bidding starts again from the new start price, and the numbers go on.
    again = bid_place(lot_id=open_lot.pk, user=bidder.user, amount=Decimal("900"), key=uuid.uuid4())
    assert again.sequence == 3


def test_an_edit_after_the_cut_off_is_refused_and_changes_nothing(open_lot, officer, bidder):
    bid_place(lot_id=open_lot.pk, user=bidder.user, amount=Decimal("1000"), key=uuid.uuid4())
    move_clock(open_lot, closes_in=datetime.timedelta(hours=119))  # the cut-off is 120 hours
    before = Lot.objects.filter(pk=open_lot.pk).values().get()
    with pytest.raises(AuctionError) as caught:
        lot_update_terms(lot=open_lot, by=officer, start_price=Decimal("500"))
    assert (caught.value.status, caught.value.code) == (409, "terms_frozen")
    assert Lot.objects.filter(pk=open_lot.pk).values().get() == before
    assert not Bid.objects.filter(cancelled_at__isnull=False).exists()
    assert not Notification.objects.filter(kind="estate_terms_changed").exists()


def test_a_new_end_moves_the_waiting_close_job(batumi, officer):
    lot = lot_publish(lot=draft(batumi, officer), by=officer)
    new_end = lot.ends_at + datetime.timedelta(days=2)
    lot_update_terms(lot=lot, by=officer, ends_at=new_end)
    job = ProcrastinateJob.objects.get(
        task_name="estate.close_lot", status="todo", args__lot_id=lot.pk
    )
    assert job.scheduled_at == new_end == Lot.objects.get(pk=lot.pk).closes_at


def test_a_term_out_of_range_is_a_validation_error(batumi, officer):
    lot = draft(batumi, officer)
    with pytest.raises(ValidationError) as caught:
        lot_update_terms(lot=lot, by=officer, bid_step=Decimal("0"))
    assert "bid_step" in caught.value.message_dict
