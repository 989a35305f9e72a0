"""Writes to the cadastre: importing parcels from a GeoPackage, zipped Shapefile or GeoJSON file."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from psycopg import sql

from core.db.copy import copy_target
from core.models import Municipality
from parcels.importer import (
    AreaLocator,
    Batch,
    CheckedBatch,
    Columns,
    FieldMap,
    ImportReport,
    ParcelFile,
    ParcelImportError,
    RejectedRow,
    check_batch,
    duplicate_codes,
    open_parcel_file,
    resolve_fields,
)
from parcels.models import LandUse, Parcel

__all__ = ["FieldMap", "ImportReport", "ParcelImportError", "RejectedRow", "parcels_import"]


def parcels_import(
    *,
    path: str | Path,
    layer: str | None = None,
    municipality: Municipality | None = None,
    srid: int | None = None,
    fields: FieldMap | None = None,
    default_land_use: str | None = None,
    replace: bool = False,
    valid_from: date | None = None,
    batch_size: int = 5000,
    dry_run: bool = False,
    source: str | None = None,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import the parcels of a file; return what was read, imported and rejected, and why.

    Each row is checked (geometry by the rules of `core.geometry.parse_geometry`, cadastral
    code, land use, a code repeated in the file or already current); the good rows are
    reprojected to the storage SRID, given their area, their municipality (the one named, else
    the one whose boundary holds the parcel's point on surface) and their zone (the zone of that
    municipality holding the same point), and inserted with `valid_from` (today by default).

    Not one transaction but one per batch, on purpose: a cadastre of a million rows is not held
    in one transaction, and a failure part-way leaves whole batches, which the error's report
    counts. With `replace`, a current parcel with the same code is retired (valid_to) and the
    new one derives from it; without it, such a row is rejected. Nothing is overwritten.
    With `dry_run`, everything is checked and counted and nothing is written.

    Rows are checked in bulk rather than with `full_clean()`, whose per-row constraint checks
    would cost queries per row; the same rules are applied.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    if default_land_use is not None and default_land_use not in LandUse.values:
        raise ParcelImportError(
            f"{default_land_use!r} is not a land use; use one of {', '.join(LandUse.values)}."
        )
    valid_from = valid_from or timezone.localdate()
    with open_parcel_file(path, layer=layer, srid=srid) as parcel_file:
        columns = resolve_fields(
            parcel_file.fields,
            fields or FieldMap(),
            default_land_use=default_land_use,
            name=parcel_file.name,
        )
        duplicates = duplicate_codes(parcel_file, columns.code)
        report = ImportReport(
            file=parcel_file.name,
            layer=parcel_file.layer,
            crs=parcel_file.crs_label,
            dry_run=dry_run,
        )
        municipalities = AreaLocator.municipalities() if municipality is None else None
        zones = AreaLocator.zones()
        with _bulk_load(parcel_file.count, dry_run=dry_run) as first_load:
            _import_batches(
                parcel_file,
                report,
                columns=columns,
                duplicates=duplicates,
                municipality=municipality,
                municipalities=municipalities,
                zones=zones,
                default_land_use=default_land_use,
                replace=replace,
                valid_from=valid_from,
                batch_size=batch_size,
                dry_run=dry_run,
                source=source,
                on_batch=on_batch,
                first_load=first_load,
            )
    return report


def _import_batches(
    parcel_file: ParcelFile,
    report: ImportReport,
    *,
    columns: Columns,
    duplicates: dict[str, list[int]],
    municipality: Municipality | None,
    municipalities: AreaLocator | None,
    zones: AreaLocator,
    default_land_use: str | None,
    replace: bool,
    valid_from: date,
    batch_size: int,
    dry_run: bool,
    source: str | None,
    on_batch: Callable[[ImportReport], None] | None,
    first_load: bool = False,
) -> None:
    """Check, locate and load the file batch by batch, counting into `report`.

    A worker thread reads, checks and locates the next batch while this one writes the
    current batch: the database and Python work at the same time (neither holds the GIL while
    GEOS, GDAL or the server works). The worker never touches the database.
    """

    def prepared() -> Iterator[tuple[Batch, CheckedBatch, list[RejectedRow]]]:
        for batch in parcel_file.batches(columns=columns.names, size=batch_size):
            checked = check_batch(
                batch,
                crs=parcel_file.crs,
                columns=columns,
                duplicates=duplicates,
                default_land_use=default_land_use,
            )
            rejected = list(checked.rejected)
            rejected += _locate(checked, municipality=municipality, municipalities=municipalities)
            checked.zone_ids = zones.locate(checked.points, checked.municipality_ids)
            yield batch, checked, rejected

    crs_confirmed = False
    for batch, checked, rejected in _ahead(prepared()):
        if not crs_confirmed:
            if checked.in_georgia:
                crs_confirmed = True
            elif checked.not_in_georgia:
                raise ParcelImportError(_wrong_crs_message(parcel_file, checked), report=report)
        try:
            imported, replaced, refused = _load(
                checked,
                replace=replace,
                valid_from=valid_from,
                source=(source if source is not None else parcel_file.name)[:200],
                dry_run=dry_run,
                first_load=first_load,
            )
        except DatabaseError as exc:
            last = batch.first_row + len(batch) - 1
            raise ParcelImportError(
                f"Batch {report.batches + 1} (rows {batch.first_row}–{last}) was rolled back: "
                f"{str(exc).strip()}. The {report.imported} parcels of the batches before it "
                "stay imported.",
                report=report,
            ) from exc
        report.read += len(batch)
        report.batches += 1
        report.imported += imported
        report.replaced += replaced
        report.rejected += sorted(rejected + refused, key=lambda r: r.row)
        if on_batch is not None:
            on_batch(report)


def _ahead(items: Iterator, depth: int = 2) -> Iterator:
    """The items of an iterator, made by a worker thread up to `depth` items ahead; an
    exception in the worker is raised here, and closing this generator stops the worker."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                slots.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            put((None, exc))
            return
        put((end, None))

    worker = threading.Thread(target=work, name="parcel-import-reader", daemon=True)
    worker.start()
    try:
        while True:
            item, error = slots.get()
            if error is not None:
                raise error
            if item is end:
                return
            yield item
    finally:
        stop.set()
        worker.join()


