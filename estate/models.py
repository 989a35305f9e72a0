"""The municipal estate: the register of municipal land and buildings, lots offered for lease,
sale or usufruct, their electronic auctions, and the contracts that follow.

Money is in lari (GEL), as Decimal with two places. Every row that holds a state, money, a bid
or a person is audited (pghistory). Rows carry their municipality, so that row-level security
keeps each municipality's staff to their own (core/db/rls.py); the register and the lots are
public, as on eauction.ge, and their rows are readable by every scope.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import new_verification_code
from core import audit
from core.models import Bilingual, Municipality

CENTS = Decimal("0.01")


def money(value) -> Decimal:
    """An amount in lari rounded to the tetri."""
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


# --- The register ---------------------------------------------------------------------------


class AssetKind(models.TextChoices):
    LAND = "land", _("Land parcel")
    BUILDING = "building", _("Building")
    UNIT = "unit", _("Unit in a building")


class AssetState(models.TextChoices):
    IN_USE = "in_use", _("In use by the municipality")
    AVAILABLE = "available", _("Available")
    LISTED = "listed", _("Listed")
    IN_AUCTION = "in_auction", _("In auction")
    LEASED = "leased", _("Leased")
    SOLD = "sold", _("Sold")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which an asset is offered: shown on the public layer of offers.
OFFERED_STATES = (AssetState.LISTED, AssetState.IN_AUCTION)


class OwnershipBasis(models.TextChoices):
    REGISTRATION = "registration", _("First registration of municipal ownership")
    STATE_TRANSFER = "state_transfer", _("Transfer from the state")
    PURCHASE = "purchase", _("Purchase")
    DONATION = "donation", _("Donation")
    COURT = "court", _("Court decision")


@audit.track()
class Asset(Bilingual, models.Model):
    """A piece of the municipal estate: a land parcel, a building, or a unit in a building."""

    public_rows = True  # the register of municipal property is public (core/db/rls.py)

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="assets",
        verbose_name=_("municipality"),
    )
    reference = models.CharField(_("register number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    parcel = models.ForeignKey(
        "parcels.Parcel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("cadastral parcel"),
    )
    cadastral_code = models.CharField(_("cadastral code"), max_length=32, db_index=True)
    # A unit in a building, or a building on a municipal parcel.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("part of"),
    )
    name_ka = models.CharField(_("name (Georgian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    address_ka = models.CharField(_("address (Georgian)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    geom = models.MultiPolygonField(_("geometry"), srid=settings.SRID_STORAGE, spatial_index=False)
    area_m2 = models.FloatField(_("area, m²"), validators=[MinValueValidator(0)])
    ownership_basis = models.CharField(
        _("ownership basis"), max_length=30, choices=OwnershipBasis.choices
    )
    ownership_document = models.CharField(
        _("ownership document"),
        max_length=200,
        help_text=_("The registry extract or act by which the municipality owns it."),
    )
    current_use_ka = models.CharField(_("current use (Georgian)"), max_length=300, blank=True)
    current_use_en = models.CharField(_("current use (English)"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=AssetState.choices, default=AssetState.AVAILABLE
    )
    # The council may allow an asset to be leased without an auction (to a public body, for a
    # social purpose): then a direct lease may be asked for through the one window.
    direct_lease_allowed = models.BooleanField(
        _("may be leased directly, without an auction"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("municipal asset")
        verbose_name_plural = _("municipal assets")
        ordering = ["municipality", "reference"]
        indexes = [
            GistIndex(fields=["geom"], name="estate_asset_geom_gist"),
            models.Index(fields=["municipality", "state"], name="estate_asset_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def name(self) -> str:
        return self._in_language("name")

    @property
    def address(self) -> str:
        return self._in_language("address")

    @property
    def current_use(self) -> str:
        return self._in_language("current_use")

    @property
    def is_offered(self) -> bool:
        return self.state in OFFERED_STATES


# --- Lots and auctions ----------------------------------------------------------------------


class LotKind(models.TextChoices):
    LEASE = "lease", _("Lease")
    SALE = "sale", _("Sale")
    USUFRUCT = "usufruct", _("Usufruct")


class LotStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    PUBLISHED = "published", _("Open for bidding")
    AWARDED = "awarded", _("Awarded")
    FAILED = "failed", _("Failed: too few bidders")
    CANCELLED = "cancelled", _("Cancelled")


# Lots that anyone may see (a draft is the officer's alone).
PUBLIC_LOT_STATUSES = (
    LotStatus.PUBLISHED,
    LotStatus.AWARDED,
    LotStatus.FAILED,
    LotStatus.CANCELLED,
)

MAX_ATTEMPTS = 3
DEFAULT_MIN_BIDDERS = 2
# A bid in the last 2 minutes moves the end to 2 minutes after it (etenders.ge).
DEFAULT_EXTENSION_WINDOW_S = 120
DEFAULT_EXTENSION_S = 120
# Terms may change until 5 days before the close; a change cancels the bids (Prozorro.Sale).
DEFAULT_EDIT_CUTOFF_HOURS = 5 * 24


@audit.track()
class Lot(Bilingual, models.Model):
    """What is offered in one auction: assets, kind, terms and the bidding's clock.

    `current_price`, `leading_bid`, `bid_count` and `version` are kept by the auction engine
    (estate/auctions.py) under the lot's row lock; `version` grows with every change a watcher
    should see, and is the live page's event id and ETag.
    """

    public_rows = True  # lots, their prices and results are public (core/db/rls.py)

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="lots", verbose_name=_("municipality")
    )
    reference = models.CharField(_("lot number"), max_length=30, unique=True)
    assets = models.ManyToManyField(
        Asset, through="LotAsset", related_name="lots", verbose_name=_("assets")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LotKind.choices)
    title_ka = models.CharField(_("title (Georgian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_ka = models.TextField(_("description (Georgian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    conditions_ka = models.TextField(_("conditions (Georgian)"), blank=True)
    conditions_en = models.TextField(_("conditions (English)"), blank=True)

    start_price = money_field(_("start price, GEL"), validators=[MinValueValidator(Decimal("1"))])
    bid_step = money_field(_("bid step, GEL"), validators=[MinValueValidator(Decimal("1"))])
    deposit_amount = money_field(_("deposit, GEL"), null=True, blank=True)
    deposit_percent = models.DecimalField(
        _("deposit, per cent of the start price"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    lease_months = models.PositiveIntegerField(
        _("lease term, months"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    starts_at = models.DateTimeField(_("bidding starts"))
    ends_at = models.DateTimeField(_("bidding ends as announced"))
    closes_at = models.DateTimeField(
        _("bidding ends"), help_text=_("The announced end, moved by late bids.")
    )
    min_bidders = models.PositiveSmallIntegerField(
        _("minimum bidders"), default=DEFAULT_MIN_BIDDERS, validators=[MinValueValidator(1)]
    )
    extension_window_s = models.PositiveIntegerField(
        _("late-bid window, seconds"), default=DEFAULT_EXTENSION_WINDOW_S
    )
    extension_s = models.PositiveIntegerField(_("extension, seconds"), default=DEFAULT_EXTENSION_S)
    edit_cutoff_hours = models.PositiveIntegerField(
        _("terms frozen, hours before the end"), default=DEFAULT_EDIT_CUTOFF_HOURS
    )
    attempt = models.PositiveSmallIntegerField(
        _("attempt"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_ATTEMPTS)]
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_attempt",
        verbose_name=_("previous attempt"),
    )

    status = models.CharField(
        _("status"), max_length=20, choices=LotStatus.choices, default=LotStatus.DRAFT
    )
    current_price = money_field(_("current price, GEL"), null=True, blank=True)
    leading_bid = models.ForeignKey(
        "Bid", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bid_count = models.PositiveIntegerField(_("bids"), default=0)
    version = models.PositiveBigIntegerField(default=0)
    winner = models.ForeignKey(
        "BidderRegistration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("winner"),
    )
    final_price = money_field(_("final price, GEL"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["-starts_at", "reference"]
        indexes = [
            models.Index(fields=["status", "closes_at"], name="estate_lot_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deposit_amount__isnull=False) | Q(deposit_percent__isnull=False),
                name="estate_lot_has_deposit",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="estate_lot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def title(self) -> str:
        return self._in_language("title")

    @property
    def description(self) -> str:
        return self._in_language("description")

    @property
    def conditions(self) -> str:
        return self._in_language("conditions")

    @property
    def deposit(self) -> Decimal:
        """The deposit a bidder pays: the amount, or the percentage of the start price."""
        if self.deposit_amount is not None:
            return money(self.deposit_amount)
        return money(self.start_price * self.deposit_percent / 100)

    @property
    def minimum_bid(self) -> Decimal:
        """The least the next bid may be: the start price, then the price plus the step."""
        if self.current_price is None:
            return money(self.start_price)
        return money(self.current_price + self.bid_step)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_LOT_STATUSES


@audit.track()
class LotAsset(models.Model):
    """An asset offered in a lot."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="lot_assets")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="lot_assets")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lot", "asset"], name="estate_lot_asset")]


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered: deposit not paid")
    PAID = "paid", _("Deposit paid")
    RELEASED = "released", _("Deposit released")
    RETAINED = "retained", _("Deposit kept towards the price")
    FORFEITED = "forfeited", _("Deposit forfeited")


