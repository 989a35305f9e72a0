"""Who may see and handle an application: its applicant, and staff of its municipality whose
role is the one its module declares (core.modules) or who administer the municipality.

Everyone else is answered 404 by the views, as if the case did not exist.
"""

from __future__ import annotations

import rules

from core.models import Municipality, Role
from core.modules import registry
from core.rules import is_superuser, municipality_of, roles_anywhere, roles_in


def handling_roles() -> frozenset[str]:
    """Every role that handles some module's services, and the municipal administrator."""
    return registry.handling_roles() | {Role.MUNICIPAL_ADMIN}


def case_of(obj):
    from cases.models import Case

    if isinstance(obj, Case):
        return obj
    return getattr(obj, "case", None)


def roles_for_module(module: str) -> frozenset[str]:
    """The roles that handle the services of the module with this catalogue code."""
    role = registry.role_for(module)
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
        return bool(roles_anywhere(user) & handling_roles())
    if isinstance(obj, Municipality):
        return bool(roles_in(user, obj) & handling_roles())
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

for _model in ("decision", "casedocument", "informationrequest", "casemessage"):
    rules.add_perm(f"cases.view_{_model}", can_handle_case)

# Staff who handle an application may follow it (engagement): they hear of its status changes.
rules.add_perm("cases.follow_case", can_handle_case)
