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
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS

from core.geometry import check_many, transform_many
from core.gisfiles import crs_label
from datasets.ingest import SourceData, UploadRefused, epsg_crs
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


@dataclass
class Validated:
    geoms: np.ndarray  # shapely, storage SRID, one per stored row
    rows: list[int]  # 1-based rows of the file that are stored
    properties: list[dict]
    schema: list[dict]
    geometry_type: str
    family: str
    report: dict = field(default_factory=dict)


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


def infer_type(values, hint: str | None = None) -> str:
    """string, integer, number, boolean or date, from the format's field type or the values."""
    if hint in ("integer", "number", "boolean", "date"):
        return hint
    texts = [str(v).strip() for v in values if not _is_blank(v)]
    if not texts:
        return "string"
    if all(_INTEGER.match(t) for t in texts):
        return "integer"
    if all(_NUMBER.match(t) for t in texts):
        return "number"
    if all(t.lower() in _TRUE | _FALSE for t in texts) and any(
        t.lower() in ("true", "false", "yes", "no") for t in texts
    ):
        return "boolean"
    if all(_DATE.match(t) for t in texts):
        try:
            for t in texts:
                dt.date.fromisoformat(t)
        except ValueError:
            return "string"
        return "date"
    return "string"


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


def validate(
    data: SourceData,
    *,
    municipality,
    options: Options,
    base_schema: list[dict] | None = None,
    base_family: str | None = None,
) -> Validated:
    """Check every row; return the rows to store and the report. Refuse the whole file when
    it cannot be read as one layer (no CRS, mixed geometry kinds, nothing valid)."""
    n = len(data)
    report = Report()
    notes = list(data.notes)
    rejected = np.zeros(n, dtype=bool)

    for i, reason in data.unreadable.items():
        report.error(i + 1, "unreadable", reason)
        rejected[i] = True

    geoms = data.geometries.copy()
    if data.crs is None:
        guess = _guess_crs(geoms)
        raise UploadRefused(
            _("%(name)s does not say which coordinate system its coordinates are in; choose one.")
            % {"name": data.name}
            + (" " + _("They would lie in Georgia in %(crs)s.") % {"crs": guess} if guess else ""),
            code="crs_required",
            parameter="srid",
            choices=[f"EPSG:{s}" for s in settings.SRID_ALLOWED],
        )

    # 3D: flattened, and said so.
    present = ~shapely.is_missing(geoms)
    has_z = np.zeros(n, dtype=bool)
    has_z[present] = shapely.has_z(geoms[present])
    if has_z.any():
        geoms[has_z] = shapely.force_2d(geoms[has_z])
        notes.append(
            _("%(count)d geometries had heights (Z); they were flattened to 2D.")
            % {"count": int(has_z.sum())}
        )

    # Geometry kinds: one per dataset.
    type_ids = np.full(n, -1)
    type_ids[present] = shapely.get_type_id(geoms[present])
    families = np.array([FAMILIES.get(int(t), "") for t in type_ids], dtype=object)
    for i in np.flatnonzero((type_ids == 7) & ~rejected):
        report.error(
            int(i) + 1,
            "type",
            _("A GeometryCollection cannot be published; split it into features of one kind."),
        )
        rejected[i] = True
    counts = Counter(f for f, bad in zip(families, rejected, strict=True) if f and not bad)
    if base_family and options.geometry_kind is None:
        options.geometry_kind = base_family
    if len(counts) > 1 and options.geometry_kind is None:
        listed = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        raise UploadRefused(
            _(
                "%(name)s mixes kinds of geometry (%(listed)s). A dataset holds one kind: choose "
                "which to keep; the rows of the other kinds are listed as refused, to upload as "
                "datasets of their own."
            )
            % {"name": data.name, "listed": listed},
            code="mixed_geometries",
            parameter="geometry_kind",
            choices=sorted(counts),
        )
    family = options.geometry_kind or (next(iter(counts)) if counts else "")
    if base_family and family != base_family:
        raise UploadRefused(
            _("The dataset holds %(base)s geometries; this file holds %(kind)s geometries.")
            % {"base": base_family, "kind": family or "no"},
            code="geometry_kind",
            parameter="file",
        )
    for i in np.flatnonzero(present & ~rejected & (families != family) & (type_ids != 7)):
        report.error(
            int(i) + 1,
            "other_kind",
            _("A %(type)s; this dataset keeps %(kind)s geometries.")
            % {"type": geoms[i].geom_type, "kind": family},
        )
        rejected[i] = True

    # The checks of parse_geometry, with an optional repair of invalid shapes.
    errors = check_many(geoms, data.crs)
    if options.repair:
        invalid = [i for i, e in enumerate(errors) if e and e.code == "invalid_geometry"]
        if invalid:
            fixed = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
            geoms[invalid] = fixed
            again = check_many(fixed, data.crs)
            repaired = 0
            for j, i in enumerate(invalid):
                errors[i] = again[j]
                if again[j] is None and FAMILIES.get(int(shapely.get_type_id(fixed[j]))) == family:
                    repaired += 1
                    report.warning(
                        i + 1, "repaired", _("The invalid geometry was repaired (MakeValid).")
                    )
            notes.append(_("%(count)d invalid geometries were repaired.") % {"count": repaired})
    extent_errors = 0
    checked = 0
    for i, error in enumerate(errors):
        if rejected[i]:
            continue
        checked += 1
        if error is not None:
            if error.code in EXTENT_CODES:
                extent_errors += 1
            code = error.code
            message = error.message
            if code == "invalid_geometry" and not options.repair:
                message += " " + _("Upload again with “repair invalid geometries” to fix it.")
            report.error(i + 1, code, message)
            rejected[i] = True
    if checked and extent_errors == checked:
        guess = _guess_crs(geoms)
        raise UploadRefused(
            _(
                "None of the geometries of %(name)s lies in Georgia when read in %(crs)s: the "
                "coordinate system is probably wrong."
            )
            % {"name": data.name, "crs": crs_label(data.crs)}
            + (
                " " + _("They would lie in Georgia in %(guess)s.") % {"guess": guess}
                if guess
                else ""
            ),
            code="crs_mismatch",
            parameter="srid",
            choices=[f"EPSG:{s}" for s in settings.SRID_ALLOWED],
        )

    # A kind other than the chosen one after a repair (a polygon collapsed to a line).
    for i in np.flatnonzero(~rejected):
        if FAMILIES.get(int(shapely.get_type_id(geoms[i]))) != family:
            report.error(int(i) + 1, "type", _("After repair the geometry is of another kind."))
            rejected[i] = True

    # Attributes: names, types, values.
    schema, renamed, dropped = _schema(data, base_schema)
    properties: list[dict] = []
    keep = np.flatnonzero(~rejected)
    kept_rows: list[int] = []
    for i in keep:
        values = {}
        problems = []
        for entry in schema:
            column = entry.get("column")
            if column is None:
                values[entry["source"]] = None
                continue
            raw = data.columns[column][i]
            try:
                values[entry["source"]] = convert(raw, entry["type"])
            except (ValueError, TypeError, OverflowError):
                problems.append(
                    _("%(name)s: %(value)r is not %(type)s")
                    % {"name": entry["name"], "value": raw, "type": TYPE_LABELS[entry["type"]]}
                )
        if problems:
            report.error(int(i) + 1, "attribute", "; ".join(problems) + ".")
            rejected[i] = True
            continue
        properties.append(values)
        kept_rows.append(int(i))

    if not kept_rows:
        raise UploadRefused(
            _("No row of %(name)s can be published; see the report.") % {"name": data.name},
            code="no_valid_rows",
            report=_report_dict(data, report, notes, renamed, dropped, 0, n, ""),
        )

    storage = transform_many(geoms[kept_rows], data.crs, epsg_crs(settings.SRID_STORAGE))
    ids = shapely.get_type_id(storage)
    multi = bool(np.isin(ids, (4, 5, 6)).any())
    if multi and not np.isin(ids, (4, 5, 6)).all():
        single = ~np.isin(ids, (4, 5, 6))
        maker = {"point": shapely.multipoints, "line": shapely.multilinestrings}.get(
            family, shapely.multipolygons
        )
        storage[single] = [maker([g]) for g in storage[single]]
    geometry_type = (MULTI if multi else SINGLE)[family]

    boundary = shapely.from_wkb(bytes(municipality.boundary.wkb))
    shapely.prepare(boundary)
    outside = ~shapely.intersects(boundary, storage)
    for j in np.flatnonzero(outside):
        report.warning(
            kept_rows[j] + 1,
            "outside_municipality",
            _("The geometry lies outside %(municipality)s; it is kept. Check that it belongs.")
            % {"municipality": municipality.name_en},
        )

    for entry in schema:
        entry.pop("column", None)
    return Validated(
        geoms=storage,
        rows=[r + 1 for r in kept_rows],
        properties=properties,
        schema=schema,
        geometry_type=geometry_type,
        family=family,
        report=_report_dict(
            data, report, notes, renamed, dropped, len(kept_rows), n, geometry_type
        ),
    )


