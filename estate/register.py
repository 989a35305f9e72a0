"""Reads of what anyone sees of the estate: the offers, the public register, the public lots and
the results of closed auctions (the pages in estate/public_views.py, the API in estate/api.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet

from estate.layers import current_lot_terms
from estate.models import (
    OFFERED_STATES,
    PUBLIC_LOT_STATUSES,
    Asset,
    AssetState,
    Bid,
    Lot,
    LotAsset,
    LotStatus,
)

# States shown on the public register: an asset withdrawn from the register is no longer one.
REGISTER_STATES = tuple(state for state in AssetState if state != AssetState.WITHDRAWN)
# Lots whose auction is over, with a result to publish.
CLOSED_STATUSES = (LotStatus.AWARDED, LotStatus.FAILED)
OFFERED = "offered"  # the register's filter for the states in OFFERED_STATES

OFFER_SORTS = {
    "closes": ("closes_at", "reference"),
    "-closes": ("-closes_at", "reference"),
    "price": ("start_price", "reference"),
    "-price": ("-start_price", "reference"),
}


@dataclass(frozen=True)
class OfferFilter:
    q: str = ""
    municipality: str = ""  # a municipality's code
    asset_kind: str = ""
    offer_kind: str = ""  # lease, sale, usufruct
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: str = "closes"


def search_condition(q: str) -> Q:
    """Cadastral code, name, address or lot number containing the words typed."""
    condition = Q()
    for word in q.split()[:6]:
        condition &= (
            Q(cadastral_code__icontains=word)
            | Q(reference__icontains=word)
            | Q(name_ka__icontains=word)
            | Q(name_en__icontains=word)
            | Q(address_ka__icontains=word)
            | Q(address_en__icontains=word)
            | Q(
                lot_assets__lot__reference__icontains=word,
                lot_assets__lot__status__in=PUBLIC_LOT_STATUSES,
            )
        )
    return condition


def offers(filters: OfferFilter = OfferFilter()) -> QuerySet[Asset]:
    """Assets offered now (listed or in auction), each with its published lot's terms."""
    assets = (
        Asset.objects.filter(state__in=OFFERED_STATES)
        .select_related("municipality")
        .annotate(zone=F("parcel__zone__code"), **current_lot_terms())
        .defer("geom")
    )
    if filters.q:
        ids = Asset.objects.filter(search_condition(filters.q)).values("pk")
        assets = assets.filter(pk__in=ids)
    if filters.municipality:
        assets = assets.filter(municipality__code=filters.municipality)
    if filters.asset_kind:
        assets = assets.filter(kind=filters.asset_kind)
    if filters.offer_kind:
        assets = assets.filter(lot_kind=filters.offer_kind)
    if filters.price_min is not None:
        assets = assets.filter(start_price__gte=filters.price_min)
    if filters.price_max is not None:
        assets = assets.filter(start_price__lte=filters.price_max)
    order = OFFER_SORTS.get(filters.sort, OFFER_SORTS["closes"])
    first = order[0].removeprefix("-")
    nulls_last = (
        F(first).desc(nulls_last=True)
        if order[0].startswith("-")
        else F(first).asc(nulls_last=True)
    )
    return assets.order_by(nulls_last, "reference")


def public_register(
    *, q: str = "", state: str = "", kind: str = "", municipality: str = ""
) -> QuerySet[Asset]:
    """The public register of municipal property, filtered."""
    assets = (
        Asset.objects.filter(state__in=REGISTER_STATES)
        .select_related("municipality")
        .annotate(zone=F("parcel__zone__code"))
        .defer("geom")
    )
    if q:
        assets = assets.filter(pk__in=Asset.objects.filter(search_condition(q)).values("pk"))
    if state == OFFERED:
        assets = assets.filter(state__in=OFFERED_STATES)
    elif state:
        assets = assets.filter(state=state)
    if kind:
        assets = assets.filter(kind=kind)
    if municipality:
        assets = assets.filter(municipality__code=municipality)
    return assets.order_by("municipality__code", "reference")


def public_asset(reference: str) -> Asset | None:
    """An asset of the public register, with its public lots, or None."""
    lots = Lot.objects.filter(status__in=PUBLIC_LOT_STATUSES).order_by("-starts_at")
    return (
        Asset.objects.filter(reference=reference, state__in=REGISTER_STATES)
        .select_related("municipality", "parcel__zone", "parent")
        .prefetch_related(Prefetch("lots", queryset=lots, to_attr="public_lots"))
        .first()
    )


def public_lots(*, status: str = "", kind: str = "", municipality: str = "") -> QuerySet[Lot]:
    lots = Lot.objects.filter(status__in=PUBLIC_LOT_STATUSES).select_related("municipality")
    if status:
        lots = lots.filter(status=status)
    if kind:
        lots = lots.filter(kind=kind)
    if municipality:
        lots = lots.filter(municipality__code=municipality)
    return lots.order_by("-starts_at", "reference")


def lot_assets_prefetch() -> Prefetch:
    return Prefetch(
        "lot_assets",
        queryset=LotAsset.objects.select_related("asset").defer("asset__geom").order_by("pk"),
    )


def public_lot(reference: str) -> Lot | None:
    return (
        Lot.objects.filter(reference=reference, status__in=PUBLIC_LOT_STATUSES)
        .select_related("municipality")
        .prefetch_related(lot_assets_prefetch())
        .first()
    )


def closed_lots(*, municipality: str = "") -> QuerySet[Lot]:
    """Lots whose auction closed, awarded or failed, the latest first, with their bids."""
    lots = (
        Lot.objects.filter(status__in=CLOSED_STATUSES)
        .select_related("municipality")
        .prefetch_related(lot_assets_prefetch())
        .annotate(standing_bids=Count("bids", filter=Q(bids__cancelled_at__isnull=True)))
    )
    if municipality:
        lots = lots.filter(municipality__code=municipality)
    return lots.order_by(F("closed_at").desc(nulls_last=True), "reference")


def price_paths() -> QuerySet[Bid]:
    """Every standing bid of every closed auction, in order: the public price paths."""
    return (
        Bid.objects.filter(lot__status__in=CLOSED_STATUSES, cancelled_at__isnull=True)
        .select_related("lot", "registration")
        .only("lot__reference", "sequence", "amount", "placed_at", "registration__alias")
        .order_by("lot__closed_at", "lot__reference", "sequence")
    )
