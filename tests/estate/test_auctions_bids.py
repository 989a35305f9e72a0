"""Bids: the rules a bid is checked against, in their order, the clock's extension at its
boundary, the retry with the same key, and the outbid notification."""

import datetime
import uuid
from decimal import Decimal

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from engagement.models import Notification
from estate import auctions
from estate.auctions import AuctionError, bid_place, extended_close, lot_state, outbid_notify
from estate.models import Bid, Lot, LotStatus
from tests.estate.auction_factories import *  # noqa: F403  (its fixtures)
from tests.estate.auction_factories import make_lot, move_clock, register_bidder, verified_user

pytestmark = pytest.mark.django_db


def bid(registration, amount, key=None):
    return bid_place(
        lot_id=registration.lot_id,
        user=registration.user,
        amount=Decimal(amount),
        key=key or uuid.uuid4(),
    )


def refusal(registration, amount, key=None, *, user=None) -> AuctionError:
    with pytest.raises(AuctionError) as caught:
        bid_place(
            lot_id=registration.lot_id,
            user=user or registration.user,
            amount=Decimal(amount),
            key=key or uuid.uuid4(),
        )
    return caught.value


def test_a_first_bid_at_the_start_price_leads_and_raises_the_version(open_lot, bidder):
    placed = bid(bidder, "1000.00")
    assert placed.created and placed.sequence == 1
    assert placed.lot_minimum_bid == Decimal("1050.00")
    open_lot.refresh_from_db()
    assert open_lot.current_price == Decimal("1000.00")
    assert open_lot.leading_bid_id == placed.pk
    assert open_lot.bid_count == 1
    assert open_lot.version == 1
    stored = Bid.objects.get(pk=placed.pk)
    assert stored.placed_at == placed.placed_at and stored.registration == bidder


def test_a_bid_below_the_start_price_or_the_step_is_refused_with_the_minimum(
    open_lot, bidder, rival
):
    error = refusal(bidder, "999.99")
    assert (error.status, error.code, error.extra) == (
        409,
        "below_minimum",
        {"minimum_bid": "1000.00"},
    )
    bid(bidder, "1000")
    error = refusal(rival, "1049.99")
    assert error.code == "below_minimum" and error.extra == {"minimum_bid": "1050.00"}
    open_lot.refresh_from_db()
    assert (open_lot.current_price, open_lot.bid_count, open_lot.version) == (Decimal("1000"), 1, 1)


def test_a_bid_above_the_step_is_taken_as_it_is(open_lot, bidder, rival):
    bid(bidder, "1000")
    placed = bid(rival, "1234.56")
    assert placed.amount == Decimal("1234.56")
    assert placed.lot_minimum_bid == Decimal("1284.56")


@pytest.mark.parametrize("amount", ["0", "-5", "1000.001", "NaN", "1e15"])
def test_an_amount_that_is_no_sum_in_lari_is_bad_input(bidder, amount):
    error = refusal(bidder, amount)
    assert (error.status, error.code) == (400, "invalid_amount")


def test_the_leader_cannot_outbid_themselves(open_lot, bidder):
    bid(bidder, "1000")
    error = refusal(bidder, "1100")
    assert error.code == "already_leading"
    assert Bid.objects.filter(lot=open_lot).count() == 1


def test_a_bid_after_the_close_is_refused_and_changes_nothing(open_lot, bidder, rival):
    bid(bidder, "1000")
    move_clock(open_lot, closes_in=datetime.timedelta(seconds=-1))
    error = refusal(rival, "2000")
    assert (error.status, error.code) == (409, "closed")
    open_lot.refresh_from_db()
    assert (open_lot.current_price, open_lot.bid_count) == (Decimal("1000"), 1)


def test_a_bid_before_the_start_is_refused(batumi, officer):
    lot = make_lot(
        batumi,
        created_by=officer,
        opened_ago=-datetime.timedelta(hours=1),
    )
    error = refusal(register_bidder(lot), "1000")
    assert error.code == "not_open"


def test_a_bid_on_a_closed_lot_is_refused_as_closed(batumi, officer):
    lot = make_lot(batumi, created_by=officer, status=LotStatus.FAILED)
    assert refusal(register_bidder(lot), "1000").code == "closed"


def test_a_draft_lot_does_not_exist_for_bidders(batumi, officer):
    lot = make_lot(batumi, created_by=officer, status=LotStatus.DRAFT)
    error = refusal(register_bidder(lot), "1000")
    assert (error.status, error.code) == (404, "not_found")


def test_an_unknown_lot_is_not_found(bidder):
    with pytest.raises(AuctionError) as caught:
        bid_place(lot_id=10**9, user=bidder.user, amount=Decimal("1000"), key=uuid.uuid4())
    assert caught.value.status == 404


def test_an_unregistered_person_cannot_bid(open_lot, bidder):
    error = refusal(bidder, "1000", user=verified_user("Giorgi", "Kapanadze"))
    assert error.code == "not_registered"
    assert not Bid.objects.exists()