def _wrong_crs_message(parcel_file: ParcelFile, checked: CheckedBatch) -> str:
    first = checked.not_in_georgia[0]
    said = "that the file declares" if parcel_file.crs_from_file else "given with --srid"
    return (
        f"No geometry among the first {len(checked.not_in_georgia)} lies in Georgia when read "
        f"in {parcel_file.crs_label}, the coordinate system {said}: the coordinate system is "
        f"probably wrong. Row {first.row}: {first.reason}"
    )


def _locate(
    checked: CheckedBatch,
    *,
    municipality: Municipality | None,
    municipalities: AreaLocator | None,
) -> list[RejectedRow]:
    """Give each good row its municipality (kept on `checked`); reject rows that lie in none."""
    if municipality is not None:
        checked.municipality_ids = np.full(len(checked.rows), municipality.pk, dtype=np.int64)
        return []
    ids = municipalities.locate(checked.points)
    lost = np.flatnonzero(ids == 0)
    rejected = []
    for i in lost:
        point = checked.points[i]
        rejected.append(
            RejectedRow(
                checked.rows[i],
                checked.codes[i],
                f"The parcel lies in no municipality: its point on surface ({point.x:.1f} "
                f"{point.y:.1f} in EPSG:{settings.SRID_STORAGE}) is outside every municipal "
                "boundary. Name the municipality to import it anyway.",
            )
        )
    checked.municipality_ids = ids
    return rejected


