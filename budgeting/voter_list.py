"""The voter list of a cycle: residents who may vote, loaded by staff from a CSV file (the voter
or census list) and kept as the keyed hash of each personal number, its masked form, the year of
birth and the district of residence.

A file's good rows are loaded in one transaction; its bad rows are refused, each with its line
and reason, and the load is recorded (`VoterListUpload`). Loading the same person again updates
the year and district: the list decides where a resident votes. The personal number itself is
never stored, nor echoed in a refusal.

The rows go through a temporary table with COPY and one INSERT … ON CONFLICT: the ORM has no
COPY and no upsert that tells added rows from updated ones, and a list of 100,000 residents
would otherwise be 100,000 statements. Every value travels as COPY data, never as SQL text.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pgtrigger
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.models import Cycle, Voter, VoterListUpload
from budgeting.voters import (
    PERSONAL_NUMBER,
    PERSONAL_NUMBER_ERROR,
    is_personal_number,
    normalise,
    person_key,
)
from budgeting.voters import _key as _person_key_secret
from core.models import District

# A file of 200,000 rows of "01001012345,1980,old-town" is about 5 MB; names in Georgian more.
MAX_UPLOAD_BYTES = 16 * 1024 * 1024
MAX_ROWS = 200_000
# The refusals kept with the upload and shown on the page.
MAX_ERRORS_KEPT = 300
COLUMNS = ("personal_number", "birth_year", "district")
OLDEST_YEAR = 1900


class VoterListError(Exception):
    """The whole file is refused (not CSV, not UTF-8, no header, too large); nothing is loaded."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Refusal:
    line: int
    message: str


def _districts(cycle: Cycle) -> dict[str, District]:
    """The municipality's districts by code and by name in Georgian and English, folded."""
    found: dict[str, District] = {}
    for district in District.objects.filter(municipality_id=cycle.municipality_id).defer(
        "boundary"
    ):
        for name in (district.code, district.name_ka, district.name_en):
            if name:
                found.setdefault(name.strip().casefold(), district)
    return found


def _year(text: str, this_year: int) -> int | None:
    text = (text or "").strip()
    if not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    return year if OLDEST_YEAR <= year <= this_year else None


