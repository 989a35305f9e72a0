"""Reads of the one window: a person's applications, an officer's work queue, one case."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet
from django.http import Http404

from cases.models import Case, Decision, Service, Status
from cases.rules import can_handle_case, can_view_case, roles_for_module
from core.models import Municipality, Role
from core.modules import registry
from core.rules import roles_by_municipality


def service_get(*, code: str, municipality: Municipality | None) -> Service:
    """The active service with this code in a municipality: its own row, else the general one."""
    found = list(
        Service.objects.active()
        .filter(code=code)
        .for_municipality(municipality)
        .prefetch_related("periods", "document_types")
    )
    if not found:
        raise Service.DoesNotExist(f"No active service {code!r}.")
    found.sort(key=lambda s: s.municipality_id is None)
    return found[0]


def _scope_parts(user) -> list[Q]:
    parts = []
    for municipality_id, roles in roles_by_municipality(user).items():
        if Role.MUNICIPAL_ADMIN in roles:
            parts.append(Q(municipality_id=municipality_id))
            continue
        modules = registry.codes_for_roles(roles)
        if modules:
            parts.append(Q(municipality_id=municipality_id, service__module__in=modules))
    return parts


def staff_scope(user) -> Q | None:
    """The cases an officer handles as a filter: None for everything (a superuser)."""
    if user.is_active and user.is_superuser:
        return None
    scope = Q(pk__in=[])
    for part in _scope_parts(user):
        scope |= part
    return scope


def is_case_staff(user) -> bool:
    """Whether the user handles cases anywhere (sees the work queue)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(_scope_parts(user))


def _with_list_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("service", "municipality", "assigned_to").annotate(
        last_change_at=Max("status_changes__at")
    )


def cases_of_applicant(user) -> QuerySet:
    """The person's own applications, newest first, with what the list shows."""
    return _with_list_relations(Case.objects.of_applicant(user)).order_by("-created_at")


@dataclass(frozen=True)
class QueueFilter:
    service: str = ""  # a service code
    status: str = ""
    overdue: bool = False
    mine: bool = False
    include_finished: bool = False


def case_queue(user, *, filters: QueueFilter = QueueFilter(), today: datetime.date) -> QuerySet:
    """The officer's work queue: cases of their municipalities and modules, drafts never shown.

    Most urgent first: overdue and soonest due before the rest.
    """
    if not user.is_authenticated:
        return Case.objects.none()
    queryset = Case.objects.exclude(status=Status.DRAFT)
    scope = staff_scope(user)
    if scope is not None:
        queryset = queryset.filter(scope)
    if filters.service:
        queryset = queryset.filter(service__code=filters.service)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    elif not filters.include_finished:
        queryset = queryset.open()
    if filters.overdue:
        queryset = queryset.overdue(today)
    if filters.mine:
        queryset = queryset.filter(assigned_to=user)
    return _with_list_relations(queryset).order_by("due_date", "submitted_at", "pk")


def case_for_user(user, reference: str, *, staff_only: bool = False) -> Case:
    """The case if the user may see it (applicant or fitting staff); 404 otherwise, the same
    answer as for a reference that does not exist."""
    case = (
        Case.objects.select_related("service", "municipality", "applicant", "assigned_to")
        .filter(reference=reference)
        .first()
    )
    rule = can_handle_case if staff_only else can_view_case
    if case is None or not user.is_authenticated or not rule.test(user, case):
        raise Http404("No such application.")
    if case.status == Status.DRAFT and case.applicant_id != user.pk:
        # A draft is the applicant's own until it is submitted.
        raise Http404("No such application.")
    return case


def decision_by_code(code: str) -> Decision | None:
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    if not code or len(code) > 32:
        return None
    return (
        Decision.objects.select_related("case", "case__service", "case__municipality")
        .filter(verification_code=code)
        .first()
    )


def officers_for_case(case: Case):
    """People who may be assigned the case: handling staff of its municipality."""
    from django.contrib.auth import get_user_model

    wanted = roles_for_module(case.service.module)
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__municipality=case.municipality,
            memberships__role__in=wanted,
        )
        .distinct()
        .order_by("username")
    )
