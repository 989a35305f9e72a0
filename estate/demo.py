"""Demo municipal property: about 300 assets per city on the municipal parcels of the demo
cadastre (land, and buildings and units on those parcels), a few lots with the terms Georgian
municipalities publish, one auction running in Batumi with bids placed through the auction
engine, and closed auctions with their price paths. DEMO ONLY.

The register is written in bulk without history events, as the cadastre is (fixtures/demo.py);
the running auction's registrations, deposits and bids go through estate/auctions.py, as a
bidder's would, and have their history.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import Municipality
from estate import auctions
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
    RegistrationStatus,
)
from parcels.models import Building, LandUse, Parcel

ASSETS_PER_CITY = 300
MAX_BUILDINGS = 45
UNITS = 15
MIN_LAND = 12  # a city with fewer municipal parcels gets some more (a small demo)
SEED = 13
DEMO_DOMAIN = "demo.gisportal.ge"
DEMO_PASSWORD = "gisportal-demo"

# Demo bidders: people with verified e-mail addresses at the demo domain.
BIDDERS = (
    ("giorgi.kapanadze", "Giorgi", "Kapanadze", "01001012345"),
    ("tamar.lomidze", "Tamar", "Lomidze", "01001023456"),
    ("levan.abashidze", "Levan", "Abashidze", "61001034567"),
    ("nino.tsiklauri", "Nino", "Tsiklauri", "01024045678"),
)

STATE_WEIGHTS = (
    (AssetState.IN_USE, 52),
    (AssetState.AVAILABLE, 30),
    (AssetState.LISTED, 5),
    (AssetState.LEASED, 9),
    (AssetState.SOLD, 3),
    (AssetState.WITHDRAWN, 1),
)
BASIS_WEIGHTS = (
    (OwnershipBasis.REGISTRATION, 60),
    (OwnershipBasis.STATE_TRANSFER, 25),
    (OwnershipBasis.PURCHASE, 5),
    (OwnershipBasis.DONATION, 5),
    (OwnershipBasis.COURT, 5),
)
LAND_NAMES = {
    LandUse.PUBLIC: ("საზოგადოებრივი დანიშნულების მიწის ნაკვეთი", "Land plot for public use"),
    LandUse.GREEN: ("სკვერის მიწის ნაკვეთი", "Public garden plot"),
    LandUse.COMMERCIAL: ("კომერციული დანიშნულების მიწის ნაკვეთი", "Commercial land plot"),
    LandUse.INDUSTRIAL: ("სამრეწველო მიწის ნაკვეთი", "Industrial land plot"),
}
LAND_NAME = ("არასასოფლო-სამეურნეო მიწის ნაკვეთი", "Non-agricultural land plot")
BUILDING_NAMES = (
    ("ყოფილი საბავშვო ბაღის შენობა", "Former kindergarten building"),
    ("ადმინისტრაციული შენობა", "Administrative building"),
    ("საწყობის შენობა", "Warehouse"),
    ("ყოფილი კინოთეატრის შენობა", "Former cinema"),
    ("ავტოფარეხი", "Garage"),
    ("სათემო ცენტრის შენობა", "Community centre"),
)
UNIT_NAMES = (
    ("არასაცხოვრებელი ფართი პირველ სართულზე", "Non-residential space on the ground floor"),
    ("საოფისე ფართი", "Office space"),
    ("სარდაფის ფართი", "Basement space"),
)
IN_USE = (
    ("სკოლის ეზო", "School yard"),
    ("საბავშვო ბაღი", "Kindergarten"),
    ("მუნიციპალური ავტოსადგომი", "Municipal car park"),
    ("სკვერი", "Public garden"),
    ("მერიის სამსახური", "Office of the city hall"),
    ("სპორტული მოედანი", "Sports ground"),
)
LEASED = (
    ("იჯარით: კაფე", "Leased: café"),
    ("იჯარით: მაღაზია", "Leased: shop"),
    ("იჯარით: ავტოსადგომი", "Leased: car park"),
    ("იჯარით: სახელოსნო", "Leased: workshop"),
)
NOT_IN_USE = ("არ გამოიყენება", "Not in use")


@dataclass
class Summary:
    assets: dict[str, int] = field(default_factory=dict)
    lots: dict[str, int] = field(default_factory=dict)
    bids: int = 0


def _pick(rng: random.Random, weighted) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _document(rng: random.Random, basis: str) -> str:
    year = rng.randint(2008, 2023)
    date = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year}"
    number = rng.randint(1000, 99999)
    return {
        OwnershipBasis.REGISTRATION: f"NAPR extract № 88{number}{year % 100:02d}, {date}",
        OwnershipBasis.STATE_TRANSFER: f"Government ordinance № {number % 3000}, {date}",
        OwnershipBasis.PURCHASE: f"Purchase agreement № {number}, {date}",
        OwnershipBasis.DONATION: f"Deed of gift № {number}, {date}",
        OwnershipBasis.COURT: f"Court decision № 2/{number}-{year % 100:02d}, {date}",
    }[basis]


def _use(rng: random.Random, state: str) -> tuple[str, str]:
    if state == AssetState.IN_USE:
        return rng.choice(IN_USE)
    if state == AssetState.LEASED:
        return rng.choice(LEASED)
    if state in (AssetState.SOLD, AssetState.WITHDRAWN):
        return ("", "")
    return NOT_IN_USE


def _asset(rng, municipality, number: int, **values) -> Asset:
    state = values.pop("state", None) or _pick(rng, STATE_WEIGHTS)
    basis = _pick(rng, BASIS_WEIGHTS)
    use_ka, use_en = _use(rng, state)
    return Asset(
        municipality=municipality,
        reference=f"{municipality.code}-A-{number:05d}",
        ownership_basis=basis,
        ownership_document=_document(rng, basis),
        current_use_ka=use_ka,
        current_use_en=use_en,
        state=state,
        direct_lease_allowed=state == AssetState.AVAILABLE and rng.random() < 0.1,
        **values,
    )


def _mark_municipal(municipality, count: int) -> None:
    """A small demo city may have too few municipal parcels for a register: the first parcels
    of public or green use, then any, become the municipality's."""
    parcels = Parcel.objects.current().filter(
        municipality=municipality, is_municipal_property=False
    )
    civic = parcels.filter(land_use__in=[LandUse.PUBLIC, LandUse.GREEN])
    chosen = list(civic.order_by("cadastral_code").values_list("pk", flat=True)[:count])
    chosen += list(
        parcels.exclude(pk__in=chosen)
        .order_by("cadastral_code")
        .values_list("pk", flat=True)[: count - len(chosen)]
    )
    Parcel.objects.filter(pk__in=chosen).update(is_municipal_property=True)


