"""The close: an award with its deposits, a failed auction and its next attempt, closing once
whatever runs it twice, and the jobs that run it."""

import datetime
import uuid
from decimal import Decimal

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from engagement.models import Notification
from estate.auction_jobs import close_due_lots, close_lot
from estate.auctions import AuctionError, bid_place, lot_close, lot_next_attempt, lot_state
from estate.models import (
    Asset,
    AssetState,
    Deposit,
    DepositStatus,
    Lot,
    LotKind,
    LotStatus,
    RegistrationStatus,
)
from tests.estate.auction_factories import *  # noqa: F403  (its fixtures)
from tests.estate.auction_factories import make_lot, move_clock, register_bidder

pytestmark = pytest.mark.django_db


def bid(registration, amount):
    return bid_place(
        lot_id=registration.lot_id, user=registration.user, amount=Decimal(amount), key=uuid.uuid4()
    )


def end(lot):
    return move_clock(lot, closes_in=-datetime.timedelta(seconds=1))


def kinds(lot):
    return sorted(
        Notification.objects.filter(kind__startswith="estate_").values_list("kind", "recipient")
    )


def test_the_highest_bid_wins_and_the_others_deposits_are_released(open_lot, bidder, rival):
    silent = register_bidder(open_lot)  # paid, never bid
    unpaid = register_bidder(open_lot, paid=False)
    bid(bidder, "1000")
    bid(rival, "1100")
    bid(bidder, "1300")
    end(open_lot)
    closed = lot_close(lot_id=open_lot.pk)
    assert closed.status == LotStatus.AWARDED
    assert closed.winner_id == bidder.pk and closed.final_price == Decimal("1300")
    assert closed.closed_at is not None
    for registration, status in [
        (bidder, RegistrationStatus.RETAINED),
        (rival, RegistrationStatus.RELEASED),
        (silent, RegistrationStatus.RELEASED),
        (unpaid, RegistrationStatus.REGISTERED),
    ]:
        registration.refresh_from_db()
        assert registration.status == status
    deposits = dict(Deposit.objects.values_list("registration_id", "status"))
    assert deposits == {
        bidder.pk: DepositStatus.PAID,
        rival.pk: DepositStatus.RELEASED,
        silent.pk: DepositStatus.RELEASED,
    }
    assert set(Asset.objects.values_list("state", flat=True)) == {AssetState.LEASED}
    assert kinds(open_lot) == sorted(
        [
            ("estate_won", bidder.user_id),
            ("estate_lost", rival.user_id),
            ("estate_lost", silent.user_id),
        ]
    )
    state = lot_state(closed)
    assert state["winner"] == bidder.alias and state["final_price"] == "1300.00"
    assert [b["alias"] for b in state["bids"]] == [bidder.alias, rival.alias, bidder.alias]


def test_closing_twice_awards_once_and_tells_once(open_lot, bidder, rival):
    bid(bidder, "1000")
    bid(rival, "1050")
    end(open_lot)
    assert lot_close(lot_id=open_lot.pk) is not None
    version = Lot.objects.get(pk=open_lot.pk).version
    told = kinds(open_lot)
    assert lot_close(lot_id=open_lot.pk) is None
    close_lot(lot_id=open_lot.pk)
    close_due_lots(timestamp=0)
    assert Lot.objects.get(pk=open_lot.pk).version == version
    assert kinds(open_lot) == told
    assert len(told) == 2


def test_a_lot_is_not_closed_before_its_end(open_lot, bidder):
    bid(bidder, "1000")
    assert lot_close(lot_id=open_lot.pk) is None
    assert Lot.objects.get(pk=open_lot.pk).status == LotStatus.PUBLISHED


def test_a_sale_sells_its_assets(batumi, officer):
    lot = make_lot(batumi, created_by=officer, kind=LotKind.SALE, min_bidders=1)
    bid(register_bidder(lot), "1000")
    end(lot)
    lot_close(lot_id=lot.pk)
    assert set(Asset.objects.values_list("state", flat=True)) == {AssetState.SOLD}


def test_too_few_bidders_fail_the_auction_and_open_a_cheaper_second_attempt(
    open_lot, bidder, rival
):
    bid(bidder, "1000")
    end(open_lot)
    failed = lot_close(lot_id=open_lot.pk)
    assert failed.status == LotStatus.FAILED and failed.winner_id is None
    for registration in (bidder, rival):
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.RELEASED
    assert set(Deposit.objects.values_list("status", flat=True)) == {DepositStatus.RELEASED}
    assert kinds(open_lot) == sorted(
        [("estate_failed", bidder.user_id), ("estate_failed", rival.user_id)]
    )
    second = Lot.objects.get(previous=open_lot)
    assert second.status == LotStatus.DRAFT and second.attempt == 2
    assert second.start_price == Decimal("800.00")
    assert second.reference == f"{open_lot.reference}-2"
    assert list(second.assets.all()) == list(open_lot.assets.all())
    assert second.ends_at > second.starts_at
    assert set(Asset.objects.values_list("state", flat=True)) == {AssetState.LISTED}


def test_after_the_third_failed_attempt_the_assets_are_available_again(batumi, officer):
    first = make_lot(batumi, created_by=officer, status=LotStatus.FAILED)
    second = make_lot(
        batumi,
        created_by=officer,
        status=LotStatus.FAILED,
        attempt=2,
        previous=first,
        assets=list(first.assets.all()),
    )
    third = make_lot(
        batumi, created_by=officer, attempt=3, previous=second, assets=list(first.assets.all())
    )
    end(third)
    assert lot_close(lot_id=third.pk).status == LotStatus.FAILED
    assert not Lot.objects.filter(previous=third).exists()
    assert set(Asset.objects.values_list("state", flat=True)) == {AssetState.AVAILABLE}


def test_an_officer_names_a_lower_price_for_the_next_attempt(batumi, officer):
    lot = make_lot(batumi, created_by=officer, status=LotStatus.FAILED)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        lot_next_attempt(lot=lot, by=officer, start_price=Decimal("1000"))
    following = lot_next_attempt(lot=lot, by=officer, start_price=Decimal("700"))
    assert (following.start_price, following.attempt, following.previous) == (
        Decimal("700.00"),
        2,
        lot,
    )
    with pytest.raises(AuctionError) as caught:
        lot_next_attempt(lot=lot, by=officer)
    assert caught.value.code == "has_next_attempt"


def test_only_a_failed_lot_gets_a_next_attempt(open_lot, officer):
    with pytest.raises(AuctionError) as caught:
        lot_next_attempt(lot=open_lot, by=officer)
    assert caught.value.code == "not_failed"


def test_the_close_job_that_wakes_before_a_moved_end_waits_for_it(open_lot, bidder):
    bid(bidder, "1000")
    close_lot(lot_id=open_lot.pk)
    assert Lot.objects.get(pk=open_lot.pk).status == LotStatus.PUBLISHED
    waiting = ProcrastinateJob.objects.get(
        task_name="estate.close_lot", status="todo", args__lot_id=open_lot.pk
    )
    assert waiting.scheduled_at == open_lot.closes_at
    assert waiting.queueing_lock == f"estate_close_lot_{open_lot.pk}"


def test_the_minute_s_sweep_closes_every_lot_past_its_end(batumi, officer, open_lot, bidder):
    other = make_lot(batumi, created_by=officer)
    bid(bidder, "1000")
    end(open_lot)
    end(other)
    close_due_lots(timestamp=0)
    assert set(Lot.objects.filter(previous__isnull=True).values_list("status", flat=True)) == {
        LotStatus.FAILED
    }
