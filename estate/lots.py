"""Writes of lots before the auction engine takes them: a draft lot prepared by a property
officer, its terms corrected while it is a draft, and its cancellation.

Publishing, editing the terms of a published lot, bidding and closing belong to the engine
(estate/auctions.py). A lot holds its assets: they are listed while it is a draft or open,
and available again when it is cancelled.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import Municipality
from estate.models import (
    Asset,
    AssetState,
    Lot,
    LotAsset,
    LotKind,
    LotStatus,
)
from estate.numbering import save_numbered
from estate.rules import can_manage_lot

# What a lot takes from the officer; everything else is the engine's.
TERM_FIELDS = (
    "kind",
    "title_ka",
    "title_en",
    "description_ka",
    "description_en",
    "conditions_ka",
    "conditions_en",
    "start_price",
    "bid_step",
    "deposit_amount",
    "deposit_percent",
    "lease_months",
    "starts_at",
    "ends_at",
    "min_bidders",
    "extension_window_s",
    "extension_s",
    "edit_cutoff_hours",
)
# Assets that may be put into a lot.
OFFERABLE_STATES = (AssetState.AVAILABLE, AssetState.LISTED)
HOLDING_STATUSES = (LotStatus.DRAFT, LotStatus.PUBLISHED)
# Lots cancelled here: a draft, or an open lot nobody has registered for or bid on.
RENTED_KINDS = (LotKind.LEASE, LotKind.USUFRUCT)


def min_bidding_days() -> int:
    return int(getattr(settings, "ESTATE_MIN_BIDDING_DAYS", 7))


def lot_reference_prefix(municipality: Municipality, year: int) -> str:
    return f"{municipality.code.upper()}-L-{year}-"


def lot_terms_errors(terms: dict) -> dict[str, list[str]]:
    """What is wrong with a lot's terms, by field: the checks of the form and of the services."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    step = terms.get("bid_step")
    if step is not None and Decimal(step) <= 0:
        add("bid_step", _("The bid step must be more than zero."))
    amount, percent = terms.get("deposit_amount"), terms.get("deposit_percent")
    if amount is None and percent is None:
        add("deposit_amount", _("Give the deposit as an amount or as a percentage."))
    elif amount is not None and percent is not None:
        add("deposit_amount", _("Give the deposit one way: an amount or a percentage, not both."))
    elif amount is not None and Decimal(amount) <= 0:
        add("deposit_amount", _("The deposit must be more than zero."))
    starts, ends = terms.get("starts_at"), terms.get("ends_at")
    if starts is not None and ends is not None:
        days = min_bidding_days()
        if ends <= starts:
            add("ends_at", _("Bidding must end after it starts."))
        elif ends - starts < datetime.timedelta(days=days):
            add(
                "ends_at",
                ngettext(
                    "Bidding must stay open for at least %(days)d day.",
                    "Bidding must stay open for at least %(days)d days.",
                    days,
                )
                % {"days": days},
            )
        if ends <= timezone.now():
            add("ends_at", _("The end of bidding has passed."))
    kind = terms.get("kind")
    if kind in RENTED_KINDS and not terms.get("lease_months"):
        add("lease_months", _("Give the term in months of the lease or usufruct."))
    if kind == LotKind.SALE and terms.get("lease_months"):
        add("lease_months", _("A sale has no lease term."))
    return errors


def _offerable(assets, municipality: Municipality, *, lot: Lot | None = None) -> list[Asset]:
    """The assets, locked, if each may go into the lot; otherwise why not."""
    ids = [a.pk for a in assets]
    if not ids:
        raise ValidationError({"assets": _("Choose at least one asset.")})
    found = list(Asset.objects.select_for_update().filter(pk__in=ids).order_by("reference"))
    problems = []
    for asset in found:
        if asset.municipality_id != municipality.pk:
            problems.append(
                _("%(reference)s belongs to another municipality.") % {"reference": asset.reference}
            )
        elif asset.state not in OFFERABLE_STATES:
            problems.append(
                _("%(reference)s is %(state)s, not available.")
                % {"reference": asset.reference, "state": asset.get_state_display().lower()}
            )
    held = (
        LotAsset.objects.filter(asset__in=found, lot__status__in=HOLDING_STATUSES)
        .exclude(lot=lot)
        .select_related("asset", "lot")
    )
    for link in held:
        problems.append(
            _("%(asset)s is already offered in lot %(lot)s.")
            % {"asset": link.asset.reference, "lot": link.lot.reference}
        )
    if problems:
        raise ValidationError({"assets": problems})
    return found


