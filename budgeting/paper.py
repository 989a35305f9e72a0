"""Paper ballots entered by the budget officers, each sheet twice by two officers on their own.

The first entry of a sheet waits for the second. When the second officer's entry agrees with
the first (the same person and the same projects), the sheet is counted as a checked-out
ballot of the paper channel (budgeting.ballots.count_paper_ballot: one ballot per person and
budget, online or on paper). When they disagree, both wait for a third look by another officer
who takes one of them or refuses the sheet, with a note.

A resident must be on the cycle's voter list and, for a district's budget, live in that
district as the list says. Sheets are entered while the voting is open and while the ballots
are being reviewed after it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgeting import ballots, voters
from budgeting.cycles import current_phase
from budgeting.models import (
    Ballot,
    BallotStatus,
    Budget,
    PaperEntry,
    PaperEntryStatus,
    Phase,
    Voter,
)
from budgeting.rules import keeps

# The phases in which paper sheets are entered and resolved.
PAPER_PHASES = (Phase.BALLOTING, Phase.REVIEWING_BALLOTS)
SHEET_MAX = 30
NOTE_MAX = 300


def field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def check_paper_phase(cycle) -> None:
    if current_phase(cycle) not in PAPER_PHASES:
        raise ValidationError(
            _(
                "Paper ballots are entered only while the voting is open or the ballots are "
                "being reviewed."
            ),
            code="not_in_phase",
        )


def _check_officer(by, budget: Budget) -> None:
    if not keeps(by, budget):
        raise PermissionDenied(_("Only the municipality's budget officers enter paper ballots."))


def normalise_sheet(sheet: str) -> str:
    return " ".join((sheet or "").split()).upper()


def _voter(budget: Budget, key: str) -> Voter:
    """The resident of the cycle's voter list, who must live in the budget's district."""
    voter = (
        Voter.objects.select_related("district")
        .filter(cycle_id=budget.cycle_id, person_key=key)
        .first()
    )
    if voter is None:
        raise field_error(
            "personal_number",
            _("This personal number is not on the cycle's voter list."),
            "not_on_list",
        )
    if budget.district_id is not None and voter.district_id != budget.district_id:
        raise field_error(
            "personal_number",
            _("The voter list gives this resident's district as %(district)s, not %(budget)s.")
            % {"district": voter.district.name, "budget": budget.name},
            "other_district",
        )
    return voter


def _check_not_counted(budget: Budget, key: str) -> None:
    if Ballot.objects.filter(
        budget=budget, person_key=key, status=BallotStatus.CHECKED_OUT
    ).exists():
        raise field_error(
            "personal_number",
            _(
                "This resident has already cast a ballot in this budget, online or on paper; "
                "it is counted once."
            ),
            "already_counted",
        )


def _same(first: PaperEntry, second: PaperEntry) -> bool:
    return first.person_key == second.person_key and sorted(first.projects) == sorted(
        second.projects
    )


def _count(entries: list[PaperEntry], chosen: PaperEntry, by) -> Ballot | None:
    """Count the chosen entry's ballot; on a refusal (the person voted meanwhile) the sheet's
    entries are refused with the reason instead. Returns the ballot, or None if refused."""
    try:
        with transaction.atomic():
            ballot = ballots.count_paper_ballot(
                budget=chosen.budget,
                person_key=chosen.person_key,
                proposal_ids=list(chosen.projects),
                by=by,
            )
    except ValidationError as error:
        note = " ".join(error.messages)[:NOTE_MAX]
        for entry in entries:
            entry.status = PaperEntryStatus.REFUSED
            entry.note = note
            entry.save(update_fields=["status", "note"])
        return None
    for entry in entries:
        entry.ballot = ballot
        entry.status = (
            PaperEntryStatus.MATCHED if entry is chosen or _same(entry, chosen) else entry.status
        )
        entry.save(update_fields=["status", "ballot"])
    return ballot


@transaction.atomic
def enter(
    *, budget: Budget, sheet: str, personal_number: str, proposal_ids: list[int], by
) -> PaperEntry:
    """One officer's entry of a paper sheet; the second officer's entry counts it or sends it
    to a third look. Raises ValidationError (by field where it can) for what is refused."""
    _check_officer(by, budget)
    # One sheet at a time per budget: the second entry and the count are decided together.
    budget = Budget.objects.select_for_update().select_related("cycle").get(pk=budget.pk)
    check_paper_phase(budget.cycle)
    sheet = normalise_sheet(sheet)
    if not sheet:
        raise field_error("sheet", _("Give the sheet's number."), "required")
    if len(sheet) > SHEET_MAX:
        raise field_error(
            "sheet",
            _("A sheet number has at most %(count)s characters.") % {"count": SHEET_MAX},
            "max_length",
        )
    if not voters.is_personal_number(personal_number):
        raise field_error("personal_number", str(voters.PERSONAL_NUMBER_ERROR), "bad_number")
    key = voters.person_key(personal_number)
    others = list(
        PaperEntry.objects.select_for_update().filter(budget=budget, sheet=sheet).order_by("pk")
    )
    if any(e.entered_by_id == by.pk for e in others):
        raise field_error(
            "sheet",
            _(
                "You have already entered sheet %(sheet)s. Another officer enters it the "
                "second time."
            )
            % {"sheet": sheet},
            "same_officer",
        )
    _refuse_closed_sheet(sheet, others)
    _voter(budget, key)
    _check_not_counted(budget, key)
    try:
        proposals, _total = ballots.check_choice(budget, proposal_ids)
    except ValidationError as error:
        raise ValidationError(
            {"projects": [ValidationError(m, code="choice") for m in error.messages]}
        ) from None

    entry = PaperEntry(
        municipality_id=budget.municipality_id,
        cycle_id=budget.cycle_id,
        budget=budget,
        sheet=sheet,
        person_key=key,
        person_masked=voters.mask(personal_number),
        projects=sorted(p.pk for p in proposals),
        entered_by=by,
    )
    entry.full_clean()
    entry.save()
    if others:
        first = others[0]
        if _same(first, entry):
            _count([first, entry], entry, by)
        else:
            for row in (first, entry):
                row.status = PaperEntryStatus.MISMATCH
                row.save(update_fields=["status"])
        entry.refresh_from_db()
    return entry


def _refuse_closed_sheet(sheet: str, others: list[PaperEntry]) -> None:
    statuses = {e.status for e in others}
    if PaperEntryStatus.MATCHED in statuses:
        raise field_error(
            "sheet", _("Sheet %(sheet)s is counted already.") % {"sheet": sheet}, "counted"
        )
    if PaperEntryStatus.MISMATCH in statuses:
        raise field_error(
            "sheet",
            _("The two entries of sheet %(sheet)s disagree and wait for a third look.")
            % {"sheet": sheet},
            "mismatch",
        )
    if PaperEntryStatus.REFUSED in statuses:
        raise field_error("sheet", _("Sheet %(sheet)s was refused.") % {"sheet": sheet}, "refused")


def sheet_entries(entry: PaperEntry) -> list[PaperEntry]:
    """The entries of the entry's sheet, first entered first."""
    return list(
        PaperEntry.objects.filter(budget_id=entry.budget_id, sheet=entry.sheet)
        .select_related("entered_by")
        .order_by("pk")
    )


