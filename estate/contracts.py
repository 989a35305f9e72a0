"""Contracts after the award: the contract and its payment schedule, payments by hand or from a
bank statement, arrears and their reminders, and termination (docs/estate-contracts.md).

Money is Decimal lari rounded to the tetri (`estate.models.money`). Payments are never tied to
one instalment: every computation allocates all of a contract's payments to its instalments in
due order, so a late, partial or early payment is counted the same way wherever it is shown.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Municipality
from estate.models import (
    Asset,
    AssetState,
    BidderRegistration,
    Contract,
    ContractAsset,
    ContractStatus,
    DepositStatus,
    EstateRequest,
    Frequency,
    Instalment,
    Lot,
    LotKind,
    LotStatus,
    Payment,
    PaymentSource,
    RegistrationStatus,
    Reminder,
    RequestKind,
    money,
)
from estate.numbering import save_numbered

ZERO = Decimal("0.00")

# Reminders of arrears: level -> days in arrears (counted after the days of grace) when it goes.
REMINDER_DAYS = {1: 1, 2: 15, 3: 30}
# After this reminder the contract is proposed for termination in the officer's list.
LAST_REMINDER = max(REMINDER_DAYS)
# Days between telling the holder of the termination and the contract ending.
TERMINATION_NOTICE_DAYS = 30

# The contract number: municipality code, C, year, a number counted per municipality and year.
REFERENCE_PATTERN = re.compile(r"\b([A-Z]{2,6})-C-(\d{4})-(\d{4,6})\b", re.IGNORECASE)


# --- Dates and the schedule -----------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def term_end(starts_on: datetime.date, months: int) -> datetime.date:
    """The last day of a term of `months` months starting on `starts_on`."""
    return add_months(starts_on, months) - datetime.timedelta(days=1)


def term_months(contract: Contract) -> int | None:
    """The number of whole months from the start to the end of the contract, or None."""
    if contract.ends_on is None:
        return None
    months = 0
    while term_end(contract.starts_on, months + 1) <= contract.ends_on and months < 1200:
        months += 1
    return max(months, 1)


def index_factor(percent: Decimal, year: int) -> Decimal:
    """(1 + percent/100) ** year: the compounded indexation of the contract's `year` (0-based)."""
    return (Decimal(1) + Decimal(percent) / 100) ** year


