"""Rustavi's municipal estate and citizen B's part in it, for the isolation matrix.

A draft lot (the officer's alone), a lot open for bidding on which B registered and bid, an
awarded lot that B won with its contract, payments and a reminder, and B's application to
lease an asset. Rows a job or the engine writes under a lock are made directly.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from estate.models import (
    Asset,
    AssetKind,
    AssetState,
    Bid,
    BidderRegistration,
    Contract,
    ContractAsset,
    Deposit,
    DepositStatus,
    Frequency,
    Instalment,
    Lot,
    LotAsset,
    LotKind,
    LotStatus,
    OwnershipBasis,
    Payment,
    PaymentSource,
    RegistrationStatus,
    Reminder,
)


def _asset(rustavi, parcel, number: int, state: str) -> Asset:
    return Asset.objects.create(
        municipality=rustavi,
        reference=f"RST-A-9{number:04d}",
        kind=AssetKind.LAND,
        parcel=parcel,
        cadastral_code=parcel.cadastral_code,
        name_ka="ნაკვეთი",
        name_en="Plot",
        geom=parcel.geom,
        area_m2=parcel.area_m2,
        ownership_basis=OwnershipBasis.REGISTRATION,
        ownership_document="Extract 1",
        state=state,
    )


def _lot(rustavi, officer, asset, number: int, status: str, title: str, **extra) -> Lot:
    now = timezone.now()
    lot = Lot.objects.create(
        municipality=rustavi,
        reference=f"RST-L-2026-9{number:03d}",
        kind=LotKind.LEASE,
        title_ka=title,
        title_en=title,
        start_price=Decimal("4860"),
        bid_step=Decimal("243"),
        deposit_percent=Decimal("5"),
        lease_months=60,
        starts_at=now - datetime.timedelta(days=2),
        ends_at=now + datetime.timedelta(days=5),
        closes_at=now + datetime.timedelta(days=5),
        status=status,
        created_by=officer,
        **extra,
    )
    LotAsset.objects.create(lot=lot, asset=asset)
    return lot


def _registration(rustavi, lot, user, name: str, alias: int) -> BidderRegistration:
    return BidderRegistration.objects.create(
        municipality=rustavi,
        lot=lot,
        user=user,
        legal_name=name,
        id_number_hash="0" * 64,
        id_number_masked="•••••••0001",
        alias=alias,
        status=RegistrationStatus.PAID,
        deposit=lot.deposit,
    )


def build_estate(markers: dict[str, str], mark, rustavi, owner, officer, parcels) -> dict:
    """The estate rows of the world, by name."""
    assets = [
        _asset(rustavi, parcels[0], 1, AssetState.LISTED),
        _asset(rustavi, parcels[1], 2, AssetState.IN_AUCTION),
        _asset(rustavi, parcels[2], 3, AssetState.LEASED),
    ]
    draft = _lot(
        rustavi, officer, assets[0], 1, LotStatus.DRAFT, mark(markers, "estate-draft-lot-title")
    )
    open_lot = _lot(rustavi, officer, assets[1], 2, LotStatus.PUBLISHED, "Open lot")
    open_registration = _registration(
        rustavi, open_lot, owner, mark(markers, "estate-bidder-name"), 17
    )
    deposit = Deposit.objects.create(
        municipality=rustavi,
        registration=open_registration,
        provider="demo",
        provider_reference=mark(markers, "estate-deposit-reference"),
        amount=open_registration.deposit,
        status=DepositStatus.PAID,
        paid_at=timezone.now(),
    )
    bid = Bid.objects.create(
        municipality=rustavi,
        lot=open_lot,
        registration=open_registration,
        amount=open_lot.start_price,
        sequence=1,
        placed_at=timezone.now(),
    )
    Lot.objects.filter(pk=open_lot.pk).update(
        current_price=bid.amount, leading_bid=bid, bid_count=1, version=1
    )

    awarded = _lot(rustavi, officer, assets[2], 3, LotStatus.AWARDED, "Awarded lot")
    won = _registration(rustavi, awarded, owner, mark(markers, "estate-winner-name"), 41)
    won_bid = Bid.objects.create(
        municipality=rustavi,
        lot=awarded,
        registration=won,
        amount=awarded.start_price,
        sequence=1,
        placed_at=timezone.now() - datetime.timedelta(days=3),
    )
    Lot.objects.filter(pk=awarded.pk).update(
        current_price=won_bid.amount,
        leading_bid=won_bid,
        bid_count=1,
        winner=won,
        final_price=won_bid.amount,
        closed_at=timezone.now() - datetime.timedelta(days=2),
    )
    contract = Contract.objects.create(
        municipality=rustavi,
        reference="RST-C-2026-9001",
        lot=awarded,
        kind=LotKind.LEASE,
        holder=owner,
        holder_name=mark(markers, "estate-holder-name"),
        price=won_bid.amount,
        frequency=Frequency.YEARLY,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2030, 12, 31),
        created_by=officer,
    )
    ContractAsset.objects.create(contract=contract, asset=assets[2])
    instalment = Instalment.objects.create(
        municipality=rustavi,
        contract=contract,
        number=1,
        due_on=datetime.date(2026, 1, 1),
        amount=won_bid.amount,
    )
    payment = Payment.objects.create(
        municipality=rustavi,
        contract=contract,
        paid_on=datetime.date(2026, 1, 5),
        amount=Decimal("100"),
        source=PaymentSource.HAND,
        note=mark(markers, "estate-payment-note"),
        recorded_by=officer,
    )
    reminder = Reminder.objects.create(
        municipality=rustavi,
        contract=contract,
        level=1,
        arrears=Decimal("4760"),
        sent_on=datetime.date(2026, 2, 1),
    )
    awarded.refresh_from_db()
    open_lot.refresh_from_db()
    return {
        "assets": assets,
        "draft_lot": draft,
        "open_lot": open_lot,
        "awarded_lot": awarded,
        "registration": open_registration,
        "won_registration": won,
        "deposit": deposit,
        "bid": bid,
        "contract": contract,
        "instalment": instalment,
        "payment": payment,
        "reminder": reminder,
    }
