"""The results of a budget: its election read from the counted ballots, both rules computed
into a `ResultRun`, the reason for each project in plain words, the staff's overrides, the
publication that marks the winners, and the election written and read in the pabulib format.

The rules themselves are in budgeting/outcomes.py; the pabulib format in budgeting/pabulib.py.
A budget's projects are its feasible proposals with a price; pabulib's and the rules' project
ids are the proposals' references.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from budgeting import outcomes
from budgeting.models import (
    BallotKind,
    BallotStatus,
    Budget,
    Channel,
    Override,
    Phase,
    Proposal,
    ProposalStatus,
    ResultRun,
    Rule,
    RunStatus,
)

RULES: tuple[str, ...] = (Rule.GREEDY.value, Rule.EQUAL_SHARES.value)
# The share of the progress bar that reading the ballots takes; the rest is the two rules'.
READING_SHARE = 0.1
GREEDY_SHARE = 0.05
# A replayed file is compared with pabutools only when it is this small: pabutools' Method of
# Equal Shares takes minutes on a few thousand voters.
PABUTOOLS_MAX_VOTERS = 2000
PABUTOOLS_SECONDS = 20.0

# Colours of the results' map: chosen by both rules, by one of them, or by neither.
COLOURS = {"both": "#1b7837", "greedy": "#e08214", "mes": "#5e3c99", "none": "#8c8c8c"}


# --- The election of a budget -----------------------------------------------------------------


def ballot_projects(budget: Budget):
    """The projects on the budget's ballot: feasible proposals with a price, by reference."""
    return (
        Proposal.objects.filter(
            budget=budget, status=ProposalStatus.FEASIBLE, cost__isnull=False, cost__gt=0
        )
        .order_by("reference")
        .defer("description", "area")
    )


def counted_ballots(budget: Budget):
    return budget.ballots.filter(status=BallotStatus.CHECKED_OUT)


@dataclasses.dataclass
class BudgetElection:
    """A budget's election: the rules' input, with what the export and the page need."""

    election: outcomes.Election
    references: dict[int, str]  # proposal id -> reference
    votes: dict[str, int]  # reference -> number of ballots that chose it
    channels: list[str]  # the channel of each ballot, in the order of election.ballots


def budget_election(budget: Budget, progress: Callable[[float], None] | None = None):
    """Read the budget's counted ballots, online and paper, into an election.

    Ballots are read as tuples in chunks, never as model instances: a city's budget has a
    hundred thousand of them. A chosen proposal that is no longer on the ballot is left out,
    and a ballot left with no project is not counted.
    """
    costs: dict[str, int] = {}
    references: dict[int, str] = {}
    for pk, reference, cost in ballot_projects(budget).values_list("pk", "reference", "cost"):
        references[pk] = reference
        costs[reference] = int(cost)
    votes = dict.fromkeys(costs, 0)
    ballots: list[tuple[str, ...]] = []
    channels: list[str] = []
    queryset = counted_ballots(budget).order_by("pk").values_list("projects", "channel")
    total = queryset.count() or 1
    for n, (chosen, channel) in enumerate(queryset.iterator(chunk_size=5000), start=1):
        ballot = tuple(dict.fromkeys(references[p] for p in chosen if p in references))
        if not ballot:
            continue  # every project it chose has left the ballot: nothing to count
        for reference in ballot:
            votes[reference] += 1
        ballots.append(ballot)
        channels.append(channel)
        if progress and n % 5000 == 0:
            progress(n / total)
    return BudgetElection(
        election=outcomes.Election(budget=int(budget.amount), costs=costs, ballots=ballots),
        references=references,
        votes=votes,
        channels=channels,
    )


def outcome_json(outcome: outcomes.Outcome, seconds: float) -> dict:
    return {
        "winners": list(outcome.winners),
        "spent": int(outcome.spent),
        "reasons": {
            reference: {"code": reason.code, "params": dict(reason.params)}
            for reference, reason in outcome.reasons.items()
        },
        "seconds": round(seconds, 3),
    }


