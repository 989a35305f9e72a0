"""A Rustavi cycle for the tests of the review and of paper ballots: two districts with their
budgets and the city-wide one, proposals, budget officers of Rustavi and of Batumi, residents
on the voter list, and the phases chained so that a chosen phase is open now."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.utils import timezone

from budgeting import voters
from budgeting.models import (
    PHASE_ORDER,
    Budget,
    Category,
    Cycle,
    CyclePhase,
    Phase,
    Proposal,
    ProposalStatus,
    Voter,
)
from core.models import District, Role
from tests.conftest import RUSTAVI_ORIGIN, multi, square
from tests.core.factories import MembershipFactory, UserFactory

DAY = datetime.timedelta(days=1)
_numbers = itertools.count(1)

# Residents on the voter list: personal number, district code.
WEST_RESIDENT = "01005550001"
WEST_RESIDENT_2 = "01005550002"
EAST_RESIDENT = "01005550003"
NOT_ON_LIST = "01005559999"


def set_phase(cycle: Cycle, current: str | None) -> None:
    """Chain every phase a week long, the `current` one holding now (None: all in the future)."""
    CyclePhase.objects.filter(cycle=cycle).delete()
    now = timezone.now()
    index = PHASE_ORDER.index(current) if current else -1
    start = now - DAY * (7 * index + 1) if current else now + DAY
    for kind in PHASE_ORDER:
        CyclePhase.objects.create(
            municipality_id=cycle.municipality_id,
            cycle=cycle,
            kind=kind,
            starts_at=start,
            ends_at=start + 7 * DAY,
        )
        start += 7 * DAY


def officer_of(municipality, **fields):
    user = UserFactory(**fields)
    MembershipFactory(user=user, municipality=municipality, role=Role.BUDGET_OFFICER)
    return user


def make_proposal(budget: Budget, title: str, *, author=None, dx: float = 0, **fields):
    x, y = RUSTAVI_ORIGIN
    values = {
        "status": ProposalStatus.SUBMITTED,
        "category": Category.GREEN,
        "description": f"{title}: what the neighbours ask for.",
        "estimated_cost": 50_000,
    }
    values.update(fields)
    return Proposal.objects.create(
        municipality=budget.municipality,
        cycle=budget.cycle,
        budget=budget,
        reference=f"PB-RST-T-{next(_numbers):04d}",
        author=author,
        title=title,
        location=Point(x + 300 + dx, y + 300, srid=settings.SRID_STORAGE),
        **values,
    )


@pytest.fixture
def world(rustavi, batumi):
    x, y = RUSTAVI_ORIGIN
    west = District.objects.create(
        municipality=rustavi,
        code="west",
        name_ka="დასავლეთი",
        name_en="West",
        boundary=multi(square(x, y, 2000)),
    )
    east = District.objects.create(
        municipality=rustavi,
        code="east",
        name_ka="აღმოსავლეთი",
        name_en="East",
        boundary=multi(square(x + 2000, y, 2000)),
    )
    cycle = Cycle.objects.create(
        municipality=rustavi,
        slug="pb-2027",
        name_ka="ბიუჯეტი 2027",
        name_en="Budget 2027",
        ballot_kind="approval",
        min_projects=1,
        max_projects=2,
    )
    set_phase(cycle, Phase.REVIEWING)
    west_budget = Budget.objects.create(
        municipality=rustavi,
        cycle=cycle,
        district=west,
        name_ka="დასავლეთის ბიუჯეტი",
        name_en="West budget",
        amount=400_000,
    )
    east_budget = Budget.objects.create(
        municipality=rustavi,
        cycle=cycle,
        district=east,
        name_ka="აღმოსავლეთის ბიუჯეტი",
        name_en="East budget",
        amount=300_000,
    )
    citywide = Budget.objects.create(
        municipality=rustavi, cycle=cycle, name_ka="საქალაქო", name_en="City-wide", amount=900_000
    )
    author = UserFactory(email="author@example.org")
    other_author = UserFactory(email="other@example.org")
    proposals = {
        "park": make_proposal(west_budget, "Pocket park", author=author),
        "park_again": make_proposal(west_budget, "A park by the school", author=other_author),
        "lights": make_proposal(west_budget, "Street lights", dx=200),
        "square": make_proposal(east_budget, "Square", dx=2500),
    }
    for number, district in (
        (WEST_RESIDENT, west),
        (WEST_RESIDENT_2, west),
        (EAST_RESIDENT, east),
    ):
        Voter.objects.create(
            municipality=rustavi,
            cycle=cycle,
            person_key=voters.person_key(number),
            person_masked=voters.mask(number),
            birth_year=1980,
            district=district,
        )
    return {
        "cycle": cycle,
        "west": west_budget,
        "east": east_budget,
        "citywide": citywide,
        "author": author,
        "other_author": other_author,
        "officer": officer_of(rustavi, first_name="Ana", last_name="Kapanadze"),
        "second": officer_of(rustavi, first_name="Levan", last_name="Gelashvili"),
        "third": officer_of(rustavi, first_name="Eka", last_name="Tsereteli"),
        "batumi_officer": officer_of(batumi),
        **proposals,
    }


def make_feasible(proposal: Proposal, cost: int) -> Proposal:
    proposal.status = ProposalStatus.FEASIBLE
    proposal.cost = cost
    proposal.save(update_fields=["status", "cost"])
    return proposal