@audit.track()
class BidderRegistration(models.Model):
    """A person's or company's registration to bid on one lot, and the state of its deposit.

    Bidders are anonymous until the end: others see only that a bid was placed. `alias` is the
    number under which the registration appears in the published price path after the close.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bidder_registrations"
    )
    legal_name = models.CharField(_("name of the bidder"), max_length=200)
    # A keyed hash of the personal or company number, never the number (core.audit, DESIGN.md).
    id_number_hash = models.CharField(max_length=64)
    id_number_masked = models.CharField(_("personal or company number"), max_length=20)
    is_company = models.BooleanField(_("a company"), default=False)
    alias = models.PositiveIntegerField(_("bidder number"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    deposit = money_field(_("deposit, GEL"))
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bidder registration")
        verbose_name_plural = _("bidder registrations")
        constraints = [
            models.UniqueConstraint(fields=["lot", "user"], name="estate_registration_once"),
            models.UniqueConstraint(fields=["lot", "alias"], name="estate_registration_alias"),
        ]

    def __str__(self) -> str:
        return f"{self.lot.reference} #{self.alias}"

    @property
    def may_bid(self) -> bool:
        return self.status == RegistrationStatus.PAID


class DepositStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    RELEASED = "released", _("Released")


@audit.track()
class Deposit(models.Model):
    """A deposit payment through a payment provider (estate/payments.py)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        BidderRegistration, on_delete=models.PROTECT, related_name="deposits"
    )
    provider = models.CharField(_("payment provider"), max_length=30)
    provider_reference = models.CharField(_("payment reference"), max_length=100)
    amount = money_field(_("amount, GEL"))
    status = models.CharField(
        _("status"), max_length=20, choices=DepositStatus.choices, default=DepositStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"], name="estate_deposit_reference"
            ),
            # One paid deposit per registration: a second payment is refused, not kept.
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status__in=["paid", "released"]),
                name="estate_deposit_paid_once",
            ),
        ]


