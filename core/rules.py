"""Permission predicates: who may act on an object, decided by the municipality it belongs to.

Every predicate takes the user and an object. The object may be a row of any app, a
`Municipality` (the question "may this user do it anywhere in that municipality?", which the
admin asks to scope its lists and choices), or None (the question "anywhere at all?", Django's
model-level permission).
"""

import rules

from core.models import Municipality, Role


def follow_path(obj, path: str):
    """Follow a `case__municipality` path of attributes from an object; None where it breaks."""
    for name in path.split("__") if path else ():
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


def municipality_of(obj):
    """The municipality an object belongs to.

    A municipality is its own; any other object is followed along its model's
    `municipality_path` ("case__municipality"), by default its `municipality` attribute.
    """
    if obj is None or isinstance(obj, Municipality):
        return obj
    return follow_path(obj, getattr(obj, "municipality_path", "municipality"))


def roles_by_municipality(user) -> dict[int, frozenset[str]]:
    """The user's roles keyed by municipality id, read once and kept on the user object.

    The user object lives for one request, so the cache does too; code that grants a role to a
    user object it holds must reload the user before asking again.
    """
    if not user.is_authenticated or not user.is_active:
        return {}
    cache = getattr(user, "_gisportal_roles", None)
    if cache is None:
        found: dict[int, set[str]] = {}
        for m_id, role in user.memberships.values_list("municipality_id", "role"):
            found.setdefault(m_id, set()).add(role)
        cache = {m_id: frozenset(roles) for m_id, roles in found.items()}
        user._gisportal_roles = cache
    return cache


def roles_in(user, municipality) -> frozenset[str]:
    if municipality is None:
        return frozenset()
    return roles_by_municipality(user).get(municipality.pk, frozenset())


def roles_anywhere(user) -> frozenset[str]:
    return frozenset().union(*roles_by_municipality(user).values())


@rules.predicate
def is_superuser(user) -> bool:
    """An active superuser: rules' own `is_superuser` would also pass a deactivated one."""
    return bool(user.is_active and user.is_superuser)


def municipality_ids_with_role(user, role: str) -> list[int] | None:
    """The ids of the municipalities where the user holds the role; None: all of them (an
    active superuser); [] for anyone signed out."""
    if is_superuser.test(user):
        return None
    if not user.is_authenticated:
        return []
    return [pk for pk, roles in sorted(roles_by_municipality(user).items()) if role in roles]


@rules.predicate
def is_staff_of_municipality(user, obj) -> bool:
    """Any staff role in the object's municipality; with no object, any role anywhere."""
    if obj is None:
        return bool(roles_anywhere(user))
    return bool(roles_in(user, municipality_of(obj)))


def has_role(*role_names: str):
    """One of these roles in the object's municipality; a municipal administrator holds them all."""
    wanted = frozenset(role_names) | {Role.MUNICIPAL_ADMIN}

    @rules.predicate(name=f"has_role_{'_or_'.join(role_names)}")
    def predicate(user, obj) -> bool:
        found = roles_anywhere(user) if obj is None else roles_in(user, municipality_of(obj))
        return bool(found & wanted)

    return predicate


can_see_municipal_data = is_superuser | is_staff_of_municipality
can_edit_cadastre = is_superuser | has_role(Role.GIS_OFFICER, Role.PROPERTY_OFFICER)
can_edit_geography = is_superuser | has_role(Role.GIS_OFFICER)
can_manage_staff = is_superuser | has_role(Role.MUNICIPAL_ADMIN)

# Object permissions, checked by the admin and the services through `user.has_perm`.
# Any staff member of a municipality may look at its cadastre and geography (they are public
# on the map anyway); only the roles that keep them may write.
_EDITORS = {
    "core.district": can_edit_geography,
    "parcels.parcel": can_edit_cadastre,
    "parcels.zone": can_edit_geography,
    "parcels.street": can_edit_geography,
    "parcels.building": can_edit_geography,
    "parcels.block": can_edit_geography,
}
for _label, _editor in _EDITORS.items():
    _app, _model = _label.split(".")
    rules.add_perm(f"{_app}.view_{_model}", can_see_municipal_data)
    for _action in ("change", "add", "delete"):
        rules.add_perm(f"{_app}.{_action}_{_model}", _editor)

# Municipalities are created and removed by superusers only (no rule: Django's own permissions).
rules.add_perm("core.view_municipality", can_see_municipal_data)
rules.add_perm("core.change_municipality", can_manage_staff)
for _action in ("view", "change", "add", "delete"):
    rules.add_perm(f"core.{_action}_membership", can_manage_staff)
