"""Ballots: the voting rules of a choice, drafts, the checkout of a resident's ballot (one per
resident and budget, by the unique keyed hash of the personal number), paper ballots counted
with the online ones, and the verification of a resident against the cycle's voter list.

A ballot counts only once checked out. The checkout writes the one row of (budget, person) with
a single INSERT ... ON CONFLICT DO UPDATE: parallel checkouts by one resident cannot make a
second row, and a repeated checkout replaces the choice until the voting closes.
"""

from __future__ import annotations

import datetime
import secrets
import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from budgeting import cycles, voters
from budgeting.models import (
    Ballot,
    BallotKind,
    BallotStatus,
    Budget,
    Channel,
    Cycle,
    Phase,
    Proposal,
    ProposalStatus,
    Voter,
)

# The confirmation code: letters and digits that cannot be mistaken for one another.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def gel(amount: int) -> str:
    """An amount of lari with the thousands grouped as the language groups them."""
    return number_format(int(amount), force_grouping=True)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# --- The rules of a choice -------------------------------------------------------------------


def _unique(ids) -> list[int]:
    seen: dict[int, None] = {}
    for value in ids:
        try:
            seen.setdefault(int(value), None)
        except (TypeError, ValueError):
            raise ValidationError(_("A project of the ballot is not a number.")) from None
    return list(seen)


def ballot_projects(budget: Budget) -> QuerySet[Proposal]:
    """The projects on the ballot of a budget: its feasible proposals with a price."""
    return Proposal.objects.filter(
        budget=budget, status=ProposalStatus.FEASIBLE, cost__isnull=False
    ).order_by("reference")


# What the rules read of a proposal, and its title; not the geometry.
CHOICE_FIELDS = ("id", "budget_id", "status", "cost", "reference", "title", "category")


def _choice_proposals(
    budget: Budget, ids: list[int], found: dict[int, Proposal] | None = None
) -> list[Proposal]:
    if found is None:
        found = {p.pk: p for p in Proposal.objects.filter(pk__in=ids).only(*CHOICE_FIELDS)}
    for pk in ids:
        proposal = found.get(pk)
        if proposal is None:
            raise ValidationError(
                _("Project %(id)s does not exist.") % {"id": pk}, code="unknown_project"
            )
        if proposal.budget_id != budget.pk:
            raise ValidationError(
                _(
                    "%(project)s is in another budget (%(other)s): this ballot is for "
                    "%(budget)s only."
                )
                % {
                    "project": proposal.reference,
                    "other": proposal.budget.name,
                    "budget": budget.name,
                },
                code="other_budget",
            )
        if not proposal.on_ballot:
            raise ValidationError(
                _("%(project)s is not on the ballot: only feasible projects with a price are.")
                % {"project": proposal.reference},
                code="not_on_ballot",
            )
    return [found[pk] for pk in ids]


def _check_knapsack(cycle: Cycle, budget: Budget, total: int) -> None:
    if total > budget.amount:
        raise ValidationError(
            _("Your choice costs %(total)s GEL; the budget is %(amount)s GEL.")
            % {"total": gel(total), "amount": gel(budget.amount)},
            code="over_budget",
        )


