"""A small cycle in the voting phase, drawn by hand for the ballot tests: Batumi's Old Town and
a second district, each with a budget, a city-wide budget, projects on the ballot and off it,
and residents on the voter list."""

from __future__ import annotations

import datetime
import itertools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.utils import timezone

from budgeting import voters
from budgeting.models import (
    Budget,
    Category,
    Cycle,
    CyclePhase,
    Phase,
    Proposal,
    ProposalStatus,
    Voter,
)
from core.models import District
from tests.conftest import BATUMI_ORIGIN, multi, square

_references = itertools.count(1)

# Personal numbers of the residents on the list (11 digits), with their year of birth.
NINO = ("01001012345", 1985)
GIORGI = ("01001098765", 1972)
TAMAR = ("01001055555", 1990)  # lives in the second district


def resident(email: str, *, verified: bool = True, password: str = "secret-pass-1"):
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user(
        username=email, email=email, password=password, first_name="Nino", last_name="Beridze"
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_proposal(budget: Budget, title: str, cost: int | None, *, dx: float = 100, **fields):
    x, y = BATUMI_ORIGIN
    defaults = {
        "status": ProposalStatus.FEASIBLE,
        "category": Category.GREEN,
        "description": f"{title}: a project for the ballot.",
    }
    defaults.update(fields)
    return Proposal.objects.create(
        municipality=budget.municipality,
        cycle=budget.cycle,
        budget=budget,
        reference=f"PB-T-{next(_references):04d}",
        title=title,
        location=Point(x + dx, y + 300, srid=settings.SRID_STORAGE),
        estimated_cost=cost or 1000,
        cost=cost,
        **defaults,
    )


def open_phase(cycle: Cycle, *, starts: datetime.datetime, ends: datetime.datetime):
    CyclePhase.objects.update_or_create(
        cycle=cycle,
        kind=Phase.BALLOTING,
        defaults={"municipality": cycle.municipality, "starts_at": starts, "ends_at": ends},
    )


def ballot_world(batumi, **rules) -> dict:
    """The cycle (voting open from yesterday for two more days), its budgets and projects."""
    x, y = BATUMI_ORIGIN
    old_town = District.objects.get(municipality=batumi, code="old-town")
    seaside = District.objects.create(
        municipality=batumi,
        code="seaside",
        name_ka="ზღვისპირა",
        name_en="Seaside",
        boundary=multi(square(x + 2000, y, 2000)),
    )
    cycle = Cycle.objects.create(
        municipality=batumi, slug="pb-2027", name_ka="ბიუჯეტი 2027", name_en="Budget 2027", **rules
    )
    now = timezone.now()
    open_phase(
        cycle, starts=now - datetime.timedelta(days=1), ends=now + datetime.timedelta(days=2)
    )
    district = Budget.objects.create(
        municipality=batumi,
        cycle=cycle,
        district=old_town,
        name_ka="ძველი ქალაქის ბიუჯეტი",
        name_en="Old Town budget",
        amount=400_000,
    )
    other = Budget.objects.create(
        municipality=batumi,
        cycle=cycle,
        district=seaside,
        name_ka="ზღვისპირას ბიუჯეტი",
        name_en="Seaside budget",
        amount=300_000,
    )
    citywide = Budget.objects.create(
        municipality=batumi, cycle=cycle, name_ka="საქალაქო", name_en="City-wide", amount=1_000_000
    )
    projects = {
        "park": make_proposal(district, "Pocket park", 150_000, dx=100),
        "lights": make_proposal(
            district, "Street lights", 200_000, dx=400, category=Category.STREETS
        ),
        "playground": make_proposal(
            district, "Playground", 112_000, dx=700, category=Category.SPORT
        ),
        "bench": make_proposal(district, "Benches", 30_000, dx=1000),
        "unfeasible": make_proposal(
            district, "Cable car", 900_000, dx=1300, status=ProposalStatus.UNFEASIBLE
        ),
        "unpriced": make_proposal(district, "Fountain", None, dx=1500),
        "seaside": make_proposal(other, "Seaside path", 100_000, dx=2500),
        "citywide": make_proposal(citywide, "Bike lanes", 600_000, dx=1800),
    }
    people = {
        "nino": add_voter(cycle, *NINO, old_town),
        "giorgi": add_voter(cycle, *GIORGI, old_town),
        "tamar": add_voter(cycle, *TAMAR, seaside),
    }
    return {
        "cycle": cycle,
        "budget": district,
        "other": other,
        "citywide": citywide,
        "projects": projects,
        "voters": people,
        "old_town": old_town,
        "seaside": seaside,
    }


def add_voter(cycle: Cycle, number: str, birth_year: int, district: District, user=None) -> Voter:
    return Voter.objects.create(
        municipality=cycle.municipality,
        cycle=cycle,
        person_key=voters.person_key(number),
        person_masked=voters.mask(number),
        birth_year=birth_year,
        district=district,
        user=user,
        verified_at=timezone.now() if user else None,
    )


def ids(*proposals) -> list[int]:
    return [p.pk for p in proposals]