def _check_officer(by, municipality: Municipality) -> None:
    if not can_manage_lot.test(by, municipality):
        raise ValidationError(
            _("You do not prepare the lots of %(municipality)s.") % {"municipality": municipality}
        )


@transaction.atomic
def lot_create(*, municipality: Municipality, assets, by, **terms) -> Lot:
    """A draft lot of the assets with these terms; its assets become listed."""
    unknown = set(terms) - set(TERM_FIELDS)
    if unknown:
        raise ValueError(f"Not a term of a lot: {', '.join(sorted(unknown))}")
    _check_officer(by, municipality)
    found = _offerable(assets, municipality)
    errors = lot_terms_errors(terms)
    if errors:
        raise ValidationError(errors)
    if terms.get("kind") == LotKind.SALE:
        terms["lease_months"] = None
    lot = Lot(municipality=municipality, created_by=by, status=LotStatus.DRAFT, **terms)
    lot.closes_at = lot.ends_at
    lot.full_clean(exclude=["reference"])
    year = timezone.localdate().year
    save_numbered(lot, lot_reference_prefix(municipality, year), 4)
    for asset in found:
        LotAsset.objects.create(lot=lot, asset=asset)
        if asset.state != AssetState.LISTED:
            asset.state = AssetState.LISTED
            asset.save(update_fields=["state", "updated_at"])
    return lot


@transaction.atomic
def lot_draft_update(*, lot: Lot, by, assets=None, **terms) -> Lot:
    """Change a draft's terms (and its assets, when given): nobody has seen it yet."""
    unknown = set(terms) - set(TERM_FIELDS)
    if unknown:
        raise ValueError(f"Not a term of a lot: {', '.join(sorted(unknown))}")
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    _check_officer(by, lot.municipality)
    if lot.status != LotStatus.DRAFT:
        raise ValidationError(_("Only a lot being prepared is changed here."))
    merged = {name: getattr(lot, name) for name in TERM_FIELDS} | terms
    errors = lot_terms_errors(merged)
    if errors:
        raise ValidationError(errors)
    if merged.get("kind") == LotKind.SALE:
        terms["lease_months"] = None
    if assets is not None:
        found = _offerable(assets, lot.municipality, lot=lot)
        keep = {a.pk for a in found}
        dropped = Asset.objects.select_for_update().filter(lot_assets__lot=lot).exclude(pk__in=keep)
        for asset in dropped:
            if asset.state == AssetState.LISTED:
                asset.state = AssetState.AVAILABLE
                asset.save(update_fields=["state", "updated_at"])
        LotAsset.objects.filter(lot=lot).exclude(asset__in=keep).delete()
        for asset in found:
            LotAsset.objects.get_or_create(lot=lot, asset=asset)
            if asset.state != AssetState.LISTED:
                asset.state = AssetState.LISTED
                asset.save(update_fields=["state", "updated_at"])
    for name, value in terms.items():
        setattr(lot, name, value)
    lot.closes_at = lot.ends_at
    lot.full_clean()
    lot.save()
    return lot


def cancellable(lot: Lot) -> bool:
    """A draft, or an open lot on which nobody has registered or bid."""
    if lot.status == LotStatus.DRAFT:
        return True
    return (
        lot.status == LotStatus.PUBLISHED
        and lot.bid_count == 0
        and not lot.bids.exists()
        and not lot.registrations.exists()
    )


@transaction.atomic
def lot_cancel(*, lot: Lot, by) -> Lot:
    """Cancel a draft, or an open lot without registrations or bids; its assets are available
    again."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    _check_officer(by, lot.municipality)
    if not cancellable(lot):
        if lot.status == LotStatus.PUBLISHED:
            raise ValidationError(
                _("Bidders have registered or bid on this lot: it can no longer be cancelled here.")
            )
        raise ValidationError(
            _("This lot is %(status)s and cannot be cancelled.")
            % {"status": lot.get_status_display().lower()}
        )
    for asset in Asset.objects.select_for_update().filter(lot_assets__lot=lot):
        if asset.state in (AssetState.LISTED, AssetState.IN_AUCTION):
            asset.state = AssetState.AVAILABLE
            asset.save(update_fields=["state", "updated_at"])
    lot.status = LotStatus.CANCELLED
    lot.closed_at = timezone.now()
    lot.version += 1
    lot.save(update_fields=["status", "closed_at", "version", "updated_at"])
    return lot