def read_csv(data: bytes) -> Iterator[tuple[int, str, str, str]]:
    """The rows of a voter list file as (line, number, year, district text); raises
    VoterListError for a file that is not one."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise VoterListError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise VoterListError(
            _("The file is not UTF-8 text (byte %(at)s). Save it as CSV UTF-8.")
            % {"at": error.start + 1}
        ) from None
    if "\x00" in text:
        raise VoterListError(_("The file is not CSV text."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise VoterListError(_("Line 1 is not CSV: %(error)s") % {"error": error}) from None
    names = [name.strip().casefold() for name in header or []]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise VoterListError(
            _("The first line must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
        )
    at = [names.index(column) for column in COLUMNS]
    count = 0
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            count += 1
            if count > MAX_ROWS:
                raise VoterListError(
                    _("The file has more than %(rows)s rows; split it into several files.")
                    % {"rows": f"{MAX_ROWS:,}"}
                )
            if len(row) <= max(at):
                yield reader.line_num, "", "", ""
                continue
            yield reader.line_num, row[at[0]], row[at[1]], row[at[2]]
    except csv.Error as error:
        raise VoterListError(
            _("Line %(line)s is not CSV: %(error)s") % {"line": reader.line_num, "error": error}
        ) from None


def _checked(
    rows: Iterable[tuple[int, str, object, object]],
    districts: dict[str, District] | None,
    municipality_id: int,
    refusals: list[Refusal],
) -> Iterator[tuple[str, str, int, int]]:
    """The good rows as (person key, masked number, year, district id); the bad ones go to
    `refusals` with their line. A row's district is a District or the text of one.

    About 10 µs a row: a list of 200,000 is checked in a couple of seconds."""
    seen: dict[str, int] = {}
    this_year = timezone.localdate().year
    keyed = hmac.new(_person_key_secret(), digestmod=hashlib.sha256)
    for line, number, year, district in rows:
        if not (number or year or district):
            refusals.append(Refusal(line, _("The row does not have the three columns.")))
            continue
        digits = str(number).strip()
        if not PERSONAL_NUMBER.match(digits):
            digits = normalise(digits)
            if not PERSONAL_NUMBER.match(digits):
                refusals.append(Refusal(line, str(PERSONAL_NUMBER_ERROR)))
                continue
        birth_year = year if isinstance(year, int) else _year(str(year), this_year)
        if birth_year is None or not OLDEST_YEAR <= birth_year <= this_year:
            refusals.append(
                Refusal(line, _("The year of birth is not a year between 1900 and this one."))
            )
            continue
        if isinstance(district, District):
            found = district if district.municipality_id == municipality_id else None
        else:
            found = (districts or {}).get(str(district or "").strip().casefold())
        if found is None:
            refusals.append(
                Refusal(
                    line,
                    _("Unknown district: %(district)s.")
                    % {"district": str(district or "").strip()[:60] or "—"},
                )
            )
            continue
        # The same as budgeting.voters.person_key, with the key's state computed once.
        digest = keyed.copy()
        digest.update(digits.encode())
        key = digest.hexdigest()
        if key in seen:
            refusals.append(
                Refusal(
                    line,
                    _("The same personal number as on line %(line)s.") % {"line": seen[key]},
                )
            )
            continue
        seen[key] = line
        yield key, f"{digits[:2]}{'•' * 7}{digits[-2:]}", birth_year, found.pk


_STAGE = "budgeting_voter_load"


def _audit_triggers() -> tuple[str, ...]:
    """The names of the audit's insert and update triggers of the voter list."""
    names = []
    for model, trigger in pgtrigger.registered():
        if model is Voter and trigger.name in ("insert_insert", "update_update"):
            pgid = trigger.get_pgid(model)
            names += [pgid, f"{model._meta.db_table}:{pgid}"]
    return tuple(names)


def _upsert_sql() -> str:
    """One statement: upsert the staged rows and write their audit events, set-based.

    The audit's row triggers would cost about a millisecond a row (each attaches the history
    context again), a minute and a half for 100,000 residents; they are set aside for this
    statement, which writes the same events ("insert", "update") with the context attached
    once. A row that changes nothing is neither written nor recorded.
    """
    quote = connection.ops.quote_name
    table = quote(Voter._meta.db_table)
    events = quote(apps.get_model("budgeting", "VoterEvent")._meta.db_table)
    columns = ", ".join(quote(f.column) for f in Voter._meta.concrete_fields)
    returned = ", ".join(f"v.{quote(f.column)}" for f in Voter._meta.concrete_fields)
    return (
        "WITH up AS ("  # noqa: S608 - names from the models, values as data
        f"INSERT INTO {table} AS v "
        "(municipality_id, cycle_id, person_key, person_masked, birth_year, district_id) "
        f"SELECT %s, %s, person_key, person_masked, birth_year, district_id FROM {_STAGE} "
        "ON CONFLICT (cycle_id, person_key) DO UPDATE SET "
        "person_masked = EXCLUDED.person_masked, birth_year = EXCLUDED.birth_year, "
        "district_id = EXCLUDED.district_id "
        "WHERE (v.birth_year, v.district_id, v.person_masked) IS DISTINCT FROM "
        "(EXCLUDED.birth_year, EXCLUDED.district_id, EXCLUDED.person_masked) "
        f"RETURNING {returned}, (v.xmax = 0) AS inserted), "
        "recorded AS ("
        f"INSERT INTO {events} "
        f"(pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id, {columns}) "
        "SELECT NOW(), CASE WHEN inserted THEN 'insert' ELSE 'update' END, id, "
        f"(SELECT _pgh_attach_context()), {columns} FROM up WHERE %s) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"
    )


