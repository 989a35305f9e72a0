"""50 bidders bidding at the same moment, each through a connection of its own: the lot's row
lock gives one consistent price path, the highest valid bid wins, and every accepted bid is a
committed row (read afterwards through another connection). Then two workers close the lot at
the same moment, and it is closed once."""

import datetime
import random
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from engagement.models import Notification
from estate.auctions import AuctionError, bid_place, lot_close
from estate.models import Bid, Lot, LotStatus
from tests.estate.auction_factories import make_lot, move_clock, property_officer, register_bidder

BIDDERS = 50
ROUNDS = 3


def check_price_path(lot: Lot) -> list[Bid]:
    bids = list(Bid.objects.filter(lot=lot).order_by("sequence"))
    assert [b.sequence for b in bids] == list(range(1, len(bids) + 1))
    assert bids[0].amount >= lot.start_price
    for before, after in zip(bids, bids[1:], strict=False):
        assert after.amount >= before.amount + lot.bid_step
        assert after.placed_at > before.placed_at
        assert after.registration_id != before.registration_id
    lot.refresh_from_db()
    assert lot.leading_bid_id == bids[-1].pk
    assert lot.current_price == bids[-1].amount == max(b.amount for b in bids)
    assert lot.bid_count == len(bids)
    return bids


@pytest.fixture
def no_jobs_left():
    """The flush after a transactional test leaves procrastinate's table: empty it of the jobs
    this test queued (the outbid, close and notification jobs)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM procrastinate_jobs")
        before = cursor.fetchone()[0]
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE id > %s", [before])


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_jobs_left")
def test_fifty_parallel_bidders_make_one_consistent_price_path(batumi):
    lot = make_lot(batumi, created_by=property_officer(batumi))
    registrations = [register_bidder(lot) for _ in range(BIDDERS)]
    # Distinct amounts a step apart, in a shuffled order: each bidder's first bid.
    amounts = [lot.start_price + lot.bid_step * i for i in range(BIDDERS)]
    random.Random(13).shuffle(amounts)
    barrier = threading.Barrier(BIDDERS)
    accepted: list[Decimal] = []
    refused: dict[str, int] = {}
    failures: list[BaseException] = []
    guard = threading.Lock()

    def bidder(registration, amount):
        try:
            barrier.wait()
            for round_ in range(ROUNDS):
                try:
                    placed = bid_place(
                        lot_id=lot.pk, user=registration.user, amount=amount, key=uuid.uuid4()
                    )
                except AuctionError as error:
                    with guard:
                        refused[error.code] = refused.get(error.code, 0) + 1
                    if error.code == "below_minimum":
                        # Bid again at the minimum the refusal names, plus a random few steps.
                        amount = Decimal(error.extra["minimum_bid"]) + lot.bid_step * (round_ % 2)
                    continue
                with guard:
                    accepted.append(placed.amount)
                amount = placed.amount + lot.bid_step * 5
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failures.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=bidder, args=(registration, amount))
        for registration, amount in zip(registrations, amounts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert set(refused) <= {"below_minimum", "already_leading"}
    bids = check_price_path(lot)
    assert sorted(b.amount for b in bids) == sorted(accepted)
    assert Bid.objects.filter(lot=lot, pk=lot.leading_bid_id).count() == 1

    move_clock(lot, closes_in=-datetime.timedelta(seconds=1))
    closes = []
    start = threading.Barrier(2)

    def closer():
        try:
            start.wait()
            closes.append(lot_close(lot_id=lot.pk))
        finally:
            connection.close()

    workers = [threading.Thread(target=closer) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(c is None for c in closes) == [False, True]
    lot.refresh_from_db()
    assert lot.status == LotStatus.AWARDED and lot.final_price == bids[-1].amount
    winners = Notification.objects.filter(kind="estate_won")
    assert list(winners.values_list("recipient", flat=True)) == [bids[-1].registration.user_id]
    assert Notification.objects.filter(kind="estate_lost").count() == BIDDERS - 1
