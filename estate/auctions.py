"""The auction engine: bidders' registration and deposits, bids serialised per lot in the
database, the lot's public state, publishing and editing a lot's terms, and the close.

Every change a watcher should see (a bid, an extension, a close, a terms edit) raises the
lot's `version` and sends `pg_notify(LIVE_CHANNEL, "<lot id>:<version>")` in the same
transaction, so a listener hears of it only once it is committed.

Time is the database's: `clock_timestamp()` read under the lot's row lock decides whether a
bid is in time, when it was placed and whether it extends the end, so that two web servers
with different clocks cannot disagree.

A bid is committed before `bid_place` returns, and the API answers 201 only after that: a
server that stops after the answer has lost nothing, and one that stops before it has written
nothing (the client sends the same key again and gets the same bid, or a new one). A lot whose
end passed while the worker was down is closed by the minute's sweep (estate/auction_jobs.py).
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
import time
import uuid
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from core.models import Role
from core.rules import is_superuser, roles_in
from estate.models import (
    CENTS,
    MAX_ATTEMPTS,
    Asset,
    AssetState,
    Bid,
    BidderRegistration,
    Deposit,
    DepositStatus,
    Lot,
    LotAsset,
    LotKind,
    LotStatus,
    RegistrationStatus,
    money,
)

logger = logging.getLogger(__name__)

LIVE_CHANNEL = "estate_lot"
# How many of the latest bids the public state lists.
STATE_BIDS = 20
# Bidder numbers are drawn at random from 1..MAX_ALIAS, so that a number says nothing of how
# many registered before.
MAX_ALIAS = 999
# A next attempt starts this much lower, unless the officer names its price.
NEXT_ATTEMPT_DISCOUNT = Decimal("0.20")
# At most one "you were outbid" notification per bidder in this many seconds.
OUTBID_QUIET_S = 600

# The terms an officer may change (lot_update_terms).
TERMS = frozenset(
    {
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
    }
)


class AuctionError(Exception):
    """A refusal of the auction engine: `message` for people, `code` for programs, `status`
    the HTTP status the API answers with (400 bad input, 404 not to be seen, 409 the state
    refuses), and `extra` members of the API's error body (such as the minimum bid)."""

    def __init__(self, message: str, code: str, status: int = 409, extra: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.status = status
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message


def _not_found() -> AuctionError:
    return AuctionError(_("There is no such lot."), "not_found", 404)


def db_now() -> datetime.datetime:
    """The database's clock (not the transaction's start: `clock_timestamp()`)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def _live_notify(lot_id: int, version: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, %s)", [LIVE_CHANNEL, f"{lot_id}:{version}"])


def lot_url(lot: Lot) -> str:
    """The lot's public page, or the front page until that page exists."""
    try:
        return reverse("estate:lot", args=[lot.reference])
    except NoReverseMatch:
        return "/"


def min_bidding_days() -> int:
    return int(getattr(settings, "ESTATE_MIN_BIDDING_DAYS", 7))


def _require_officer(by, lot: Lot) -> None:
    """Only a property officer of the lot's municipality (or a superuser) keeps its lots; to
    anyone else the lot does not exist."""
    if by is None or not getattr(by, "is_authenticated", False):
        raise _not_found()
    if is_superuser.test(by) or Role.PROPERTY_OFFICER in roles_in(by, lot.municipality):
        return
    raise _not_found()


def _locked_lot(lot_id: int) -> Lot:
    lot = Lot.objects.select_for_update(of=("self",)).filter(pk=lot_id).first()
    if lot is None:
        raise _not_found()
    return lot


# --- Registration and deposits ---------------------------------------------------------------

PERSONAL_NUMBER = re.compile(r"^\d{11}$")
COMPANY_NUMBER = re.compile(r"^\d{9}$")


def id_number_hash(number: str) -> str:
    """A keyed hash of a personal or company number (HMAC-SHA256, key derived from
    SECRET_KEY): the same number gives the same hash, and the hash gives no number back."""
    return salted_hmac("estate.id_number", number, algorithm="sha256").hexdigest()


def id_number_mask(number: str) -> str:
    return "•" * (len(number) - 4) + number[-4:]


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _verified_email(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


def _open_for_registration(lot: Lot, now: datetime.datetime) -> None:
    if lot.status == LotStatus.DRAFT:
        raise _not_found()
    if lot.status != LotStatus.PUBLISHED:
        raise AuctionError(_("Bidding on this lot has closed."), "closed")
    if now >= lot.closes_at:
        raise AuctionError(_("Bidding on this lot has closed."), "closed")


def bidder_register(
    *, lot: Lot, user, legal_name: str, id_number: str, is_company: bool = False
) -> BidderRegistration:
    """Register a signed-in person, or a company through them, to bid on a published lot.

    The identity is checked against the account: the account is active and its e-mail address
    verified, and a person's name is the account's name. The personal number (11 digits) or
    company id (9 digits) is kept as a keyed hash and shown masked. The bidder number is drawn
    at random among the lot's unused ones.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        raise AuctionError(_("Sign in to register as a bidder."), "sign_in", 403)
    if not _verified_email(user):
        raise AuctionError(
            _("Confirm your e-mail address before you register as a bidder."),
            "identity_unverified",
        )
    legal_name = " ".join((legal_name or "").split())
    if not legal_name:
        raise AuctionError(_("Give the bidder's name."), "invalid_name", 400)
    if not is_company and not _same_name(legal_name, user.get_full_name()):
        raise AuctionError(
            _(
                "A person bids under the name of their account (%(name)s); "
                "a company says that it is one."
            )
            % {"name": user.get_full_name() or "—"},
            "name_mismatch",
            400,
        )
    id_number = "".join((id_number or "").split())
    pattern = COMPANY_NUMBER if is_company else PERSONAL_NUMBER
    if not pattern.match(id_number):
        message = (
            _("A company's identification number has 9 digits.")
            if is_company
            else _("A personal number has 11 digits.")
        )
        raise AuctionError(message, "invalid_id_number", 400)
    with transaction.atomic():
        lot = Lot.objects.filter(pk=lot.pk).first()
        if lot is None:
            raise _not_found()
        _open_for_registration(lot, db_now())
        if BidderRegistration.objects.filter(lot=lot, user=user).exists():
            raise AuctionError(
                _("You are already registered to bid on this lot."), "already_registered"
            )
        for _attempt in range(5):
            used = set(BidderRegistration.objects.filter(lot=lot).values_list("alias", flat=True))
            free = [n for n in range(1, MAX_ALIAS + 1) if n not in used]
            if not free:
                raise AuctionError(_("This lot takes no more bidders."), "full")
            registration = BidderRegistration(
                municipality_id=lot.municipality_id,
                lot=lot,
                user=user,
                legal_name=legal_name[:200],
                id_number_hash=id_number_hash(id_number),
                id_number_masked=id_number_mask(id_number),
                is_company=is_company,
                alias=secrets.choice(free),
                deposit=lot.deposit,
            )
            try:
                with transaction.atomic():
                    registration.save()
            except ProgrammingError as error:
                if "row-level security" in str(error):
                    raise _not_found() from None  # a staff member scoped to another municipality
                raise
            except IntegrityError as error:
                if "estate_registration_once" in str(error):
                    raise AuctionError(
                        _("You are already registered to bid on this lot."), "already_registered"
                    ) from None
                continue  # another bidder drew the same number at the same moment
            return registration
    raise AuctionError(_("The registration could not be made; try again."), "busy")


def deposit_start(
    *, registration: BidderRegistration, provider: str = "demo"
) -> tuple[Deposit, str]:
    """A pending deposit of the registration through a payment provider, and the address
    where the bidder pays it."""
    from estate.payments import get_provider

    payer = get_provider(provider)
    with transaction.atomic():
        registration = (
            BidderRegistration.objects.select_for_update().filter(pk=registration.pk).first()
        )
        if registration is None:
            raise _not_found()
        if registration.status != RegistrationStatus.REGISTERED:
            raise AuctionError(_("The deposit for this lot is already paid."), "deposit_paid")
        lot = Lot.objects.get(pk=registration.lot_id)
        _open_for_registration(lot, db_now())
        deposit = Deposit.objects.create(
            municipality_id=registration.municipality_id,
            registration=registration,
            provider=payer.name,
            provider_reference=uuid.uuid4().hex,
            amount=registration.deposit,
        )
    return deposit, payer.start(deposit)


def deposit_confirm(*, provider: str, provider_reference: str) -> Deposit:
    """The provider reports the deposit paid: the registration may bid.

    A deposit paid twice (the same payment reported again, or a second payment for one
    registration) is refused with 409 and changes nothing.
    """
    with transaction.atomic():
        deposit = (
            Deposit.objects.select_for_update()
            .filter(provider=provider, provider_reference=provider_reference)
            .first()
        )
        if deposit is None:
            raise AuctionError(_("There is no such payment."), "not_found", 404)
        registration = BidderRegistration.objects.select_for_update().get(
            pk=deposit.registration_id
        )
        if deposit.status != DepositStatus.PENDING or registration.status != (
            RegistrationStatus.REGISTERED
        ):
            raise AuctionError(_("The deposit for this lot is already paid."), "deposit_paid")
        lot = Lot.objects.get(pk=registration.lot_id)
        if lot.status != LotStatus.PUBLISHED:
            raise AuctionError(_("Bidding on this lot has closed."), "closed")
        deposit.status = DepositStatus.PAID
        deposit.paid_at = timezone.now()
        deposit.save(update_fields=["status", "paid_at"])
        registration.status = RegistrationStatus.PAID
        registration.save(update_fields=["status"])
    return deposit


# --- Bids ------------------------------------------------------------------------------------

# The lot's row lock, alone: a statement that waits for a lock sees the locked row as it is
# after the wait, but the rest of what it reads (joins, subqueries) as it was before, so what
# a bid is checked against is read by the next statement, once the lock is held.
_BID_LOCK = "SELECT 1 FROM estate_lot WHERE id = %(lot)s FOR UPDATE"

# Under the lock, one statement reads everything a bid is checked against: the lot, the
# database clock, the bidder's registration, the leader's registration, a bid already made
# with this key, and the highest bid number so far. The ORM would take five round trips.
_BID_READ = """
SELECT l.id, l.status, l.starts_at, l.closes_at, l.current_price, l.bid_step, l.start_price,
       l.bid_count, l.version, l.extension_window_s, l.extension_s, l.municipality_id,
       clock_timestamp(),
       r.id, r.status,
       lead.registration_id,
       kb.id, kb.amount, kb.sequence, kb.placed_at, kb.cancelled_at,
       (SELECT coalesce(max(s.sequence), 0) FROM estate_bid s WHERE s.lot_id = l.id)
FROM estate_lot l
LEFT JOIN estate_bidderregistration r ON r.lot_id = l.id AND r.user_id = %(user)s
LEFT JOIN estate_bid lead ON lead.id = l.leading_bid_id
LEFT JOIN estate_bid kb ON kb.lot_id = l.id AND kb.registration_id = r.id AND kb.key = %(key)s
WHERE {lot}
"""
_BY_ID = "l.id = %(lot)s"
_BY_REFERENCE = "l.reference = %(reference)s"

# One statement writes the bid and the lot, and tells the watchers.
_BID_WRITE = """
WITH bid AS (
    INSERT INTO estate_bid
        (municipality_id, lot_id, registration_id, amount, key, sequence, placed_at)
    VALUES (%(municipality)s, %(lot)s, %(registration)s, %(amount)s, %(key)s, %(sequence)s,
            %(placed_at)s)
    RETURNING id
), lot AS (
    UPDATE estate_lot
    SET current_price = %(amount)s, leading_bid_id = (SELECT id FROM bid),
        bid_count = bid_count + 1, version = version + 1, closes_at = %(closes_at)s,
        updated_at = %(placed_at)s
    WHERE id = %(lot)s
    RETURNING version
)
SELECT bid.id, pg_notify(%(channel)s, %(lot)s::text || ':' || lot.version::text)
FROM bid, lot
"""


def extended_close(
    *, closes_at: datetime.datetime, placed_at: datetime.datetime, window_s: int, extension_s: int
) -> datetime.datetime:
    """The end after a bid: a bid placed `window_s` seconds or less before the end moves it to
    `extension_s` seconds after the bid; the end never moves earlier.

    At the boundary: a bid exactly `window_s` before the end is in the window (it extends), a
    bid a microsecond earlier is not.
    """
    if closes_at - placed_at <= datetime.timedelta(seconds=window_s):
        return max(closes_at, placed_at + datetime.timedelta(seconds=extension_s))
    return closes_at


def minimum_after(current_price: Decimal | None, start_price: Decimal, step: Decimal) -> Decimal:
    return money(start_price if current_price is None else current_price + step)


def _valid_amount(amount) -> Decimal:
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if (
        amount is None
        or not amount.is_finite()
        or amount <= 0
        or amount != amount.quantize(CENTS)
        or amount >= Decimal("1e12")
    ):
        raise AuctionError(
            _("A bid is an amount in lari, above zero, with at most two decimal places."),
            "invalid_amount",
            400,
        )
    return amount.quantize(CENTS)


class _BidRead(NamedTuple):
    """A row of _BID_READ."""

    lot_id: int
    status: str
    starts_at: datetime.datetime
    closes_at: datetime.datetime
    current_price: Decimal | None
    bid_step: Decimal
    start_price: Decimal
    bid_count: int
    version: int
    window_s: int
    extension_s: int
    municipality_id: int
    now: datetime.datetime
    registration_id: int | None
    registration_status: str | None
    leader_registration_id: int | None
    kept_id: int | None
    kept_amount: Decimal | None
    kept_sequence: int | None
    kept_placed_at: datetime.datetime | None
    kept_cancelled_at: datetime.datetime | None
    last_sequence: int

    @property
    def minimum(self) -> Decimal:
        return minimum_after(self.current_price, self.start_price, self.bid_step)


def _bid_read(
    cursor, *, lot_id: int | None, reference: str | None, user_id: int | None, key: uuid.UUID
) -> _BidRead | None:
    where = _BY_ID if lot_id is not None else _BY_REFERENCE
    cursor.execute(
        _BID_READ.format(lot=where),
        {"user": user_id, "key": str(key), "lot": lot_id, "reference": reference},
    )
    row = cursor.fetchone()
    return None if row is None else _BidRead(*row)


def _kept_bid(read: _BidRead, *, lot_id: int, key: uuid.UUID) -> Bid | None:
    """The bid made before with this key (bids do not change but for their cancellation)."""
    if read.kept_id is None:
        return None
    bid = Bid(
        id=read.kept_id,
        municipality_id=read.municipality_id,
        lot_id=lot_id,
        registration_id=read.registration_id,
        amount=read.kept_amount,
        key=key,
        sequence=read.kept_sequence,
        placed_at=read.kept_placed_at,
        cancelled_at=read.kept_cancelled_at,
    )
    return _annotated(bid, False, read.current_price, read.minimum, read.closes_at)


def _bid_check(read: _BidRead, amount) -> Decimal:
    """The bid's amount if the lot, as read, takes it; else the refusal, in the rules' order."""
    if read.status in (LotStatus.AWARDED, LotStatus.FAILED):
        raise AuctionError(_("Bidding on this lot has closed."), "closed")
    if read.status != LotStatus.PUBLISHED or read.now < read.starts_at:
        raise AuctionError(_("Bidding on this lot has not opened."), "not_open")
    if read.now >= read.closes_at:
        raise AuctionError(_("Bidding on this lot has closed."), "closed")
    if read.registration_id is None:
        raise AuctionError(_("Register as a bidder on this lot before you bid."), "not_registered")
    if read.registration_status != RegistrationStatus.PAID:
        raise AuctionError(_("Pay the lot's deposit before you bid."), "deposit_unpaid")
    amount = _valid_amount(amount)
    minimum = read.minimum
    if amount < minimum:
        raise AuctionError(
            _("The bid must be at least %(minimum)s GEL.") % {"minimum": minimum},
            "below_minimum",
            extra={"minimum_bid": str(minimum)},
        )
    if read.leader_registration_id == read.registration_id:
        raise AuctionError(_("Yours is already the leading bid."), "already_leading")
    return amount


# Refusals that a read without the lock may give: the amount is the bidder's own fault, and
# the minimum only rises (a terms edit, which lowers it, is rare and answers within a moment).
_REFUSED_WITHOUT_LOCK = ("invalid_amount", "below_minimum")


def bid_place(
    *,
    lot_id: int | None = None,
    user,
    amount: Decimal,
    key: uuid.UUID,
    reference: str | None = None,
) -> Bid:
    """Place a bid on the lot `lot_id` (or the lot numbered `reference`), strictly serialised
    per lot by the lot's row lock.

    The same key again (the bidder's retry) gives the bid made with it, unchanged, whatever
    happened since. The returned bid carries `created` (False on a retry) and the lot's
    `lot_current_price`, `lot_minimum_bid` and `lot_closes_at` after it.

    A first read without the lock answers a retry, and a bid that is already below the price,
    without queueing for the lock; every bid that may stand is checked again under it.

    The bid is committed when this returns: an answer of "accepted" never precedes the commit.
    """
    user_id = user.pk if user is not None and user.is_authenticated else None
    with connection.cursor() as cursor:
        read = _bid_read(cursor, lot_id=lot_id, reference=reference, user_id=user_id, key=key)
    if read is None or read.status == LotStatus.DRAFT:
        raise _not_found()
    lot_id = read.lot_id
    kept = _kept_bid(read, lot_id=lot_id, key=key)
    if kept is not None:
        return kept
    try:
        _bid_check(read, amount)
    except AuctionError as error:
        if error.code in _REFUSED_WITHOUT_LOCK:
            raise
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_BID_LOCK, {"lot": lot_id})
            if cursor.fetchone() is None:
                raise _not_found()  # another municipality's lot (RLS lets it be read only)
            read = _bid_read(cursor, lot_id=lot_id, reference=None, user_id=user_id, key=key)
            kept = _kept_bid(read, lot_id=lot_id, key=key)
            if kept is not None:
                return kept
            amount = _bid_check(read, amount)
            new_close = extended_close(
                closes_at=read.closes_at,
                placed_at=read.now,
                window_s=read.window_s,
                extension_s=read.extension_s,
            )
            sequence = read.last_sequence + 1
            cursor.execute(
                _BID_WRITE,
                {
                    "municipality": read.municipality_id,
                    "lot": lot_id,
                    "registration": read.registration_id,
                    "amount": amount,
                    "key": str(key),
                    "sequence": sequence,
                    "placed_at": read.now,
                    "closes_at": new_close,
                    "channel": LIVE_CHANNEL,
                },
            )
            bid_id = cursor.fetchone()[0]
        outbid = read.leader_registration_id
        if outbid is not None:
            transaction.on_commit(lambda: _outbid_later(outbid))
    bid = Bid(
        id=bid_id,
        municipality_id=read.municipality_id,
        lot_id=lot_id,
        registration_id=read.registration_id,
        amount=amount,
        key=key,
        sequence=sequence,
        placed_at=read.now,
    )
    return _annotated(bid, True, amount, money(amount + read.bid_step), new_close)


def _annotated(bid: Bid, created: bool, price, minimum, closes_at) -> Bid:
    bid.created = created
    bid.lot_current_price = price
    bid.lot_minimum_bid = minimum
    bid.lot_closes_at = closes_at
    return bid


# Registrations this process queued an outbid job for, and when (time.monotonic()).
_outbid_queued: dict[int, float] = {}
OUTBID_MEMO_S = 60


def _outbid_later(registration_id: int) -> None:
    """Tell the outbid bidder by a job, after the bid's commit and never in its way. A bidder
    outbid again and again in a bidding war makes one job a minute per web process, and one
    notification in OUTBID_QUIET_S (outbid_notify); while a job waits, another is not queued."""
    from procrastinate.exceptions import AlreadyEnqueued

    from estate.auction_jobs import notify_outbid

    moment = time.monotonic()
    if moment - _outbid_queued.get(registration_id, -OUTBID_MEMO_S) < OUTBID_MEMO_S:
        return
    if len(_outbid_queued) > 10_000:
        _outbid_queued.clear()
    _outbid_queued[registration_id] = moment
    try:
        with transaction.atomic():  # a refused lock must not spoil an enclosing transaction
            notify_outbid.configure(queueing_lock=f"estate_outbid_{registration_id}").defer(
                registration_id=registration_id
            )
    except AlreadyEnqueued:
        pass
    except Exception:  # the bid stands whatever happens to its notification
        logger.exception("Could not queue the outbid notification of %s", registration_id)


def outbid_notify(*, registration_id: int) -> None:
    """Tell a bidder they no longer lead, at most once in OUTBID_QUIET_S seconds."""
    from engagement.notifications import notify_user

    registration = (
        BidderRegistration.objects.select_related("lot", "user").filter(pk=registration_id).first()
    )
    if registration is None:
        return
    lot = registration.lot
    if lot.status != LotStatus.PUBLISHED:
        return
    if Bid.objects.filter(pk=lot.leading_bid_id, registration_id=registration_id).exists():
        return  # they lead again
    window = int(timezone.now().timestamp()) // OUTBID_QUIET_S
    notify_user(
        recipient=registration.user,
        kind="estate_outbid",
        context={"lot": lot, "registration": registration, "price": lot.current_price},
        url=lot_url(lot),
        about=lot,
        municipality=lot.municipality,
        dedupe_key=f"estate_outbid:{registration_id}:{window}",
    )


# --- The public state ------------------------------------------------------------------------


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(money(value))


def lot_state(lot: Lot) -> dict:
    """What anyone may know of a lot's auction now. Bidders are not named (nor counted) while
    bidding is open; after the close each bid shows its bidder's number."""
    closed = lot.status in (LotStatus.AWARDED, LotStatus.FAILED)
    bids = Bid.objects.filter(lot_id=lot.pk, cancelled_at__isnull=True).order_by("-sequence")
    fields = ["sequence", "amount", "placed_at"]
    if closed:
        fields.append("registration__alias")
    recent = [
        {
            "sequence": row["sequence"],
            "amount": _amount(row["amount"]),
            "placed_at": _iso(row["placed_at"]),
            **({"alias": row["registration__alias"]} if closed else {}),
        }
        for row in bids.values(*fields)[:STATE_BIDS]
    ]
    state = {
        "reference": lot.reference,
        "status": lot.status,
        "current_price": _amount(lot.current_price),
        "start_price": _amount(lot.start_price),
        "minimum_bid": _amount(lot.minimum_bid) if lot.status == LotStatus.PUBLISHED else None,
        "bid_step": _amount(lot.bid_step),
        "bid_count": lot.bid_count,
        "starts_at": _iso(lot.starts_at),
        "closes_at": _iso(lot.closes_at),
        "version": lot.version,
        "server_time": _iso(timezone.now()),
        "bids": recent,
    }
    if lot.status == LotStatus.AWARDED:
        winner = BidderRegistration.objects.filter(pk=lot.winner_id).values("alias").first()
        state["winner"] = winner["alias"] if winner else None
        state["final_price"] = _amount(lot.final_price)
    return state


# --- The officer's side ----------------------------------------------------------------------


def _check_schedule(lot: Lot, now: datetime.datetime) -> None:
    if lot.ends_at <= now:
        raise AuctionError(_("The end of bidding must be in the future."), "invalid_dates", 400)
    days = min_bidding_days()
    if lot.ends_at - lot.starts_at < datetime.timedelta(days=days):
        raise AuctionError(
            _("Bidding must stay open for at least %(days)s days.") % {"days": days},
            "too_short",
            400,
        )


def lot_close_schedule(lot: Lot) -> None:
    """The close job at the lot's end. A job already waiting is moved to the new end (one
    job per lot, by its queueing lock); a job that wakes before a later end defers itself
    again (estate/auction_jobs.py)."""
    from procrastinate.exceptions import AlreadyEnqueued

    from estate.auction_jobs import close_lot

    lock = f"estate_close_lot_{lot.pk}"
    with connection.cursor() as cursor:
        # procrastinate has no call to move a waiting job; its table is plain SQL.
        cursor.execute(
            "UPDATE procrastinate_jobs SET scheduled_at = %s "
            "WHERE queueing_lock = %s AND status = 'todo'",
            [lot.closes_at, lock],
        )
        if cursor.rowcount:
            return
    try:
        with transaction.atomic():  # a refused lock must not spoil an enclosing transaction
            close_lot.configure(schedule_at=lot.closes_at, queueing_lock=lock).defer(lot_id=lot.pk)
    except AlreadyEnqueued:
        pass


def lot_publish(*, lot: Lot, by) -> Lot:
    """Open a draft lot for registration and bidding; its assets go into the auction."""
    _require_officer(by, lot)
    with transaction.atomic():
        lot = _locked_lot(lot.pk)
        if lot.status != LotStatus.DRAFT:
            raise AuctionError(_("Only a lot being prepared can be published."), "not_draft")
        assets = list(Asset.objects.select_for_update().filter(lot_assets__lot=lot))
        if not assets:
            raise AuctionError(_("A lot needs at least one asset."), "no_assets", 400)
        offerable = (AssetState.AVAILABLE, AssetState.LISTED)
        taken = [a.reference for a in assets if a.state not in offerable]
        if taken:
            raise AuctionError(
                _("These assets cannot be offered now: %(assets)s.") % {"assets": ", ".join(taken)},
                "assets_unavailable",
            )
        now = db_now()
        _check_schedule(lot, now)
        lot.full_clean(validate_unique=False)
        lot.status = LotStatus.PUBLISHED
        lot.closes_at = lot.ends_at
        lot.published_at = now
        lot.version += 1
        lot.save(update_fields=["status", "closes_at", "published_at", "version", "updated_at"])
        Asset.objects.filter(pk__in=[a.pk for a in assets]).update(
            state=AssetState.IN_AUCTION, updated_at=now
        )
        lot_close_schedule(lot)
        _live_notify(lot.pk, lot.version)
    return lot


def lot_update_terms(*, lot: Lot, by, **terms) -> Lot:
    """Change a lot's terms. A published lot's terms are frozen from `edit_cutoff_hours`
    before its end; an edit before that cancels the standing bids, sets the price back to the
    start, and tells their bidders.

    Refusals of state are AuctionError; a value out of range is django's ValidationError
    (a dict by field, for the officer's form).
    """
    unknown = set(terms) - TERMS
    if unknown:
        raise TypeError(f"Not a term of a lot: {', '.join(sorted(unknown))}")
    _require_officer(by, lot)
    with transaction.atomic():
        lot = _locked_lot(lot.pk)
        now = db_now()
        if lot.status not in (LotStatus.DRAFT, LotStatus.PUBLISHED):
            raise AuctionError(_("The terms of a closed lot cannot change."), "terms_frozen")
        published = lot.status == LotStatus.PUBLISHED
        cutoff = lot.closes_at - datetime.timedelta(hours=lot.edit_cutoff_hours)
        if published and now >= cutoff:
            raise AuctionError(
                _("The terms of this lot can no longer change: they froze on %(cutoff)s.")
                % {"cutoff": timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M")},
                "terms_frozen",
            )
        for name, value in terms.items():
            setattr(lot, name, value)
        if "deposit_amount" in terms and "deposit_percent" not in terms and terms["deposit_amount"]:
            lot.deposit_percent = None
        if (
            "deposit_percent" in terms
            and "deposit_amount" not in terms
            and terms["deposit_percent"]
        ):
            lot.deposit_amount = None
        lot.full_clean(validate_unique=False)
        if not published:
            lot.closes_at = lot.ends_at
            lot.save()
            return lot
        if "ends_at" in terms:
            _check_schedule(lot, now)
            lot.closes_at = lot.ends_at
        standing = Bid.objects.filter(lot=lot, cancelled_at__isnull=True)
        bidders = list(
            BidderRegistration.objects.filter(
                pk__in=standing.values("registration_id")
            ).select_related("user")
        )
        standing.update(cancelled_at=now)
        lot.current_price = None
        lot.leading_bid = None
        lot.bid_count = 0
        lot.version += 1
        lot.save()
        if "ends_at" in terms:
            lot_close_schedule(lot)
        _live_notify(lot.pk, lot.version)
        for registration in bidders:
            _tell(registration, "estate_terms_changed", lot, key=f"terms:{lot.version}")
    return lot


def _tell(registration: BidderRegistration, kind: str, lot: Lot, *, key: str) -> None:
    from engagement.notifications import notify_user

    notify_user(
        recipient=registration.user,
        kind=kind,
        context={"lot": lot, "registration": registration},
        url=lot_url(lot),
        about=lot,
        municipality=lot.municipality,
        dedupe_key=f"{kind}:{lot.pk}:{registration.pk}:{key}",
    )


# --- The close -------------------------------------------------------------------------------


def lot_close(*, lot_id: int) -> Lot | None:
    """Close a published lot whose end has passed (by the database's clock): award it to the
    leading bid when enough bidders took part, or fail it. Anything else (not yet, or closed
    already) returns None and changes nothing, so running it twice closes once."""
    with transaction.atomic():
        lot = Lot.objects.select_for_update(of=("self",)).filter(pk=lot_id).first()
        if lot is None or lot.status != LotStatus.PUBLISHED:
            return None
        now = db_now()
        if now < lot.closes_at:
            return None
        bidders = (
            Bid.objects.filter(lot=lot, cancelled_at__isnull=True)
            .values("registration_id")
            .distinct()
            .count()
        )
        paid = list(
            BidderRegistration.objects.select_for_update(of=("self",))
            .filter(lot=lot, status=RegistrationStatus.PAID)
            .select_related("user")
        )
        lot.closed_at = now
        lot.version += 1
        if lot.leading_bid_id is not None and bidders >= lot.min_bidders:
            winner_id = Bid.objects.values_list("registration_id", flat=True).get(
                pk=lot.leading_bid_id
            )
            lot.status = LotStatus.AWARDED
            lot.winner_id = winner_id
            lot.final_price = lot.current_price
            lot.save()
            others = [r for r in paid if r.pk != winner_id]
            _release(others, now)
            BidderRegistration.objects.filter(pk=winner_id).update(
                status=RegistrationStatus.RETAINED
            )
            after = AssetState.SOLD if lot.kind == LotKind.SALE else AssetState.LEASED
            Asset.objects.filter(lot_assets__lot=lot).update(state=after, updated_at=now)
            for registration in paid:
                kind = "estate_won" if registration.pk == winner_id else "estate_lost"
                _tell(registration, kind, lot, key="close")
        else:
            lot.status = LotStatus.FAILED
            lot.save()
            _release(paid, now)
            for registration in paid:
                _tell(registration, "estate_failed", lot, key="close")
            if lot.attempt < MAX_ATTEMPTS:
                _next_attempt(lot, by=lot.created_by, start_price=None, now=now)
                after = AssetState.LISTED
            else:
                after = AssetState.AVAILABLE
            Asset.objects.filter(lot_assets__lot=lot).update(state=after, updated_at=now)
        _live_notify(lot.pk, lot.version)
    return lot


def _release(registrations: list[BidderRegistration], now: datetime.datetime) -> None:
    ids = [r.pk for r in registrations]
    if not ids:
        return
    BidderRegistration.objects.filter(pk__in=ids).update(status=RegistrationStatus.RELEASED)
    Deposit.objects.filter(registration_id__in=ids, status=DepositStatus.PAID).update(
        status=DepositStatus.RELEASED, released_at=now
    )


def lots_close_due() -> int:
    """Close every published lot whose end has passed (the minute's sweep); how many."""
    due = Lot.objects.filter(status=LotStatus.PUBLISHED, closes_at__lte=db_now()).values_list(
        "pk", flat=True
    )
    return sum(1 for lot_id in list(due) if lot_close(lot_id=lot_id) is not None)


# --- Attempts --------------------------------------------------------------------------------


def _root(lot: Lot) -> Lot:
    while lot.previous_id is not None:
        lot = Lot.objects.get(pk=lot.previous_id)
    return lot


def _next_attempt(lot: Lot, *, by, start_price: Decimal | None, now: datetime.datetime) -> Lot:
    if lot.status != LotStatus.FAILED:
        raise AuctionError(_("Only a failed auction is tried again."), "not_failed")
    if lot.attempt >= MAX_ATTEMPTS:
        raise AuctionError(
            _("A lot is offered at most %(count)s times.") % {"count": MAX_ATTEMPTS},
            "no_more_attempts",
        )
    if Lot.objects.filter(previous=lot).exists():
        raise AuctionError(_("This lot's next attempt exists already."), "has_next_attempt")
    if start_price is None:
        start_price = money(lot.start_price * (1 - NEXT_ATTEMPT_DISCOUNT))
    start_price = money(start_price)
    if start_price >= lot.start_price:
        raise ValidationError(
            {"start_price": _("A next attempt starts at a lower price than the last one.")}
        )
    duration = lot.ends_at - lot.starts_at
    starts_at = (now + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    attempt = lot.attempt + 1
    following = Lot(
        municipality_id=lot.municipality_id,
        reference=f"{_root(lot).reference}-{attempt}"[:30],
        kind=lot.kind,
        title_ka=lot.title_ka,
        title_en=lot.title_en,
        description_ka=lot.description_ka,
        description_en=lot.description_en,
        conditions_ka=lot.conditions_ka,
        conditions_en=lot.conditions_en,
        start_price=start_price,
        bid_step=lot.bid_step,
        deposit_amount=lot.deposit_amount,
        deposit_percent=lot.deposit_percent,
        lease_months=lot.lease_months,
        starts_at=starts_at,
        ends_at=starts_at + duration,
        closes_at=starts_at + duration,
        min_bidders=lot.min_bidders,
        extension_window_s=lot.extension_window_s,
        extension_s=lot.extension_s,
        edit_cutoff_hours=lot.edit_cutoff_hours,
        attempt=attempt,
        previous=lot,
        status=LotStatus.DRAFT,
        created_by=by,
    )
    following.full_clean(validate_unique=False)
    following.save()
    LotAsset.objects.bulk_create(
        [
            LotAsset(lot=following, asset_id=a)
            for a in lot.lot_assets.values_list("asset_id", flat=True)
        ]
    )
    return following


def lot_next_attempt(*, lot: Lot, by, start_price: Decimal | None = None) -> Lot:
    """A draft of the failed lot's next attempt (at most the third) at a lower start price:
    20% lower unless the officer names one, which must be lower."""
    _require_officer(by, lot)
    with transaction.atomic():
        lot = _locked_lot(lot.pk)
        return _next_attempt(lot, by=by, start_price=start_price, now=db_now())


__all__ = [
    "LIVE_CHANNEL",
    "AuctionError",
    "bid_place",
    "bidder_register",
    "deposit_confirm",
    "deposit_start",
    "lot_close",
    "lot_next_attempt",
    "lot_publish",
    "lot_state",
    "lot_update_terms",
]
