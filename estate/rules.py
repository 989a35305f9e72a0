"""Who keeps the estate: the property officers of a municipality keep its register and its
lots (a superuser keeps all). Everyone else is answered 404 by the staff pages, as if the asset
or lot did not exist.

Predicates take the user and an object (an asset, a lot, a row that carries a municipality),
a `Municipality` (the question "anywhere in that municipality?", which the admin asks) or None
(the question "anywhere at all?").
"""

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


def is_property_officer_of(user, municipality: Municipality | None) -> bool:
    """The user holds the property officer's role in this municipality (with None: anywhere)."""
    if user is None or not user.is_authenticated:
        return False
    if municipality is None:
        return Role.PROPERTY_OFFICER in roles_anywhere(user)
    return Role.PROPERTY_OFFICER in roles_in(user, municipality)


def officer_municipality_ids(user) -> list[int] | None:
    """The ids of the municipalities the user keeps the estate of; None: all (a superuser)."""
    return municipality_ids_with_role(user, Role.PROPERTY_OFFICER)


@rules.predicate
def is_property_officer(user, obj) -> bool:
    if obj is None:
        return is_property_officer_of(user, None)
    municipality = municipality_of(obj)
    return municipality is not None and is_property_officer_of(user, municipality)


can_manage_asset = is_superuser | is_property_officer
can_manage_lot = is_superuser | is_property_officer

# The register and the lots: property officers see and keep them. An asset leaves the register
# only by a superuser's hand (its history stays either way).
rules.add_perm("estate.view_asset", can_manage_asset)
rules.add_perm("estate.add_asset", can_manage_asset)
rules.add_perm("estate.change_asset", can_manage_asset)
rules.add_perm("estate.delete_asset", is_superuser)

# Lots are made and cancelled on the staff pages (estate/lots.py), which number them and keep
# their assets' states; in the admin a draft's text may be corrected.
rules.add_perm("estate.view_lot", can_manage_lot)
rules.add_perm("estate.change_lot", can_manage_lot)
rules.add_perm("estate.view_lotasset", can_manage_lot)

# What the auction engine writes: seen, never changed, in the admin.
for _model in ("bidderregistration", "deposit", "bid"):
    rules.add_perm(f"estate.view_{_model}", can_manage_lot)

# Contracts, instalments, payments and reminders: their rules follow below.