def _schema(data: SourceData, base_schema: list[dict] | None):
    """Each column's publishable name and type; for an append, the dataset's schema."""
    renamed: dict[str, str] = {}
    dropped: list[str] = []
    taken: set[str] = set()
    by_column: dict[str, str] = {}
    for column in data.columns:
        if data.column_types.get(column) == "binary":
            dropped.append(column)
            continue
        name = safe_name(column, taken)
        by_column[column] = name
        if name != column:
            renamed[column] = name
    if base_schema is not None:
        columns_by_source = {source: column for column, source in by_column.items()}
        schema = []
        for entry in base_schema:
            schema.append({**entry, "column": columns_by_source.get(entry["source"])})
        known = {entry["source"] for entry in base_schema}
        dropped.extend(c for c, s in by_column.items() if s not in known)
        return schema, renamed, dropped
    schema = []
    for column, name in by_column.items():
        schema.append(
            {
                "name": name,
                "source": name,
                "column": column,
                "type": infer_type(data.columns[column], data.column_types.get(column)),
                "title_ka": str(column),
                "title_en": str(column),
            }
        )
    return schema, renamed, dropped


def _report_dict(data, report, notes, renamed, dropped, stored, read, geometry_type) -> dict:
    return {
        "file": data.name,
        "format": data.driver,
        "layer": data.layer,
        "layers": data.layers,
        "crs": crs_label(data.crs) if data.crs is not None else "",
        "crs_source": data.crs_source,
        "geometry_type": geometry_type,
        "rows_read": read,
        "rows_stored": stored,
        "rows_refused": sum(report.codes.values()),
        "refused_by_reason": dict(report.codes),
        "warnings_by_reason": dict(report.warning_codes),
        "errors": report.errors,
        "warnings": report.warnings,
        "notes": notes,
        "renamed": renamed,
        "dropped": dropped,
    }
