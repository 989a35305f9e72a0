"""Rustavi's participatory budget and citizen B's part in it, for the isolation matrix.

A cycle in its voting phase with a district budget and the city-wide one; B's proposal, B's
place on the voter list and B's checked-out ballot; a feasible project and a winner with its
delivery; a paper ballot entry, a voter list upload, and results computed but not published,
with an override. Rows that jobs or services write under locks are made directly.
"""

from __future__ import annotations

import datetime

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.utils import timezone

from budgeting.models import (
    PHASE_ORDER,
    Ballot,
    BallotStatus,
    Budget,
    Cycle,
    CyclePhase,
    Milestone,
    Override,
    PaperEntry,
    Phase,
    Photo,
    ProgressUpdate,
    Proposal,
    ProposalStatus,
    ResultRun,
    RunStatus,
    Support,
    Voter,
    VoterListUpload,
)
from budgeting.voters import mask, person_key
from core.models import District
from tests.conftest import RUSTAVI_ORIGIN, multi, square

# B's personal number on the voter list: only its masked form is ever shown.
OWNER_NUMBER = "01009998877"
# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _phases(rustavi, cycle) -> None:
    """Chained phases with the voting open now."""
    now = timezone.now()
    voting = PHASE_ORDER.index(Phase.BALLOTING)
    start = now - datetime.timedelta(days=7 * voting + 1)
    for kind in PHASE_ORDER:
        end = start + datetime.timedelta(days=7)
        if kind == Phase.BALLOTING:
            end = now + datetime.timedelta(days=5)
        CyclePhase.objects.create(
            municipality=rustavi, cycle=cycle, kind=kind, starts_at=start, ends_at=end
        )
        start = end


def _proposal(rustavi, cycle, budget, number: int, author, title: str, **fields) -> Proposal:
    x, y = RUSTAVI_ORIGIN
    return Proposal.objects.create(
        municipality=rustavi,
        cycle=cycle,
        budget=budget,
        reference=f"PB-RST-2027-9{number:03d}",
        author=author,
        title=title,
        description=title,
        category="green",
        location=Point(x + 500 + number * 40, y + 500, srid=32638),
        estimated_cost=50_000,
        **fields,
    )


def build_budgeting(markers, mark, rustavi, owner, officer) -> dict[str, object]:
    x, y = RUSTAVI_ORIGIN
    district = District.objects.create(
        municipality=rustavi,
        code="zq-district",
        name_ka="უბანი",
        name_en="District",
        boundary=multi(square(x, y, 2000)),
        population=20_000,
    )
    cycle = Cycle.objects.create(municipality=rustavi, slug="zq2027", name_ka="ციკლი")
    _phases(rustavi, cycle)
    budget = Budget.objects.create(
        municipality=rustavi, cycle=cycle, district=district, name_ka="უბანი", amount=400_000
    )
    citywide = Budget.objects.create(
        municipality=rustavi, cycle=cycle, name_ka="ქალაქი", amount=1_000_000
    )
    # B's own proposal, submitted: public as every proposal is, so no marker is in it.
    own = _proposal(rustavi, cycle, budget, 1, owner, "Square")
    feasible = _proposal(
        rustavi, cycle, budget, 2, None, "Park", status=ProposalStatus.FEASIBLE, cost=120_000
    )
    winner = _proposal(
        rustavi,
        cycle,
        budget,
        3,
        None,
        "Playground",
        status=ProposalStatus.FEASIBLE,
        cost=90_000,
        winner=True,
        progress=40,
        delivery_status="in_progress",
    )
    photo = Photo(municipality=rustavi, proposal=own, uploaded_by=owner, caption="Square")
    photo.image.save("square.png", ContentFile(PNG), save=True)
    support = Support.objects.create(municipality=rustavi, proposal=feasible, user=owner)
    milestone = Milestone.objects.create(
        municipality=rustavi, proposal=winner, title_ka="პროექტი", title_en="Design"
    )
    update = ProgressUpdate.objects.create(
        municipality=rustavi,
        proposal=winner,
        delivery_status="in_progress",
        progress=40,
        note_ka="მიმდინარეობს",
        by=officer,
    )
    voter = Voter.objects.create(
        municipality=rustavi,
        cycle=cycle,
        person_key=person_key(OWNER_NUMBER),
        person_masked=mask(OWNER_NUMBER),
        birth_year=1980,
        district=district,
        user=owner,
        verified_at=timezone.now(),
    )
    ballot = Ballot.objects.create(
        municipality=rustavi,
        cycle=cycle,
        budget=budget,
        person_key=voter.person_key,
        voter=voter,
        user=owner,
        status=BallotStatus.CHECKED_OUT,
        projects=[feasible.pk, winner.pk],
        total=210_000,
        code=mark(markers, "ballot-code", "ZQMARKCODE"),
        checked_out_at=timezone.now(),
    )
    cycle.rules_locked_at = timezone.now()
    cycle.save(update_fields=["rules_locked_at"])
    upload = VoterListUpload.objects.create(
        municipality=rustavi,
        cycle=cycle,
        file_name=mark(markers, "voter-list-file"),
        rows=1,
        added=1,
        uploaded_by=officer,
    )
    paper = PaperEntry.objects.create(
        municipality=rustavi,
        cycle=cycle,
        budget=budget,
        sheet="0001",
        person_key=person_key("01009990000"),
        person_masked=mask("01009990000"),
        projects=[feasible.pk],
        entered_by=officer,
        note=mark(markers, "paper-note"),
    )
    run = ResultRun.objects.create(
        municipality=rustavi,
        cycle=cycle,
        budget=budget,
        status=RunStatus.DONE,
        progress=1.0,
        ballots=1,
        outcome={},
        requested_by=officer,
    )
    override = Override.objects.create(
        municipality=rustavi,
        budget=budget,
        proposal=feasible,
        funded=True,
        reason_ka=mark(markers, "override-reason"),
        by=officer,
    )
    return {
        "district": district,
        "cycle": cycle,
        "budget": budget,
        "citywide": citywide,
        "own": own,
        "feasible": feasible,
        "winner": winner,
        "photo": photo,
        "support": support,
        "milestone": milestone,
        "update": update,
        "voter": voter,
        "ballot": ballot,
        "upload": upload,
        "paper": paper,
        "run": run,
        "override": override,
    }
