"""Layers that the estate publishes: the assets offered now (public) and, for each municipality,
its whole register (its property officers and GIS staff only).

The staff register is one layer per municipality, not one layer whose rows depend on who asks:
tiles, extents and downloads are cached and written by jobs under the layer's name alone, so a
layer's rows must be the same for everyone who may see it. The municipalities are read once per
process and kept up to date by the signals of `Municipality` (a new municipality appears in the
other processes when they restart), so that asking the registry's sources costs no query here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Round
from django.db.models.signals import post_delete, post_save
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from core.models import Municipality, Role
from estate.models import OFFERED_STATES, Asset, AssetKind, AssetState, Lot, LotStatus
from layers.registry import Layer, register, registry

OFFERS_LAYER = "estate-offers"
REGISTER_LAYER_PREFIX = "estate-register-"
# Who sees a municipality's register layer, besides a superuser and an API key granted it.
REGISTER_ROLES = (Role.PROPERTY_OFFICER, Role.GIS_OFFICER)

LAND_COLOUR = "#e07a1f"
BUILDING_COLOUR = "#8e2c6f"

# The offer of an asset's published lot: name of the annotation -> field of the lot.
LOT_TERMS = {
    "lot_reference": "reference",
    "lot_kind": "kind",
    "start_price": "start_price",
    "deposit": "deposit_value",
    "deposit_percent": "deposit_percent",
    "bid_step": "bid_step",
    "current_price": "current_price",
    "lease_months": "lease_months",
    "starts_at": "starts_at",
    "closes_at": "closes_at",
}
LOT_TERM_TYPES = (
    ("lot_reference", "string"),
    ("lot_kind", "string"),
    ("start_price", "number"),
    ("deposit", "number"),
    ("deposit_percent", "number"),
    ("bid_step", "number"),
    ("current_price", "number"),
    ("lease_months", "integer"),
    ("starts_at", "date-time"),
    ("closes_at", "date-time"),
    ("zone", "string"),
)
LOT_TERM_TITLES = (
    ("lot_reference", "ლოტის ნომერი", "Lot number"),
    ("lot_kind", "შეთავაზება", "Offered for"),
    ("start_price", "საწყისი ფასი, ₾", "Start price, GEL"),
    ("deposit", "ბე, ₾", "Deposit, GEL"),
    ("deposit_percent", "ბე, % საწყისი ფასიდან", "Deposit, % of the start price"),
    ("bid_step", "ბიჯი, ₾", "Bid step, GEL"),
    ("current_price", "მიმდინარე ფასი, ₾", "Current price, GEL"),
    ("lease_months", "იჯარის ვადა, თვე", "Lease term, months"),
    ("starts_at", "ვაჭრობის დაწყება", "Bidding starts"),
    ("closes_at", "ვაჭრობის დასრულება", "Bidding ends"),
    ("zone", "ზონა", "Zone"),
)


def deposit_expression():
    """A lot's deposit in lari: its amount, or its percentage of the start price."""
    return Round(
        Coalesce(F("deposit_amount"), F("start_price") * F("deposit_percent") / 100),
        2,
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def current_lot_terms() -> dict[str, Subquery]:
    """The terms of the asset's published lot (the latest, should there be two), as annotations."""
    lots = (
        Lot.objects.filter(lot_assets__asset=OuterRef("pk"), status=LotStatus.PUBLISHED)
        .annotate(deposit_value=deposit_expression())
        .order_by("-starts_at", "-pk")
    )
    return {name: Subquery(lots.values(field)[:1]) for name, field in LOT_TERMS.items()}


def offers_queryset() -> QuerySet:
    """Assets offered now, with their zone and the terms of their lot; nothing private."""
    return (
        Asset.objects.filter(state__in=OFFERED_STATES)
        .annotate(zone=F("parcel__zone__code"), **current_lot_terms())
        .only(
            "id",
            "geom",
            "reference",
            "kind",
            "name_ka",
            "name_en",
            "cadastral_code",
            "area_m2",
            "state",
        )
    )


def page_of(properties: dict[str, Any]) -> str | None:
    """The lot's page of an offered asset, or the asset's own page."""
    lot = properties.get("lot_reference")
    if lot:
        try:
            return reverse("estate:lot", args=[lot])
        except NoReverseMatch:
            pass
    reference = properties.get("reference")
    return reverse("estate:asset", args=[reference]) if reference else None


def asset_page(properties: dict[str, Any]) -> str | None:
    reference = properties.get("reference")
    return reverse("estate:asset", args=[reference]) if reference else None


_KIND_COLOUR = [
    "match",
    ["get", "kind"],
    AssetKind.LAND.value,
    LAND_COLOUR,
    BUILDING_COLOUR,
]

OFFERS_PROPERTIES = (
    "reference",
    "kind",
    "name_ka",
    "name_en",
    "cadastral_code",
    "area_m2",
    "zone",
    "state",
    *LOT_TERMS,
)

register(
    Layer(
        name=OFFERS_LAYER,
        title_ka="შეთავაზებული მუნიციპალური ქონება",
        title_en="Municipal property on offer",
        description_ka=(
            "მუნიციპალიტეტის მიწა და შენობები, რომლებიც ახლა გაიცემა იჯარით, იყიდება ან "
            "გადაეცემა უზუფრუქტით: საწყისი ფასი, ბე, ბიჯი და ვადები."
        ),
        description_en=(
            "Municipal land and buildings offered now for lease, sale or usufruct: start "
            "price, deposit, bid step and dates."
        ),
        queryset=offers_queryset,
        properties=OFFERS_PROPERTIES,
        field_types=LOT_TERM_TYPES,
        field_titles=LOT_TERM_TITLES,
        extra_tables=("estate_lot", "estate_lotasset"),
        page_url=page_of,
        page_label_ka="ლოტი და აუქციონი",
        page_label_en="The lot and its auction",
        min_zoom=10,
        order=85,
        keywords=("municipal property", "auctions", "lease", "sale"),
        legend=(
            {
                "label": "Land on offer",
                "label_ka": "შეთავაზებული მიწა",
                "kind": "fill",
                "color": LAND_COLOUR,
            },
            {
                "label": "Buildings and units on offer",
                "label_ka": "შეთავაზებული შენობები და ფართები",
                "kind": "fill",
                "color": BUILDING_COLOUR,
            },
        ),
        style=(
            {
                "type": "fill",
                "paint": {"fill-color": _KIND_COLOUR, "fill-opacity": 0.45},
                "layout": {"visibility": "none"},
            },
            {
                "type": "line",
                "paint": {"line-color": _KIND_COLOUR, "line-width": 2},
                "layout": {"visibility": "none"},
            },
        ),
    )
)


# --- The staff register, one layer per municipality ---------------------------------------

STATE_COLOURS = {
    AssetState.IN_USE: "#6c757d",
    AssetState.AVAILABLE: "#2a9d8f",
    AssetState.LISTED: LAND_COLOUR,
    AssetState.IN_AUCTION: "#d62828",
    AssetState.LEASED: "#1f78b4",
    AssetState.SOLD: "#3d2b56",
    AssetState.WITHDRAWN: "#bbbbbb",
}
_STATE_COLOUR = ["match", ["get", "state"]]
for _state, _colour in STATE_COLOURS.items():
    _STATE_COLOUR += [_state.value, _colour]
_STATE_COLOUR.append("#666666")

REGISTER_PROPERTIES = (
    "reference",
    "kind",
    "name_ka",
    "name_en",
    "address_ka",
    "address_en",
    "cadastral_code",
    "area_m2",
    "zone",
    "state",
    "ownership_basis",
    "ownership_document",
    "current_use_ka",
    "current_use_en",
    "direct_lease_allowed",
    "lot_reference",
)


class RegisterLayer(Layer):
    """A municipality's whole register: its property officers and GIS staff see it."""

    def can_view(self, user=None, api_key=None) -> bool:
        if api_key is not None and api_key.grants(self.name):
            return True
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser:
            return True
        return user.memberships.filter(
            municipality__code=self.municipality_code, role__in=REGISTER_ROLES
        ).exists()


def state_legend() -> tuple[dict[str, str], ...]:
    def label(state, language: str) -> str:
        with translation.override(language):
            return str(state.label)

    return tuple(
        {
            "label": label(state, "en"),
            "label_ka": label(state, "ka"),
            "kind": "fill",
            "color": STATE_COLOURS[state],
        }
        for state in AssetState
    )


def register_queryset(code: str):
    def queryset() -> QuerySet:
        lots = Lot.objects.filter(
            lot_assets__asset=OuterRef("pk"), status=LotStatus.PUBLISHED
        ).order_by("-starts_at", "-pk")
        return Asset.objects.filter(municipality__code=code).annotate(
            zone=F("parcel__zone__code"),
            lot_reference=Subquery(lots.values("reference")[:1]),
        )

    return queryset


def register_layer_name(code: str) -> str:
    return f"{REGISTER_LAYER_PREFIX}{code.lower()}"


def register_layer(code: str, name_ka: str, name_en: str) -> RegisterLayer:
    return RegisterLayer(
        name=register_layer_name(code),
        title_ka=f"მუნიციპალური ქონების რეესტრი: {name_ka}",
        title_en=f"Register of municipal property: {name_en}",
        description_ka="მუნიციპალიტეტის მთელი ქონება ყველა მდგომარეობით (თანამშრომლებისთვის).",
        description_en="The municipality's whole estate in every state (staff only).",
        queryset=register_queryset(code),
        properties=REGISTER_PROPERTIES,
        field_types=(("zone", "string"), ("lot_reference", "string")),
        field_titles=(
            ("zone", "ზონა", "Zone"),
            ("lot_reference", "ლოტის ნომერი", "Lot number"),
        ),
        visibility="staff",
        municipality_code=code,
        page_url=asset_page,
        page_label_ka="ქონება რეესტრში",
        page_label_en="The asset in the register",
        min_zoom=10,
        order=86,
        keywords=("municipal property", "register"),
        legend=state_legend(),
        style=(
            {
                "type": "fill",
                "paint": {"fill-color": _STATE_COLOUR, "fill-opacity": 0.4},
                "layout": {"visibility": "none"},
            },
            {
                "type": "line",
                "paint": {"line-color": _STATE_COLOUR, "line-width": 1.5},
                "layout": {"visibility": "none"},
            },
        ),
    )


# code -> (name in Georgian, name in English); None until first asked.
_municipalities: dict[str, tuple[str, str]] | None = None
_layers: dict[tuple[str, str, str], RegisterLayer] = {}


def _load() -> dict[str, tuple[str, str]]:
    global _municipalities
    _municipalities = {
        code: (name_ka, name_en)
        for code, name_ka, name_en in Municipality.objects.values_list("code", "name_ka", "name_en")
    }
    return _municipalities


def register_layers() -> Iterator[Layer]:
    """The registry's source: a register layer for each municipality."""
    known = _municipalities if _municipalities is not None else _load()
    for code, (name_ka, name_en) in sorted(known.items()):
        key = (code, name_ka, name_en)
        if key not in _layers:
            _layers[key] = register_layer(code, name_ka, name_en)
        yield _layers[key]


def _municipality_saved(sender, instance: Municipality, **kwargs) -> None:
    if _municipalities is None:
        _load()
    else:
        _municipalities[instance.code] = (instance.name_ka, instance.name_en)


def _municipality_deleted(sender, instance: Municipality, **kwargs) -> None:
    if _municipalities is not None:
        _municipalities.pop(instance.code, None)


post_save.connect(_municipality_saved, sender=Municipality, dispatch_uid="estate_register_layers")
post_delete.connect(
    _municipality_deleted, sender=Municipality, dispatch_uid="estate_register_layers_gone"
)
registry.add_source(register_layers)
