"""The validation report of an upload: every row checked, the valid ones made ready to store.

Geometries are checked by `core.geometry.check_many` (the rules and messages of
`parse_geometry`, over whole arrays), then reprojected to the storage SRID. Attributes get
publishable names and an inferred type that the officer may change before publishing.

Outside the municipality is a warning, not an error: municipal datasets rightly hold things
just past the boundary (a landfill, a water intake, a school serving both sides); the officer
sees each such row in the report and decides. Outside Georgia, by contrast, is an error: it
means wrong coordinates or a wrong coordinate system.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS

from core.geometry import check_many, transform_many
from core.gisfiles import crs_label
from datasets.ingest import UploadRefused, epsg_crs
from datasets.models import RESERVED_PROPERTY_NAMES

REPORT_MAX_ROWS = 1000
EXTENT_CODES = {"outside_georgia", "swapped", "out_of_range"}
FAMILIES = {0: "point", 4: "point", 1: "line", 5: "line", 3: "polygon", 6: "polygon"}
SINGLE = {"point": "Point", "line": "LineString", "polygon": "Polygon"}
MULTI = {"point": "MultiPoint", "line": "MultiLineString", "polygon": "MultiPolygon"}
_INTEGER = re.compile(r"^[-+]?(0|[1-9]\d{0,17})$")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "1", "t", "y"}
_FALSE = {"false", "no", "0", "f", "n"}


@dataclass
class Options:
    repair: bool = False  # invalid geometries repaired with MakeValid (GEOS, as ST_MakeValid)
    geometry_kind: str | None = None  # "point", "line" or "polygon" when the file mixes them


def safe_name(raw: str, taken: set[str]) -> str:
    """A publishable attribute name for a column name: ascii, lower case, underscores."""
    text = unicodedata.normalize("NFKD", str(raw)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9_]+", "_", text.lower())
    text = re.sub(r"_+", "_", text).strip("_")[:60]
    if not text:
        text = "field"
    if text[0].isdigit():
        text = f"f_{text}"
    candidate, n = text, 1
    while candidate in taken or candidate in RESERVED_PROPERTY_NAMES:
        n += 1
        candidate = f"{text}_{n}"
    taken.add(candidate)
    return candidate


def _is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


class TypeGuess:
    """The type of a column, inferred from its values a batch at a time (see `infer_type`)."""

    def __init__(self) -> None:
        self.seen = False
        self.integer = self.number = self.boolean = self.date = True
        self.word = False  # a boolean column needs one true/false/yes/no, not only 1 and 0

    def add(self, values) -> None:
        for value in values:
            if not (self.integer or self.number or self.boolean or self.date):
                return  # text whatever comes next
            if _is_blank(value):
                continue
            text = str(value).strip()
            self.seen = True
            if self.integer and not _INTEGER.match(text):
                self.integer = False
            if self.number and not _NUMBER.match(text):
                self.number = False
            if self.boolean:
                low = text.lower()
                if low not in _TRUE | _FALSE:
                    self.boolean = False
                elif low in ("true", "false", "yes", "no"):
                    self.word = True
            if self.date:
                try:
                    ok = bool(_DATE.match(text)) and bool(dt.date.fromisoformat(text))
                except ValueError:
                    ok = False
                self.date = ok

    def kind(self) -> str:
        if not self.seen:
            return "string"
        if self.integer:
            return "integer"
        if self.number:
            return "number"
        if self.boolean and self.word:
            return "boolean"
        if self.date:
            return "date"
        return "string"


def infer_type(values, hint: str | None = None) -> str:
    """string, integer, number, boolean or date, from the format's field type or the values."""
    if hint in ("integer", "number", "boolean", "date"):
        return hint
    guess = TypeGuess()
    guess.add(values)
    return guess.kind()


def convert(value, kind: str):
    """The JSON value of one attribute for its type; ValueError when it does not fit."""
    if _is_blank(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if kind == "string":
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        return str(value)
    if kind == "integer":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(value)
            return int(value)
        text = str(value).strip()
        if not _INTEGER.match(text) and not re.match(r"^[-+]?\d+$", text):
            raise ValueError(value)
        return int(text)
    if kind == "number":
        number = (
            float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        )
        if not math.isfinite(number):
            raise ValueError(value)
        return number
    if kind == "boolean":
        if isinstance(value, bool | int):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(value)
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    raise ValueError(kind)


TYPE_LABELS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
}


