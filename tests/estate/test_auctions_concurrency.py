"""50 bidders bidding at the same moment, each through a connection of its own: the lot's row
lock gives one consistent price path, and the highest valid bid wins."""

import random
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from estate.auctions import AuctionError, bid_place
from estate.models import Bid, Lot
from tests.estate.auction_factories import make_lot, property_officer, register_bidder

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
    """The flush after a transactional test leaves procrastinate's table: empty it of ours."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name LIKE 'estate.%%'")


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
