"""Auctions for tests: a property officer, a lot open for bidding on a Batumi asset, people
whose e-mail is verified, and bidders registered with their deposit paid.

The helpers write rows directly (fast, and in any state a test needs); the services of
estate/auctions.py are tested through their own calls.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.utils import timezone

from core.models import Role
from estate.auctions import id_number_hash, id_number_mask
from estate.models import (
    Asset,
    AssetKind,
    AssetState,
    BidderRegistration,
    Deposit,
    DepositStatus,
    Lot,
    LotAsset,
    LotKind,
    LotStatus,
    OwnershipBasis,
    RegistrationStatus,
)
from tests.conftest import BATUMI_ORIGIN, RUSTAVI_ORIGIN, multi, square
from tests.core.factories import MembershipFactory, UserFactory

_numbers = itertools.count(1)


def verified_user(first_name: str = "Nino", last_name: str = "Beridze", **fields):
    """An active account whose e-mail address allauth has verified."""
    user = UserFactory(first_name=first_name, last_name=last_name, **fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def property_officer(municipality):
    return MembershipFactory(municipality=municipality, role=Role.PROPERTY_OFFICER).user


def make_asset(municipality, *, state=AssetState.AVAILABLE, **fields) -> Asset:
    n = next(_numbers)
    code = municipality.code
    x, y = BATUMI_ORIGIN if code == "BTM" else RUSTAVI_ORIGIN
    values = {
        "municipality": municipality,
        "reference": f"{code}-A-T{n:05d}",
        "kind": AssetKind.LAND,
        "cadastral_code": f"05.24.99.{n:03d}",
        "name_ka": f"მიწის ნაკვეთი {n}",
        "name_en": f"Land parcel {n}",
        "geom": multi(square(x + 500 + 40 * (n % 50), y + 500, 30)),
        "area_m2": 900.0,
        "ownership_basis": OwnershipBasis.REGISTRATION,
        "ownership_document": "Extract 882/2024",
        "state": state,
    }
    values.update(fields)
    return Asset.objects.create(**values)


def make_lot(
    municipality,
    *,
    created_by,
    status=LotStatus.PUBLISHED,
    assets: list[Asset] | None = None,
    opened_ago: datetime.timedelta = datetime.timedelta(days=1),
    closes_in: datetime.timedelta = datetime.timedelta(days=7),
    **fields,
) -> Lot:
    """A lot of one new asset (or `assets`), open for bidding since `opened_ago` until
    `closes_in` from now; its assets in the state that its status implies."""
    now = timezone.now()
    n = next(_numbers)
    closes_at = now + closes_in
    values = {
        "municipality": municipality,
        "reference": f"{municipality.code}-L-T{n:05d}",
        "kind": LotKind.LEASE,
        "title_ka": f"იჯარა {n}",
        "title_en": f"Lease {n}",
        "start_price": Decimal("1000.00"),
        "bid_step": Decimal("50.00"),
        "deposit_percent": Decimal("10"),
        "lease_months": 60,
        "starts_at": now - opened_ago,
        "ends_at": closes_at,
        "closes_at": closes_at,
        "status": status,
        "published_at": now - opened_ago if status != LotStatus.DRAFT else None,
        "created_by": created_by,
    }
    values.update(fields)
    lot = Lot.objects.create(**values)
    if assets is None:
        state = AssetState.IN_AUCTION if status == LotStatus.PUBLISHED else AssetState.LISTED
        assets = [make_asset(municipality, state=state)]
    LotAsset.objects.bulk_create([LotAsset(lot=lot, asset=a) for a in assets])
    return lot


def register_bidder(lot: Lot, user=None, *, paid: bool = True, alias: int | None = None):
    """A registration of `user` (a new verified person) on the lot, its deposit paid."""
    user = user or verified_user(first_name="Bidder", last_name=f"No{next(_numbers)}")
    number = f"{next(_numbers):011d}"
    registration = BidderRegistration.objects.create(
        municipality_id=lot.municipality_id,
        lot=lot,
        user=user,
        legal_name=user.get_full_name(),
        id_number_hash=id_number_hash(number),
        id_number_masked=id_number_mask(number),
        alias=alias or (BidderRegistration.objects.filter(lot=lot).count() + 1),
        deposit=lot.deposit,
        status=RegistrationStatus.PAID if paid else RegistrationStatus.REGISTERED,
    )
    if paid:
        Deposit.objects.create(
            municipality_id=lot.municipality_id,
            registration=registration,
            provider="demo",
            provider_reference=uuid.uuid4().hex,
            amount=registration.deposit,
            status=DepositStatus.PAID,
            paid_at=timezone.now(),
        )
    return registration


def move_clock(lot: Lot, *, closes_in: datetime.timedelta) -> Lot:
    """Set the lot's end `closes_in` from the database's clock now (negative: in the past)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        now = cursor.fetchone()[0]
    Lot.objects.filter(pk=lot.pk).update(closes_at=now + closes_in, ends_at=now + closes_in)
    lot.refresh_from_db()
    return lot


@pytest.fixture
def officer(batumi):
    return property_officer(batumi)


@pytest.fixture
def open_lot(batumi, officer) -> Lot:
    return make_lot(batumi, created_by=officer)


@pytest.fixture
def bidder(open_lot) -> BidderRegistration:
    return register_bidder(open_lot)


@pytest.fixture
def rival(open_lot) -> BidderRegistration:
    return register_bidder(open_lot)