def compute(election: outcomes.Election, progress: Callable[[float], None] | None = None):
    """Both rules on an election: {"greedy": outcome JSON, "mes": outcome JSON}."""

    def part(start: float, share: float):
        if progress is None:
            return None
        return lambda done: progress(start + share * max(0.0, min(1.0, done)))

    started = time.perf_counter()
    greedy = outcomes.greedy(election, progress=part(0.0, GREEDY_SHARE))
    greedy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    mes = outcomes.equal_shares(election, progress=part(GREEDY_SHARE, 1 - GREEDY_SHARE))
    mes_seconds = time.perf_counter() - started
    return {
        Rule.GREEDY.value: outcome_json(greedy, greedy_seconds),
        Rule.EQUAL_SHARES.value: outcome_json(mes, mes_seconds),
    }


# --- Runs -------------------------------------------------------------------------------------


def run_request(*, budget: Budget, by) -> ResultRun:
    """Queue the computation of the budget's results; the job fills the run."""
    from budgeting.result_jobs import compute_results

    if ResultRun.objects.filter(
        budget=budget, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists():
        raise ValidationError(
            _("The results of this budget are being computed already; wait for them."),
            code="running",
        )
    with transaction.atomic():
        run = ResultRun.objects.create(
            municipality_id=budget.municipality_id,
            cycle_id=budget.cycle_id,
            budget=budget,
            requested_by=by,
        )
        # Deferred in the same transaction: no run without its job, nor the reverse.
        compute_results.defer(run_id=run.pk)
    return run


class ProgressWriter:
    """Writes a run's progress (0..1) at most a few times a second."""

    EVERY_SECONDS = 0.3

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.written_at = 0.0
        self.value = 0.0

    def __call__(self, value: float) -> None:
        value = max(self.value, min(1.0, float(value)))
        now = time.monotonic()
        if now - self.written_at < self.EVERY_SECONDS and value < 1.0:
            return
        self.written_at = now
        self.value = value
        ResultRun.objects.filter(pk=self.run_id).update(progress=value)


def run_compute(*, run_id: int) -> ResultRun | None:
    """Compute a queued run: read the ballots, run both rules, store the outcome."""
    claimed = ResultRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=0.0
    )
    if not claimed:
        return None  # unknown, or taken by another worker
    run = ResultRun.objects.select_related("budget").get(pk=run_id)
    writer = ProgressWriter(run.pk)
    started = time.perf_counter()
    try:
        read = budget_election(run.budget, lambda done: writer(READING_SHARE * done))
        writer(READING_SHARE)
        outcome = compute(
            read.election, lambda done: writer(READING_SHARE + (1 - READING_SHARE) * done)
        )
    except Exception as exc:
        ResultRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    outcome["votes"] = read.votes
    outcome["costs"] = dict(read.election.costs)
    outcome["budget"] = int(read.election.budget)
    outcome["channels"] = {
        channel: read.channels.count(channel) for channel in (Channel.ONLINE, Channel.PAPER)
    }
    run.outcome = outcome
    run.ballots = len(read.election.ballots)
    run.status = RunStatus.DONE
    run.progress = 1.0
    run.seconds = round(time.perf_counter() - started, 3)
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "ballots", "status", "progress", "seconds", "finished_at"])
    return run


def latest_run(budget: Budget) -> ResultRun | None:
    return ResultRun.objects.filter(budget=budget).order_by("-created_at", "-pk").first()