def _schedule_rows(contract: Contract) -> list[tuple[datetime.date, Decimal]]:
    """(due date, exact amount) of every instalment, before rounding."""
    price = Decimal(contract.price)
    if contract.frequency == Frequency.ONCE:
        return [(contract.starts_on, price)]
    months = term_months(contract) or 12
    indexed = contract.kind != LotKind.SALE
    percent = contract.indexation_percent if indexed else Decimal(0)
    rows = []
    if contract.frequency == Frequency.MONTHLY:
        # A lease's price is the yearly rent; a sale's is spread evenly over its months.
        per_month = price / 12 if indexed else price / months
        for i in range(months):
            rows.append(
                (add_months(contract.starts_on, i), per_month * index_factor(percent, i // 12))
            )
        return rows
    years = -(-months // 12)
    for year in range(years):
        covered = min(12, months - 12 * year)
        if indexed:
            amount = price * covered / 12 * index_factor(percent, year)
        else:
            amount = price * covered / months
        rows.append((add_months(contract.starts_on, 12 * year), amount))
    return rows


def schedule_amounts(contract: Contract) -> list[tuple[datetime.date, Decimal]]:
    """The schedule rounded to the tetri; the last instalment takes what rounding left, so
    the sum is the exact total rounded once."""
    rows = _schedule_rows(contract)
    total = money(sum((amount for _due, amount in rows), Decimal(0)))
    rounded = [(due, money(amount)) for due, amount in rows]
    head = sum((amount for _due, amount in rounded[:-1]), ZERO)
    rounded[-1] = (rounded[-1][0], total - head)
    return rounded


@transaction.atomic
def schedule_build(contract: Contract) -> list[Instalment]:
    """Write the contract's schedule from its price, frequency, term and indexation, in place
    of any earlier one."""
    contract.instalments.all().delete()
    instalments = [
        Instalment(
            municipality_id=contract.municipality_id,
            contract=contract,
            number=number,
            due_on=due,
            amount=amount,
        )
        for number, (due, amount) in enumerate(schedule_amounts(contract), start=1)
    ]
    for instalment in instalments:
        instalment.full_clean(exclude=["contract", "municipality"])
    return Instalment.objects.bulk_create(instalments)


# --- Making a contract ----------------------------------------------------------------------


def _check_terms(*, kind: str, frequency: str, months: int | None, indexation_percent) -> None:
    errors = {}
    if frequency not in Frequency.values:
        errors["frequency"] = _("Choose how the price is paid.")
    elif kind != LotKind.SALE and frequency == Frequency.ONCE:
        errors["frequency"] = _("A lease or usufruct is paid monthly or yearly.")
    elif kind == LotKind.SALE and frequency != Frequency.ONCE and not months:
        errors["frequency"] = _("A sale in instalments needs the number of months.")
    if kind != LotKind.SALE and not months:
        errors["starts_on"] = _("A lease or usufruct needs its term in months.")
    if kind == LotKind.SALE and Decimal(indexation_percent or 0):
        errors["indexation_percent"] = _("The price of a sale is not indexed.")
    if errors:
        raise ValidationError(errors)


def _contract_make(
    *,
    municipality: Municipality,
    kind: str,
    holder,
    holder_name: str,
    assets: list[Asset],
    price,
    months: int | None,
    by,
    starts_on: datetime.date,
    frequency: str,
    indexation_percent,
    grace_days: int,
    lot: Lot | None = None,
) -> Contract:
    _check_terms(
        kind=kind, frequency=frequency, months=months, indexation_percent=indexation_percent
    )
    contract = Contract(
        municipality=municipality,
        lot=lot,
        kind=kind,
        holder=holder,
        holder_name=holder_name,
        price=money(price),
        frequency=frequency,
        indexation_percent=Decimal(indexation_percent or 0),
        starts_on=starts_on,
        ends_on=term_end(starts_on, months) if months else None,
        grace_days=grace_days,
        created_by=by,
    )
    contract.full_clean(exclude=["reference"])
    save_numbered(contract, f"{municipality.code}-C-{starts_on.year}-", 4)
    ContractAsset.objects.bulk_create(
        [ContractAsset(contract=contract, asset=asset) for asset in assets]
    )
    state = AssetState.SOLD if kind == LotKind.SALE else AssetState.LEASED
    Asset.objects.filter(pk__in=[asset.pk for asset in assets]).update(
        state=state, updated_at=timezone.now()
    )
    schedule_build(contract)
    return contract


def _order_document(contract: Contract) -> None:
    from estate.contract_jobs import make_contract_document

    # Deferred in this transaction: the worker sees the job only once the contract is stored.
    make_contract_document.defer(contract_id=contract.pk)


@transaction.atomic
def contract_from_lot(
    *,
    lot: Lot,
    by,
    starts_on: datetime.date,
    frequency: str,
    indexation_percent=0,
    grace_days: int = 10,
    months: int | None = None,
) -> Contract:
    """The contract of an awarded lot with its winner, its schedule, and the deposit kept
    towards the price recorded as the first payment; orders the contract's PDF.

    A lease or usufruct runs for the lot's `lease_months` at the final price a year; a sale is
    paid at once, or in instalments over `months`.
    """
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.status != LotStatus.AWARDED or lot.winner_id is None or lot.final_price is None:
        raise ValidationError(_("Only an awarded lot with a winner has a contract."))
    if Contract.objects.filter(lot=lot).exists():
        raise ValidationError(_("This lot already has a contract."))
    registration = BidderRegistration.objects.select_related("user").get(pk=lot.winner_id)
    term = lot.lease_months if lot.kind != LotKind.SALE else months
    contract = _contract_make(
        municipality=lot.municipality,
        kind=lot.kind,
        holder=registration.user,
        holder_name=registration.legal_name,
        assets=list(lot.assets.all()),
        price=lot.final_price,
        months=term,
        by=by,
        starts_on=starts_on,
        frequency=frequency,
        indexation_percent=indexation_percent,
        grace_days=grace_days,
        lot=lot,
    )
    _deposit_count(contract=contract, registration=registration, by=by)
    _order_document(contract)
    return contract


def _deposit_count(*, contract: Contract, registration: BidderRegistration, by) -> None:
    """Record the winner's deposit as the contract's first payment, once."""
    if registration.status not in (RegistrationStatus.PAID, RegistrationStatus.RETAINED):
        return
    if not registration.deposit or registration.deposit <= 0:
        return
    deposit = registration.deposits.filter(status=DepositStatus.PAID).order_by("-paid_at").first()
    paid_on = deposit.paid_at.date() if deposit and deposit.paid_at else contract.starts_on
    Payment.objects.create(
        municipality_id=contract.municipality_id,
        contract=contract,
        paid_on=min(paid_on, contract.starts_on),
        amount=money(registration.deposit),
        source=PaymentSource.HAND,
        note=_("Deposit of lot %(lot)s kept towards the price") % {"lot": contract.lot.reference},
        recorded_by=by,
    )
    if registration.status != RegistrationStatus.RETAINED:
        registration.status = RegistrationStatus.RETAINED
        registration.save(update_fields=["status"])


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def contract_direct(
    *,
    request: EstateRequest,
    by,
    price,
    starts_on: datetime.date,
    frequency: str = Frequency.MONTHLY,
    indexation_percent=0,
    grace_days: int = 10,
    months: int | None = None,
) -> Contract:
    """The lease of an approved direct-lease application to its applicant, at `price` a year,
    for the months asked for (or `months`); orders the contract's PDF."""
    from cases.models import Status

    request = EstateRequest.objects.select_related("case", "case__applicant", "asset").get(
        pk=request.pk
    )
    if request.kind != RequestKind.DIRECT_LEASE or request.asset is None:
        raise ValidationError(_("Only a direct lease of a registered asset has a contract here."))
    if request.case.status != Status.DECIDED_APPROVED:
        raise ValidationError(_("The application for a direct lease has not been approved."))
    if Contract.objects.filter(
        assets=request.asset, status__in=[ContractStatus.ACTIVE, ContractStatus.IN_ARREARS]
    ).exists():
        raise ValidationError(_("The asset is already under a contract in force."))
    if price is None or Decimal(price) <= 0:
        raise ValidationError({"price": _("Enter the yearly rent.")})
    contract = _contract_make(
        municipality=request.case.municipality,
        kind=LotKind.LEASE,
        holder=request.case.applicant,
        holder_name=person_name(request.case.applicant),
        assets=[request.asset],
        price=price,
        months=months or request.lease_months,
        by=by,
        starts_on=starts_on,
        frequency=frequency,
        indexation_percent=indexation_percent,
        grace_days=grace_days,
    )
    _order_document(contract)
    return contract


# --- Payments -------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    contract: Contract,
    amount,
    paid_on: datetime.date,
    by,
    note: str = "",
    bank_reference: str = "",
) -> Payment:
    """Record money received on a contract and compute its arrears again."""
    if contract.status == ContractStatus.TERMINATED:
        raise ValidationError(_("The contract was terminated: no payment is taken on it."))
    try:
        amount = money(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"amount": _("Enter an amount in lari.")}) from None
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    payment = Payment(
        municipality_id=contract.municipality_id,
        contract=contract,
        paid_on=paid_on,
        amount=amount,
        source=PaymentSource.BANK if bank_reference else PaymentSource.HAND,
        bank_reference=bank_reference,
        note=note,
        recorded_by=by,
    )
    payment.full_clean(exclude=["contract", "municipality"])
    payment.save()
    arrears_compute(contract, timezone.localdate())
    return payment


# The bank statement, as documented in docs/estate-contracts.md.
CSV_COLUMNS = ("date", "amount", "reference", "transaction_id")
CSV_MAX_BYTES = 2 * 1024 * 1024
CSV_MAX_LINES = 20000


@dataclass
class ImportLine:
    line: int
    transaction_id: str
    amount: str
    reference: str
    outcome: str  # "recorded", "already", "unmatched"
    reason: str = ""
    contract: str = ""


@dataclass
class ImportResult:
    lines: list[ImportLine] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def recorded(self) -> int:
        return self.count("recorded")

    @property
    def already(self) -> int:
        return self.count("already")

    @property
    def unmatched(self) -> int:
        return self.count("unmatched")


def _csv_rows(file) -> list[tuple[int, dict]]:
    """The statement's rows with their line numbers, or a ValidationError for the whole file."""
    data = file.read(CSV_MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > CSV_MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise ValidationError(_("The file is not a CSV text file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
    except csv.Error as exc:
        raise ValidationError(
            _("The file is not a readable CSV: %(error)s") % {"error": exc}
        ) from None
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            _("The first line must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(CSV_COLUMNS), "missing": ", ".join(missing)}
        )
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= CSV_MAX_LINES:
                raise ValidationError(
                    _("The file has more than %(count)d lines.") % {"count": CSV_MAX_LINES}
                )
            padded = cells + [""] * (len(header) - len(cells))
            rows.append(
                (reader.line_num, dict(zip(header, (c.strip() for c in padded), strict=False)))
            )
    except csv.Error as exc:
        raise ValidationError(
            _("The file is not a readable CSV: %(error)s") % {"error": exc}
        ) from None
    if not rows:
        raise ValidationError(_("The file has no payment lines."))
    return rows


def _parse_date(value: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _parse_amount(value: str) -> Decimal | None:
    cleaned = value.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        amount = money(cleaned)
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def bank_csv_import(*, municipality: Municipality, file, by) -> ImportResult:
    """Record the payments of a bank statement (CSV) whose reference names a contract of the
    municipality; every other line is reported with its reason.

    A bank line is recorded once: its transaction id is the payment's bank reference, unique in
    the municipality, so the same statement imported again records nothing new. A file that
    cannot be read is refused whole, with nothing recorded.
    """
    rows = _csv_rows(file)
    result = ImportResult()
    touched: dict[int, Contract] = {}
    with transaction.atomic():
        for number, row in rows:
            line = ImportLine(
                line=number,
                transaction_id=row["transaction_id"][:100],
                amount=row["amount"],
                reference=row["reference"][:200],
                outcome="unmatched",
            )
            result.lines.append(line)
            contract, reason = _line_contract(municipality, row)
            if contract is None:
                line.reason = reason
                continue
            line.contract = contract.reference
            if Payment.objects.filter(
                municipality=municipality, bank_reference=line.transaction_id
            ).exists():
                line.outcome, line.reason = "already", _("Recorded before.")
                continue
            try:
                with transaction.atomic():
                    Payment.objects.create(
                        municipality=municipality,
                        contract=contract,
                        paid_on=_parse_date(row["date"]),
                        amount=_parse_amount(row["amount"]),
                        source=PaymentSource.BANK,
                        bank_reference=line.transaction_id,
                        note=row["reference"][:300],
                        recorded_by=by,
                    )
            except IntegrityError:
                line.outcome, line.reason = "already", _("Recorded before.")
                continue
            line.outcome = "recorded"
            touched[contract.pk] = contract
        today = timezone.localdate()
        for contract in touched.values():
            arrears_compute(contract, today)
    return result


def _line_contract(municipality: Municipality, row: dict) -> tuple[Contract | None, str]:
    """The contract a bank line pays, or None and the reason it is not recorded."""
    if not row["transaction_id"]:
        return None, _("No bank transaction id.")
    if len(row["transaction_id"]) > 100:
        return None, _("The bank transaction id is longer than 100 characters.")
    if _parse_date(row["date"]) is None:
        return None, _("The date is not a date (YYYY-MM-DD).")
    amount = _parse_amount(row["amount"])
    if amount is None:
        return None, _("The amount is not a number.")
    if amount <= 0:
        return None, _("The amount is not a payment received (zero or less).")
    found = {match.group(0).upper() for match in REFERENCE_PATTERN.finditer(row["reference"])}
    if not found:
        return None, _("The reference names no contract number.")
    if len(found) > 1:
        return None, _("The reference names more than one contract number.")
    reference = found.pop()
    contract = Contract.objects.filter(municipality=municipality, reference=reference).first()
    if contract is None:
        return None, _("No contract %(reference)s in this municipality.") % {"reference": reference}
    if contract.status == ContractStatus.TERMINATED:
        return None, _("Contract %(reference)s was terminated.") % {"reference": reference}
    return contract, ""


# --- Arrears --------------------------------------------------------------------------------


@dataclass
class InstalmentState:
    instalment: Instalment
    paid: Decimal
    unpaid: Decimal
    overdue: bool  # unpaid and due more than the days of grace ago

    @property
    def is_paid(self) -> bool:
        return self.unpaid == 0


def instalment_states(contract: Contract, today: datetime.date) -> list[InstalmentState]:
    """Each instalment with what the contract's payments cover of it, allocated in due order."""
    left = sum((p.amount for p in contract.payments.all()), ZERO)
    states = []
    limit = today - datetime.timedelta(days=contract.grace_days)
    for instalment in sorted(contract.instalments.all(), key=lambda i: (i.due_on, i.number)):
        paid = min(left, instalment.amount)
        left -= paid
        unpaid = instalment.amount - paid
        states.append(
            InstalmentState(instalment, paid, unpaid, unpaid > 0 and instalment.due_on < limit)
        )
    return states


def paid_total(contract: Contract) -> Decimal:
    return sum((p.amount for p in contract.payments.all()), ZERO)


@transaction.atomic
def arrears_compute(contract: Contract, today: datetime.date) -> Contract:
    """Compute the contract's arrears on `today` and move it between in force and in arrears.

    Arrears are the unpaid part of the instalments due more than `grace_days` days before
    today; `arrears_since` is the oldest such due date. A contract being terminated keeps its
    status; one fully paid after its end is completed.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    states = instalment_states(contract, today)
    overdue = [state for state in states if state.overdue]
    contract.arrears = sum((state.unpaid for state in overdue), ZERO)
    contract.arrears_since = overdue[0].instalment.due_on if overdue else None
    contract.arrears_checked_on = today
    if contract.status == ContractStatus.ACTIVE and contract.arrears > 0:
        contract.status = ContractStatus.IN_ARREARS
    elif contract.status == ContractStatus.IN_ARREARS and contract.arrears == 0:
        contract.status = ContractStatus.ACTIVE
    all_paid = bool(states) and all(state.is_paid for state in states)
    ended = contract.ends_on is None or contract.ends_on < today
    if contract.status == ContractStatus.ACTIVE and all_paid and ended:
        contract.status = ContractStatus.COMPLETED
        if contract.kind != LotKind.SALE:
            contract.assets.update(state=AssetState.AVAILABLE, updated_at=timezone.now())
    contract.save(update_fields=["arrears", "arrears_since", "arrears_checked_on", "status"])
    return contract


def days_in_arrears(contract: Contract, today: datetime.date) -> int:
    """Days since the oldest unpaid instalment's days of grace ran out; 0 when none did."""
    if contract.arrears_since is None or contract.arrears <= 0:
        return 0
    return max(0, (today - contract.arrears_since).days - contract.grace_days)


def reminders_send(contract: Contract, today: datetime.date) -> list[Reminder]:
    """Send the reminders of arrears due on `today`: each level at most once per contract."""
    if contract.status != ContractStatus.IN_ARREARS:
        return []
    days = days_in_arrears(contract, today)
    sent = set(contract.reminders.values_list("level", flat=True))
    made = []
    for level, after in sorted(REMINDER_DAYS.items()):
        if days < after or level in sent:
            continue
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                contract=contract,
                level=level,
                defaults={
                    "municipality_id": contract.municipality_id,
                    "arrears": contract.arrears,
                    "sent_on": today,
                },
            )
            if created:
                _tell_holder(
                    contract,
                    kind="estate_arrears",
                    context={"reminder": reminder, "last": level == LAST_REMINDER},
                    dedupe_key=f"estate:arrears:{contract.pk}:{level}",
                )
                made.append(reminder)
    return made


def termination_proposed(contract: Contract) -> bool:
    """In arrears after the last reminder: the officer decides whether to terminate."""
    return contract.status == ContractStatus.IN_ARREARS and any(
        reminder.level >= LAST_REMINDER for reminder in contract.reminders.all()
    )


def _tell_holder(contract: Contract, *, kind: str, context: dict, dedupe_key: str) -> None:
    from engagement.notifications import notify_user

    with_lang = reverse("estate:contract", kwargs={"reference": contract.reference})
    notify_user(
        recipient=contract.holder,
        kind=kind,
        context={"contract": contract, "municipality": contract.municipality, **context},
        url=with_lang,
        about=contract,
        municipality=contract.municipality,
        dedupe_key=dedupe_key,
    )


# --- Termination ----------------------------------------------------------------------------


@transaction.atomic
def contract_termination_start(*, contract: Contract, by, reason: str) -> Contract:
    """Give notice of termination to a holder in arrears; the contract ends after
    TERMINATION_NOTICE_DAYS days (`terminated_on`), when an officer confirms it."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.IN_ARREARS:
        raise ValidationError(_("Only a contract in arrears can be terminated."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the termination.")})
    today = timezone.localdate()
    contract.status = ContractStatus.TERMINATION
    contract.termination_reason = reason.strip()
    contract.terminated_on = today + datetime.timedelta(days=TERMINATION_NOTICE_DAYS)
    contract.save(update_fields=["status", "termination_reason", "terminated_on"])
    _tell_holder(
        contract,
        kind="estate_termination",
        context={"final": False, "notice_days": TERMINATION_NOTICE_DAYS},
        dedupe_key=f"estate:termination:{contract.pk}:notice",
    )
    return contract


@transaction.atomic
def contract_terminate(*, contract: Contract, by, today: datetime.date | None = None) -> Contract:
    """End a contract whose notice period has run out; its assets are available again."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    today = today or timezone.localdate()
    if contract.status != ContractStatus.TERMINATION:
        raise ValidationError(_("Give notice of termination first."))
    if contract.terminated_on and today < contract.terminated_on:
        raise ValidationError(
            _("The notice period runs until %(date)s.")
            % {"date": contract.terminated_on.strftime("%d.%m.%Y")}
        )
    contract.status = ContractStatus.TERMINATED
    contract.terminated_on = today
    contract.save(update_fields=["status", "terminated_on"])
    contract.assets.update(state=AssetState.AVAILABLE, updated_at=timezone.now())
    _tell_holder(
        contract,
        kind="estate_termination",
        context={"final": True},
        dedupe_key=f"estate:termination:{contract.pk}:final",
    )
    return contract


@transaction.atomic
def contract_document_make(*, contract: Contract) -> Contract:
    """Draw the contract's PDF and keep it with the contract; done once."""
    from django.core.files.base import ContentFile

    from estate.contract_pdf import contract_pdf

    contract = Contract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
    if contract.pdf:
        return contract
    contract.pdf.save(f"{contract.reference}.pdf", ContentFile(contract_pdf(contract)), save=False)
    contract.save(update_fields=["pdf"])
    return contract


def contracts_daily(today: datetime.date) -> dict[str, int]:
    """Compute the arrears of every contract in force and send the reminders due."""
    counts = {"checked": 0, "in_arrears": 0, "reminders": 0}
    pending = Contract.objects.filter(
        status__in=[ContractStatus.ACTIVE, ContractStatus.IN_ARREARS]
    ).order_by("pk")
    for contract_id in pending.values_list("pk", flat=True):
        contract = Contract.objects.select_related("holder", "municipality").get(pk=contract_id)
        contract = arrears_compute(contract, today)
        counts["checked"] += 1
        if contract.status == ContractStatus.IN_ARREARS:
            counts["in_arrears"] += 1
            counts["reminders"] += len(reminders_send(contract, today))
    return counts
