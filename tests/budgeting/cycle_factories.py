"""The budget officer's world for the cycle pages' tests: a second district of Batumi with its
population, budget officers of Batumi and Rustavi, a citizen, and a cycle of Batumi."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from budgeting import cycle_admin
from budgeting.models import Cycle
from core.models import District, Role
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.core.factories import MembershipFactory, UserFactory


def officer_of(municipality):
    return MembershipFactory(municipality=municipality, role=Role.BUDGET_OFFICER).user


@pytest.fixture
def boulevard(batumi) -> District:
    x, y = BATUMI_ORIGIN
    return District.objects.create(
        municipality=batumi,
        code="boulevard",
        name_ka="ბულვარი",
        name_en="Boulevard",
        boundary=multi(square(x + 2000, y, 2000)),
        population=41000,
    )


@pytest.fixture
def batumi_officer(batumi):
    return officer_of(batumi)


@pytest.fixture
def rustavi_officer(rustavi):
    return officer_of(rustavi)


@pytest.fixture
def citizen(db):
    return UserFactory()


@pytest.fixture
def cycle(batumi, boulevard) -> Cycle:
    return cycle_admin.cycle_create(
        municipality=batumi,
        slug="2027",
        name_ka="ბათუმის ბიუჯეტი 2027",
        name_en="Batumi's budget 2027",
        starts_at=timezone.make_aware(datetime.datetime(2027, 1, 10)),
    )
