"""The statuses of cases: those every service shares, and those a module adds in its portal.py.

A module's status (core.modules.CaseStatus) exists only for the cases of that module's
services: it names the common statuses it may follow and those that may follow it. The state
machine of a case is therefore the common table below joined with its module's statuses.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.modules import CaseStatus, registry


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In assessment")
    AWAITING_APPLICANT = "awaiting_applicant", _("Waiting for the applicant")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    DECIDED_APPROVED = "decided_approved", _("Approved")
    DECIDED_REFUSED = "decided_refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")


# Common statuses in which the clock runs and staff work; a case in any other is a draft or
# finished. Modules' statuses say for themselves (CaseStatus.open).
OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_APPLICANT, Status.AWAITING_DECISION}
)
FINISHED_STATUSES = frozenset(
    {
        Status.DECIDED_APPROVED,
        Status.DECIDED_REFUSED,
        Status.WITHDRAWN,
        Status.RETURNED,
        Status.CLOSED,
    }
)

# Which common status may follow which (after BOPS: returned, withdrawn and closed from any
# open state).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset(
        {
            Status.IN_REVIEW,
            Status.AWAITING_APPLICANT,
            Status.RETURNED,
            Status.WITHDRAWN,
            Status.CLOSED,
        }
    ),
    Status.IN_REVIEW: frozenset(
        {
            Status.AWAITING_APPLICANT,
            Status.AWAITING_DECISION,
            Status.DECIDED_APPROVED,
            Status.DECIDED_REFUSED,
            Status.RETURNED,
            Status.WITHDRAWN,
            Status.CLOSED,
        }
    ),
    Status.AWAITING_APPLICANT: frozenset(
        {Status.IN_REVIEW, Status.RETURNED, Status.WITHDRAWN, Status.CLOSED}
    ),
    Status.AWAITING_DECISION: frozenset(
        {
            Status.IN_REVIEW,
            Status.AWAITING_APPLICANT,
            Status.DECIDED_APPROVED,
            Status.DECIDED_REFUSED,
            Status.WITHDRAWN,
            Status.CLOSED,
        }
    ),
    Status.DECIDED_APPROVED: frozenset({Status.CLOSED}),
    Status.DECIDED_REFUSED: frozenset({Status.CLOSED}),
    Status.RETURNED: frozenset({Status.CLOSED}),
    Status.WITHDRAWN: frozenset(),
    Status.CLOSED: frozenset(),
}
# Reached only through their own service, which does what they need (checks, a decision).
OWN_ACTION = frozenset({Status.SUBMITTED, Status.DECIDED_APPROVED, Status.DECIDED_REFUSED})
# Staff must say why.
NEEDING_NOTE = frozenset({Status.RETURNED, Status.CLOSED, Status.WITHDRAWN})
# Changes the applicant hears about from a plain status change (the others have their own).
TOLD_TO_APPLICANT = frozenset(
    {
        Status.IN_REVIEW,
        Status.AWAITING_DECISION,
        Status.RETURNED,
        Status.WITHDRAWN,
        Status.CLOSED,
    }
)


def status_choices() -> list[tuple[str, str]]:
    """Every status a case may have: the common ones, then those of the modules."""
    choices = list(Status.choices)
    known = {value for value, _label in choices}
    for status in registry.statuses():
        if status.value not in known:
            choices.append((status.value, status.label))
            known.add(status.value)
    return choices


def module_status(value: str, module: str | None = None) -> CaseStatus | None:
    """The module status with this value (of the module with this catalogue code, if given)."""
    return next((s for s in registry.statuses(module) if s.value == value), None)


def status_label(value: str) -> str:
    if value in Status.values:
        return str(Status(value).label)
    found = module_status(value)
    return str(found.label) if found else value


def open_statuses() -> frozenset[str]:
    return OPEN_STATUSES | {s.value for s in registry.statuses() if s.open}


def finished_statuses() -> frozenset[str]:
    return FINISHED_STATUSES | {s.value for s in registry.statuses() if not s.open}


def transitions(status: str, module: str) -> frozenset[str]:
    """The statuses that may follow `status` in a case of the module with this catalogue code."""
    allowed = set(TRANSITIONS.get(status, ()))
    for added in registry.statuses(module):
        if status in added.after:
            allowed.add(added.value)
        if added.value == status:
            allowed |= set(added.before)
    return frozenset(allowed)


def is_own_action(value: str, module: str) -> bool:
    if value in OWN_ACTION:
        return True
    found = module_status(value, module)
    return bool(found and found.own_action)


def is_told_to_applicant(value: str, module: str) -> bool:
    if value in TOLD_TO_APPLICANT:
        return True
    found = module_status(value, module)
    return bool(found and found.tell_applicant)