def test_a_bidder_whose_deposit_is_unpaid_cannot_bid(open_lot):
    unpaid = register_bidder(open_lot, paid=False)
    assert refusal(unpaid, "1000").code == "deposit_unpaid"
    assert not Bid.objects.exists()


def test_the_same_key_again_gives_the_same_bid_even_after_the_price_moved(open_lot, bidder, rival):
    key = uuid.uuid4()
    first = bid(bidder, "1000", key)
    bid(rival, "1100")
    again = bid(bidder, "1000", key)
    assert not again.created
    assert (again.pk, again.sequence, again.amount, again.placed_at) == (
        first.pk,
        first.sequence,
        first.amount,
        first.placed_at,
    )
    assert again.lot_current_price == Decimal("1100")
    open_lot.refresh_from_db()
    assert (open_lot.bid_count, open_lot.version) == (2, 2)
    # The retry answers the same after the close too.
    move_clock(open_lot, closes_in=datetime.timedelta(seconds=-5))
    assert bid(bidder, "1000", key).pk == first.pk


def test_a_key_is_the_bidder_s_own(open_lot, bidder, rival):
    key = uuid.uuid4()
    bid(bidder, "1000", key)
    other = bid(rival, "1050", key)
    assert other.created and other.registration_id == rival.pk


# The clock at its boundary: the rule is a pure function of the end, the bid's time, the
# window and the extension; the database's clock feeds it under the lot's lock.

END = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


def test_a_bid_exactly_the_window_before_the_end_extends_it():
    placed = END - datetime.timedelta(seconds=120)
    assert extended_close(closes_at=END, placed_at=placed, window_s=120, extension_s=300) == (
        placed + datetime.timedelta(seconds=300)
    )


def test_a_bid_a_microsecond_before_the_window_does_not_extend():
    placed = END - datetime.timedelta(seconds=120, microseconds=1)
    assert extended_close(closes_at=END, placed_at=placed, window_s=120, extension_s=300) == END


def test_an_extension_never_moves_the_end_earlier():
    placed = END - datetime.timedelta(seconds=100)
    assert extended_close(closes_at=END, placed_at=placed, window_s=120, extension_s=60) == END


def test_a_late_bid_moves_the_end_to_two_minutes_after_it(open_lot, bidder):
    move_clock(open_lot, closes_in=datetime.timedelta(seconds=30))
    before = Lot.objects.get(pk=open_lot.pk).closes_at
    placed = bid(bidder, "1000")
    open_lot.refresh_from_db()
    assert open_lot.closes_at == placed.placed_at + datetime.timedelta(seconds=120)
    assert open_lot.closes_at > before
    assert placed.lot_closes_at == open_lot.closes_at


def test_a_bid_outside_the_window_leaves_the_end(open_lot, bidder):
    move_clock(open_lot, closes_in=datetime.timedelta(seconds=125))
    before = Lot.objects.get(pk=open_lot.pk).closes_at
    bid(bidder, "1000")
    assert Lot.objects.get(pk=open_lot.pk).closes_at == before


def test_the_state_shows_the_price_path_without_bidders_while_open(open_lot, bidder, rival):
    bid(bidder, "1000")
    bid(rival, "1050")
    open_lot.refresh_from_db()
    state = lot_state(open_lot)
    assert state["current_price"] == "1050.00"
    assert state["minimum_bid"] == "1100.00"
    assert state["bid_count"] == 2
    assert [b["amount"] for b in state["bids"]] == ["1050.00", "1000.00"]
    assert all(set(b) == {"sequence", "amount", "placed_at"} for b in state["bids"])
    assert "winner" not in state
    assert not any("regist" in key or "bidders" in key for key in state)


def test_the_outbid_bidder_is_told_by_one_job_after_the_commit(
    open_lot, bidder, rival, django_capture_on_commit_callbacks
):
    auctions._outbid_queued.clear()
    bid(bidder, "1000")
    with django_capture_on_commit_callbacks(execute=True):
        bid(rival, "1050")
    with django_capture_on_commit_callbacks(execute=True):
        bid(bidder, "1100")
        bid(rival, "1150")
    jobs = ProcrastinateJob.objects.filter(
        task_name="estate.notify_outbid",
        status="todo",
        args__registration_id__in=[bidder.pk, rival.pk],
    )
    # One job per outbid bidder, however often they were outbid.
    assert sorted(j.args["registration_id"] for j in jobs) == sorted([bidder.pk, rival.pk])


def test_an_outbid_bidder_gets_one_notification_in_ten_minutes(open_lot, bidder, rival):
    bid(bidder, "1000")
    bid(rival, "1050")
    outbid_notify(registration_id=bidder.pk)
    outbid_notify(registration_id=bidder.pk)
    sent = Notification.objects.filter(recipient=bidder.user, kind="estate_outbid")
    assert sent.count() == 1
    assert open_lot.reference in sent.get().subject
    # The leader is not told.
    outbid_notify(registration_id=rival.pk)
    assert not Notification.objects.filter(recipient=rival.user).exists()