def _guess_crs(geoms: np.ndarray) -> str | None:
    """A CRS under which these coordinates would lie in Georgia, to suggest to the officer."""
    coords = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
    if not len(coords):
        return None
    for srid in settings.SRID_ALLOWED:
        errors = check_many(shapely.points(coords[:50]), CRS.from_epsg(srid), within_georgia=True)
        if all(e is None for e in errors):
            return f"EPSG:{srid}"
    return None


class Report:
    def __init__(self) -> None:
        self.errors: list[dict] = []
        self.warnings: list[dict] = []
        self.codes: Counter[str] = Counter()
        self.warning_codes: Counter[str] = Counter()

    def error(self, row: int, code: str, message: str) -> None:
        self.codes[code] += 1
        if len(self.errors) < REPORT_MAX_ROWS:
            self.errors.append({"row": row, "code": code, "message": message})

    def warning(self, row: int, code: str, message: str) -> None:
        self.warning_codes[code] += 1
        if len(self.warnings) < REPORT_MAX_ROWS:
            self.warnings.append({"row": row, "code": code, "message": message})


@dataclass
class Schema:
    """The attributes of an upload: each column's publishable name and type, found in a first
    reading of the file (or, for an append, the dataset's own)."""

    entries: list[dict]  # {name, source, column, type, title_ka, title_en}
    renamed: dict[str, str]
    dropped: list[str]
    rows: int  # the rows of the file

    def published(self) -> list[dict]:
        return [{k: v for k, v in entry.items() if k != "column"} for entry in self.entries]


def schema_of(source, *, base_schema: list[dict] | None, batch_size: int, progress=None) -> Schema:
    """Read the file's attributes once, a batch at a time, to name and type its columns.

    `progress(rows)` is told the rows read so far after every batch.
    """
    info = source.info
    renamed: dict[str, str] = {}
    dropped: list[str] = []
    taken: set[str] = set()
    by_column: dict[str, str] = {}
    for column in info.fields:
        if info.column_types.get(column) == "binary":
            dropped.append(column)
            continue
        name = safe_name(column, taken)
        by_column[column] = name
        if name != column:
            renamed[column] = name
    guesses = {
        column: TypeGuess()
        for column in by_column
        if base_schema is None and info.column_types.get(column) not in PROPERTY_HINTS
    }
    rows = 0
    for batch in source.batches(batch_size, geometry=False):
        for column, guess in guesses.items():
            guess.add(batch.columns[column])
        rows += len(batch)
        if progress is not None:
            progress(rows)
    if base_schema is not None:
        columns_by_source = {source: column for column, source in by_column.items()}
        entries = [
            {**entry, "column": columns_by_source.get(entry["source"])} for entry in base_schema
        ]
        known = {entry["source"] for entry in base_schema}
        dropped.extend(c for c, s in by_column.items() if s not in known)
        return Schema(entries, renamed, dropped, rows)
    entries = [
        {
            "name": name,
            "source": name,
            "column": column,
            "type": info.column_types[column] if column not in guesses else guesses[column].kind(),
            "title_ka": str(column),
            "title_en": str(column),
        }
        for column, name in by_column.items()
    ]
    return Schema(entries, renamed, dropped, rows)


PROPERTY_HINTS = ("integer", "number", "boolean", "date")


@dataclass
class Checked:
    """The rows of one batch to store: geometries in the storage SRID, and attributes."""

    geoms: np.ndarray
    properties: list[dict]


