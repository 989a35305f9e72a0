"""The demo participatory budgets: Rustavi voting with a voter list and ballots, Batumi finished
with published results, winners and their delivery; every demo ballot obeys the rules; loading
again adds nothing."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from budgeting import cycles
from budgeting.ballots import check_choice
from budgeting.demo import CHECKED_OUT, VOTERS, load_demo_budgeting
from budgeting.models import (
    Ballot,
    BallotStatus,
    Budget,
    Cycle,
    DeliveryStatus,
    Milestone,
    Phase,
    ProgressUpdate,
    Proposal,
    ProposalStatus,
    ResultRun,
    Voter,
)
from budgeting.voters import person_key
from core.models import Membership, Role
from fixtures.demo import load_demo

pytestmark = pytest.mark.django_db

PARCELS = 300


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both cities and their budgets, loaded once for the module and rolled back after it."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        load_demo(parcels_per_city=PARCELS, seed=42)
        yield load_demo_budgeting()
        transaction.set_rollback(True)


def test_rustavi_votes_now_in_every_district_and_citywide(db, demo):
    cycle = Cycle.objects.get(municipality__code="RST", slug="2027")

    assert cycles.current_phase(cycle) == Phase.BALLOTING
    voting = cycles.phase_of(cycle, Phase.BALLOTING)
    assert (voting.ends_at - timezone.now()).days in (9, 10)
    cycles.check_chain(list(cycle.phases.all()))
    budgets = list(cycle.budgets.all())
    districts = [b for b in budgets if b.district_id]
    assert len(districts) == 5 and sum(b.is_citywide for b in budgets) == 1
    assert all(300_000 <= b.amount <= 800_000 for b in districts)
    assert cycle.rules_locked
    for budget in budgets:
        proposals = Proposal.objects.filter(budget=budget)
        assert 8 <= proposals.count() <= 12
        assert proposals.filter(status=ProposalStatus.UNFEASIBLE).exclude(review_reason_en="")
        feasible = proposals.filter(status=ProposalStatus.FEASIBLE, cost__isnull=False)
        assert sum(p.cost for p in feasible) > budget.amount
        if budget.district_id:
            boundary = budget.district.boundary
            assert all(boundary.contains(p.location) for p in proposals)
    assert Proposal.objects.filter(cycle=cycle, status=ProposalStatus.MERGED).count() == 6
    assert Proposal.objects.filter(cycle=cycle, area__isnull=False).exists()


def test_rustavi_voter_list_holds_the_demo_people_unverified(db, demo):
    cycle = Cycle.objects.get(municipality__code="RST")
    voters = Voter.objects.filter(cycle=cycle)

    assert voters.count() == VOTERS["RST"] + 2
    giorgi = voters.get(person_key=person_key("01001012345"))
    assert giorgi.birth_year == 1985 and giorgi.user_id is None
    assert giorgi.person_masked == "01•••••••45"
    assert voters.get(person_key=person_key("01001023456")).birth_year == 1990
    ballots = Ballot.objects.filter(cycle=cycle)
    assert ballots.filter(status=BallotStatus.CHECKED_OUT).count() == 2 * CHECKED_OUT["RST"]
    assert ballots.filter(status=BallotStatus.DRAFT).exists()


def test_every_demo_ballot_obeys_the_rules(db, demo):
    budgets = {b.pk: b for b in Budget.objects.select_related("cycle")}
    projects = {p.pk: p for p in Proposal.objects.all()}
    seen = 0
    for ballot in Ballot.objects.filter(status=BallotStatus.CHECKED_OUT).iterator():
        budget = budgets[ballot.budget_id]
        chosen = [projects[pk] for pk in ballot.projects]
        assert len(set(ballot.projects)) == len(chosen)
        assert all(p.budget_id == budget.pk and p.on_ballot for p in chosen)
        assert ballot.total == sum(p.cost for p in chosen) <= budget.amount
        assert ballot.total * 100 >= budget.amount * budget.cycle.min_share_percent
        assert ballot.voter.district_id in (budget.district_id, ballot.voter.district_id)
        if budget.district_id:
            assert ballot.voter.district_id == budget.district_id
        assert ballot.code and ballot.checked_out_at
        if seen % 10 == 0:  # and as the ballot's own checkout checks it
            _chosen, total = check_choice(budget, ballot.projects)
            assert total == ballot.total
        seen += 1
    assert seen == 2 * (CHECKED_OUT["RST"] + CHECKED_OUT["BTM"])


def test_batumi_is_finished_with_published_results_and_delivery(db, demo):
    cycle = Cycle.objects.get(municipality__code="BTM", slug="2026")

    assert cycles.current_phase(cycle) == Phase.FINISHED
    for budget in cycle.budgets.all():
        run = ResultRun.objects.get(budget=budget)
        assert run.published_at and run.ballots > 0
        winners = set(
            Proposal.objects.filter(budget=budget, winner=True).values_list("reference", flat=True)
        )
        assert winners == set(run.outcome["mes"]["winners"])
        assert sum(Proposal.objects.get(reference=r).cost for r in winners) <= budget.amount
    winners = Proposal.objects.filter(cycle=cycle, winner=True)
    statuses = set(winners.values_list("delivery_status", flat=True))
    assert {DeliveryStatus.NOT_STARTED, DeliveryStatus.DELIVERED} <= statuses
    assert not winners.filter(delivery_status=DeliveryStatus.DELIVERED).exclude(progress=100)
    assert Milestone.objects.filter(proposal__in=winners, done_on__isnull=False).exists()
    delivered = winners.filter(delivery_status=DeliveryStatus.DELIVERED).first()
    history = list(ProgressUpdate.objects.filter(proposal=delivered).order_by("created_at"))
    assert [u.delivery_status for u in history][-1] == DeliveryStatus.DELIVERED
    assert history[0].created_at < history[-1].created_at < timezone.now()
    assert delivered.photos.filter(kind="progress").count() == 1
    assert not Proposal.objects.filter(winner=False).exclude(progress=0)


def test_each_city_has_a_budget_officer(db, demo):
    for city in ("batumi", "rustavi"):
        membership = Membership.objects.get(user__email=f"budget.{city}@demo.gisportal.ge")
        assert membership.role == Role.BUDGET_OFFICER
        assert membership.user.check_password("gisportal-demo")


def test_loading_again_adds_nothing(db, demo):
    before = (Cycle.objects.count(), Proposal.objects.count(), Ballot.objects.count())

    again = load_demo_budgeting()

    assert again.proposals == {}
    assert (Cycle.objects.count(), Proposal.objects.count(), Ballot.objects.count()) == before
