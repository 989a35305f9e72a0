"""50 checkouts by one resident at the same moment, each through a connection of its own, leave
exactly one counted ballot: the unique key of (budget, person) meets them in the database."""

import threading

import pytest
from django.db import connection

from budgeting import ballots
from budgeting.models import Ballot, BallotStatus, Cycle
from tests.budgeting.ballot_factories import NINO, ballot_world, ids, resident

CHECKOUTS = 50


@pytest.fixture
def no_jobs_left():
    """The flush after a transactional test leaves procrastinate's table: empty it of the
    notification jobs this test queued."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM procrastinate_jobs")
        before = cursor.fetchone()[0]
    yield
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE id > %s", [before])


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_jobs_left")
def test_fifty_parallel_checkouts_by_one_resident_leave_one_ballot(batumi):
    world = ballot_world(batumi)
    user = resident("nino@example.ge")
    voter = ballots.voter_verify(
        cycle=world["cycle"], user=user, number=NINO[0], birth_year=NINO[1]
    )
    p = world["projects"]
    choices = [ids(p["park"], p["lights"]), ids(p["lights"], p["playground"], p["bench"])]
    barrier = threading.Barrier(CHECKOUTS)
    done: list[int] = []
    failures: list[BaseException] = []
    guard = threading.Lock()

    def checkout(n: int):
        try:
            budget = (
                world["budget"].__class__.objects.select_related("cycle").get(pk=world["budget"].pk)
            )
            barrier.wait(timeout=60)
            ballot = ballots.ballot_checkout(
                voter=voter, budget=budget, proposal_ids=choices[n % 2], user=user
            )
            with guard:
                done.append(ballot.pk)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(n,)) for n in range(CHECKOUTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert len(done) == CHECKOUTS and len(set(done)) == 1
    ballot = Ballot.objects.get(budget=world["budget"])
    assert ballot.status == BallotStatus.CHECKED_OUT
    assert ballot.projects in choices
    assert ballot.total == sum(
        q.cost for q in world["budget"].proposals.filter(pk__in=ballot.projects)
    )
    assert Ballot.objects.filter(person_key=voter.person_key).count() == 1
    assert Cycle.objects.get(pk=world["cycle"].pk).rules_locked