@transaction.atomic
def resolve(
    *,
    entry: PaperEntry,
    chosen: PaperEntry | None,
    note: str,
    by,
    personal_number: str = "",
) -> list[PaperEntry]:
    """The third look at a sheet whose two entries disagree: count the chosen entry (the other
    is refused), or with `chosen` None refuse the sheet. An officer who entered the sheet does
    not decide it. Where the entries name different persons, the personal number as read on
    the sheet confirms the chosen one. Returns the sheet's entries."""
    _check_officer(by, entry.budget)
    budget = Budget.objects.select_for_update().select_related("cycle").get(pk=entry.budget_id)
    check_paper_phase(budget.cycle)
    entries = list(
        PaperEntry.objects.select_for_update()
        .select_related("budget")
        .filter(budget=budget, sheet=entry.sheet)
        .order_by("pk")
    )
    if not any(e.status == PaperEntryStatus.MISMATCH for e in entries):
        raise ValidationError(
            _("Sheet %(sheet)s has no disagreement to resolve.") % {"sheet": entry.sheet},
            code="not_mismatch",
        )
    if any(e.entered_by_id == by.pk for e in entries):
        raise ValidationError(
            _("You entered this sheet: another officer takes the third look."),
            code="same_officer",
        )
    note = (note or "").strip()
    if not note:
        raise field_error("note", _("Say what the sheet shows."), "required")
    if len(note) > NOTE_MAX:
        raise field_error(
            "note",
            _("A note has at most %(count)s characters.") % {"count": NOTE_MAX},
            "max_length",
        )
    if chosen is None:
        for row in entries:
            row.status = PaperEntryStatus.REFUSED
            row.note = note
            row.save(update_fields=["status", "note"])
        return entries
    chosen = next((e for e in entries if e.pk == chosen.pk), None)
    if chosen is None:
        raise field_error("choice", _("Choose one of this sheet's entries."), "invalid")
    if len({e.person_key for e in entries}) > 1:
        if not voters.is_personal_number(personal_number):
            raise field_error(
                "personal_number",
                _(
                    "The entries name different persons: type the personal number as the "
                    "sheet shows it."
                ),
                "required",
            )
        if voters.person_key(personal_number) != chosen.person_key:
            raise field_error(
                "personal_number",
                _("The personal number on the sheet is not the one of the entry chosen."),
                "other_person",
            )
    try:
        _voter(budget, chosen.person_key)
        ballots.check_choice(budget, list(chosen.projects))
    except ValidationError as error:
        raise ValidationError(error.messages, code="refused") from None
    for row in entries:
        row.note = note
        if row is not chosen:
            row.status = PaperEntryStatus.REFUSED
        row.save(update_fields=["status", "note"])
    _count([chosen], chosen, by)
    return entries
