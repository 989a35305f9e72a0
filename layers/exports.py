"""Downloads of a layer as GeoPackage, zipped Shapefile, GeoJSON, CSV or KML, in a chosen CRS.

Rows come from the layer's own queryset in chunks through a server-side cursor, with the
geometry already transformed by PostGIS, so memory stays flat however large the layer. GeoJSON
and CSV are text that is streamed as it is read; the other formats are written by GDAL through
pyogrio into a temporary file. Only the layer's public properties and the feature id go out.
The zipped CSV adds GDAL's sidecars (.csvt for the types, .prj for the CRS) to the same CSV;
the zipped Shapefile adds a table of its shortened field names. See docs/downloads.md.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, AsWKB, Transform
from django.contrib.gis.gdal import SpatialReference
from django.contrib.gis.geos import Polygon
from django.db.models import F, Func, QuerySet, TextField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import BadParameter
from core.geometry import transformer
from layers.registry import Layer, LayerField
from layers.tiles import DATA_REGION

# Rows fetched from the server-side cursor at a time, and written by GDAL in one call.
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ExportFormat:
    key: str  # the URL suffix: export.<key>
    media_type: str
    driver: str | None  # the GDAL driver, or None for the formats streamed as text
    title: str


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("gpkg", "application/geopackage+sqlite3", "GPKG", "GeoPackage"),
        ExportFormat("geojson", "application/geo+json", None, "GeoJSON"),
        ExportFormat("csv", "text/csv; charset=utf-8", None, "CSV"),
        ExportFormat("csv.zip", "application/zip", None, "CSV with types and CRS (zip)"),
        ExportFormat("shp.zip", "application/zip", "ESRI Shapefile", "Shapefile (zip)"),
        ExportFormat("kml", "application/vnd.google-earth.kml+xml", "KML", "KML"),
    )
}
STREAMED_FORMATS = ("geojson", "csv")


def export_srids() -> tuple[int, ...]:
    """The CRSs a download may be asked in: the API's, the cadastre's and the tiles'."""
    return (settings.SRID_API, settings.SRID_STORAGE, settings.SRID_TILES)


def sync_max_features() -> int:
    """Up to this many features a download is answered at once; above, by a background job."""
    return getattr(settings, "EXPORT_SYNC_MAX_FEATURES", 50_000)


# Parameters.

# CRS84, by the names that clients give it (compared in lower case).
CRS84_NAMES = {
    "crs84",
    "ogc:crs84",
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
    "https://www.opengis.net/def/crs/ogc/1.3/crs84",
}
_EPSG_PREFIXES = (
    "epsg:",
    "urn:ogc:def:crs:epsg::",
    "urn:ogc:def:crs:epsg:",
    "http://www.opengis.net/def/crs/epsg/0/",
    "https://www.opengis.net/def/crs/epsg/0/",
)


def parse_crs(raw: str | None, *, parameter: str = "crs") -> int:
    """An EPSG code, `EPSG:n`, an OGC URN or URI (CRS84 too) as one of the export SRIDs."""
    allowed = export_srids()
    if raw is None or not raw.strip():
        return settings.SRID_API
    text = raw.strip().lower()
    if text in CRS84_NAMES:
        return 4326
    code = text
    for prefix in _EPSG_PREFIXES:
        if text.startswith(prefix):
            code = text[len(prefix) :]
            # A URN may carry a version between its colons: urn:ogc:def:crs:EPSG:9.9:4326.
            code = code.rsplit(":", 1)[-1]
            break
    if not code.isdigit() or int(code) not in allowed:
        names = ", ".join(f"EPSG:{srid}" for srid in allowed)
        raise BadParameter(
            parameter,
            _("%(crs)s is not offered; choose one of %(names)s (or their OGC URIs).")
            % {"crs": raw.strip()[:100], "names": names},
            "unsupported_crs",
        )
    return int(code)


