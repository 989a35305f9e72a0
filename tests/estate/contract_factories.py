"""Contracts for tests: an awarded lot written directly with the ORM (the auction is not run),
its winner with the deposit paid, and the contract made through estate/contracts.py."""

from __future__ import annotations

import datetime
import itertools
import re
import zlib
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.models import Role
from estate import contracts
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


def property_officer(municipality):
    return MembershipFactory(municipality=municipality, role=Role.PROPERTY_OFFICER).user


def citizen(first_name: str = "Nino", last_name: str = "Beridze"):
    return UserFactory(first_name=first_name, last_name=last_name)


def asset(municipality, **fields) -> Asset:
    n = next(_numbers)
    x, y = BATUMI_ORIGIN if municipality.code == "BTM" else RUSTAVI_ORIGIN
    values = {
        "municipality": municipality,
        "reference": f"{municipality.code}-A-C{n:05d}",
        "kind": AssetKind.LAND,
        "cadastral_code": f"05.24.77.{n:03d}",
        "name_ka": f"მიწის ნაკვეთი {n}",
        "name_en": f"Land parcel {n}",
        "geom": multi(square(x + 900 + 40 * (n % 50), y + 900, 30)),
        "area_m2": 900.0,
        "ownership_basis": OwnershipBasis.REGISTRATION,
        "ownership_document": "Extract 882/2024",
        "state": AssetState.IN_AUCTION,
    }
    values.update(fields)
    return Asset.objects.create(**values)


def awarded_lot(
    municipality,
    *,
    created_by,
    winner=None,
    kind: str = LotKind.LEASE,
    final_price: Decimal = Decimal("1200.00"),
    lease_months: int | None = 12,
    deposit: Decimal = Decimal("150.00"),
    company: bool = False,
    legal_name: str = "",
) -> Lot:
    """A lot closed and awarded to `winner` (a new person) at `final_price`, deposit paid."""
    n = next(_numbers)
    now = timezone.now()
    lot = Lot.objects.create(
        municipality=municipality,
        reference=f"{municipality.code}-L-C{n:05d}",
        kind=kind,
        title_ka=f"ლოტი {n}",
        title_en=f"Lot {n}",
        conditions_ka="ნაკვეთი გამოიყენება ავტოსადგომად.",
        conditions_en="The parcel is used as a car park.",
        start_price=Decimal("1000.00"),
        bid_step=Decimal("50.00"),
        deposit_amount=deposit,
        lease_months=lease_months if kind != LotKind.SALE else None,
        starts_at=now - datetime.timedelta(days=8),
        ends_at=now - datetime.timedelta(days=1),
        closes_at=now - datetime.timedelta(days=1),
        status=LotStatus.AWARDED,
        final_price=final_price,
        closed_at=now - datetime.timedelta(days=1),
        created_by=created_by,
    )
    LotAsset.objects.create(lot=lot, asset=asset(municipality))
    winner = winner or citizen()
    registration = BidderRegistration.objects.create(
        municipality=municipality,
        lot=lot,
        user=winner,
        legal_name=legal_name or winner.get_full_name(),
        id_number_hash=f"{n:064d}",
        id_number_masked="•••••••0001",
        is_company=company,
        alias=1,
        deposit=deposit,
        status=RegistrationStatus.PAID,
    )
    Deposit.objects.create(
        municipality=municipality,
        registration=registration,
        provider="demo",
        provider_reference=f"dep-{n}",
        amount=deposit,
        status=DepositStatus.PAID,
        paid_at=now - datetime.timedelta(days=9),
    )
    Lot.objects.filter(pk=lot.pk).update(winner=registration)
    lot.refresh_from_db()
    return lot


def lease_contract(lot: Lot, *, by, starts_on=datetime.date(2026, 1, 15), **terms):
    terms = {"frequency": "monthly", "indexation_percent": Decimal("5"), "grace_days": 10} | terms
    return contracts.contract_from_lot(lot=lot, by=by, starts_on=starts_on, **terms)


def pdf_text(data: bytes) -> bytes:
    """The PDF's bytes with every compressed stream inflated (as tests/cases does)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        try:
            parts.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            pass
    return b"\n".join(parts)


@pytest.fixture
def contract_settings(settings, tmp_path):
    """Files in a temporary folder, notifications at once, and the services' messages in
    English, which the tests read."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_SYNC = True
    settings.GISPORTAL_PUBLIC_URL = "http://portal.test"
    with translation.override("en"):
        yield settings


@pytest.fixture
def officer(batumi):
    return property_officer(batumi)


@pytest.fixture
def rustavi_officer(rustavi):
    return property_officer(rustavi)


def approved_direct_lease(municipality, *, applicant=None, lease_months: int = 24):
    """A direct-lease application of an asset, its case decided "approved" (rows written
    directly: the one window's flow is tested on its own)."""
    from cases.models import Case, Service, Status
    from estate.models import EstateRequest, RequestKind
    from estate.requests import SERVICE_DIRECT_LEASE

    n = next(_numbers)
    applicant = applicant or citizen("Tamar", "Lomidze")
    service = Service.objects.filter(code=SERVICE_DIRECT_LEASE).first()
    case = Case.objects.create(
        reference=f"{municipality.code}-2026-C{n:05d}",
        service=service,
        applicant=applicant,
        municipality=municipality,
        status=Status.DECIDED_APPROVED,
    )
    return EstateRequest.objects.create(
        case=case,
        kind=RequestKind.DIRECT_LEASE,
        asset=asset(municipality, state=AssetState.AVAILABLE, direct_lease_allowed=True),
        wanted=LotKind.LEASE,
        lease_months=lease_months,
        purpose="A community garden.",
    )
