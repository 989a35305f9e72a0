"""manage.py import_parcels FILE: load cadastral parcels from a GeoPackage, zipped Shapefile or
GeoJSON file, and report every row that was refused and why."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.db.owner import as_owner
from core.models import Municipality
from parcels.importer import DEFAULT_FIELDS
from parcels.models import LandUse
from parcels.services import FieldMap, ImportReport, ParcelImportError, parcels_import

SHOWN_REJECTIONS = 50


# argparse names these functions in its messages: "invalid positive_integer value: '0'".
def positive_integer(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def date_yyyy_mm_dd(text: str) -> date:
    return date.fromisoformat(text)


class Command(BaseCommand):
    help = (
        "Import cadastral parcels from a GeoPackage (.gpkg), a zipped Shapefile (.zip) or GeoJSON "
        "(.geojson, .json). Rows are checked like any geometry input; refused rows are reported "
        "with their reason and the rest are loaded in batches, each in its own transaction. "
        "A zip is refused, as a dataset upload is, when it would unpack past "
        "DATASET_UNPACKED_MAX_BYTES, inflates more than DATASET_ZIP_MAX_RATIO times, holds more "
        "than DATASET_ZIP_MAX_MEMBERS files, or holds links or paths that leave it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file to import.")
        parser.add_argument("--layer", help="The layer (or the Shapefile in a zip) to import.")
        parser.add_argument(
            "--municipality",
            metavar="CODE",
            help="Put every parcel in this municipality (e.g. BTM); otherwise each parcel goes to "
            "the municipality whose boundary holds its point on surface.",
        )
        parser.add_argument(
            "--srid",
            type=positive_integer,
            help="The EPSG code of the file's coordinates, for a file that does not declare one.",
        )
        for key, what in (
            ("code", "cadastral code"),
            ("land_use", "land use"),
            ("address_ka", "Georgian address"),
            ("address_en", "English address"),
        ):
            parser.add_argument(
                f"--{key.replace('_', '-')}-field",
                dest=f"{key}_field",
                metavar="NAME",
                help=f"The file's field for the {what} "
                f"(default: the first of {', '.join(DEFAULT_FIELDS[key])}, in any case).",
            )
        parser.add_argument(
            "--default-land-use",
            choices=LandUse.values,
            help="Land use for rows whose land use is empty or unknown (otherwise they are "
            "refused), and for a file with no land-use field.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Retire a current parcel with the same code (valid_to) and link the new one to "
            "it; without this such rows are refused.",
        )
        parser.add_argument(
            "--valid-from",
            type=date_yyyy_mm_dd,
            metavar="YYYY-MM-DD",
            help="The date from which the imported parcels are valid (default: today).",
        )
        parser.add_argument("--batch-size", type=positive_integer, default=5000)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--report", metavar="CSV", help="Write every refused row (row, code, reason) here."
        )
        parser.add_argument(
            "--source", help="Recorded on each parcel as its source (default: the file name)."
        )

    def handle(self, *args, **options) -> None:
        # The indexes dropped and made again around a large load, and COPY straight into the
        # table past its row-level security, need the owner of the tables (core/db/owner.py).
        with as_owner():
            self._import(*args, **options)

    def _import(self, *args, **options) -> None:
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                codes = ", ".join(Municipality.objects.values_list("code", flat=True)) or "none"
                raise CommandError(
                    f"No municipality has the code {options['municipality']!r}; the codes are "
                    f"{codes}."
                )
        report_path = Path(options["report"]) if options["report"] else None
        if report_path is not None and not report_path.parent.is_dir():
            raise CommandError(f"{report_path.parent} is not a directory for the report.")
        verbose = options["verbosity"] >= 2
        try:
            report = parcels_import(
                path=options["file"],
                layer=options["layer"],
                municipality=municipality,
                srid=options["srid"],
                fields=FieldMap(
                    code=options["code_field"],
                    land_use=options["land_use_field"],
                    address_ka=options["address_ka_field"],
                    address_en=options["address_en_field"],
                ),
                default_land_use=options["default_land_use"],
                replace=options["replace"],
                valid_from=options["valid_from"],
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
                source=options["source"],
                on_batch=self._progress if verbose else None,
            )
        except ParcelImportError as exc:
            if exc.report is not None and exc.report.batches:
                self._summarise(exc.report, report_path)
            raise CommandError(exc.message) from None
        self._summarise(report, report_path)

    def _progress(self, report: ImportReport) -> None:
        self.stderr.write(
            f"batch {report.batches}: read {report.read}, imported {report.imported}, "
            f"rejected {len(report.rejected)}"
        )

    def _summarise(self, report: ImportReport, report_path: Path | None) -> None:
        out = self.stdout
        # The report is written first, so that a closed stdout cannot lose it.
        failure = None
        if report_path is not None:
            try:
                with report_path.open("w", newline="", encoding="utf-8") as fh:
                    writer = csv.writer(fh)
                    writer.writerow(["row", "code", "reason"])
                    for rejected in report.rejected:
                        writer.writerow([rejected.row, rejected.code, rejected.reason])
            except OSError as exc:
                failure = f"The report of rejected rows cannot be written to {report_path}: {exc}"
        out.write(f"{report.file}, layer {report.layer}, {report.crs}")
        imported = "would import" if report.dry_run else "imported"
        replaced = f" (replacing {report.replaced} current parcels)" if report.replaced else ""
        out.write(
            f"read {report.read}, {imported} {report.imported}{replaced}, "
            f"rejected {len(report.rejected)}"
        )
        for rejected in report.rejected[:SHOWN_REJECTIONS]:
            out.write(f"  row {rejected.row} [{rejected.code or '-'}]: {rejected.reason}")
        hidden = len(report.rejected) - SHOWN_REJECTIONS
        if hidden > 0:
            where = f"all are in {report_path}" if report_path else "--report FILE lists them all"
            out.write(f"  ... and {hidden} more rejected rows; {where}.")
        if report.dry_run:
            out.write("Dry run: nothing was written.")
        if failure is not None:
            raise CommandError(failure)
