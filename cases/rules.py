"""Who may see and handle an application: its applicant, and staff of its municipality whose
role fits the service's module (a planner for permits) or who administer the municipality.

Everyone else is answered 404 by the views, as if the case did not exist.
"""

from __future__ import annotations

import rules

from core.models import Municipality, Role
from core.rules import is_superuser, municipality_of, roles_anywhere, roles_in

# The staff role that handles the services of each module.
MODULE_ROLES: dict[str, str] = {
    "permits": Role.PLANNER,
    "parcels": Role.PROPERTY_OFFICER,
    "budgeting": Role.BUDGET_OFFICER,
    "petitions": Role.PETITIONS_MODERATOR,
    "welfare": Role.SOCIAL_WORKER,
}
HANDLING_ROLES = frozenset(MODULE_ROLES.values()) | {Role.MUNICIPAL_ADMIN}


def case_of(obj):
    from cases.models import Case

    if isinstance(obj, Case):
        return obj
    return getattr(obj, "case", None)


def roles_for_module(module: str) -> frozenset[str]:
    role = MODULE_ROLES.get(module)
    return frozenset({Role.MUNICIPAL_ADMIN} | ({role} if role else set()))


@rules.predicate
def is_applicant(user, obj) -> bool:
    case = case_of(obj)
    return bool(case is not None and user.is_authenticated and case.applicant_id == user.pk)


@rules.predicate
def handles_case(user, obj) -> bool:
    """A handling role for the case's service in its municipality.

    With a Municipality (the admin's question "anywhere there?") or None, any handling role.
    """
    if obj is None:
        return bool(roles_anywhere(user) & HANDLING_ROLES)
    if isinstance(obj, Municipality):
        return bool(roles_in(user, obj) & HANDLING_ROLES)
    case = case_of(obj)
    if case is None:
        return False
    return bool(roles_in(user, municipality_of(case)) & roles_for_module(case.service.module))


@rules.predicate
def administers_municipality(user, obj) -> bool:
    if obj is None:
        return Role.MUNICIPAL_ADMIN in roles_anywhere(user)
    return Role.MUNICIPAL_ADMIN in roles_in(user, municipality_of(obj))


@rules.predicate
def is_any_staff(user, obj) -> bool:
    return bool(roles_anywhere(user))


can_handle_case = is_superuser | handles_case
can_view_case = is_applicant | can_handle_case

rules.add_perm("cases.handle_case", can_handle_case)
rules.add_perm("cases.view_case", can_handle_case)  # the admin: staff only
rules.add_perm("cases.see_case", can_view_case)  # the portal: applicant or staff

# The catalogue: municipal administrators edit their municipality's services; services offered
# everywhere (no municipality) are seen by all staff and changed by superusers only.
can_edit_service = is_superuser | administers_municipality
for _model in ("service", "serviceperiod", "documenttype"):
    rules.add_perm(f"cases.view_{_model}", is_superuser | is_any_staff)
    for _action in ("add", "change", "delete"):
        rules.add_perm(f"cases.{_action}_{_model}", can_edit_service)

for _model in ("decision", "casedocument", "informationrequest", "notification", "casemessage"):
    rules.add_perm(f"cases.view_{_model}", can_handle_case)