def _check_min_share(cycle: Cycle, budget: Budget, total: int) -> None:
    minimum = -(-budget.amount * cycle.min_share_percent // 100)  # rounded up
    if total < minimum:
        raise ValidationError(
            _(
                "Your choice costs %(total)s GEL; spend at least %(share)s of the budget, "
                "%(minimum)s GEL."
            )
            % {
                "total": gel(total),
                "share": f"{cycle.min_share_percent}%",
                "minimum": gel(minimum),
            },
            code="under_min_share",
        )


def _check_min_projects(cycle: Cycle, count: int) -> None:
    if count < cycle.min_projects:
        raise ValidationError(
            _("Too few projects: you chose %(count)s, the minimum is %(minimum)s.")
            % {"count": count, "minimum": cycle.min_projects},
            code="too_few",
        )


def _check_max_projects(cycle: Cycle, count: int) -> None:
    if cycle.max_projects is not None and count > cycle.max_projects:
        raise ValidationError(
            _("Too many projects: you chose %(count)s, the maximum is %(maximum)s.")
            % {"count": count, "maximum": cycle.max_projects},
            code="too_many",
        )


def check_choice(
    budget: Budget, proposal_ids: list[int], *, found: dict[int, Proposal] | None = None
) -> tuple[list[Proposal], int]:
    """The proposals of a ballot and their total, checked against the cycle's voting rules.

    Knapsack: the total is at most the budget and at least the minimum share of it. Knapsack
    with a number of projects: at most the budget and at least the minimum number of projects.
    Approval: between the minimum and the maximum number of projects, whatever they cost.
    Raises ValidationError naming the numbers. `found`: the proposals by id, when the caller
    has read them already.
    """
    cycle = budget.cycle
    proposals = _choice_proposals(budget, _unique(proposal_ids), found=found)
    total = sum(p.cost for p in proposals)
    count = len(proposals)
    if cycle.ballot_kind == BallotKind.KNAPSACK:
        _check_knapsack(cycle, budget, total)
        _check_min_share(cycle, budget, total)
    elif cycle.ballot_kind == BallotKind.KNAPSACK_COUNT:
        _check_knapsack(cycle, budget, total)
        _check_min_projects(cycle, count)
    else:
        _check_min_projects(cycle, count)
        _check_max_projects(cycle, count)
    return proposals, total


def check_draft(budget: Budget, proposal_ids: list[int]) -> tuple[list[Proposal], int]:
    """The proposals of a draft: only projects of this ballot, with no limit checked yet."""
    proposals = _choice_proposals(budget, _unique(proposal_ids))
    return proposals, sum(p.cost for p in proposals)


def rule_summary(cycle: Cycle, budget: Budget) -> str:
    """The rule of the ballot in one sentence, with its numbers."""
    if cycle.ballot_kind == BallotKind.KNAPSACK:
        minimum = -(-budget.amount * cycle.min_share_percent // 100)
        return _(
            "Choose projects that cost at most %(amount)s GEL together, and at least "
            "%(share)s of it: %(minimum)s GEL."
        ) % {
            "amount": gel(budget.amount),
            "share": f"{cycle.min_share_percent}%",
            "minimum": gel(minimum),
        }
    if cycle.ballot_kind == BallotKind.KNAPSACK_COUNT:
        return _(
            "Choose projects that cost at most %(amount)s GEL together: at least "
            "%(minimum)s of them."
        ) % {"minimum": cycle.min_projects, "amount": gel(budget.amount)}
    if cycle.max_projects is None:
        return _("Choose the projects you approve of: at least %(minimum)s.") % {
            "minimum": cycle.min_projects
        }
    return _("Choose between %(minimum)s and %(maximum)s projects you approve of.") % {
        "minimum": cycle.min_projects,
        "maximum": cycle.max_projects,
    }


# --- Who may vote where ----------------------------------------------------------------------


def voting_open(cycle: Cycle, now: datetime.datetime | None = None) -> bool:
    return cycles.is_in_phase(cycle, Phase.BALLOTING, now)


def check_voting_open(cycle: Cycle, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if voting_open(cycle, now):
        return
    phase = cycles.phase_of(cycle, Phase.BALLOTING)
    if phase is None:
        raise ValidationError(_("This cycle has no voting."), code="no_voting")
    if now < phase.starts_at:
        raise ValidationError(
            _("The voting opens on %(when)s.")
            % {"when": timezone.localtime(phase.starts_at).strftime("%Y-%m-%d %H:%M")},
            code="not_open",
        )
    raise ValidationError(
        _("The voting closed on %(when)s: no ballot is taken or changed after the close.")
        % {"when": timezone.localtime(phase.ends_at).strftime("%Y-%m-%d %H:%M")},
        code="closed",
    )


def voter_of(cycle: Cycle, user) -> Voter | None:
    """The voter of the cycle's list this account verified itself as, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Voter.objects.filter(cycle=cycle, user=user).select_related("district").first()


def budgets_of(voter: Voter) -> list[Budget]:
    """The budgets a voter may vote in: their district's (as the list gives it), then the
    city-wide one."""
    budgets = list(
        Budget.objects.filter(cycle_id=voter.cycle_id, district_id=voter.district_id)
    ) + list(Budget.objects.filter(cycle_id=voter.cycle_id, district__isnull=True))
    return budgets


def may_vote_in(voter: Voter, budget: Budget) -> bool:
    return budget.cycle_id == voter.cycle_id and (
        budget.district_id is None or budget.district_id == voter.district_id
    )


def check_may_vote_in(voter: Voter, budget: Budget) -> None:
    if not may_vote_in(voter, budget):
        raise ValidationError(
            _(
                "This ballot is for %(budget)s. The voter list gives your district as "
                "%(district)s: you vote there and in the city-wide budget."
            )
            % {"budget": budget.name, "district": voter.district.name},
            code="other_district",
        )


# Failed verifications an account may make in a cycle within the window: someone who knows a
# personal number cannot try every year of birth. Counted in the shared cache, as sign-ins are.
VERIFY_ATTEMPTS = 5
VERIFY_WINDOW_SECONDS = 3600


def _verify_failures_key(cycle: Cycle, user) -> str:
    return f"budgeting:verify-failures:{cycle.pk}:{user.pk}"


def _recent_failures(cycle: Cycle, user, now: float) -> list[float]:
    history = cache.get(_verify_failures_key(cycle, user)) or []
    return [t for t in history if t > now - VERIFY_WINDOW_SECONDS]


def _check_attempts(cycle: Cycle, user) -> None:
    now = time.time()
    recent = _recent_failures(cycle, user, now)
    if len(recent) >= VERIFY_ATTEMPTS:
        minutes = max(1, round((min(recent) + VERIFY_WINDOW_SECONDS - now) / 60))
        raise ValidationError(
            _("Too many attempts. Try again in %(minutes)s minutes.") % {"minutes": minutes},
            code="too_many_attempts",
        )


def _count_failure(cycle: Cycle, user) -> None:
    now = time.time()
    recent = _recent_failures(cycle, user, now)
    cache.set(_verify_failures_key(cycle, user), [*recent, now], VERIFY_WINDOW_SECONDS)


def voter_verify(*, cycle: Cycle, user, number: str, birth_year: int) -> Voter:
    """Verify an account as a resident on the cycle's voter list: the personal number and
    year of birth must match a row of the list that no other account has claimed. An account
    gets VERIFY_ATTEMPTS failures an hour per cycle."""
    _check_attempts(cycle, user)
    try:
        return _voter_verify(cycle=cycle, user=user, number=number, birth_year=birth_year)
    except ValidationError as error:
        if error.code in ("bad_number", "not_on_list"):
            _count_failure(cycle, user)
        raise


@transaction.atomic
def _voter_verify(*, cycle: Cycle, user, number: str, birth_year: int) -> Voter:
    if not voters.is_personal_number(number):
        raise ValidationError(voters.PERSONAL_NUMBER_ERROR, code="bad_number")
    key = voters.person_key(number)
    own = Voter.objects.select_for_update().filter(cycle=cycle, user=user).first()
    if own is not None:
        if own.person_key == key:
            return own
        raise ValidationError(
            _("Your account is already verified as the resident %(masked)s in this cycle.")
            % {"masked": own.person_masked},
            code="account_taken",
        )
    voter = Voter.objects.select_for_update().filter(cycle=cycle, person_key=key).first()
    if voter is None or voter.birth_year != int(birth_year):
        # One message for both: it must not tell whether a number is on the list.
        raise ValidationError(
            _(
                "The voter list has no resident with this personal number and year of birth. "
                "Check both; if they are right, ask the municipality to check the list."
            ),
            code="not_on_list",
        )
    if voter.user_id is not None and voter.user_id != user.pk:
        raise ValidationError(
            _(
                "Another account has already verified itself with this personal number. If "
                "it was not you, tell the municipality."
            ),
            code="number_taken",
        )
    voter.user = user
    voter.verified_at = timezone.now()
    try:
        with transaction.atomic():
            voter.save(update_fields=["user", "verified_at"])
    except IntegrityError:
        raise ValidationError(
            _("Your account is already verified as another resident in this cycle."),
            code="account_taken",
        ) from None
    return voter


# --- Drafts and checkout ---------------------------------------------------------------------


def ballot_of(voter: Voter, budget: Budget) -> Ballot | None:
    return Ballot.objects.filter(budget=budget, person_key=voter.person_key).first()


def counted_ballots(budget: Budget) -> QuerySet[Ballot]:
    """The ballots of a budget that count: checked out, online or on paper."""
    return Ballot.objects.filter(budget=budget, status=BallotStatus.CHECKED_OUT)


@transaction.atomic
def ballot_save_draft(*, voter: Voter, budget: Budget, proposal_ids: list[int], user) -> Ballot:
    """Keep a resident's choice as a draft (not counted). A checked-out ballot is changed only
    by checking out again, so that a half-made change never takes a counted ballot away."""
    check_voting_open(budget.cycle)
    check_may_vote_in(voter, budget)
    proposals, total = check_draft(budget, proposal_ids)
    ballot = (
        Ballot.objects.select_for_update()
        .filter(budget=budget, person_key=voter.person_key)
        .first()
    )
    if ballot is not None and ballot.status == BallotStatus.CHECKED_OUT:
        raise ValidationError(
            _("Your ballot is checked out. To change it, check out the new choice."),
            code="checked_out",
        )
    if ballot is None:
        ballot = Ballot(
            municipality_id=budget.municipality_id,
            cycle_id=budget.cycle_id,
            budget=budget,
            person_key=voter.person_key,
            voter=voter,
        )
    ballot.user = user
    ballot.projects = [p.pk for p in proposals]
    ballot.total = total
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        # A parallel request made the row first: keep this choice on it if still a draft.
        Ballot.objects.filter(
            budget=budget, person_key=voter.person_key, status=BallotStatus.DRAFT
        ).update(projects=ballot.projects, total=total, user=user, updated_at=timezone.now())
        ballot = Ballot.objects.get(budget=budget, person_key=voter.person_key)
    return ballot


# One statement: the row of (budget, person) is made or its choice replaced; parallel
# checkouts by one resident meet on the unique constraint and leave one row. The ORM has no
# INSERT ... ON CONFLICT DO UPDATE that returns the row.
UPSERT = """
INSERT INTO budgeting_ballot (
    municipality_id, cycle_id, budget_id, person_key, voter_id, user_id, channel, status,
    projects, total, code, created_at, updated_at, checked_out_at
) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT ON CONSTRAINT budgeting_ballot_one_per_person DO UPDATE SET
    voter_id = coalesce(EXCLUDED.voter_id, budgeting_ballot.voter_id),
    user_id = coalesce(EXCLUDED.user_id, budgeting_ballot.user_id),
    channel = EXCLUDED.channel,
    status = EXCLUDED.status,
    projects = EXCLUDED.projects,
    total = EXCLUDED.total,
    code = CASE WHEN budgeting_ballot.code = '' THEN EXCLUDED.code ELSE budgeting_ballot.code END,
    updated_at = EXCLUDED.updated_at,
    checked_out_at = EXCLUDED.checked_out_at
{where}
RETURNING id, code, created_at, voter_id, user_id, reminded_at
"""


def _upsert(
    *,
    budget: Budget,
    person_key: str,
    voter_id: int | None,
    user_id: int | None,
    channel: str,
    projects: list[int],
    total: int,
    only_if_not_counted: bool = False,
) -> Ballot | None:
    """The counted ballot of (budget, person) as written; None when `only_if_not_counted` and
    the person already has one."""
    now = timezone.now()
    where = "WHERE budgeting_ballot.status <> 'checked_out'" if only_if_not_counted else ""
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT.format(where=where),
            [
                budget.municipality_id,
                budget.cycle_id,
                budget.pk,
                person_key,
                voter_id,
                user_id,
                channel,
                BallotStatus.CHECKED_OUT,
                projects,
                total,
                new_code(),
                now,
                now,
                now,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    pk, code, created_at, voter_id, user_id, reminded_at = row
    return Ballot(
        pk=pk,
        municipality_id=budget.municipality_id,
        cycle_id=budget.cycle_id,
        budget=budget,
        person_key=person_key,
        voter_id=voter_id,
        user_id=user_id,
        channel=channel,
        status=BallotStatus.CHECKED_OUT,
        projects=projects,
        total=total,
        code=code,
        created_at=created_at,
        updated_at=now,
        checked_out_at=now,
        reminded_at=reminded_at,
    )


@transaction.atomic
def ballot_checkout(
    *,
    voter: Voter,
    budget: Budget,
    proposal_ids: list[int],
    user,
    found: dict[int, Proposal] | None = None,
) -> Ballot:
    """Check out a resident's ballot: checked against the rules, then counted. Checking out
    again before the close replaces the choice; the first ballot of a cycle locks its rules."""
    cycle = budget.cycle
    check_voting_open(cycle)
    check_may_vote_in(voter, budget)
    proposals, total = check_choice(budget, proposal_ids, found=found)
    ballot = _upsert(
        budget=budget,
        person_key=voter.person_key,
        voter_id=voter.pk,
        user_id=getattr(user, "pk", None),
        channel=Channel.ONLINE,
        projects=[p.pk for p in proposals],
        total=total,
    )
    cycles.lock_rules(cycle)
    _confirm_later(ballot)
    return ballot


def _confirm_later(ballot: Ballot) -> None:
    """The confirmation e-mail, by a job after the commit (at once with NOTIFY_SYNC): one job
    waits per ballot, and it tells the ballot as it then stands."""
    from procrastinate.exceptions import AlreadyEnqueued

    from budgeting.ballot_jobs import confirm_ballot
    from engagement.notifications import notify_sync

    if ballot.user_id is None:
        return
    if notify_sync():
        ballot_confirm(ballot_id=ballot.pk)
        return
    try:
        with transaction.atomic():  # a refused lock must not spoil the checkout
            confirm_ballot.configure(queueing_lock=f"budgeting_ballot_{ballot.pk}").defer(
                ballot_id=ballot.pk
            )
    except AlreadyEnqueued:
        pass


def ballot_confirm(*, ballot_id: int) -> None:
    """Send the confirmation of a counted ballot to its resident: the choice, the code and the
    close. One e-mail per checkout: a retry of the job sends nothing more."""
    from django.urls import reverse

    from engagement.notifications import notify_user

    ballot = (
        Ballot.objects.select_related("budget__municipality", "cycle__municipality", "user")
        .filter(pk=ballot_id, status=BallotStatus.CHECKED_OUT, user__isnull=False)
        .first()
    )
    if ballot is None:
        return
    budget, cycle = ballot.budget, ballot.cycle
    phase = cycles.phase_of(cycle, Phase.BALLOTING)
    by_id = {p.pk: p for p in Proposal.objects.filter(pk__in=ballot.projects)}
    proposals = [by_id[pk] for pk in ballot.projects if pk in by_id]
    for proposal in proposals:
        proposal.cost_text = gel(proposal.cost or 0)
    notify_user(
        recipient=ballot.user,
        kind="budgeting_ballot_counted",
        context={
            "ballot": ballot,
            "budget": budget,
            "cycle": cycle,
            "projects": proposals,
            "total_text": gel(ballot.total),
            "closes": phase.ends_at if phase else None,
        },
        url=reverse("budgeting:ballot-done", args=[cycle.municipality.code, cycle.slug, budget.pk]),
        about=ballot,
        municipality=budget.municipality,
        dedupe_key=f"budgeting_ballot_counted:{ballot.pk}:{ballot.checked_out_at.isoformat()}",
    )


@transaction.atomic
def count_paper_ballot(*, budget: Budget, person_key: str, proposal_ids: list[int], by) -> Ballot:
    """Count a paper ballot that officers entered: checked against the rules, stored as a
    checked-out ballot of the paper channel. A person who already has a counted ballot in this
    budget (online or on paper) is refused; their draft, if any, is replaced."""
    cycle = budget.cycle
    voter = Voter.objects.filter(cycle_id=budget.cycle_id, person_key=person_key).first()
    if voter is not None and not may_vote_in(voter, budget):
        raise ValidationError(
            _("The voter list gives this resident's district as %(district)s, not %(budget)s.")
            % {"district": voter.district.name, "budget": budget.name},
            code="other_district",
        )
    if voter is None and Voter.objects.filter(cycle_id=budget.cycle_id).exists():
        raise ValidationError(
            _("This personal number is not on the cycle's voter list."), code="not_on_list"
        )
    proposals, total = check_choice(budget, proposal_ids)
    ballot = _upsert(
        budget=budget,
        person_key=person_key,
        voter_id=voter.pk if voter else None,
        user_id=None,
        channel=Channel.PAPER,
        projects=[p.pk for p in proposals],
        total=total,
        only_if_not_counted=True,
    )
    if ballot is None:
        raise ValidationError(
            _("This resident has already cast a ballot in this budget; it is counted once."),
            code="already_counted",
        )
    cycles.lock_rules(cycle)
    return ballot


# --- One read for a checkout -----------------------------------------------------------------

# The budget with its cycle and the cycle's phases, the account's voter row and the chosen
# proposals, in one statement: a checkout in a last-day rush is the portal's busiest write, and
# the ORM would take four queries (and their compiling) for it. The values are parameters.
CHECKOUT_READ = """
SELECT b.id, b.municipality_id, b.cycle_id, b.district_id, b.amount, b.name_ka, b.name_en,
       c.slug, c.name_ka, c.name_en, c.ballot_kind, c.min_share_percent, c.min_projects,
       c.max_projects, c.winner_rule, c.rules_locked_at, m.code,
       v.id, v.person_key, v.person_masked, v.birth_year, v.district_id,
       (SELECT coalesce(json_agg(json_build_object(
                'id', p.id, 'kind', p.kind, 'enabled', p.enabled,
                'starts_at', p.starts_at, 'ends_at', p.ends_at)), '[]')
          FROM budgeting_cyclephase p WHERE p.cycle_id = c.id),
       (SELECT coalesce(json_agg(json_build_object(
                'id', q.id, 'budget_id', q.budget_id, 'status', q.status, 'cost', q.cost,
                'reference', q.reference, 'title', q.title, 'category', q.category)), '[]')
          FROM budgeting_proposal q WHERE q.id = ANY(%s))
  FROM budgeting_budget b
  JOIN budgeting_cycle c ON c.id = b.cycle_id
  JOIN core_municipality m ON m.id = c.municipality_id
  LEFT JOIN budgeting_voter v ON v.cycle_id = c.id AND v.user_id = %s
 WHERE b.id = %s
"""


def _moment(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def checkout_read(
    *, budget_id: int, user_id: int, proposal_ids: list[int]
) -> tuple[Budget, Voter | None, dict[int, Proposal]] | None:
    """The budget (with its cycle, the cycle's municipality code and phases), the account's
    voter row of the cycle and the chosen proposals, as model instances read in one statement;
    None when there is no such budget."""
    from core.models import Municipality

    ids = [int(pk) for pk in proposal_ids if isinstance(pk, int) or str(pk).isdigit()]
    with connection.cursor() as cursor:
        cursor.execute(CHECKOUT_READ, [ids, user_id, budget_id])
        row = cursor.fetchone()
    if row is None:
        return None
    (pk, municipality_id, cycle_id, district_id, amount, name_ka, name_en, slug, cycle_ka,
     cycle_en, kind, share, min_projects, max_projects, winner_rule, locked_at, code, voter_id,
     person_key, person_masked, birth_year, voter_district_id, phases, proposals) = row  # fmt: skip
    cycle = Cycle(
        pk=cycle_id,
        municipality_id=municipality_id,
        slug=slug,
        name_ka=cycle_ka,
        name_en=cycle_en,
        ballot_kind=kind,
        min_share_percent=share,
        min_projects=min_projects,
        max_projects=max_projects,
        winner_rule=winner_rule,
        rules_locked_at=locked_at,
    )
    cycle.municipality = Municipality(pk=municipality_id, code=code)
    from budgeting.models import CyclePhase

    rows = [
        CyclePhase(
            pk=p["id"],
            municipality_id=municipality_id,
            cycle_id=cycle_id,
            kind=p["kind"],
            enabled=p["enabled"],
            starts_at=_moment(p["starts_at"]),
            ends_at=_moment(p["ends_at"]),
        )
        for p in phases
    ]
    # As prefetch_related("phases") leaves it: cycle.phases.all() reads no more.
    cached = cycle.phases.all()
    cached._result_cache, cached._prefetch_done = rows, True
    cycle._prefetched_objects_cache = {"phases": cached}
    budget = Budget(
        pk=pk,
        municipality_id=municipality_id,
        cycle=cycle,
        district_id=district_id,
        amount=amount,
        name_ka=name_ka,
        name_en=name_en,
    )
    voter = None
    if voter_id is not None:
        voter = Voter(
            pk=voter_id,
            municipality_id=municipality_id,
            cycle_id=cycle_id,
            person_key=person_key,
            person_masked=person_masked,
            birth_year=birth_year,
            district_id=voter_district_id,
            user_id=user_id,
        )
    found = {p["id"]: Proposal(**p) for p in proposals}
    return budget, voter, found
