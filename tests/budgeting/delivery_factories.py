"""A finished cycle of Rustavi with a district budget, two winners, a feasible project that
lost and a submitted one, a cycle being drafted, and budget officers of Rustavi and Batumi."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from budgeting.models import (
    PHASE_ORDER,
    Budget,
    Cycle,
    CyclePhase,
    DeliveryStatus,
    Milestone,
    Phase,
    Proposal,
    ProposalStatus,
)
from core.models import District, Role
from tests.conftest import RUSTAVI_ORIGIN, multi, square
from tests.core.factories import MembershipFactory, UserFactory

DAY = datetime.timedelta(days=1)


def chain(municipality, cycle: Cycle, *, current: str | None) -> None:
    """Chained weekly phases, `current` holding now (None: all over, the cycle finished)."""
    kinds = [k for k in PHASE_ORDER if k != Phase.FINISHED]
    now = timezone.now()
    if current is None:
        start = now - DAY * 7 * len(kinds) - DAY
    else:
        start = now - DAY * 7 * kinds.index(current) - DAY
    for kind in kinds:
        CyclePhase.objects.create(
            municipality=municipality,
            cycle=cycle,
            kind=kind,
            starts_at=start,
            ends_at=start + 7 * DAY,
        )
        start += 7 * DAY


def project(municipality, cycle, budget, number: int, **fields) -> Proposal:
    x, y = RUSTAVI_ORIGIN
    values = {
        "title": f"პროექტი {number}",
        "description": "აღწერა",
        "category": "green",
        "estimated_cost": 50_000,
        "status": ProposalStatus.FEASIBLE,
        "cost": 60_000,
    }
    values.update(fields)
    return Proposal.objects.create(
        municipality=municipality,
        cycle=cycle,
        budget=budget,
        reference=f"PB-{municipality.code}-{cycle.slug}-{number:04d}",
        location=Point(x + 300 + 50 * number, y + 400, srid=32638),
        **values,
    )


@pytest.fixture
def world(rustavi, batumi):
    x, y = RUSTAVI_ORIGIN
    district = District.objects.create(
        municipality=rustavi,
        code="old-rustavi",
        name_ka="ძველი რუსთავი",
        name_en="Old Rustavi",
        boundary=multi(square(x, y, 2000)),
        population=30_000,
    )
    cycle = Cycle.objects.create(
        municipality=rustavi, slug="2026", name_ka="რუსთავი 2026", name_en="Rustavi 2026"
    )
    chain(rustavi, cycle, current=None)
    budget = Budget.objects.create(
        municipality=rustavi,
        cycle=cycle,
        district=district,
        name_ka="ძველი რუსთავი",
        name_en="Old Rustavi",
        amount=500_000,
        population=30_000,
    )
    area = Polygon.from_bbox((x + 300, y + 300, x + 380, y + 360))
    park = project(
        rustavi,
        cycle,
        budget,
        1,
        title="სკვერის კეთილმოწყობა",
        winner=True,
        delivery_status=DeliveryStatus.IN_PROGRESS,
        progress=40,
        area=MultiPolygon(area, srid=32638),
    )
    playground = project(rustavi, cycle, budget, 2, title="სათამაშო მოედანი", winner=True)
    lost = project(rustavi, cycle, budget, 3, title="ველობილიკი")
    submitted = project(
        rustavi, cycle, budget, 4, title="განათება", status=ProposalStatus.SUBMITTED, cost=None
    )
    Milestone.objects.create(
        municipality=rustavi,
        proposal=park,
        title_ka="ტენდერი",
        title_en="Tender",
        due_on=datetime.date(2026, 5, 1),
        done_on=datetime.date(2026, 5, 3),
    )
    Milestone.objects.create(
        municipality=rustavi,
        proposal=park,
        title_ka="ჩაბარება",
        title_en="Handover",
        due_on=datetime.date(2027, 6, 1),
    )
    draft = Cycle.objects.create(municipality=rustavi, slug="2028", name_ka="რუსთავი 2028")
    chain(rustavi, draft, current=Phase.DRAFTING)
    return {
        "rustavi": rustavi,
        "batumi": batumi,
        "district": district,
        "cycle": cycle,
        "draft": draft,
        "budget": budget,
        "park": park,
        "playground": playground,
        "lost": lost,
        "submitted": submitted,
    }


@pytest.fixture
def officer(rustavi):
    return MembershipFactory(municipality=rustavi, role=Role.BUDGET_OFFICER).user


@pytest.fixture
def batumi_officer(batumi):
    return MembershipFactory(municipality=batumi, role=Role.BUDGET_OFFICER).user


@pytest.fixture
def resident(db):
    return UserFactory()


def image(name: str = "works.png", kind: str = "PNG", size=(40, 30)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (60, 130, 70)).save(buffer, format=kind)
    types = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=types[kind])
