"""Assets, lots and bidders for the tests of the estate's applications through the one window.

Rows the register and the auction engine would write are made directly here: these tests are
about the applications, not about how an asset came into the register or a lot closed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from estate.models import (
    Asset,
    AssetKind,
    AssetState,
    BidderRegistration,
    Lot,
    LotAsset,
    LotKind,
    LotStatus,
    OwnershipBasis,
    RegistrationStatus,
)
from tests.cases.factories import applicant


def asset_of(parcel, reference: str, *, state=AssetState.AVAILABLE, **fields) -> Asset:
    defaults = {
        "kind": AssetKind.LAND,
        "name_ka": "მიწის ნაკვეთი",
        "name_en": "Plot of land",
        "address_ka": parcel.address_ka,
        "address_en": parcel.address_en,
        "ownership_basis": OwnershipBasis.REGISTRATION,
        "ownership_document": "Registry extract 1",
    }
    defaults.update(fields)
    return Asset.objects.create(
        municipality=parcel.municipality,
        reference=reference,
        parcel=parcel,
        cadastral_code=parcel.cadastral_code,
        geom=parcel.geom,
        area_m2=parcel.area_m2,
        state=state,
        **defaults,
    )


def lot_of(asset: Asset, reference: str, *, status=LotStatus.PUBLISHED, closed_at=None) -> Lot:
    now = timezone.now()
    lot = Lot.objects.create(
        municipality=asset.municipality,
        reference=reference,
        kind=LotKind.LEASE,
        title_ka="ნაკვეთის იჯარა",
        title_en="Lease of a plot",
        start_price=Decimal("4860"),
        bid_step=Decimal("243"),
        deposit_percent=Decimal("5"),
        lease_months=60,
        starts_at=now - datetime.timedelta(days=9),
        ends_at=now - datetime.timedelta(days=2),
        closes_at=now - datetime.timedelta(days=2),
        status=status,
        closed_at=closed_at,
        created_by=applicant(),
    )
    LotAsset.objects.create(lot=lot, asset=asset)
    return lot


def bidder(lot: Lot, user, alias: int = 1) -> BidderRegistration:
    return BidderRegistration.objects.create(
        municipality=lot.municipality,
        lot=lot,
        user=user,
        legal_name="Bidder",
        id_number_hash="0" * 64,
        id_number_masked="•••••••0001",
        alias=alias,
        status=RegistrationStatus.RELEASED,
        deposit=lot.deposit,
    )