def _load(
    checked: CheckedBatch,
    *,
    replace: bool,
    valid_from: date,
    source: str,
    dry_run: bool,
    first_load: bool = False,
) -> tuple[int, int, list[RejectedRow]]:
    """Insert one batch's good rows in one transaction; return imported, replaced, refused.

    On a first load (`_bulk_load`) the table held no current parcel and the file repeats no
    code (`duplicate_codes`), so no code is looked up: a parcel written meanwhile by someone
    else with one of the file's codes fails the batch on the unique index of current codes.
    """
    keep = [i for i in range(len(checked.rows)) if checked.municipality_ids[i]]
    if not keep:
        return 0, 0, []
    with transaction.atomic():
        # Locked until the batch commits (unless dry_run): nobody retires or replaces these
        # meanwhile.
        existing = (
            {}
            if first_load
            else _current_parcels([checked.codes[i] for i in keep], lock=not dry_run)
        )
        refused: list[RejectedRow] = []
        rows: list[int] = []
        old_ids: dict[int, int] = {}  # position in the batch -> the parcel it replaces
        for i in keep:
            code = checked.codes[i]
            if code in existing:
                pk, since = existing[code]
                if not replace:
                    refused.append(
                        RejectedRow(
                            checked.rows[i],
                            code,
                            f"A current parcel with the code {code} already exists (valid "
                            f"from {since.isoformat()}); import with --replace to retire it.",
                        )
                    )
                    continue
                if since > valid_from:
                    refused.append(
                        RejectedRow(
                            checked.rows[i],
                            code,
                            f"The current parcel with the code {code} is valid from "
                            f"{since.isoformat()}, after {valid_from.isoformat()}, the date the "
                            "new one would start.",
                        )
                    )
                    continue
                old_ids[i] = pk
            rows.append(i)
        if dry_run or not rows:
            return len(rows), len(old_ids), refused

        if old_ids:
            Parcel.objects.filter(pk__in=old_ids.values()).update(valid_to=valid_from)
        new_ids = dict(zip(rows, _copy_parcels(checked, rows, valid_from, source), strict=True))
        if old_ids:
            _copy(
                Parcel.derived_from.through,
                ("from_parcel", "to_parcel"),
                [(new_ids[i], old) for i, old in old_ids.items()],
            )
    return len(rows), len(old_ids), refused


def _current_parcels(codes: list[str], *, lock: bool) -> dict[str, tuple[int, date]]:
    """The current parcels with these codes: code -> (id, valid_from).

    The codes travel as one array, not one placeholder each: for a batch of thousands of codes
    the ORM's `__in` spends more time building and splitting the query than the database
    spends answering it.
    """
    query = sql.SQL(
        "SELECT cadastral_code, id, valid_from FROM {} "
        "WHERE valid_to IS NULL AND cadastral_code = ANY(%s){}"
    ).format(sql.Identifier(Parcel._meta.db_table), sql.SQL(" FOR UPDATE" if lock else ""))
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(cursor.connection), [codes])
        return {code: (pk, since) for code, pk, since in cursor.fetchall()}


# A first load: a file of at least this many rows into a table holding fewer current parcels
# than a tenth of them.
BULK_LOAD_MIN_ROWS = 50_000


@contextmanager
def _bulk_load(rows: int, *, dry_run: bool) -> Iterator[bool]:
    """Yield whether this is a first load into a table with no current parcel. For a first
    load, drop the parcels table's secondary indexes and foreign keys and make them again at
    the end (also when the import fails): PostgreSQL builds an index over a
    million rows many times faster than it keeps it up to date row by row, and checks a
    foreign key over the whole table in one query rather than one per row at every commit.
    The primary key and the unique index of current codes stay, as every batch looks codes
    up in it. Meanwhile spatial queries on
    parcels scan the table: a first load is not made while the map is in use."""
    table = Parcel._meta.db_table
    if dry_run or rows < BULK_LOAD_MIN_ROWS:
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} WHERE valid_to IS NULL LIMIT %s) s")
            .format(sql.Identifier(table))
            .as_string(cursor.connection),
            [rows // 10],
        )
        current = cursor.fetchone()[0]
        if current >= rows // 10:
            yield False
            return
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND i.relname <> %s
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
            ORDER BY i.relname""",
            [table, "parcel_current_code_unique"],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        foreign_keys = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(
                sql.SQL("DROP INDEX {}").format(sql.Identifier(name)).as_string(cursor.connection)
            )
        for name, _ in foreign_keys:
            cursor.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}")
                .format(sql.Identifier(table), sql.Identifier(name))
                .as_string(cursor.connection)
            )
    try:
        yield current == 0
    finally:
        definitions = [definition for _, definition in indexes]
        if not connection.in_atomic_block:
            # Two at a time, each on its own connection: PostgreSQL builds a GiST or GIN
            # index on one core.
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(_create_index, definitions))
            definitions = []
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # Deferred foreign-key checks still pending (an import inside a caller's
            # transaction) would forbid CREATE INDEX: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for definition in definitions:
                cursor.execute(definition)
            for name, definition in foreign_keys:  # each checked by one query over the table
                cursor.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}")
                    .format(sql.Identifier(table), sql.Identifier(name), sql.SQL(definition))
                    .as_string(cursor.connection)
                )
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("ANALYZE {}").format(sql.Identifier(table)).as_string(cursor.connection)
            )


def _create_index(definition: str) -> None:
    """Run one CREATE INDEX on this thread's own connection, then close it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(definition)
    finally:
        connection.close()


