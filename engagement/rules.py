"""Who moderates comments: staff of the comment's municipality who are municipal administrators
or petitions moderators, and, for a layer that a module owns, that module's handling role (a
permit application's comments: planners).

A layer is owned by the module whose app holds the layer's model (permits/layers.py declares
`permit-applications` on permits.PermitApplication, and permits' portal.py names planners).
"""

from __future__ import annotations

import rules

from core.models import Municipality, Role
from core.modules import registry as modules
from core.rules import has_role, is_superuser, municipality_of, roles_anywhere, roles_in
from layers.registry import registry as layers

MODERATOR_ROLES = frozenset({Role.MUNICIPAL_ADMIN, Role.PETITIONS_MODERATOR})


def layer_owner_role(layer_name: str) -> str | None:
    """The handling role of the module that owns a layer declared in code, if any."""
    layer = layers.get_declared(layer_name)
    if layer is None:
        return None
    module = modules.get(layer.model._meta.app_label)
    return module.role if module is not None else None


def moderating_roles(layer_name: str) -> frozenset[str]:
    owner = layer_owner_role(layer_name)
    return MODERATOR_ROLES | ({owner} if owner else frozenset())


def comment_layers() -> list[str]:
    """The names of the layers declared in code that take comments."""
    return [layer.name for layer in layers.declared() if layer.comments]


def layers_moderated_with(roles: frozenset[str]) -> list[str] | None:
    """The comment layers these roles moderate in a municipality: None for all of them."""
    if roles & MODERATOR_ROLES:
        return None
    return [name for name in comment_layers() if layer_owner_role(name) in roles]


@rules.predicate
def moderates_comment(user, obj) -> bool:
    """A moderating role for the comment in its municipality; with a Municipality or None, a
    role that moderates some comment layer there (or anywhere)."""
    if obj is None or isinstance(obj, Municipality):
        found = roles_anywhere(user) if obj is None else roles_in(user, obj)
        return layers_moderated_with(found) != []
    comment = getattr(obj, "comment", obj)
    found = roles_in(user, municipality_of(comment))
    return bool(found & moderating_roles(comment.layer))


can_moderate = is_superuser | moderates_comment

rules.add_perm("engagement.moderate_comment", can_moderate)
# The admin: comments and their reports, read by their moderators; no one edits them there.
rules.add_perm("engagement.view_comment", can_moderate)
rules.add_perm("engagement.view_commentreport", can_moderate)
# Notifications carry personal data: the municipality's administrators look into deliveries.
rules.add_perm("engagement.view_notification", is_superuser | has_role(Role.MUNICIPAL_ADMIN))
