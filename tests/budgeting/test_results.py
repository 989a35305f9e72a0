"""A budget's results: from the checked-out ballots, online and paper, through the job that
computes both rules with its progress, to the overrides and the published winners; the
public page and API show only published results, and another municipality's staff get 404."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from budgeting import results as services
from budgeting.models import (
    PHASE_ORDER,
    Ballot,
    BallotStatus,
    Budget,
    Channel,
    Cycle,
    CyclePhase,
    Override,
    Phase,
    Proposal,
    ProposalStatus,
    ResultRun,
    RunStatus,
)
from budgeting.result_jobs import compute_results
from core.models import District, Role
from tests.conftest import RUSTAVI_ORIGIN, multi, square
from tests.core.factories import MembershipFactory, UserFactory

# The projects of the hand-made election: (letter, cost, title).
PROJECTS = [
    ("A", 60_000, "Park on Kostava Street"),
    ("B", 50_000, "Playground by school 5"),
    ("C", 40_000, "Bicycle lane to the station"),
    ("D", 30_000, "Benches and lights in the square"),
    ("E", 20_000, "Library reading room"),
]
# Six voters want A and B, four want C and D; nobody wants E. One paper ballot wants A.
# Greedy chooses A and C, Equal Shares A and D.
ONLINE = [("A", "B")] * 6 + [("C", "D")] * 4
PAPER = [("A",)]


def reference(letter: str) -> str:
    return f"PB-RST-2027-{letter}"


def officer_of(municipality):
    return MembershipFactory(municipality=municipality, role=Role.BUDGET_OFFICER).user


@pytest.fixture
def officer(rustavi):
    return officer_of(rustavi)


@pytest.fixture
def batumi_officer(batumi):
    return officer_of(batumi)


def make_election(rustavi, *, winner_rule: str = "mes", slug: str = "pb-2027") -> Budget:
    x, y = RUSTAVI_ORIGIN
    district = District.objects.create(
        municipality=rustavi,
        code=f"{slug}-d",
        name_ka="ცენტრი",
        name_en="Centre",
        boundary=multi(square(x, y, 2000)),
    )
    cycle = Cycle.objects.create(
        municipality=rustavi,
        slug=slug,
        name_ka="რუსთავის ბიუჯეტი 2027",
        name_en="Rustavi's budget 2027",
        ballot_kind="approval",
        min_projects=1,
        max_projects=3,
        winner_rule=winner_rule,
    )
    start = timezone.now() - datetime.timedelta(days=80)
    for kind in PHASE_ORDER:
        CyclePhase.objects.create(
            municipality=rustavi,
            cycle=cycle,
            kind=kind,
            starts_at=start,
            ends_at=start + datetime.timedelta(days=7),
        )
        start += datetime.timedelta(days=7)
    budget = Budget.objects.create(
        municipality=rustavi,
        cycle=cycle,
        district=district,
        name_ka="ცენტრის ბიუჯეტი",
        name_en="Centre's budget",
        amount=100_000,
    )
    ids = {}
    for n, (letter, cost, title) in enumerate(PROJECTS):
        ids[letter] = Proposal.objects.create(
            municipality=rustavi,
            cycle=cycle,
            budget=budget,
            reference=reference(letter) if slug == "pb-2027" else f"{slug}-{letter}",
            title=title,
            description=title,
            category="green",
            location=Point(x + 100 + n * 150, y + 300, srid=32638),
            estimated_cost=cost,
            status=ProposalStatus.FEASIBLE,
            cost=cost,
        ).pk
    # Not on the ballot: no price yet.
    Proposal.objects.create(
        municipality=rustavi,
        cycle=cycle,
        budget=budget,
        reference=f"{slug}-X",
        title="Fountain",
        description="Fountain",
        category="green",
        location=Point(x, y, srid=32638),
        estimated_cost=5_000,
    )
    ballots = [(c, Channel.ONLINE) for c in ONLINE] + [(c, Channel.PAPER) for c in PAPER]
    for n, (chosen, channel) in enumerate(ballots):
        Ballot.objects.create(
            municipality=rustavi,
            cycle=cycle,
            budget=budget,
            person_key=f"{slug}-{n:04d}",
            channel=channel,
            status=BallotStatus.CHECKED_OUT,
            projects=[ids[letter] for letter in chosen],
        )
    # Not counted: never checked out.
    Ballot.objects.create(
        municipality=rustavi,
        cycle=cycle,
        budget=budget,
        person_key=f"{slug}-draft",
        status=BallotStatus.DRAFT,
        projects=[ids["E"]],
    )
    return budget


@pytest.fixture
def budget(rustavi) -> Budget:
    return make_election(rustavi)


def compute(client, budget) -> ResultRun:
    """Ask for the results as the page does, and run the queued job here."""
    response = client.post(f"/en/budgeting/staff/budgets/{budget.pk}/results/run")
    assert response.status_code == 302
    run = ResultRun.objects.filter(budget=budget).latest("created_at")
    assert run.status == RunStatus.QUEUED
    job = ProcrastinateJob.objects.get(task_name="budgeting.compute_results", args__run_id=run.pk)
    assert job.status == "todo"
    compute_results(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_the_election_counts_checked_out_ballots_online_and_paper(budget):
    read = services.budget_election(budget)
    assert read.election.budget == 100_000
    assert read.election.costs == {reference(letter): cost for letter, cost, _ in PROJECTS}
    assert len(read.election.ballots) == 11  # the draft is not counted
    assert read.votes == {
        reference("A"): 7,
        reference("B"): 6,
        reference("C"): 4,
        reference("D"): 4,
        reference("E"): 0,
    }
    assert sorted(read.channels) == ["online"] * 10 + ["paper"]


def test_results_from_ballots_to_published_winners(
    client, budget, officer, english_messages, django_assert_max_num_queries
):
    client.force_login(officer)
    page = client.get(f"/en/budgeting/staff/budgets/{budget.pk}/results/")
    assert page.status_code == 200
    assert "The results have not been computed yet." in page.content.decode()

    run = compute(client, budget)
    assert run.status == RunStatus.DONE and run.progress == 1.0 and run.ballots == 11
    greedy, mes = run.outcome["greedy"], run.outcome["mes"]
    # Greedy: A (7 votes, 60,000), B no longer fits the 40,000 left, C (40,000) does.
    assert greedy["winners"] == [reference("A"), reference("C")]
    assert greedy["spent"] == 100_000
    assert greedy["reasons"][reference("B")]["code"] == "greedy_no_money"
    assert greedy["reasons"][reference("E")]["code"] == "no_votes"
    # Equal Shares: A's seven supporters pay 8,571 GEL each, D's four 7,500 GEL each; what B's
    # and C's supporters have left does not cover them (pabutools agrees: A and D).
    assert set(mes["winners"]) == {reference("A"), reference("D")}
    assert mes["reasons"][reference("C")]["code"] == "mes_unaffordable"
    assert run.outcome["votes"][reference("A")] == 7

    page = client.get(f"/en/budgeting/staff/budgets/{budget.pk}/results/").content.decode()
    assert "Won: 1st by votes; 100,000 GEL was left and it cost 60,000 GEL." in page
    assert "Lost: 2nd by votes; only 40,000 GEL was left and it costs 50,000 GEL." in page
    assert "Lost: nobody voted for it." in page
    assert "Publish these results" in page
    assert 'id="results-map"' in page

    # Not published: not public.
    anonymous = Client()
    assert anonymous.get("/en/budgeting/RST/pb-2027/results/").status_code == 404
    assert anonymous.get(f"/api/v1/budgeting/budgets/{budget.pk}/results/").status_code == 404
    assert not Proposal.objects.filter(budget=budget, winner=True).exists()

    response = client.post(f"/en/budgeting/staff/budgets/{budget.pk}/publish", {"run": str(run.pk)})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.published_at is not None and run.published_by == officer
    # The cycle's rule (Equal Shares) decides.
    assert set(
        Proposal.objects.filter(budget=budget, winner=True).values_list("reference", flat=True)
    ) == set(mes["winners"])

    public = anonymous.get("/en/budgeting/RST/pb-2027/results/")
    assert public.status_code == 200
    text = public.content.decode()
    assert "Method of Equal Shares" in text and "Park on Kostava Street" in text
    assert "Lost: nobody voted for it." in text
    assert f"/api/v1/budgeting/budgets/{budget.pk}/election.pb" in text
    with django_assert_max_num_queries(20):
        anonymous.get("/ka/budgeting/RST/pb-2027/results/")

    api = anonymous.get(f"/api/v1/budgeting/budgets/{budget.pk}/results/").json()
    assert api["winner_rule"] == "mes"
    assert api["greedy"]["winners"] == [reference("A"), reference("C")]
    assert sorted(api["winners"]) == sorted(mes["winners"])
    assert api["greedy"]["reasons"][reference("E")]["code"] == "no_votes"


def test_overrides_are_applied_recorded_and_shown(client, budget, officer, english_messages):
    client.force_login(officer)
    run = compute(client, budget)
    client.post(f"/en/budgeting/staff/budgets/{budget.pk}/publish", {"run": str(run.pk)})
    mes_winners = set(run.outcome["mes"]["winners"])
    dropped = sorted(mes_winners)[0]

    refused = client.post(
        f"/en/budgeting/staff/budgets/{budget.pk}/override",
        {"proposal": reference("E"), "funded": "1", "reason_ka": "", "reason_en": "x"},
    )
    assert refused.status_code == 400
    assert not Override.objects.exists()

    response = client.post(
        f"/en/budgeting/staff/budgets/{budget.pk}/override",
        {
            "proposal": reference("E"),
            "funded": "1",
            "reason_ka": "ბიბლიოთეკა სკოლის გვერდითაა",
            "reason_en": "The library is next to the school and was promised last year",
        },
    )
    assert response.status_code == 302
    client.post(
        f"/en/budgeting/staff/budgets/{budget.pk}/override",
        {
            "proposal": dropped,
            "funded": "0",
            "reason_ka": "მიწა კერძოა",
            "reason_en": "The land turned out to be private",
        },
    )
    override = Override.objects.get(proposal__reference=reference("E"))
    assert override.by == officer and override.funded
    winners = set(
        Proposal.objects.filter(budget=budget, winner=True).values_list("reference", flat=True)
    )
    assert winners == (mes_winners - {dropped}) | {reference("E")}

    public = Client().get("/en/budgeting/RST/pb-2027/results/").content.decode()
    assert "The library is next to the school and was promised last year" in public
    assert "The land turned out to be private" in public
    staff = client.get(f"/en/budgeting/staff/budgets/{budget.pk}/results/").content.decode()
    assert officer.email in staff
    api = Client().get(f"/api/v1/budgeting/budgets/{budget.pk}/results/").json()
    assert reference("E") in api["winners"] and dropped not in api["winners"]
    assert {o["reference"] for o in api["overrides"]} == {reference("E"), dropped}


def test_the_job_writes_its_progress(budget, officer, monkeypatch):
    written = []
    original = services.ProgressWriter.__call__

    def recording(self, value):
        original(self, value)
        written.append(ResultRun.objects.get(pk=self.run_id).progress)

    monkeypatch.setattr(services.ProgressWriter, "EVERY_SECONDS", 0.0)
    monkeypatch.setattr(services.ProgressWriter, "__call__", recording)
    run = services.run_request(budget=budget, by=officer)
    compute_results(run_id=run.pk)
    assert written[-1] == 1.0
    assert any(0 < value < 1 for value in written)
    assert written == sorted(written)


def test_the_progress_writer_writes_a_few_times_a_second_at_most(budget, officer, monkeypatch):
    monkeypatch.setattr(services.ProgressWriter, "EVERY_SECONDS", 3600.0)
    run = ResultRun.objects.create(
        municipality=budget.municipality, cycle=budget.cycle, budget=budget
    )
    writer = services.ProgressWriter(run.pk)
    writer(0.25)
    writer(0.5)  # within the interval: not written
    assert ResultRun.objects.get(pk=run.pk).progress == 0.25
    writer(1.0)  # the end is always written
    assert ResultRun.objects.get(pk=run.pk).progress == 1.0


def test_the_progress_page_answers_json_and_the_staff_page_a_bar(client, budget, officer):
    client.force_login(officer)
    client.post(f"/en/budgeting/staff/budgets/{budget.pk}/results/run")
    run = ResultRun.objects.get(budget=budget)
    ResultRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=0.4)
    state = client.get(f"/en/budgeting/staff/runs/{run.pk}/progress").json()
    assert state["status"] == "running" and state["percent"] == 40 and not state["done"]
    page = client.get(f"/en/budgeting/staff/budgets/{budget.pk}/results/").content.decode()
    assert '<progress id="results-progress" max="100" value="40"' in page
    assert '<meta http-equiv="refresh"' in page
    # A second computation waits for the first.
    client.post(f"/en/budgeting/staff/budgets/{budget.pk}/results/run")
    assert ResultRun.objects.filter(budget=budget).count() == 1


def test_other_municipality_staff_get_404(client, budget, batumi_officer):
    client.force_login(batumi_officer)
    run = ResultRun.objects.create(
        municipality=budget.municipality, cycle=budget.cycle, budget=budget
    )
    for url in (
        f"/en/budgeting/staff/budgets/{budget.pk}/results/",
        f"/en/budgeting/staff/runs/{run.pk}/progress",
    ):
        assert client.get(url).status_code == 404
    for url in (
        f"/en/budgeting/staff/budgets/{budget.pk}/results/run",
        f"/en/budgeting/staff/budgets/{budget.pk}/publish",
        f"/en/budgeting/staff/budgets/{budget.pk}/override",
    ):
        assert client.post(url, {"run": run.pk}).status_code == 404
    assert client.get(f"/api/v1/budgeting/budgets/{budget.pk}/election.pb").status_code == 404
    assert ResultRun.objects.count() == 1


def test_a_resident_is_refused_the_staff_pages(client, budget):
    client.force_login(UserFactory())
    assert client.get(f"/en/budgeting/staff/budgets/{budget.pk}/results/").status_code == 403
    assert client.get("/en/budgeting/staff/replay/").status_code == 403


def test_the_public_page_of_an_unknown_cycle_is_404(client, budget):
    assert client.get("/en/budgeting/RST/no-such-cycle/results/").status_code == 404
    assert client.get("/en/budgeting/BTM/pb-2027/results/").status_code == 404


def test_the_ballots_phase_is_in_the_election_meta(budget):
    meta = services.election_meta(budget, num_projects=5, num_votes=11)
    phase = budget.cycle.phases.get(kind=Phase.BALLOTING)
    assert meta["date_begin"] == timezone.localtime(phase.starts_at).strftime("%d.%m.%Y")
    assert meta["rule"] == "unknown" and meta["vote_type"] == "approval"
    assert (meta["min_length"], meta["max_length"]) == ("1", "3")
    assert meta["unit"] == "Rustavi" and meta["subunit"] == "Centre"