class Checker:
    """Checks an upload's rows a batch at a time and keeps the report; `finish` refuses the
    whole file when it cannot be read as one layer (no CRS, mixed kinds of geometry, nothing
    valid, nothing in Georgia) and gives the report.

    A file that mixes kinds is refused only at the end, when every kind has been counted; the
    rows stored meanwhile are rolled back by the caller's transaction.
    """

    def __init__(
        self,
        info,
        *,
        municipality,
        options: Options,
        schema: Schema,
        base_family: str | None = None,
    ) -> None:
        self.info = info
        self.options = options
        self.schema = schema
        self.base_family = base_family
        self.chosen = options.geometry_kind or base_family
        if base_family and options.geometry_kind and options.geometry_kind != base_family:
            raise UploadRefused(
                _("The dataset holds %(base)s geometries; this file holds %(kind)s geometries.")
                % {"base": base_family, "kind": options.geometry_kind},
                code="geometry_kind",
                parameter="file",
            )
        self.family = self.chosen or ""
        self.report = Report()
        self.counts: Counter[str] = Counter()
        self.read = self.stored = self.flattened = self.repaired = 0
        self.checked = self.extent_errors = 0
        self.any_multi = self.any_single = False
        self.sample: np.ndarray | None = None
        self.storage_crs = epsg_crs(settings.SRID_STORAGE)
        self.boundary = shapely.from_wkb(bytes(municipality.boundary.wkb))
        shapely.prepare(self.boundary)
        self.municipality_name = municipality.name_en

    def _require_crs(self, geoms: np.ndarray) -> None:
        if self.info.crs is None:
            guess = _guess_crs(geoms) if len(geoms) else None
            raise UploadRefused(
                _(
                    "%(name)s does not say which coordinate system its coordinates are in; "
                    "choose one."
                )
                % {"name": self.info.name}
                + (
                    " " + _("They would lie in Georgia in %(crs)s.") % {"crs": guess}
                    if guess
                    else ""
                ),
                code="crs_required",
                parameter="srid",
                choices=[f"EPSG:{s}" for s in settings.SRID_ALLOWED],
            )

    def check(self, batch) -> Checked:
        """Check one batch; return its rows to store."""
        n = len(batch)
        start = batch.start
        self.read += n
        report = self.report
        rejected = np.zeros(n, dtype=bool)
        for i, reason in batch.unreadable.items():
            report.error(i + 1, "unreadable", reason)
            rejected[i - start] = True
        geoms = batch.geometries.copy()
        self._require_crs(geoms)
        present = ~shapely.is_missing(geoms)
        if self.sample is None and present.any():
            self.sample = geoms[present][:50]

        # 3D: flattened, and said so.
        has_z = np.zeros(n, dtype=bool)
        has_z[present] = shapely.has_z(geoms[present])
        if has_z.any():
            geoms[has_z] = shapely.force_2d(geoms[has_z])
            self.flattened += int(has_z.sum())

        # Geometry kinds: one per dataset.
        type_ids = np.full(n, -1)
        type_ids[present] = shapely.get_type_id(geoms[present])
        families = np.array([FAMILIES.get(int(t), "") for t in type_ids], dtype=object)
        for i in np.flatnonzero((type_ids == 7) & ~rejected):
            report.error(
                start + int(i) + 1,
                "type",
                _("A GeometryCollection cannot be published; split it into features of one kind."),
            )
            rejected[i] = True
        for i in np.flatnonzero(present & ~rejected & (families != "")):
            self.counts[families[i]] += 1
            if not self.family:
                self.family = families[i]
        other = present & ~rejected & (families != self.family) & (type_ids != 7)
        if self.chosen:
            for i in np.flatnonzero(other):
                report.error(
                    start + int(i) + 1,
                    "other_kind",
                    _("A %(type)s; this dataset keeps %(kind)s geometries.")
                    % {"type": geoms[i].geom_type, "kind": self.family},
                )
        # Without a choice, other kinds make the file refused in `finish`.
        rejected |= other

        errors = check_many(geoms, self.info.crs)
        if self.options.repair:
            self._repair(geoms, errors, start)
        for i, error in enumerate(errors):
            if rejected[i]:
                continue
            self.checked += 1
            if error is not None:
                if error.code in EXTENT_CODES:
                    self.extent_errors += 1
                message = error.message
                if error.code == "invalid_geometry" and not self.options.repair:
                    message += " " + _("Upload again with “repair invalid geometries” to fix it.")
                report.error(start + i + 1, error.code, message)
                rejected[i] = True

        # A kind other than the chosen one after a repair (a polygon collapsed to a line).
        for i in np.flatnonzero(~rejected):
            if FAMILIES.get(int(shapely.get_type_id(geoms[i]))) != self.family:
                report.error(
                    start + int(i) + 1, "type", _("After repair the geometry is of another kind.")
                )
                rejected[i] = True

        properties, kept = self._attributes(batch, rejected)
        if not kept:
            return Checked(np.empty(0, dtype=object), [])
        storage = transform_many(geoms[kept], self.info.crs, self.storage_crs)
        multi = np.isin(shapely.get_type_id(storage), (4, 5, 6))
        self.any_multi |= bool(multi.any())
        self.any_single |= bool((~multi).any())
        outside = ~shapely.intersects(self.boundary, storage)
        for j in np.flatnonzero(outside):
            report.warning(
                start + kept[j] + 1,
                "outside_municipality",
                _("The geometry lies outside %(municipality)s; it is kept. Check that it belongs.")
                % {"municipality": self.municipality_name},
            )
        self.stored += len(kept)
        return Checked(storage, properties)

    def _repair(self, geoms: np.ndarray, errors: list, start: int) -> None:
        """Invalid geometries repaired with MakeValid (GEOS, as ST_MakeValid)."""
        invalid = [i for i, e in enumerate(errors) if e and e.code == "invalid_geometry"]
        if not invalid:
            return
        fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        geoms[invalid] = fixed
        again = check_many(fixed, self.info.crs)
        for j, i in enumerate(invalid):
            errors[i] = again[j]
            if again[j] is None and FAMILIES.get(int(shapely.get_type_id(fixed[j]))) == self.family:
                self.repaired += 1
                self.report.warning(
                    start + i + 1, "repaired", _("The invalid geometry was repaired (MakeValid).")
                )

    def _attributes(self, batch, rejected: np.ndarray) -> tuple[list[dict], list[int]]:
        properties: list[dict] = []
        kept: list[int] = []
        entries = self.schema.entries
        for i in np.flatnonzero(~rejected):
            values = {}
            problems = []
            for entry in entries:
                column = entry.get("column")
                if column is None:
                    values[entry["source"]] = None
                    continue
                raw = batch.columns[column][i]
                try:
                    values[entry["source"]] = convert(raw, entry["type"])
                except (ValueError, TypeError, OverflowError):
                    problems.append(
                        _("%(name)s: %(value)r is not %(type)s")
                        % {"name": entry["name"], "value": raw, "type": TYPE_LABELS[entry["type"]]}
                    )
            if problems:
                self.report.error(batch.start + int(i) + 1, "attribute", "; ".join(problems) + ".")
                rejected[i] = True
                continue
            properties.append(values)
            kept.append(int(i))
        return properties, kept

    @property
    def geometry_type(self) -> str:
        if not self.family:
            return ""
        return (MULTI if self.any_multi else SINGLE)[self.family]

    def finish(self) -> dict:
        """The report; refuse the file as a whole where no row, or no one kind, can be kept."""
        name = self.info.name
        self._require_crs(np.empty(0, dtype=object))
        if len(self.counts) > 1 and not self.chosen:
            listed = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items()))
            raise UploadRefused(
                _(
                    "%(name)s mixes kinds of geometry (%(listed)s). A dataset holds one kind: "
                    "choose which to keep; the rows of the other kinds are listed as refused, to "
                    "upload as datasets of their own."
                )
                % {"name": name, "listed": listed},
                code="mixed_geometries",
                parameter="geometry_kind",
                choices=sorted(self.counts),
            )
        if self.checked and self.extent_errors == self.checked:
            sample = self.sample if self.sample is not None else np.empty(0, dtype=object)
            guess = _guess_crs(sample)
            raise UploadRefused(
                _(
                    "None of the geometries of %(name)s lies in Georgia when read in %(crs)s: the "
                    "coordinate system is probably wrong."
                )
                % {"name": name, "crs": crs_label(self.info.crs)}
                + (
                    " " + _("They would lie in Georgia in %(guess)s.") % {"guess": guess}
                    if guess
                    else ""
                ),
                code="crs_mismatch",
                parameter="srid",
                choices=[f"EPSG:{s}" for s in settings.SRID_ALLOWED],
            )
        if not self.stored:
            raise UploadRefused(
                _("No row of %(name)s can be published; see the report.") % {"name": name},
                code="no_valid_rows",
                report=self.report_dict(""),
            )
        return self.report_dict(self.geometry_type)

    def report_dict(self, geometry_type: str) -> dict:
        info, report = self.info, self.report
        notes = list(info.notes)
        if self.flattened:
            notes.append(
                _("%(count)d geometries had heights (Z); they were flattened to 2D.")
                % {"count": self.flattened}
            )
        if self.options.repair and (self.repaired or report.codes.get("invalid_geometry")):
            notes.append(
                _("%(count)d invalid geometries were repaired.") % {"count": self.repaired}
            )
        return {
            "file": info.name,
            "format": info.driver,
            "layer": info.layer,
            "layers": info.layers,
            "crs": crs_label(info.crs) if info.crs is not None else "",
            "crs_source": info.crs_source,
            "geometry_type": geometry_type,
            "rows_read": self.read,
            "rows_stored": self.stored,
            "rows_refused": sum(report.codes.values()),
            "refused_by_reason": dict(report.codes),
            "warnings_by_reason": dict(report.warning_codes),
            "errors": sorted(report.errors, key=lambda e: e["row"]),
            "warnings": sorted(report.warnings, key=lambda e: e["row"]),
            "notes": notes,
            "renamed": self.schema.renamed,
            "dropped": self.schema.dropped,
        }
