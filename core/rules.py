"""Permission predicates: who may act on an object, decided by the municipality it belongs to."""

import rules

from core.models import Role


def municipality_of(obj):
    """The municipality an object belongs to: itself, or its `municipality` attribute."""
    from core.models import Municipality

    if isinstance(obj, Municipality):
        return obj
    return getattr(obj, "municipality", None)


def roles_in(user, municipality) -> set[str]:
    if not user.is_authenticated or municipality is None:
        return set()
    cache = getattr(user, "_gisportal_roles", None)
    if cache is None:
        cache = {}
        for m_id, role in user.memberships.values_list("municipality_id", "role"):
            cache.setdefault(m_id, set()).add(role)
        user._gisportal_roles = cache
    return cache.get(municipality.pk, set())


@rules.predicate
def is_staff_of_municipality(user, obj) -> bool:
    """Any staff role in the object's municipality; with no object, any role anywhere."""
    if obj is None:
        return user.is_authenticated and user.memberships.exists()
    return bool(roles_in(user, municipality_of(obj)))


def has_role(*role_names: str):
    @rules.predicate(name=f"has_role_{'_or_'.join(role_names)}")
    def predicate(user, obj) -> bool:
        if obj is None:
            return user.is_authenticated and user.memberships.filter(role__in=role_names).exists()
        found = roles_in(user, municipality_of(obj))
        return bool(found & set(role_names)) or Role.MUNICIPAL_ADMIN in found

    return predicate


is_superuser = rules.is_superuser
can_edit_cadastre = is_superuser | has_role(Role.GIS_OFFICER, Role.PROPERTY_OFFICER)
can_edit_geography = is_superuser | has_role(Role.GIS_OFFICER)

# Object permissions, checked by the admin and the services through `user.has_perm`.
for _action in ("view", "change", "add", "delete"):
    rules.add_perm(f"core.{_action}_district", is_superuser | can_edit_geography)
    rules.add_perm(f"parcels.{_action}_parcel", is_superuser | can_edit_cadastre)
    rules.add_perm(f"parcels.{_action}_zone", is_superuser | can_edit_geography)
    rules.add_perm(f"parcels.{_action}_street", is_superuser | can_edit_geography)
    rules.add_perm(f"parcels.{_action}_building", is_superuser | can_edit_geography)
rules.add_perm("core.view_municipality", is_superuser | is_staff_of_municipality)
rules.add_perm("core.change_municipality", is_superuser | has_role(Role.MUNICIPAL_ADMIN))
rules.add_perm("core.view_membership", is_superuser | has_role(Role.MUNICIPAL_ADMIN))
rules.add_perm("core.change_membership", is_superuser | has_role(Role.MUNICIPAL_ADMIN))
rules.add_perm("core.add_membership", is_superuser | has_role(Role.MUNICIPAL_ADMIN))
rules.add_perm("core.delete_membership", is_superuser | has_role(Role.MUNICIPAL_ADMIN))