def _upsert(cycle: Cycle, rows: Iterable[tuple[str, str, int, int]]) -> tuple[int, int]:
    """COPY the checked rows into a temporary table and upsert them into the voter list;
    (added, updated)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGE} (person_key varchar(64), person_masked varchar(20), "
            "birth_year smallint, district_id bigint) ON COMMIT DROP"
        )
        # Django's cursor wraps psycopg's, whose copy() the ORM does not offer.
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY {_STAGE} (person_key, person_masked, birth_year, district_id) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
        before = cursor.fetchone()[0] or ""
        ignored = {name for name in before.strip("{}").split(",") if name}
        triggers = _audit_triggers()
        # When the audit is already set aside (the demo data's load), no events are written.
        record = not ignored.intersection(triggers)
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', %s, true)",
            ["{" + ",".join(sorted(ignored | set(triggers))) + "}"],
        )
        cursor.execute(_upsert_sql(), [cycle.municipality_id, cycle.pk, record])
        added, updated = cursor.fetchone()
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [before])
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{_STAGE}")
    return added, updated


def _record(
    cycle: Cycle,
    *,
    file_name: str,
    rows: Iterable,
    districts: dict[str, District] | None,
    by,
) -> VoterListUpload:
    refusals: list[Refusal] = []
    counted = [0]

    def counting():
        for row in rows:
            counted[0] += 1
            yield row

    good = _checked(counting(), districts, cycle.municipality_id, refusals)
    with transaction.atomic():
        added, updated = _upsert(cycle, good)
        upload = VoterListUpload(
            municipality_id=cycle.municipality_id,
            cycle=cycle,
            file_name=file_name[:200],
            rows=counted[0],
            added=added,
            updated=updated,
            refused=len(refusals),
            errors=[{"line": r.line, "message": r.message} for r in refusals[:MAX_ERRORS_KEPT]],
            uploaded_by=by if by is not None and by.is_authenticated else None,
        )
        upload.save()
    return upload


def load_csv(cycle: Cycle, *, data: bytes, file_name: str, by=None) -> VoterListUpload:
    """Load a voter list file (CSV with the header personal_number, birth_year, district; the
    district by its code or name); raises VoterListError for a file that is not one."""
    districts = _districts(cycle)
    # Read the whole file before writing, so that a broken file loads nothing.
    rows = list(read_csv(data))
    return _record(cycle, file_name=file_name, rows=rows, districts=districts, by=by)


def load_rows(cycle: Cycle, rows: Iterable[tuple[str, int, District]], by=None) -> VoterListUpload:
    """Load (personal number, year of birth, district) rows, the first being line 1."""
    numbered = (
        (line, number, year, district) for line, (number, year, district) in enumerate(rows, 1)
    )
    return _record(cycle, file_name="", rows=numbered, districts=None, by=by)


def counts_by_district(cycle: Cycle) -> list[dict]:
    """The list's size and verified residents per district of the municipality."""
    counts = {
        row["district_id"]: row
        for row in Voter.objects.filter(cycle=cycle)
        .order_by()
        .values("district_id")
        .annotate(voters=Count("pk"), verified=Count("pk", filter=Q(user__isnull=False)))
    }
    districts = District.objects.filter(municipality_id=cycle.municipality_id).defer("boundary")
    return [
        {
            "district": district,
            "voters": counts.get(district.pk, {}).get("voters", 0),
            "verified": counts.get(district.pk, {}).get("verified", 0),
        }
        for district in districts
    ]


def find_voter(cycle: Cycle, number: str) -> Voter | None:
    """The resident with this personal number on the cycle's list, if any."""
    if not is_personal_number(number):
        return None
    return (
        Voter.objects.select_related("district")
        .filter(cycle=cycle, person_key=person_key(number))
        .first()
    )