def _buildings_on(parcels, limit: int) -> Iterator[Building]:
    """The first building standing on each parcel, up to `limit`: one small lookup of the
    buildings' spatial index per parcel, which a join over every building of the city is not."""
    found = 0
    for parcel in parcels:
        building = (
            Building.objects.filter(geom__intersects=parcel.geom)
            .annotate(point=PointOnSurface("geom"))
            .filter(point__within=parcel.geom)
            .order_by("pk")
            .first()
        )
        if building is None:
            continue
        building.parcel_id = parcel.pk
        yield building
        found += 1
        if found == limit:
            return


def _register(municipality, rng: random.Random) -> list[Asset]:
    """The city's assets: buildings on municipal parcels with some of their units, and land."""
    municipal = Parcel.objects.current().filter(
        municipality=municipality, is_municipal_property=True
    )
    if municipal.count() < MIN_LAND:
        _mark_municipal(municipality, MIN_LAND)
    parcels = {
        p.pk: p
        for p in municipal.order_by("cadastral_code").only(
            "id", "cadastral_code", "geom", "area_m2", "land_use", "address_ka", "address_en"
        )
    }
    buildings = list(_buildings_on(parcels.values(), MAX_BUILDINGS))
    land_count = min(len(parcels), ASSETS_PER_CITY - len(buildings) - min(UNITS, len(buildings)))
    assets: list[Asset] = []
    land_by_parcel: dict[int, Asset] = {}
    number = 0
    for parcel in list(parcels.values())[:land_count]:
        number += 1
        name_ka, name_en = LAND_NAMES.get(parcel.land_use, LAND_NAME)
        land = _asset(
            rng,
            municipality,
            number,
            kind=AssetKind.LAND,
            parcel=parcel,
            cadastral_code=parcel.cadastral_code,
            name_ka=name_ka,
            name_en=name_en,
            address_ka=parcel.address_ka,
            address_en=parcel.address_en,
            geom=parcel.geom,
            area_m2=round(parcel.area_m2, 1),
        )
        land_by_parcel[parcel.pk] = land
        assets.append(land)
    for index, building in enumerate(buildings):
        parcel = parcels[building.parcel_id]
        number += 1
        name_ka, name_en = BUILDING_NAMES[index % len(BUILDING_NAMES)]
        footprint = building.geom.area
        made = _asset(
            rng,
            municipality,
            number,
            kind=AssetKind.BUILDING,
            parcel=parcel,
            cadastral_code=parcel.cadastral_code,
            name_ka=name_ka,
            name_en=name_en,
            address_ka=parcel.address_ka,
            address_en=parcel.address_en,
            geom=building.geom,
            area_m2=round(footprint * max(building.floors, 1), 1),
        )
        made.parent_parcel_asset = land_by_parcel.get(parcel.pk)
        assets.append(made)
        if index < UNITS:
            number += 1
            unit_ka, unit_en = UNIT_NAMES[index % len(UNIT_NAMES)]
            unit = _asset(
                rng,
                municipality,
                number,
                kind=AssetKind.UNIT,
                parcel=parcel,
                cadastral_code=f"{parcel.cadastral_code}.01.{index + 1:03d}",
                name_ka=f"{unit_ka} ({name_ka})",
                name_en=f"{unit_en} ({name_en})",
                address_ka=parcel.address_ka,
                address_en=parcel.address_en,
                geom=building.geom,
                area_m2=round(footprint * rng.uniform(0.15, 0.4), 1),
            )
            unit.parent_building = made
            assets.append(unit)
    return assets


