"""Factories for people: accounts, and staff roles granted the way the admin grants them."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from core.models import Membership, Role
from core.services import membership_grant

PASSWORD = "correct horse battery staple"
# Hashed once: a real hash of PASSWORD costs most of a second, and most tests never log in by it.
_PASSWORD_HASH = make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.ge")
    password = _PASSWORD_HASH


class MembershipFactory(factory.django.DjangoModelFactory):
    """A role through `membership_grant`; pass the municipality (the fixtures draw them)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.GIS_OFFICER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return membership_grant(**kwargs)
