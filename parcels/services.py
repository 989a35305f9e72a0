"""Writes to the cadastre: importing parcels from a GeoPackage, zipped Shapefile or GeoJSON file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from psycopg import sql

from core.models import Municipality
from parcels.importer import (
    AreaLocator,
    CheckedBatch,
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
        crs_confirmed = False
        for batch in parcel_file.batches(columns=columns.names, size=batch_size):
            checked = check_batch(
                batch,
                crs=parcel_file.crs,
                columns=columns,
                duplicates=duplicates,
                default_land_use=default_land_use,
            )
            if not crs_confirmed:
                if checked.in_georgia:
                    crs_confirmed = True
                elif checked.not_in_georgia:
                    raise ParcelImportError(_wrong_crs_message(parcel_file, checked), report=report)
            rejected = list(checked.rejected)
            rejected += _locate(checked, municipality=municipality, municipalities=municipalities)
            checked.zone_ids = zones.locate(checked.points, checked.municipality_ids)
            try:
                imported, replaced, refused = _load(
                    checked,
                    replace=replace,
                    valid_from=valid_from,
                    source=(source if source is not None else parcel_file.name)[:200],
                    dry_run=dry_run,
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
    return report


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
    checked: CheckedBatch, *, replace: bool, valid_from: date, source: str, dry_run: bool
) -> tuple[int, int, list[RejectedRow]]:
    """Insert one batch's good rows in one transaction; return imported, replaced, refused."""
    keep = [i for i in range(len(checked.rows)) if checked.municipality_ids[i]]
    if not keep:
        return 0, 0, []
    with transaction.atomic():
        current = Parcel.objects.current().filter(
            cadastral_code__in=[checked.codes[i] for i in keep]
        )
        if not dry_run:
            # Held until the batch commits: nobody retires or replaces these meanwhile.
            current = current.select_for_update()
        existing = {
            code: (pk, since)
            for code, pk, since in current.values_list("cadastral_code", "pk", "valid_from")
        }
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


# The columns that COPY fills, by model field name; the others are nullable.
_COPY_FIELDS = (
    "id",
    "cadastral_code",
    "municipality",
    "geom",
    "area_m2",
    "land_use",
    "address_ka",
    "address_en",
    "zone",
    "is_municipal_property",
    "valid_from",
    "source",
)


def _copy_parcels(
    checked: CheckedBatch, rows: list[int], valid_from: date, source: str
) -> list[int]:
    """Insert the rows with COPY and return their new ids, in order. The ids are drawn from the
    table's own sequence first, so that the links to replaced parcels can name the new rows."""
    table = Parcel._meta.db_table
    geoms = shapely.set_srid(checked.geoms[rows], settings.SRID_STORAGE)
    ewkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, Parcel._meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    _copy(
        Parcel,
        _COPY_FIELDS,
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
    )
    return ids


def _copy(model, field_names: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """COPY rows into a model's table.

    Raw SQL because the ORM cannot COPY, and bulk_create spends about a millisecond of Python
    per row (model instances, GEOS objects, one huge parameterised statement): a cadastre of a
    million parcels would take a quarter of an hour in Python alone. Every value travels as COPY
    data, never as SQL text; the table and column names come from the model. Geometries are
    hex EWKB with their SRID, which PostGIS reads as geometry input.
    """
    columns = [model._meta.get_field(name).column for name in field_names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # Django's cursor wrapper logs a COPY (as text) but does not translate its errors:
    # wrap_database_errors gives callers Django's DatabaseError, as for any other query.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.copy(statement.as_string(cursor.connection)) as copy:
            for row in rows:
                copy.write_row(row)
