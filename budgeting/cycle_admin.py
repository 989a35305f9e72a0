"""Writes of the budget officer's set-up of a cycle: the cycle with its ten phases and its budgets,
the phases' dates, and the budgets' money and population. The voting rules change through
`budgeting.cycles.set_rules`, which refuses once the first ballot exists."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.cycles import check_chain
from budgeting.models import PHASE_ORDER, Budget, Cycle, CyclePhase
from core.models import District, Municipality

# The length of each phase when a cycle is created; the officer then edits the dates.
DEFAULT_DAYS: dict[str, int] = {
    "drafting": 14,
    "informing": 14,
    "accepting": 30,
    "reviewing": 21,
    "supporting": 14,
    "valuating": 21,
    "publishing_prices": 7,
    "balloting": 21,
    "reviewing_ballots": 7,
    "finished": 30,
}

CITYWIDE_NAME_KA = "მთელი ქალაქი"
CITYWIDE_NAME_EN = "Whole city"


def default_start() -> datetime.datetime:
    """Tomorrow at midnight, local time: the first phase's start when none is given."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))


def chained_dates(
    start: datetime.datetime, days: dict[str, int] | None = None
) -> list[tuple[str, datetime.datetime, datetime.datetime]]:
    """The ten phases in their order, each starting when the one before ends."""
    days = days or DEFAULT_DAYS
    dates = []
    starts = start
    for kind in PHASE_ORDER:
        ends = starts + datetime.timedelta(days=days[kind])
        dates.append((kind, starts, ends))
        starts = ends
    return dates


@transaction.atomic
def cycle_create(
    *,
    municipality: Municipality,
    slug: str,
    name_ka: str,
    name_en: str = "",
    description_ka: str = "",
    description_en: str = "",
    ballot_kind: str = "knapsack",
    min_share_percent: int = 70,
    min_projects: int = 1,
    max_projects: int | None = None,
    winner_rule: str = "mes",
    starts_at: datetime.datetime | None = None,
) -> Cycle:
    """A cycle with its ten phases on chained default dates, one budget per district of the
    municipality (money 0, its population) and a city-wide one."""
    cycle = Cycle(
        municipality=municipality,
        slug=slug,
        name_ka=name_ka,
        name_en=name_en,
        description_ka=description_ka,
        description_en=description_en,
        ballot_kind=ballot_kind,
        min_share_percent=min_share_percent,
        min_projects=min_projects,
        max_projects=max_projects,
        winner_rule=winner_rule,
    )
    cycle.full_clean()
    cycle.save()
    CyclePhase.objects.bulk_create(
        CyclePhase(
            municipality=municipality, cycle=cycle, kind=kind, starts_at=starts, ends_at=ends
        )
        for kind, starts, ends in chained_dates(starts_at or default_start())
    )
    budgets = [
        Budget(
            municipality=municipality,
            cycle=cycle,
            district=district,
            name_ka=district.name_ka,
            name_en=district.name_en,
            amount=0,
            population=district.population,
        )
        for district in District.objects.filter(municipality=municipality).defer("boundary")
    ]
    budgets.append(
        Budget(
            municipality=municipality,
            cycle=cycle,
            district=None,
            name_ka=CITYWIDE_NAME_KA,
            name_en=CITYWIDE_NAME_EN,
            amount=0,
            population=sum(b.population or 0 for b in budgets) or None,
        )
    )
    Budget.objects.bulk_create(budgets)
    return cycle


def ordered_phases(cycle: Cycle) -> list[CyclePhase]:
    """All ten phases of the cycle, switched off or not, in their order."""
    return sorted(cycle.phases.all(), key=lambda p: PHASE_ORDER.index(p.kind))


@transaction.atomic
def phases_update(*, cycle: Cycle, changes: Iterable[dict]) -> list[CyclePhase]:
    """Set the phases' dates and switches, given as {"kind", "enabled", "starts_at", "ends_at"};
    the enabled ones must chain (budgeting.cycles.check_chain), or nothing is saved."""
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    phases = {p.kind: p for p in CyclePhase.objects.filter(cycle=cycle)}
    for change in changes:
        phase = phases[change["kind"]]
        phase.enabled = change["enabled"]
        phase.starts_at = change.get("starts_at") or phase.starts_at
        phase.ends_at = change.get("ends_at") or phase.ends_at
    ordered = sorted(phases.values(), key=lambda p: PHASE_ORDER.index(p.kind))
    check_chain(ordered)
    if not any(p.enabled for p in ordered):
        raise ValidationError(_("At least one phase must be switched on."))
    for phase in ordered:
        if phase.ends_at <= phase.starts_at:
            # A switched-off phase keeps dates of its own, which must still be in order.
            raise ValidationError(
                _("%(phase)s: the end must come after the start.")
                % {"phase": phase.get_kind_display()}
            )
        phase.full_clean(exclude=["cycle", "municipality"])
    CyclePhase.objects.bulk_update(ordered, ["enabled", "starts_at", "ends_at"])
    return ordered


@transaction.atomic
def budgets_update(*, cycle: Cycle, changes: Iterable[dict]) -> list[Budget]:
    """Set the budgets' names, money and population, given as {"pk", "name_ka", "name_en",
    "amount", "population"}. A district budget stays with its district."""
    budgets = {
        b.pk: b for b in Budget.objects.select_for_update().filter(cycle=cycle).order_by("pk")
    }
    changed = []
    for change in changes:
        budget = budgets.get(change["pk"])
        if budget is None:
            raise ValidationError(_("This budget is not one of the cycle's."))
        for name in ("name_ka", "name_en", "amount", "population"):
            if name in change:
                setattr(budget, name, change[name])
        budget.full_clean(exclude=["cycle", "municipality", "district"])
        changed.append(budget)
    Budget.objects.bulk_update(changed, ["name_ka", "name_en", "amount", "population"])
    return changed
