"""The public register for tests: assets on hand-drawn parcels (EPSG:32638), lots with their
terms, and closed auctions with a price path. Rows are written directly, in any state."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from core.models import Role
from estate.models import (
    Asset,
    AssetKind,
    AssetState,
    Bid,
    BidderRegistration,
    Lot,
    LotAsset,
    LotKind,
    LotStatus,
    OwnershipBasis,
)
from tests.conftest import BATUMI_ORIGIN, RUSTAVI_ORIGIN, multi, square
from tests.core.factories import MembershipFactory, UserFactory

_numbers = itertools.count(1)


def officer(municipality, role: str = Role.PROPERTY_OFFICER):
    return MembershipFactory(municipality=municipality, role=role).user


def asset(municipality, *, state=AssetState.AVAILABLE, parcel=None, **fields) -> Asset:
    n = next(_numbers)
    x, y = BATUMI_ORIGIN if municipality.code == "BTM" else RUSTAVI_ORIGIN
    values = {
        "municipality": municipality,
        "reference": f"{municipality.code}-R-{n:05d}",
        "kind": AssetKind.LAND,
        "parcel": parcel,
        "cadastral_code": parcel.cadastral_code if parcel else f"05.24.77.{n:03d}",
        "name_ka": f"ნაკვეთი {n}",
        "name_en": f"Plot {n}",
        "address_ka": f"ტესტის ქ. {n}",
        "address_en": f"Test St. {n}",
        "geom": parcel.geom if parcel else multi(square(x + 300 + 40 * (n % 40), y + 300, 30)),
        "area_m2": 900.0,
        "ownership_basis": OwnershipBasis.REGISTRATION,
        "ownership_document": f"Extract {n}/2024",
        "current_use_ka": "არ გამოიყენება",
        "current_use_en": "Not in use",
        "state": state,
    }
    values.update(fields)
    return Asset.objects.create(**values)


def lot(municipality, *, assets, created_by, status=LotStatus.PUBLISHED, **fields) -> Lot:
    n = next(_numbers)
    now = timezone.now()
    values = {
        "municipality": municipality,
        "reference": f"{municipality.code}-LOT-{n:05d}",
        "kind": LotKind.LEASE,
        "title_ka": f"იჯარა {n}",
        "title_en": f"Lease {n}",
        "start_price": Decimal("4860.00"),
        "bid_step": Decimal("243.00"),
        "deposit_percent": Decimal("5"),
        "lease_months": 60,
        "starts_at": now - datetime.timedelta(days=1),
        "ends_at": now + datetime.timedelta(days=6),
        "closes_at": now + datetime.timedelta(days=6),
        "status": status,
        "created_by": created_by,
    }
    values.update(fields)
    made = Lot.objects.create(**values)
    LotAsset.objects.bulk_create([LotAsset(lot=made, asset=a) for a in assets])
    return made


def closed_lot(municipality, *, assets, created_by, amounts=(51000, 53500, 56000)) -> Lot:
    """An awarded sale whose bids rose by `amounts`, bidders 1 and 2 in turn."""
    now = timezone.now()
    made = lot(
        municipality,
        assets=assets,
        created_by=created_by,
        status=LotStatus.AWARDED,
        kind=LotKind.SALE,
        start_price=Decimal("51000"),
        bid_step=Decimal("2500"),
        deposit_amount=Decimal("5100"),
        deposit_percent=None,
        lease_months=None,
        starts_at=now - datetime.timedelta(days=10),
        ends_at=now - datetime.timedelta(days=2),
        closes_at=now - datetime.timedelta(days=2),
        closed_at=now - datetime.timedelta(days=2),
        final_price=Decimal(amounts[-1]),
        bid_count=len(amounts),
    )
    registrations = [
        BidderRegistration.objects.create(
            municipality=municipality,
            lot=made,
            user=UserFactory(first_name="Secret", last_name=f"Bidder{alias}"),
            legal_name=f"Secret Bidder{alias}",
            id_number_hash=f"{alias:064d}",
            id_number_masked="*******0001",
            alias=alias,
            deposit=Decimal("5100"),
            status="paid",
        )
        for alias in (1, 2)
    ]
    for sequence, amount in enumerate(amounts, start=1):
        Bid.objects.create(
            municipality=municipality,
            lot=made,
            registration=registrations[(sequence - 1) % 2],
            amount=Decimal(amount),
            sequence=sequence,
            placed_at=now - datetime.timedelta(days=3, minutes=-sequence),
        )
    return made