def _save_register(assets: list[Asset]) -> None:
    """Write the assets in two passes: a building points at its land, a unit at its building."""
    Asset.objects.bulk_create(assets, batch_size=500)
    parents = []
    for asset in assets:
        parent = getattr(asset, "parent_parcel_asset", None) or getattr(
            asset, "parent_building", None
        )
        if parent is not None:
            asset.parent = parent
            parents.append(asset)
    Asset.objects.bulk_update(parents, ["parent"], batch_size=500)


def demo_bidders() -> list:
    """The demo bidders, made once, their e-mail addresses verified."""
    users = get_user_model().objects
    found = []
    for local, first, last, _number in BIDDERS:
        email = f"{local}@{DEMO_DOMAIN}"
        user = users.filter(email=email).first()
        if user is None:
            user = users.create_user(
                username=email,
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        found.append(user)
    return found


def _officer(municipality):
    users = get_user_model().objects
    local = f"property.{municipality.name_en.lower()}"
    return (
        users.filter(email=f"{local}@{DEMO_DOMAIN}").first()
        or users.filter(is_superuser=True).order_by("pk").first()
        or users.order_by("pk").first()
    )


@dataclass
class LotSpec:
    kind: str
    title_ka: str
    title_en: str
    start_price: str
    bid_step: str
    deposit_amount: str | None = None
    deposit_percent: str | None = None
    lease_months: int | None = None
    starts_in: datetime.timedelta = datetime.timedelta(days=-1)
    lasts: datetime.timedelta = datetime.timedelta(days=5)
    status: str = LotStatus.PUBLISHED
    asset_kind: str = AssetKind.LAND
    # A closed auction's price path: (bidder, amount), bidders being indexes of BIDDERS.
    path: tuple[tuple[int, str], ...] = ()
    bidders: tuple[int, ...] = ()
    attempt: int = 1
    running: bool = False


CONDITIONS = (
    "The winner signs the contract within 10 working days of the result; the deposit counts "
    "towards the price. The asset is offered as it is.",
    "გამარჯვებული ხელშეკრულებას აფორმებს შედეგიდან 10 სამუშაო დღეში; ბე ჩაითვლება ფასში. "
    "ქონება გაიცემა არსებული მდგომარეობით.",
)

DAY = datetime.timedelta(days=1)
LOTS = {
    "BTM": (
        # The auction running now: a municipal lease, 4,860 start, 243 step, 5% deposit.
        LotSpec(
            LotKind.LEASE,
            "მიწის ნაკვეთის იჯარა 10 წლით",
            "Lease of a land plot for 10 years",
            "4860",
            "243",
            deposit_percent="5",
            lease_months=120,
            starts_in=-DAY,
            lasts=5 * DAY,
            running=True,
            bidders=(0, 1, 2),
        ),
        LotSpec(
            LotKind.SALE,
            "შენობის პრივატიზება",
            "Sale of a building",
            "51000",
            "2500",
            deposit_amount="5100",
            starts_in=2 * DAY,
            lasts=10 * DAY,
            asset_kind=AssetKind.BUILDING,
        ),
        LotSpec(
            LotKind.SALE,
            "კომერციული მიწის ნაკვეთის პრივატიზება",
            "Sale of a commercial land plot",
            "3124500",
            "10000",
            deposit_amount="312450",
            starts_in=-30 * DAY,
            lasts=8 * DAY,
            status=LotStatus.AWARDED,
            path=((1, "3124500"), (3, "3134500"), (1, "3144500"), (3, "3164500"), (1, "3174500")),
            bidders=(1, 3),
        ),
        LotSpec(
            LotKind.LEASE,
            "არასაცხოვრებელი ფართის იჯარა 3 წლით",
            "Lease of a non-residential space for 3 years",
            "1200",
            "60",
            deposit_percent="10",
            lease_months=36,
            starts_in=-20 * DAY,
            lasts=7 * DAY,
            status=LotStatus.FAILED,
            asset_kind=AssetKind.UNIT,
            bidders=(2,),
        ),
    ),
    "RST": (
        LotSpec(
            LotKind.LEASE,
            "მიწის ნაკვეთის იჯარა 5 წლით",
            "Lease of a land plot for 5 years",
            "4860",
            "243",
            deposit_percent="5",
            lease_months=60,
            starts_in=-2 * DAY,
            lasts=10 * DAY,
        ),
        LotSpec(
            LotKind.USUFRUCT,
            "ფართის უზუფრუქტი 2 წლით",
            "Usufruct of a space for 2 years",
            "2400",
            "120",
            deposit_percent="10",
            lease_months=24,
            starts_in=DAY,
            lasts=8 * DAY,
            asset_kind=AssetKind.UNIT,
        ),
        LotSpec(
            LotKind.LEASE,
            "შენობის იჯარა 5 წლით",
            "Lease of a building for 5 years",
            "12000",
            "600",
            deposit_percent="10",
            lease_months=60,
            starts_in=-40 * DAY,
            lasts=9 * DAY,
            status=LotStatus.AWARDED,
            asset_kind=AssetKind.BUILDING,
            path=((0, "12000"), (2, "12600"), (0, "13200"), (2, "13800"), (0, "15000")),
            bidders=(0, 2),
        ),
    ),
}

ASSET_STATE_OF = {
    LotStatus.PUBLISHED: AssetState.IN_AUCTION,
    LotStatus.AWARDED: None,  # leased or sold, by the kind of lot
    LotStatus.FAILED: AssetState.LISTED,
}


def _free_asset(assets: list[Asset], kind: str, taken: set[int]) -> Asset | None:
    """An asset of that kind for a lot: an available one, else any not offered yet."""
    for wanted in (AssetState.AVAILABLE, None):
        for index, asset in enumerate(assets):
            if index in taken or asset.kind != kind:
                continue
            if wanted is None or asset.state == wanted:
                taken.add(index)
                return asset
    return None


def _lots(municipality, assets: list[Asset], officer, now) -> Iterator[tuple[Lot, LotSpec]]:
    taken: set[int] = set()
    year = now.year
    for number, spec in enumerate(LOTS.get(municipality.code, ()), start=1):
        asset = _free_asset(assets, spec.asset_kind, taken) or _free_asset(
            assets, AssetKind.LAND, taken
        )
        if asset is None:
            continue
        starts_at = now + spec.starts_in
        ends_at = starts_at + spec.lasts
        closed = spec.status in (LotStatus.AWARDED, LotStatus.FAILED)
        final = Decimal(spec.path[-1][1]) if spec.path else None
        lot = Lot(
            municipality=municipality,
            reference=f"{municipality.code}-L-{year}-{number:04d}",
            kind=spec.kind,
            title_ka=spec.title_ka,
            title_en=spec.title_en,
            description_ka=f"{asset.name_ka}, {asset.address_ka}".strip(", "),
            description_en=f"{asset.name_en}, {asset.address_en}".strip(", "),
            conditions_ka=CONDITIONS[1],
            conditions_en=CONDITIONS[0],
            start_price=Decimal(spec.start_price),
            bid_step=Decimal(spec.bid_step),
            deposit_amount=Decimal(spec.deposit_amount) if spec.deposit_amount else None,
            deposit_percent=Decimal(spec.deposit_percent) if spec.deposit_percent else None,
            lease_months=spec.lease_months,
            starts_at=starts_at,
            ends_at=ends_at,
            closes_at=ends_at,
            attempt=spec.attempt,
            status=spec.status,
            current_price=final,
            final_price=final if spec.status == LotStatus.AWARDED else None,
            bid_count=len(spec.path),
            version=len(spec.path) + 1,
            published_at=starts_at - 7 * DAY if spec.starts_in < datetime.timedelta(0) else now,
            closed_at=ends_at if closed else None,
            created_by=officer,
        )
        if spec.status == LotStatus.AWARDED:
            asset.state = AssetState.SOLD if spec.kind == LotKind.SALE else AssetState.LEASED
        else:
            asset.state = ASSET_STATE_OF[spec.status]
        asset.lot_of_demo = lot
        yield lot, spec


def _closed_path(lot: Lot, spec: LotSpec, bidders: list) -> int:
    """The registrations and bids of a closed auction, its winner and leading bid."""
    registrations = {}
    for alias, index in enumerate(spec.bidders, start=1):
        user = bidders[index]
        registrations[index] = BidderRegistration(
            municipality=lot.municipality,
            lot=lot,
            user=user,
            legal_name=user.get_full_name(),
            id_number_hash=auctions.id_number_hash(BIDDERS[index][3]),
            id_number_masked=auctions.id_number_mask(BIDDERS[index][3]),
            alias=alias + 2 * (lot.pk % 7),
            deposit=lot.deposit,
            status=RegistrationStatus.RELEASED,
        )
    BidderRegistration.objects.bulk_create(registrations.values())
    placed = lot.starts_at + datetime.timedelta(hours=20)
    bids = []
    for sequence, (index, amount) in enumerate(spec.path, start=1):
        placed += datetime.timedelta(hours=7, minutes=13 * sequence)
        bids.append(
            Bid(
                municipality=lot.municipality,
                lot=lot,
                registration=registrations[index],
                amount=Decimal(amount),
                sequence=sequence,
                placed_at=min(placed, lot.ends_at - datetime.timedelta(minutes=5)),
            )
        )
    Bid.objects.bulk_create(bids)
    if bids and lot.status == LotStatus.AWARDED:
        winner = bids[-1].registration
        winner.status = RegistrationStatus.RETAINED
        winner.save(update_fields=["status"])
        Lot.objects.filter(pk=lot.pk).update(winner=winner, leading_bid=bids[-1])
    return len(bids)


def _run_auction(lot: Lot, spec: LotSpec, bidders: list) -> int:
    """Bidders register, pay the demo deposit and bid through the auction engine."""
    people = [bidders[index] for index in spec.bidders]
    for index, user in zip(spec.bidders, people, strict=True):
        registration = auctions.bidder_register(
            lot=lot, user=user, legal_name=user.get_full_name(), id_number=BIDDERS[index][3]
        )
        deposit, _url = auctions.deposit_start(registration=registration)
        auctions.deposit_confirm(
            provider=deposit.provider, provider_reference=deposit.provider_reference
        )
    amount = lot.start_price
    placed = 0
    for turn in range(4):
        auctions.bid_place(
            lot_id=lot.pk, user=people[turn % len(people)], amount=amount, key=uuid.uuid4()
        )
        placed += 1
        amount += lot.bid_step
    return placed


def load_demo_estate(*, stdout: TextIO | None = None) -> Summary:
    """The demo register and lots of every municipality that has no assets yet."""
    started = time.perf_counter()
    summary = Summary()
    now = timezone.now().replace(second=0, microsecond=0)
    bidders = demo_bidders()
    running = []
    for municipality in Municipality.objects.order_by("code").defer("boundary"):
        if Asset.objects.filter(municipality=municipality).exists():
            continue
        rng = random.Random(f"{SEED}-{municipality.code}")
        officer = _officer(municipality)
        with transaction.atomic():
            audit.ignore_triggers_in_transaction()
            assets = _register(municipality, rng)
            lots = list(_lots(municipality, assets, officer, now))
            _save_register(assets)
            Lot.objects.bulk_create([lot for lot, _spec in lots])
            LotAsset.objects.bulk_create(
                [
                    LotAsset(lot=asset.lot_of_demo, asset=asset)
                    for asset in assets
                    if hasattr(asset, "lot_of_demo")
                ]
            )
            for lot, spec in lots:
                if spec.path or (spec.bidders and lot.status != LotStatus.PUBLISHED):
                    summary.bids += _closed_path(lot, spec, bidders)
        running += [(lot, spec) for lot, spec in lots if spec.running]
        for lot, _spec in lots:
            if lot.status == LotStatus.PUBLISHED:
                auctions.lot_close_schedule(lot)  # the close job at the lot's end
        summary.assets[municipality.code] = len(assets)
        summary.lots[municipality.code] = len(lots)
    for lot, spec in running:
        summary.bids += _run_auction(lot, spec, bidders)
    if stdout is not None and summary.assets:
        counts = ", ".join(
            f"{code}: {summary.assets[code]} assets, {summary.lots[code]} lots"
            for code in summary.assets
        )
        seconds = time.perf_counter() - started
        stdout.write(f"  Municipal property: {counts}; {summary.bids} bids ({seconds:.1f} s)\n")
    return summary
