"""Writes of the tenancy layer: staff roles granted and revoked."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core.models import Membership, Municipality, Role


@transaction.atomic
def membership_grant(
    *, user: AbstractBaseUser, municipality: Municipality, role: str
) -> Membership:
    """Give a person a staff role in a municipality; staff status lets them into the admin."""
    membership = Membership(user=user, municipality=municipality, role=Role(role))
    membership.full_clean()
    membership.save()
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    """Take a role away; a person left with no role and no other grant leaves the admin."""
    user = membership.user
    membership.delete()
    still_staff = (
        user.is_superuser
        or user.memberships.exists()
        or user.groups.exists()
        or user.user_permissions.exists()
    )
    if user.is_staff and not still_staff:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