@audit.track()
class Bid(models.Model):
    """An accepted bid. Bids are written only by `auctions.bid_place` under the lot's lock, so
    the amounts of a lot's standing bids rise strictly by at least the step."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    registration = models.ForeignKey(
        BidderRegistration, on_delete=models.PROTECT, related_name="bids"
    )
    amount = money_field(_("amount, GEL"))
    # The bidder's own key for the bid: the same key again gives the same bid, not a second.
    key = models.UUIDField(default=uuid.uuid4)
    sequence = models.PositiveIntegerField(_("bid number"))
    placed_at = models.DateTimeField(_("placed"))
    # Set when the lot's terms were edited after the bid (the bid no longer stands).
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["lot", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "registration", "key"], name="estate_bid_key"),
            models.UniqueConstraint(fields=["lot", "sequence"], name="estate_bid_sequence"),
            # No two standing bids of a lot at one amount: the database's own last word.
            models.UniqueConstraint(
                fields=["lot", "amount"],
                condition=Q(cancelled_at__isnull=True),
                name="estate_bid_amount_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot.reference} #{self.sequence}: {self.amount}"


# --- After the award ------------------------------------------------------------------------


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")
    ONCE = "once", _("In one payment")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    IN_ARREARS = "in_arrears", _("In arrears")
    TERMINATION = "termination", _("Being terminated")
    TERMINATED = "terminated", _("Terminated")
    COMPLETED = "completed", _("Completed")


def contract_upload_to(instance: Contract, filename: str) -> str:
    return f"estate/contracts/{instance.reference}-{instance.verification_code}.pdf"


@audit.track()
class Contract(models.Model):
    """The lease, sale or usufruct that follows an award (or a direct lease), with its
    payment schedule (`Instalment`), payments and arrears (estate/contracts.py)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    reference = models.CharField(_("contract number"), max_length=30, unique=True)
    lot = models.OneToOneField(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="contract"
    )
    assets = models.ManyToManyField(
        Asset, through="ContractAsset", related_name="contracts", verbose_name=_("assets")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LotKind.choices)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="estate_contracts",
        verbose_name=_("holder"),
    )
    holder_name = models.CharField(_("holder's name"), max_length=200)
    # The price of the award: the yearly rent of a lease or usufruct, or the price of a sale.
    price = money_field(_("price, GEL"))
    frequency = models.CharField(_("payments"), max_length=20, choices=Frequency.choices)
    indexation_percent = models.DecimalField(
        _("yearly indexation, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    # Days after a due date before an unpaid instalment counts as arrears.
    grace_days = models.PositiveSmallIntegerField(_("days of grace"), default=10)
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    arrears = money_field(_("arrears, GEL"), default=Decimal("0"))
    arrears_since = models.DateField(_("in arrears since"), null=True, blank=True)
    arrears_checked_on = models.DateField(null=True, blank=True)
    verification_code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=new_verification_code
    )
    pdf = models.FileField(_("contract document"), upload_to=contract_upload_to, blank=True)
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    terminated_on = models.DateField(_("terminated"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on", "reference"]

    def __str__(self) -> str:
        return self.reference


@audit.track()
class ContractAsset(models.Model):
    """An asset a contract is about."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="contract_assets")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="contract_assets")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "asset"], name="estate_contract_asset")
        ]


@audit.track()
class Instalment(models.Model):
    """One due payment of a contract's schedule; `amount` includes the year's indexation."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveIntegerField(_("number"))
    due_on = models.DateField(_("due"))
    amount = money_field(_("amount, GEL"))

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="estate_instalment_number")
        ]


class PaymentSource(models.TextChoices):
    HAND = "hand", _("Recorded by hand")
    BANK = "bank", _("Bank statement")


@audit.track()
class Payment(models.Model):
    """Money received on a contract; a bank line is recorded once, whatever the imports."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid"))
    amount = money_field(_("amount, GEL"), validators=[MinValueValidator(Decimal("0.01"))])
    source = models.CharField(_("source"), max_length=10, choices=PaymentSource.choices)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["contract", "paid_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "bank_reference"],
                condition=~Q(bank_reference=""),
                name="estate_payment_bank_once",
            )
        ]


@audit.track()
class Reminder(models.Model):
    """A reminder of arrears sent to a contract's holder."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reminders")
    level = models.PositiveSmallIntegerField(_("reminder"))
    arrears = money_field(_("arrears, GEL"))
    sent_on = models.DateField(_("sent"))

    class Meta:
        verbose_name = _("arrears reminder")
        verbose_name_plural = _("arrears reminders")
        constraints = [
            models.UniqueConstraint(fields=["contract", "level"], name="estate_reminder_level")
        ]


# --- Through the one window -----------------------------------------------------------------


class RequestKind(models.TextChoices):
    OFFER = "offer", _("Request to offer an asset")
    DIRECT_LEASE = "direct_lease", _("Direct lease")
    OBJECTION = "objection", _("Objection to an auction's result")


@audit.track()
class EstateRequest(models.Model):
    """A citizen's or company's application about the estate, handled as a case."""

    municipality_path = "case__municipality"

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="estate")
    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    cadastral_code = models.CharField(_("cadastral code"), max_length=32, blank=True)
    wanted = models.CharField(_("wanted"), max_length=20, choices=LotKind.choices, blank=True)
    lease_months = models.PositiveIntegerField(_("lease term, months"), null=True, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)

    class Meta:
        verbose_name = _("estate application")
        verbose_name_plural = _("estate applications")