def parse_bbox(raw: str | None, *, parameter: str = "bbox") -> tuple[float, ...] | None:
    """`minlon,minlat,maxlon,maxlat` in CRS84 (longitude first), or None when absent."""
    if raw is None or not raw.strip():
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise BadParameter(
            parameter,
            _(
                "bbox needs four numbers: min longitude, min latitude, max longitude, "
                "max latitude (CRS84); got %(count)d values."
            )
            % {"count": len(parts)},
            "bbox_format",
        )
    numbers = []
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            raise BadParameter(
                parameter,
                _("%(value)r in bbox is not a number.") % {"value": part.strip()[:50]},
                "bbox_format",
            ) from None
        if not math.isfinite(number):
            raise BadParameter(
                parameter,
                _("%(value)r in bbox is not a finite number.") % {"value": part.strip()[:50]},
                "not_finite",
            )
        numbers.append(number)
    minx, miny, maxx, maxy = numbers
    if not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        raise BadParameter(
            parameter,
            _(
                "bbox is in CRS84: longitudes lie within ±180 and latitudes within ±90; "
                "give longitude first, then latitude."
            ),
            "out_of_range",
        )
    if minx >= maxx or miny >= maxy:
        raise BadParameter(
            parameter,
            _(
                "bbox must be minlon,minlat,maxlon,maxlat with each minimum below its "
                "maximum; got longitude %(minx)g to %(maxx)g and latitude %(miny)g to %(maxy)g."
            )
            % {"minx": minx, "maxx": maxx, "miny": miny, "maxy": maxy},
            "bbox_order",
        )
    return (minx, miny, maxx, maxy)


def bbox_polygon(bbox: tuple[float, ...], srid: int) -> Polygon | None:
    """The CRS84 box as a polygon in `srid`, its edges densified so they bend as they should.

    The box is first cut to the region where the data lies (far-away coordinates do not
    project sensibly into UTM); None when nothing of it is left.
    """
    minx, miny = max(bbox[0], DATA_REGION[0]), max(bbox[1], DATA_REGION[1])
    maxx, maxy = min(bbox[2], DATA_REGION[2]), min(bbox[3], DATA_REGION[3])
    if minx >= maxx or miny >= maxy:
        return None
    box = shapely.segmentize(
        shapely.box(minx, miny, maxx, maxy), max(maxx - minx, maxy - miny) / 16
    )
    if srid != 4326:
        box = shapely.transform(
            box,
            lambda xy: np.column_stack(transformer(4326, srid).transform(xy[:, 0], xy[:, 1])),
        )
    return Polygon(list(box.exterior.coords), srid=srid)


# What goes out.