# The columns that COPY fills (the others are nullable), by model field name, with their types
# in a binary COPY, which spares PostgreSQL parsing text and Python writing it. The geometry
# travels as EWKB bytes, which PostGIS's binary input reads.
_COPY_COLUMNS = (
    ("id", "int8"),
    ("cadastral_code", "text"),
    ("municipality", "int8"),
    ("geom", "bytea"),
    ("area_m2", "float8"),
    ("land_use", "text"),
    ("address_ka", "text"),
    ("address_en", "text"),
    ("zone", "int8"),
    ("is_municipal_property", "bool"),
    ("valid_from", "date"),
    ("source", "text"),
)


def _copy_parcels(
    checked: CheckedBatch, rows: list[int], valid_from: date, source: str
) -> list[int]:
    """Insert the rows with COPY and return their new ids, in order. The ids are drawn from the
    table's own sequence first, so that the links to replaced parcels can name the new rows."""
    table = Parcel._meta.db_table
    ewkb = [checked.ewkb[i] for i in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, Parcel._meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    _copy(
        Parcel,
        tuple(name for name, _ in _COPY_COLUMNS),
        (
            (
                pk,
                checked.codes[i],
                int(checked.municipality_ids[i]),
                geom,
                float(checked.areas[i]),
                checked.land_uses[i],
                checked.addresses_ka[i],
                checked.addresses_en[i],
                int(checked.zone_ids[i]) or None,
                False,
                valid_from,
                source,
            )
            for pk, i, geom in zip(ids, rows, ewkb, strict=True)
        ),
        binary_types=tuple(kind for _, kind in _COPY_COLUMNS),
    )
    return ids


def _copy(
    model,
    field_names: tuple[str, ...],
    rows: Iterable[tuple],
    *,
    binary_types: tuple[str, ...] | None = None,
) -> None:
    """COPY rows into a model's table; in PostgreSQL's binary format with `binary_types`, the
    PostgreSQL type of each field.

    Raw SQL because the ORM cannot COPY, and bulk_create spends about a millisecond of Python
    per row (model instances, GEOS objects, one huge parameterised statement): a cadastre of a
    million parcels would take a quarter of an hour in Python alone. Every value travels as COPY
    data, never as SQL text; the table and column names come from the model. Geometries are
    EWKB with their SRID, which PostGIS reads as geometry input (hex in text, bytes in binary).
    """
    columns = [model._meta.get_field(name).column for name in field_names]
    # Django's cursor wrapper logs a COPY (as text) but does not translate its errors:
    # wrap_database_errors gives callers Django's DatabaseError, as for any other query.
    # A role held by row-level security copies through a stand-in table (core/db/copy.py).
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        copy_target(cursor, model._meta.db_table, columns) as target,
    ):
        statement = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
            target,
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(" (FORMAT BINARY)" if binary_types else ""),
        )
        with cursor.copy(statement.as_string(cursor.connection)) as copy:
            if binary_types:
                copy.set_types(list(binary_types))
            for row in rows:
                copy.write_row(row)
