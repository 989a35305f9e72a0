"""The phases of a cycle: which one is current, the chain of their dates, and the lock of the
voting rules once the first ballot exists."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.models import PHASE_ORDER, Cycle, CyclePhase, Phase

# The fields of a cycle that are its voting rules: locked once the first ballot exists.
RULE_FIELDS = ("ballot_kind", "min_share_percent", "min_projects", "max_projects", "winner_rule")


def enabled_phases(cycle: Cycle) -> list[CyclePhase]:
    """The cycle's switched-on phases in their order."""
    phases = [p for p in cycle.phases.all() if p.enabled]
    return sorted(phases, key=lambda p: PHASE_ORDER.index(p.kind))


def current_phase(cycle: Cycle, now: datetime.datetime | None = None) -> str | None:
    """The kind of the enabled phase whose dates hold `now`; before the first one, None;
    after the last one, FINISHED."""
    now = now or timezone.now()
    phases = enabled_phases(cycle)
    for phase in phases:
        if phase.starts_at <= now < phase.ends_at:
            return phase.kind
    if phases and now >= phases[-1].ends_at:
        return Phase.FINISHED
    return None


def phase_of(cycle: Cycle, kind: str) -> CyclePhase | None:
    return next((p for p in cycle.phases.all() if p.kind == kind and p.enabled), None)


def is_in_phase(cycle: Cycle, kind: str, now: datetime.datetime | None = None) -> bool:
    return current_phase(cycle, now) == kind


def check_chain(phases: list[CyclePhase]) -> None:
    """The enabled phases, in their order, each start when the one before ends."""
    enabled = sorted((p for p in phases if p.enabled), key=lambda p: PHASE_ORDER.index(p.kind))
    errors = []
    for phase in enabled:
        if phase.ends_at <= phase.starts_at:
            errors.append(
                _("%(phase)s: the end must come after the start.")
                % {"phase": Phase(phase.kind).label}
            )
    for before, after in zip(enabled, enabled[1:], strict=False):
        if after.starts_at != before.ends_at:
            errors.append(
                _("%(after)s must start when %(before)s ends (%(end)s).")
                % {
                    "after": Phase(after.kind).label,
                    "before": Phase(before.kind).label,
                    "end": timezone.localtime(before.ends_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
    if errors:
        raise ValidationError(errors)


def lock_rules(cycle: Cycle) -> None:
    """Lock the cycle's voting rules (called in the transaction that makes the first ballot).
    One UPDATE, so that concurrent first ballots lock it once."""
    if cycle.rules_locked_at is None:
        now = timezone.now()
        Cycle.objects.filter(pk=cycle.pk, rules_locked_at__isnull=True).update(rules_locked_at=now)
        cycle.rules_locked_at = now


def check_rules_change(cycle: Cycle, changed: dict) -> None:
    """Refuse a change of the voting rules of a locked cycle."""
    fresh = Cycle.objects.only("rules_locked_at").get(pk=cycle.pk)
    touched = [name for name in RULE_FIELDS if name in changed]
    if fresh.rules_locked_at is not None and touched:
        raise ValidationError(
            _("The voting rules are locked: ballots have been cast under them since %(when)s.")
            % {"when": timezone.localtime(fresh.rules_locked_at).strftime("%Y-%m-%d %H:%M")}
        )


@transaction.atomic
def set_rules(cycle: Cycle, **changed) -> Cycle:
    """Change the voting rules of a cycle that has no ballot yet."""
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    check_rules_change(cycle, changed)
    for name, value in changed.items():
        setattr(cycle, name, value)
    cycle.full_clean()
    cycle.save()
    return cycle
