"""The property officer's world for the staff pages' tests: officers of Batumi and Rustavi, a
citizen, and the form data of a lot."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.models import Role
from tests.core.factories import MembershipFactory, UserFactory

FORM_TIME = "%Y-%m-%dT%H:%M"


def officer_of(municipality):
    return MembershipFactory(municipality=municipality, role=Role.PROPERTY_OFFICER).user


@pytest.fixture
def batumi_officer(batumi):
    return officer_of(batumi)


@pytest.fixture
def rustavi_officer(rustavi):
    return officer_of(rustavi)


@pytest.fixture
def citizen(db):
    return UserFactory()


def lot_form(*, assets=(), days: int = 10, starts_in: datetime.timedelta | None = None, **extra):
    """The posted form of a lease lot, open `days` days from tomorrow."""
    starts = timezone.localtime() + (starts_in or datetime.timedelta(days=1))
    ends = starts + datetime.timedelta(days=days)
    data = {
        "assets": [a.reference for a in assets],
        "kind": "lease",
        "title_ka": "იჯარა: რუსთაველის ქ. 12",
        "title_en": "Lease: Rustaveli St. 12",
        "description_ka": "",
        "description_en": "",
        "conditions_ka": "",
        "conditions_en": "",
        "start_price": "1200.00",
        "bid_step": "50",
        "deposit_amount": "",
        "deposit_percent": "10",
        "lease_months": "60",
        "starts_at": starts.strftime(FORM_TIME),
        "ends_at": ends.strftime(FORM_TIME),
        "min_bidders": "2",
        "extension_window_s": "120",
        "extension_s": "120",
        "edit_cutoff_hours": "120",
    }
    data.update(extra)
    return data