@dataclass(frozen=True)
class Export:
    """One download: a layer, a format, a CRS and an optional CRS84 box."""

    layer: Layer
    format: str
    srid: int
    bbox: tuple[float, ...] | None = None

    @property
    def fmt(self) -> ExportFormat:
        return FORMATS[self.format]

    @property
    def fields(self) -> tuple[LayerField, ...]:
        return self.layer.fields()

    @property
    def id_column(self) -> str:
        """The column of the feature id: `id`, unless the layer has a property of that name.

        In KML it is `feature_id`: readers (GDAL's LIBKML, so QGIS) give the name `id` to the
        Placemark's own identifier.
        """
        names = {f.name for f in self.fields}
        if self.format == "kml":
            return "feature_id" if "feature_id" not in names else "export_feature_id"
        return "id" if "id" not in names else "export_id"

    def queryset(self) -> QuerySet:
        qs = self.layer.get_queryset()
        if self.bbox is not None:
            polygon = bbox_polygon(self.bbox, self.layer.srid)
            if polygon is None:
                return qs.none()
            qs = qs.filter(**{f"{self.layer.geometry_field}__intersects": polygon})
        return qs

    def count(self) -> int:
        return self.queryset().count()

    def filename(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        crs = "" if self.srid == 4326 else f"-epsg{self.srid}"
        return f"{self.layer.name}-{today.isoformat()}{crs}.{self.format}"

    def geometry(self):
        geom = F(self.layer.geometry_field)
        if self.srid != self.layer.srid:
            geom = Transform(geom, self.srid)
        return geom

    def rows(self, geometry_expression) -> Iterator[tuple]:
        """(id, geometry, *properties) in id order, read in chunks from a server-side cursor."""
        qs = (
            self.queryset()
            .annotate(export_geometry=geometry_expression)
            .order_by("pk")
            .values_list("pk", "export_geometry", *(f.name for f in self.fields))
        )
        return qs.iterator(chunk_size=CHUNK_SIZE)


class AsText(Func):
    """ST_AsText with a number of decimal digits, which GeoDjango's AsWKT does not pass."""

    function = "ST_AsText"
    output_field = TextField()

    def __init__(self, expression, digits: int):
        super().__init__(expression, Value(digits))


def decimal_digits(srid: int) -> int:
    """Digits kept in text formats: about a centimetre in degrees, a millimetre in metres."""
    return 7 if srid == 4326 else 3


# Values.


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _integer(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        number = _number(value)
        return int(number) if number is not None and number.is_integer() else None


def _boolean(value) -> bool | None:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "t", "yes", "1"}:
            return True
        if lowered in {"false", "f", "no", "0"}:
            return False
        return None
    return bool(value)


def _iso(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _flag(value) -> int | None:
    """A boolean as dBASE keeps it here: 1 or 0 in a number field, not T or F."""
    flag = _boolean(value)
    return None if flag is None else int(flag)


def json_value(value, kind: str):
    """A property as JSON wants it: numbers as numbers, dates as ISO 8601 text."""
    if value is None:
        return None
    if kind == "integer":
        return _integer(value)
    if kind == "number":
        return _number(value)
    if kind == "boolean":
        return _boolean(value)
    if kind in ("date", "date-time"):
        return _iso(value)
    if isinstance(value, Decimal):
        return str(value)
    return value if isinstance(value, str | int | float | bool) else str(value)


# Spreadsheets run text that starts with these as a formula (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value, kind: str) -> str:
    value = json_value(value, kind)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if kind == "string" and text.startswith(_FORMULA_START):
        return "'" + text
    return text


# Streamed formats.


def _counting(rows: Iterator[tuple], counted: list[int] | None) -> Iterator[tuple]:
    for row in rows:
        if counted is not None:
            counted[0] += 1
        yield row


def _crs_member(srid: int) -> str:
    # RFC 7946 GeoJSON is CRS84; another CRS is named the GeoJSON 2008 way, which GDAL and
    # QGIS read.
    if srid == 4326:
        return ""
    name = f"urn:ogc:def:crs:EPSG::{srid}"
    return f'"crs":{{"type":"name","properties":{{"name":"{name}"}}}},'


def stream_geojson(export: Export, *, counted: list[int] | None = None) -> Iterator[bytes]:
    """A FeatureCollection, written feature by feature as rows arrive."""
    fields = export.fields
    geometry = AsGeoJSON(export.geometry(), precision=decimal_digits(export.srid))
    yield (
        '{"type":"FeatureCollection","name":'
        + json.dumps(export.layer.name)
        + ","
        + _crs_member(export.srid)
        + '"features":[\n'
    ).encode()
    batch: list[str] = []
    first = True
    for pk, geom, *values in _counting(export.rows(geometry), counted):
        properties = {f.name: json_value(v, f.type) for f, v in zip(fields, values, strict=True)}
        feature = (
            '{"type":"Feature","id":'
            + json.dumps(pk if isinstance(pk, int) else str(pk))
            + ',"geometry":'
            + (geom or "null")
            + ',"properties":'
            + json.dumps(properties, ensure_ascii=False)
            + "}"
        )
        batch.append(feature if first else ",\n" + feature)
        first = False
        if len(batch) >= 500:
            yield "".join(batch).encode()
            batch = []
    batch.append("\n]}\n")
    yield "".join(batch).encode()


def stream_csv(export: Export, *, counted: list[int] | None = None) -> Iterator[bytes]:
    """WKT first, then the id and the properties; UTF-8 with a byte-order mark.

    The mark is what makes Excel read UTF-8 (without it Georgian text turns into mojibake);
    GDAL, and so QGIS, skip it and find the geometry in the column named WKT.
    """
    fields = export.fields
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["WKT", export.id_column, *(f.name for f in fields)])
    yield ("\ufeff" + buffer.getvalue()).encode()
    buffer.seek(0)
    buffer.truncate()
    geometry = AsText(export.geometry(), decimal_digits(export.srid))
    for n, (pk, wkt, *values) in enumerate(_counting(export.rows(geometry), counted), start=1):
        writer.writerow(
            [wkt or "", pk, *(csv_value(v, f.type) for f, v in zip(fields, values, strict=True))]
        )
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# Formats written by GDAL.

_OGR_GEOMETRY_TYPES = {
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
}


def shapefile_names(names: Iterable[str]) -> list[str]:
    """Field names cut to the ten bytes a dBASE header holds, kept unique (`name_1`, ...)."""
    result: list[str] = []
    taken: set[str] = set()
    for name in names:
        short = _cut(name, 10)
        n = 1
        while short.lower() in taken:
            suffix = f"_{n}"
            short = _cut(name, 10 - len(suffix)) + suffix
            n += 1
        taken.add(short.lower())
        result.append(short)
    return result


def _cut(name: str, size: int) -> str:
    return name.encode()[:size].decode(errors="ignore")


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # a LayerField type, or "label"


def _label_property(export: Export, language: str) -> str | None:
    """The property that names a feature in KML: its name in the language, a code, a title."""
    strings = [f.name for f in export.fields if f.type == "string"]
    for candidate in (
        f"name_{language}",
        "name",
        "name_en",
        "name_ka",
        f"title_{language}",
        "title",
        "cadastral_code",
        "code",
    ):
        if candidate in strings:
            return candidate
    return strings[0] if strings else None


def _arrays(
    columns: list[_Column],
    rows: list[tuple],
    datetimes_as_text: bool,
    booleans_as_integers: bool = False,
):
    """pyogrio's field arrays and null masks for one chunk of rows."""
    data, masks, tz_offsets = [], [], {}
    for i, column in enumerate(columns):
        values = [row[i] for row in rows]
        kind = column.kind
        if kind == "integer":
            converted = [_integer(v) for v in values]
            mask = np.array([v is None for v in converted], dtype=bool)
            array = np.array([v or 0 for v in converted], dtype=np.int64)
        elif kind == "number":
            converted = [_number(v) for v in values]
            mask = np.array([v is None for v in converted], dtype=bool)
            array = np.array([np.nan if v is None else v for v in converted], dtype=np.float64)
        elif kind == "boolean" and booleans_as_integers:
            converted = [None if v is None else _flag(v) for v in values]
            mask = np.array([v is None for v in converted], dtype=bool)
            array = np.array([v or 0 for v in converted], dtype=np.int32)
        elif kind == "boolean":
            converted = [None if v is None else _boolean(v) for v in values]
            mask = np.array([v is None for v in converted], dtype=bool)
            array = np.array([bool(v) for v in converted], dtype=bool)
        elif kind == "date":
            converted = [_date(v) for v in values]
            mask = np.array([v is None for v in converted], dtype=bool)
            array = np.array(
                [np.datetime64(v or "1970-01-01", "D") for v in converted], dtype="datetime64[D]"
            )
        elif kind == "date-time" and not datetimes_as_text:
            converted = [_utc(v) for v in values]
            mask = np.array([v is None for v in converted], dtype=bool)
            array = np.array(
                [np.datetime64(v or datetime.datetime(1970, 1, 1), "ms") for v in converted],
                dtype="datetime64[ms]",
            )
            # GDAL's time-zone flag 100 is UTC.
            tz_offsets[column.name] = np.full(len(values), 100, dtype=np.int32)
        else:
            converted = [None if v is None else str(json_value(v, kind)) for v in values]
            mask = np.array([v is None for v in converted], dtype=bool)
            array = np.array(converted, dtype=object)
        data.append(array)
        masks.append(mask if mask.any() else None)
    return data, masks, tz_offsets


def _date(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _utc(value) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        try:
            value = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if timezone.is_aware(value):
        value = value.astimezone(datetime.UTC)
    return value.replace(tzinfo=None)


def write_ogr(export: Export, directory: Path, *, language: str = "en") -> tuple[Path, int]:
    """Write a GDAL format into `directory`: the file (a zip for Shapefile) and its count."""
    import pyogrio.raw

    layer = export.layer
    columns = [
        _Column(export.id_column, "integer"),
        *(_Column(f.name, f.type) for f in export.fields),
    ]
    names = [c.name for c in columns]
    dataset_options: dict[str, str] = {}
    layer_options: dict[str, str] = {}
    label = None
    if export.format == "gpkg":
        path = directory / f"{layer.name}.gpkg"
        # GeoPackage 1.2: GDAL before 3.7 (so QGIS 3.22 to 3.28) warns about later versions.
        dataset_options["VERSION"] = "1.2"
        layer_options["IDENTIFIER"] = layer.title
        if layer.description:
            layer_options["DESCRIPTION"] = layer.description
    elif export.format == "shp.zip":
        path = directory / f"{layer.name}.shp"
        names = shapefile_names(names)
    else:
        path = directory / f"{layer.name}.kml"
        # GDAL's KML driver names each Placemark from the field `Name`: a label, else the id.
        label = _label_property(export, language)
        names = ["Name", *names]
    label_at = [c.name for c in columns].index(label) if label else 0
    geometry_type = layer.geometry_type if layer.geometry_type in _OGR_GEOMETRY_TYPES else "Unknown"
    # dBASE and KML have no date-time type: such values go out as ISO 8601 text.
    datetimes_as_text = export.format != "gpkg"
    # dBASE's logical type is read back as T and F, or as text; 1 and 0 are read as numbers.
    booleans_as_integers = export.format == "shp.zip"

    def write(rows: list[tuple], append: bool) -> None:
        geometries = np.array([None if r[1] is None else bytes(r[1]) for r in rows], dtype=object)
        values = [(r[0], *r[2:]) for r in rows]
        data, masks, tz_offsets = _arrays(columns, values, datetimes_as_text, booleans_as_integers)
        if export.format == "kml":
            labels = [
                str(v[label_at]) if v[label_at] not in (None, "") else str(v[0]) for v in values
            ]
            data, masks = [np.array(labels, dtype=object), *data], [None, *masks]
        pyogrio.raw.write(
            str(path),
            geometry=geometries,
            field_data=data,
            fields=names,
            field_mask=masks,
            # KML names its folder and schema after the layer: an XML name, so no '-'.
            layer=path.stem.replace("-", "_") if export.format == "kml" else path.stem,
            driver=export.fmt.driver,
            geometry_type=geometry_type,
            crs=f"EPSG:{export.srid}",
            encoding="UTF-8" if export.format == "shp.zip" else None,
            append=append,
            dataset_options=None if append else dataset_options,
            layer_options=None if append else layer_options,
            gdal_tz_offsets=tz_offsets or None,
        )

    # GDAL's KML driver cannot append, so KML is written in one call (its features are held
    # in memory); the other formats are appended to chunk by chunk.
    appendable = export.format != "kml"
    written = 0
    chunk: list[tuple] = []
    for row in export.rows(AsWKB(export.geometry())):
        chunk.append(row)
        if appendable and len(chunk) >= CHUNK_SIZE:
            write(chunk, append=written > 0)
            written += len(chunk)
            chunk = []
    if chunk or written == 0:
        write(chunk, append=written > 0)
        written += len(chunk)
    if export.format == "shp.zip":
        # The code page, whether or not this GDAL wrote it: readers that find none take the
        # names and values as Latin-1.
        path.with_suffix(".cpg").write_text("UTF-8")
        table = path.with_name(f"{layer.name}.fields.csv")
        table.write_bytes(b"".join(shapefile_field_table(columns, names, export.fields)))
        return _zip(path, (".shp", ".shx", ".dbf", ".prj", ".cpg"), table), written
    return path, written


def shapefile_field_table(
    columns: list[_Column], short_names: list[str], fields: tuple[LayerField, ...]
) -> Iterator[bytes]:
    """`<layer>.fields.csv`: each column's full name, its name in the .dbf, type and title.

    UTF-8 with a byte-order mark, like the CSV download.
    """
    titles = {f.name: f.title for f in fields}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["name", "shapefile_name", "type", "title"])
    for column, short in zip(columns, short_names, strict=True):
        writer.writerow([column.name, short, column.kind, titles.get(column.name, "")])
    yield ("\ufeff" + buffer.getvalue()).encode()


def _zip(first: Path, suffixes: Iterable[str], *extra: Path) -> Path:
    """Zip the parts of a file named like `first`, then `extra`, into `<first>.zip`."""
    archive = first.with_name(first.name + ".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for suffix in suffixes:
            part = first.with_suffix(suffix)
            if part.exists():
                zf.write(part, arcname=part.name)
        for part in extra:
            zf.write(part, arcname=part.name)
    return archive


# GDAL's CSVT: the type of each column, in order (https://gdal.org/drivers/vector/csv.html).
_CSVT_TYPES = {
    "string": "String",
    "integer": "Integer64",
    "number": "Real",
    "boolean": "Integer(Boolean)",
    "date": "Date",
    "date-time": "DateTime",
}


def csvt_line(export: Export) -> str:
    """The .csvt of the CSV download: WKT, the id, then each property's type."""
    types = ["WKT", "Integer64", *(_CSVT_TYPES.get(f.type, "String") for f in export.fields)]
    return ",".join(f'"{t}"' for t in types) + "\r\n"


def write_csv_zip(export: Export, directory: Path) -> tuple[Path, int]:
    """The CSV download with its .csvt and .prj, zipped: what GDAL (so QGIS) reads typed and
    placed, through /vsizip/ or once unzipped."""
    counted = [0]
    path = directory / f"{export.layer.name}.csv"
    with path.open("wb") as out:
        for chunk in stream_csv(export, counted=counted):
            out.write(chunk)
    path.with_suffix(".csvt").write_text(csvt_line(export))
    path.with_suffix(".prj").write_text(SpatialReference(export.srid).wkt)
    return _zip(path, (".csv", ".csvt", ".prj")), counted[0]


def write_export(export: Export, directory: Path, *, language: str = "en") -> tuple[Path, int]:
    """Write any format into `directory`: the file's path and how many features it holds."""
    if export.format == "csv.zip":
        return write_csv_zip(export, directory)
    if export.format not in STREAMED_FORMATS:
        return write_ogr(export, directory, language=language)
    counted = [0]
    stream = stream_geojson if export.format == "geojson" else stream_csv
    path = directory / f"{export.layer.name}.{export.format}"
    with path.open("wb") as out:
        for chunk in stream(export, counted=counted):
            out.write(chunk)
    return path, counted[0]