def published_run(budget: Budget) -> ResultRun | None:
    return (
        ResultRun.objects.filter(budget=budget, status=RunStatus.DONE, published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .first()
    )


# --- Overrides and publication ----------------------------------------------------------------


def current_overrides(budget: Budget) -> dict[str, Override]:
    """The override in force for each project: the latest one recorded for it."""
    found: dict[str, Override] = {}
    for override in (
        Override.objects.filter(budget=budget)
        .select_related("proposal", "by")
        .order_by("created_at", "pk")
    ):
        found[override.proposal.reference] = override
    return found


def decided_winners(run: ResultRun, overrides: dict[str, Override]) -> list[str]:
    """The winners by the cycle's rule, with the overrides applied."""
    rule = run.budget.cycle.winner_rule
    winners = list(run.outcome.get(rule, {}).get("winners", []))
    for reference, override in overrides.items():
        if override.funded and reference not in winners:
            winners.append(reference)
        elif not override.funded and reference in winners:
            winners.remove(reference)
    return winners


def apply_winners(budget: Budget) -> list[str]:
    """Mark the winners of the budget's published run (with the overrides) and no others."""
    run = published_run(budget)
    winners = decided_winners(run, current_overrides(budget)) if run else []
    proposals = Proposal.objects.filter(budget=budget)
    proposals.filter(winner=True).exclude(reference__in=winners).update(winner=False)
    proposals.filter(reference__in=winners, winner=False).update(winner=True)
    return winners


def override_add(
    *, budget: Budget, reference: str, funded: bool, reason_ka: str, reason_en: str = "", by
) -> Override:
    """Record staff's decision to fund a project or not, whatever the rule says."""
    proposal = ballot_projects(budget).filter(reference=reference).first()
    if proposal is None:
        raise ValidationError(
            {"proposal": _("Choose a project on the ballot of this budget.")}, code="unknown"
        )
    if not reason_ka.strip():
        raise ValidationError({"reason_ka": _("Give the reason in Georgian.")}, code="required")
    override = Override(
        municipality_id=budget.municipality_id,
        budget=budget,
        proposal=proposal,
        funded=funded,
        reason_ka=reason_ka.strip(),
        reason_en=reason_en.strip(),
        by=by,
    )
    with transaction.atomic():
        override.full_clean()
        override.save()
        apply_winners(budget)
    return override


def results_publish(*, run: ResultRun, by) -> ResultRun:
    """Publish a computed run: it becomes the budget's public results and marks the winners."""
    if run.status != RunStatus.DONE:
        raise ValidationError(_("Only computed results can be published."), code="not_done")
    with transaction.atomic():
        run.published_at = timezone.now()
        run.published_by = by
        run.save(update_fields=["published_at", "published_by"])
        apply_winners(run.budget)
    return run


# --- Reasons in words -------------------------------------------------------------------------


def money(value) -> str:
    """A sum in whole lari, grouped as the language groups them, never broken across lines."""
    grouped = formats.number_format(int(round(float(value or 0))), 0, force_grouping=True)
    return grouped.replace(" ", "\u00a0")


def ordinal(rank) -> str:
    rank = int(rank or 0)
    if translation.get_language() == "ka":
        return "პირველი" if rank == 1 else f"მე-{rank}"
    if 10 <= rank % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def reason_text(code: str, params: dict) -> str:
    """Why a project won or lost under a rule, in plain words."""
    p = params or {}
    values = {
        "rank": ordinal(p.get("rank")),
        "cost": money(p.get("cost")),
        "votes": money(p.get("votes")),
        "before": money(p.get("money_before")),
        "left": money(p.get("money_left")),
        "round": p.get("round", ""),
        "share": money(p.get("voter_share")),
        "payment": money(p.get("max_payment")),
        "supporters_money": money(p.get("supporters_money")),
    }
    if code == "greedy_selected":
        return (
            _("Won: %(rank)s by votes; %(before)s GEL was left and it cost %(cost)s GEL.") % values
        )
    if code == "greedy_no_money":
        return (
            _("Lost: %(rank)s by votes; only %(left)s GEL was left and it costs %(cost)s GEL.")
            % values
        )
    if code == "mes_selected":
        return (
            _(
                "Won under Equal Shares in round %(round)s: its %(votes)s supporters paid its "
                "%(cost)s GEL from their equal shares of %(share)s GEL each, none more than "
                "%(payment)s GEL."
            )
            % values
        )
    if code in ("greedy_completion", "mes_completion"):
        return (
            _(
                "Won in the completion: after the equal shares %(before)s GEL was left, it was "
                "%(rank)s by votes of those left, and it cost %(cost)s GEL."
            )
            % values
        )
    if code == "mes_unaffordable":
        return (
            _(
                "Lost under Equal Shares: its %(votes)s supporters had %(supporters_money)s GEL "
                "left between them, it costs %(cost)s GEL, and the %(left)s GEL left after "
                "the completion did not cover it."
            )
            % values
        )
    if code == "no_votes":
        return _("Lost: nobody voted for it.")
    won = code.endswith("selected") or code.endswith("completion")
    return _("Won.") if won else _("Lost.")


# --- What the pages show ----------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    reference: str
    proposal: Proposal | None
    cost: int
    votes: int
    greedy_won: bool
    greedy_reason: str
    mes_won: bool
    mes_reason: str
    override: Override | None
    decided: bool

    @property
    def chosen_by(self) -> str:
        if self.greedy_won and self.mes_won:
            return "both"
        if self.greedy_won:
            return "greedy"
        return "mes" if self.mes_won else "none"

    @property
    def title(self) -> str:
        return self.proposal.title if self.proposal else self.reference


@dataclasses.dataclass
class Comparison:
    run: ResultRun
    rows: list[Row]
    spent: dict[str, int]
    winner_rule: str
    budget_amount: int
    overrides: list[Override]

    @property
    def greedy_spent(self) -> int:
        return self.spent.get(Rule.GREEDY.value, 0)

    @property
    def mes_spent(self) -> int:
        return self.spent.get(Rule.EQUAL_SHARES.value, 0)

    @property
    def decided_spent(self) -> int:
        return sum(row.cost for row in self.rows if row.decided)

    @property
    def greedy_count(self) -> int:
        return sum(1 for row in self.rows if row.greedy_won)

    @property
    def mes_count(self) -> int:
        return sum(1 for row in self.rows if row.mes_won)


def comparison(run: ResultRun) -> Comparison:
    """The run's projects side by side: votes, cost, and each rule's decision with its reason;
    sorted by votes, most first."""
    outcome = run.outcome or {}
    greedy = outcome.get(Rule.GREEDY.value, {})
    mes = outcome.get(Rule.EQUAL_SHARES.value, {})
    greedy_winners = set(greedy.get("winners", []))
    mes_winners = set(mes.get("winners", []))
    overrides = current_overrides(run.budget)
    decided = set(decided_winners(run, overrides))
    costs = outcome.get("costs", {})
    votes = outcome.get("votes", {})
    proposals = {
        p.reference: p
        for p in Proposal.objects.filter(budget=run.budget, reference__in=list(costs)).defer(
            "description"
        )
    }
    rows = []
    for reference in sorted(costs, key=lambda r: (-votes.get(r, 0), r)):
        g = greedy.get("reasons", {}).get(reference, {})
        m = mes.get("reasons", {}).get(reference, {})
        rows.append(
            Row(
                reference=reference,
                proposal=proposals.get(reference),
                cost=costs[reference],
                votes=votes.get(reference, 0),
                greedy_won=reference in greedy_winners,
                greedy_reason=reason_text(g.get("code", ""), g.get("params", {})),
                mes_won=reference in mes_winners,
                mes_reason=reason_text(m.get("code", ""), m.get("params", {})),
                override=overrides.get(reference),
                decided=reference in decided,
            )
        )
    return Comparison(
        run=run,
        rows=rows,
        spent={rule: int(outcome.get(rule, {}).get("spent", 0)) for rule in RULES},
        winner_rule=run.budget.cycle.winner_rule,
        budget_amount=int(outcome.get("budget", run.budget.amount)),
        overrides=list(
            Override.objects.filter(budget=run.budget)
            .select_related("proposal", "by")
            .order_by("-created_at", "-pk")
        ),
    )


def map_features(rows: list[Row]) -> dict:
    """The projects as GeoJSON (EPSG:4326), coloured by the rules that chose them."""
    features = []
    for row in rows:
        proposal = row.proposal
        if proposal is None:
            continue
        geometry = proposal.area or proposal.location
        geometry = geometry.transform(4326, clone=True)
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(geometry.geojson),
                "properties": {
                    "reference": row.reference,
                    "title": row.title,
                    "chosen_by": row.chosen_by,
                    "colour": COLOURS[row.chosen_by],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def legend() -> list[dict]:
    labels = {
        "both": _("Chosen by both rules"),
        "greedy": _("Chosen by the greedy rule only"),
        "mes": _("Chosen by Equal Shares only"),
        "none": _("Not chosen"),
    }
    return [
        {"key": key, "label": label, "colour": COLOURS[key], "fill": COLOURS[key]}
        for key, label in labels.items()
    ]


# --- pabulib ----------------------------------------------------------------------------------


def _phase_dates(budget: Budget) -> tuple[str, str]:
    phase = budget.cycle.phases.filter(kind=Phase.BALLOTING).first()
    if phase is None:
        today = timezone.localdate().strftime("%d.%m.%Y")
        return today, today
    return (
        timezone.localtime(phase.starts_at).strftime("%d.%m.%Y"),
        timezone.localtime(phase.ends_at).strftime("%d.%m.%Y"),
    )


def election_meta(
    budget: Budget, *, num_projects: int, num_votes: int, overridden: bool = False
) -> dict[str, str]:
    """The META section. pabulib's "equalshares/add1" stops when the shares would overspend
    and is not completed greedily, so the checker would find our Method of Equal Shares (as
    pabutools computes it, completed by the greedy rule) "not followed": its files say
    "unknown", with a comment that names the method. So do files whose winners staff changed
    by an override."""
    cycle = budget.cycle
    greedy = cycle.winner_rule == Rule.GREEDY and not overridden
    begin, end = _phase_dates(budget)
    meta = {
        "description": f"{cycle.name_en or cycle.name_ka}: {budget.name_en or budget.name_ka}",
        "country": "Georgia",
        "unit": budget.municipality.name_en or budget.municipality.name_ka,
    }
    if budget.district_id:
        meta["subunit"] = budget.district.name_en or budget.district.name_ka
    meta.update(
        {
            "instance": cycle.slug,
            "num_projects": str(num_projects),
            "num_votes": str(num_votes),
            "budget": str(int(budget.amount)),
            "vote_type": "approval",
            "rule": "greedy" if greedy else "unknown",
            "date_begin": begin,
            "date_end": end,
        }
    )
    if cycle.ballot_kind == BallotKind.APPROVAL:
        meta["min_length"] = str(cycle.min_projects)
        if cycle.max_projects:
            meta["max_length"] = str(cycle.max_projects)
    elif cycle.ballot_kind == BallotKind.KNAPSACK_COUNT:
        meta["min_length"] = str(cycle.min_projects)
        meta["max_sum_cost"] = str(int(budget.amount))
    else:
        meta["min_sum_cost"] = str(int(budget.amount) * cycle.min_share_percent // 100)
        meta["max_sum_cost"] = str(int(budget.amount))
    comments = []
    if cycle.winner_rule == Rule.EQUAL_SHARES:
        comments.append(
            "The Method of Equal Shares as pabutools computes it: cost utilities, each "
            "voter's share raised by 1 GEL at a time until the outcome is exhaustive or would "
            "overspend, then completed by the greedy rule."
        )
    else:
        comments.append("The greedy rule: most votes first, skipping what does not fit.")
    if overridden:
        comments.append(
            "The municipality changed the rule's winners by overrides, each with its reason, "
            "published with the results."
        )
    meta["comment"] = " ".join(f"#{n}: {text}" for n, text in enumerate(comments, start=1))
    meta.update({"language": "ka", "currency": "GEL"})
    return meta


def export_election(budget: Budget) -> str:
    """The budget's whole election as a pabulib file: META, PROJECTS (with coordinates,
    category and, once the results are published, whether each was selected) and VOTES (by
    an opaque number of each ballot, never the person)."""
    from budgeting import pabulib

    read = budget_election(budget)
    run = published_run(budget)
    selected = set(decided_winners(run, current_overrides(budget))) if run else None
    projects = []
    for proposal in ballot_projects(budget).only(
        "reference", "title", "category", "cost", "location"
    ):
        point = proposal.location.transform(4326, clone=True)
        project = {
            "project_id": proposal.reference,
            "cost": int(proposal.cost),
            "votes": read.votes.get(proposal.reference, 0),
            "name": proposal.title,
            "category": proposal.category,
            "latitude": f"{point.y:.6f}",
            "longitude": f"{point.x:.6f}",
        }
        # Which projects were funded is known only once the results are published.
        if selected is not None:
            project["selected"] = 1 if proposal.reference in selected else 0
        projects.append(project)
    # By votes, then id: pabulib's checker breaks the greedy rule's ties by this order.
    projects.sort(key=lambda p: (-p["votes"], p["project_id"]))
    votes = [
        {
            "voter_id": str(n),
            "vote": ",".join(ballot),
            "voting_method": "internet" if channel == Channel.ONLINE else "paper",
        }
        for n, (ballot, channel) in enumerate(
            zip(read.election.ballots, read.channels, strict=True), start=1
        )
    ]
    ruled = set(run.outcome.get(budget.cycle.winner_rule, {}).get("winners", [])) if run else None
    overridden = selected is not None and selected != ruled
    meta = election_meta(
        budget, num_projects=len(projects), num_votes=len(votes), overridden=overridden
    )
    return pabulib.write(meta, projects, votes)


def election_public(budget: Budget, user) -> bool:
    """The election file is public once the budget's results are published; staff see it
    always."""
    from budgeting.rules import keeps

    return published_run(budget) is not None or (user.is_authenticated and keeps(user, budget))


# --- Replay of a pabulib file -----------------------------------------------------------------


@dataclasses.dataclass
class Replay:
    meta: dict
    voters: int
    projects: int
    budget: int
    ours: dict  # rule -> outcome JSON
    names: dict[str, str]
    theirs: dict | None = None  # rule -> list of winners by pabutools
    theirs_note: str = ""

    def same(self, rule: str) -> bool | None:
        if not self.theirs or rule not in self.theirs:
            return None
        return sorted(self.theirs[rule]) == sorted(self.ours[rule]["winners"])

    @property
    def same_greedy(self):
        return self.same(Rule.GREEDY.value)

    @property
    def same_mes(self):
        return self.same(Rule.EQUAL_SHARES.value)

    def winners(self, rule: str) -> list[tuple[str, str]]:
        return [(ref, self.names.get(ref, "")) for ref in self.ours[rule]["winners"]]

    @property
    def greedy_winners(self):
        return self.winners(Rule.GREEDY.value)

    @property
    def mes_winners(self):
        return self.winners(Rule.EQUAL_SHARES.value)


def pabutools_winners(text: str) -> dict[str, list[str]]:
    """The winners by pabutools, the reference: greedy by cost utilities, and the Method of
    Equal Shares with each voter's share raised by one unit at a time, completed greedily."""
    from pabutools.election import Cost_Sat
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    instance, profile = parse_pabulib_from_string(text)
    greedy = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    mes = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return {
        Rule.GREEDY.value: sorted(p.name for p in greedy),
        Rule.EQUAL_SHARES.value: sorted(p.name for p in mes),
    }


def _pabutools_child(text: str, answer) -> None:
    try:
        answer.put(("ok", pabutools_winners(text)))
    except Exception as exc:  # noqa: BLE001 - the parent says it; the child only reports.
        answer.put(("error", str(exc)))


def pabutools_capped(text: str, seconds: float = PABUTOOLS_SECONDS) -> tuple[dict | None, str]:
    """pabutools' winners in a process of its own, given up after `seconds`."""
    import multiprocessing

    # Forked: the child needs nothing but the text, and is killed when the time is up.
    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    process = context.Process(target=_pabutools_child, args=(text, answer), daemon=True)
    process.start()
    try:
        kind, value = answer.get(timeout=seconds)
    except Exception:  # noqa: BLE001 - queue.Empty: the time is up.
        process.kill()
        process.join(1)
        return None, _("pabutools did not finish within %(seconds)s seconds.") % {
            "seconds": int(seconds)
        }
    process.join(1)
    if kind != "ok":
        return None, _("pabutools could not read the file: %(error)s") % {"error": value}
    return value, ""


def replay(text: str, *, compare: bool = True) -> Replay:
    """Read a pabulib file, compute both rules with our code and, for a small file, with
    pabutools too. A malformed file raises pabulib.PabulibError, which names its line."""
    from budgeting import pabulib

    parsed = pabulib.parse(text)
    election = pabulib.election_from(parsed)
    ours = compute(election)
    names = {reference: project.get("name", "") for reference, project in parsed.projects.items()}
    result = Replay(
        meta=dict(parsed.meta),
        voters=len(election.ballots),
        projects=len(election.costs),
        budget=int(election.budget),
        ours=ours,
        names=names,
    )
    if compare:
        if result.voters <= PABUTOOLS_MAX_VOTERS:
            result.theirs, result.theirs_note = pabutools_capped(text)
        else:
            result.theirs_note = _(
                "pabutools is asked only for files of at most %(voters)s voters: it takes "
                "minutes on larger ones."
            ) % {"voters": money(PABUTOOLS_MAX_VOTERS)}
    return result
