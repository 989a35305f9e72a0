"""Writes of the register of municipal property: an asset entered from the cadastre, and its
particulars kept by the property officer.

The states an officer sets by hand are those of the register alone; an asset goes into an
auction, a lease or a sale only through the lots, the auction engine and the contracts.
"""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from estate.models import Asset, AssetKind, AssetState, Lot, LotStatus
from estate.numbering import save_numbered
from estate.rules import can_manage_asset
from parcels.models import Building, Parcel

# What an officer may set by hand, and move between.
HAND_STATES = (AssetState.IN_USE, AssetState.AVAILABLE, AssetState.LISTED, AssetState.WITHDRAWN)
# States a new asset may start in.
NEW_STATES = (AssetState.AVAILABLE, AssetState.IN_USE, AssetState.WITHDRAWN)
# Lots that hold their assets: the asset's state follows the lot.
HOLDING_LOT_STATUSES = (LotStatus.DRAFT, LotStatus.PUBLISHED)
EDITABLE_FIELDS = (
    "name_ka",
    "name_en",
    "address_ka",
    "address_en",
    "ownership_basis",
    "ownership_document",
    "current_use_ka",
    "current_use_en",
    "state",
    "direct_lease_allowed",
)


def asset_reference_prefix(municipality) -> str:
    return f"{municipality.code.upper()}-A-"


def parcel_for_asset(*, cadastral_code: str, by) -> Parcel:
    """The current parcel of the code, municipal property, in a municipality whose register the
    user keeps; otherwise why not."""
    code = (cadastral_code or "").strip()
    parcel = (
        Parcel.objects.current().select_related("municipality").filter(cadastral_code=code).first()
    )
    if parcel is None:
        raise ValidationError(
            {"cadastral_code": _("No current parcel of the cadastre has this code.")}
        )
    if not can_manage_asset.test(by, parcel.municipality):
        raise ValidationError(
            {
                "cadastral_code": _(
                    "This parcel lies in a municipality whose register you do not keep."
                )
            }
        )
    if not parcel.is_municipal_property:
        raise ValidationError(
            {"cadastral_code": _("The cadastre does not record this parcel as municipal property.")}
        )
    return parcel


def buildings_on(parcel: Parcel):
    """The cadastre's buildings that stand on the parcel."""
    return Building.objects.filter(
        municipality=parcel.municipality, geom__intersects=parcel.geom
    ).order_by("pk")


def _multi(geom: GEOSGeometry) -> MultiPolygon:
    if geom.geom_type == "Polygon":
        return MultiPolygon(geom, srid=geom.srid)
    return geom


@transaction.atomic
def asset_create(
    *,
    cadastral_code: str,
    kind: str,
    by,
    name_ka: str,
    name_en: str,
    ownership_basis: str,
    ownership_document: str,
    building: Building | None = None,
    address_ka: str = "",
    address_en: str = "",
    area_m2: float | None = None,
    current_use_ka: str = "",
    current_use_en: str = "",
    state: str = AssetState.AVAILABLE,
    direct_lease_allowed: bool = False,
) -> Asset:
    """Enter an asset into the register from a municipal parcel of the cadastre.

    The geometry, area and address come from the parcel, or for a building or a unit from a
    building of the cadastre on it. The register number is the municipality's next.
    """
    parcel = parcel_for_asset(cadastral_code=cadastral_code, by=by)
    if state not in NEW_STATES:
        raise ValidationError({"state": _("A new asset is in use, available or withdrawn.")})
    if kind == AssetKind.LAND and building is not None:
        raise ValidationError({"building": _("A land parcel takes the parcel's own outline.")})
    geom = parcel.geom
    parent = None
    if kind == AssetKind.LAND:
        existing = Asset.objects.filter(parcel=parcel, kind=AssetKind.LAND).first()
        if existing is not None:
            raise ValidationError(
                {
                    "cadastral_code": _("The register already holds this parcel as %(reference)s.")
                    % {"reference": existing.reference}
                }
            )
    else:
        if building is not None:
            if not buildings_on(parcel).filter(pk=building.pk).exists():
                raise ValidationError(
                    {"building": _("This building does not stand on the parcel.")}
                )
            geom = building.geom
        on_parcel = Asset.objects.filter(parcel=parcel).order_by("reference")
        if kind == AssetKind.UNIT:
            parent = on_parcel.filter(kind=AssetKind.BUILDING).first()
        parent = parent or on_parcel.filter(kind=AssetKind.LAND).first()
    asset = Asset(
        municipality=parcel.municipality,
        kind=kind,
        parcel=parcel,
        cadastral_code=parcel.cadastral_code,
        parent=parent,
        name_ka=name_ka,
        name_en=name_en,
        address_ka=address_ka or parcel.address_ka,
        address_en=address_en or parcel.address_en,
        geom=_multi(geom),
        area_m2=round(area_m2 if area_m2 is not None else geom.area, 2),
        ownership_basis=ownership_basis,
        ownership_document=ownership_document,
        current_use_ka=current_use_ka,
        current_use_en=current_use_en,
        state=state,
        direct_lease_allowed=direct_lease_allowed,
    )
    asset.full_clean(exclude=["reference"])
    return save_numbered(asset, asset_reference_prefix(parcel.municipality), 5)


def holding_lot(asset: Asset) -> Lot | None:
    """The draft or open lot the asset is offered in, if any."""
    return (
        Lot.objects.filter(lot_assets__asset=asset, status__in=HOLDING_LOT_STATUSES)
        .order_by("-created_at")
        .first()
    )


def check_state_change(asset: Asset, new_state: str) -> None:
    """Refuse a change of state that is not the officer's to make (a ValidationError by field)."""
    if new_state == asset.state:
        return
    if asset.state not in HAND_STATES:
        raise ValidationError(
            {
                "state": _("The asset is %(state)s: its state follows its auction or contract.")
                % {"state": asset.get_state_display().lower()}
            }
        )
    if new_state not in HAND_STATES:
        raise ValidationError(
            {"state": _("This state is set by the auctions and contracts, not by hand.")}
        )
    lot = holding_lot(asset)
    if lot is not None:
        raise ValidationError(
            {
                "state": _("The asset is offered in lot %(reference)s; cancel the lot first.")
                % {"reference": lot.reference}
            }
        )


@transaction.atomic
def asset_update(*, asset: Asset, by, **fields) -> Asset:
    """Change an asset's particulars; its state only among those set by hand, and not while a
    lot holds it."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if not can_manage_asset.test(by, asset):
        raise ValidationError(_("You do not keep the register of this asset's municipality."))
    check_state_change(asset, fields.get("state", asset.state))
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.full_clean()
    asset.save()
    return asset
