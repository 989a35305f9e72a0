"""Who keeps participatory budgeting: the budget officers of a municipality keep its cycles,
proposals, voter lists, paper ballots, results and delivery reports (a superuser keeps all).
Everyone else is answered 404 by the staff pages, as if the object did not exist."""

from __future__ import annotations

import rules

from core.models import Municipality, Role
from core.rules import (
    is_superuser,
    municipality_ids_with_role,
    municipality_of,
    roles_anywhere,
    roles_in,
)


def is_budget_officer_of(user, municipality: Municipality | None) -> bool:
    """The user holds the budget officer's role in this municipality (with None: anywhere)."""
    if user is None or not user.is_authenticated:
        return False
    if municipality is None:
        return Role.BUDGET_OFFICER in roles_anywhere(user)
    return Role.BUDGET_OFFICER in roles_in(user, municipality)


def officer_municipality_ids(user) -> list[int] | None:
    """The ids of the municipalities whose budgeting the user keeps; None: all (a superuser)."""
    return municipality_ids_with_role(user, Role.BUDGET_OFFICER)


def keeps(user, obj) -> bool:
    """The user keeps the budgeting of the object's municipality."""
    ids = officer_municipality_ids(user)
    if ids is None:
        return True
    municipality = municipality_of(obj)
    return municipality is not None and municipality.pk in ids


@rules.predicate
def is_budget_officer(user, obj) -> bool:
    if obj is None:
        return is_budget_officer_of(user, None)
    municipality = municipality_of(obj)
    return municipality is not None and is_budget_officer_of(user, municipality)


can_keep_budgeting = is_superuser | is_budget_officer

for _model in ("cycle", "cyclephase", "budget", "proposal"):
    rules.add_perm(f"budgeting.view_{_model}", can_keep_budgeting)
    rules.add_perm(f"budgeting.change_{_model}", can_keep_budgeting)
