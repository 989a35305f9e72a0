"""Safe reading of an uploaded file: what GDAL may open, and how, before anything is stored.

The upload is saved under a generated name in a private temporary directory, so no name that a
person chose ever reaches GDAL or becomes a /vsi path. Opening it (signatures, zips and their
limits, layers, GDAL with its network closed) is `core.gisfiles`, which the parcel import
shares; this module adds what only uploads need: the upload's own size limit, GeoJSON that
links elsewhere, CSV (read by Python's csv module, not by GDAL), and refusals that name the
form field or API parameter at fault.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pyogrio.raw
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError

from core import gisfiles
from core.gisfiles import MB, GisFileError, crs_label, max_upload_bytes

# What each extension must be. Everything else, .vrt first of all, is refused by name.
EXTENSIONS = {
    ".gpkg": "GPKG",
    ".zip": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".csv": "CSV",
}
_CURVED = ("Circular", "Compound", "Curve", "Surface")
LON_NAMES = ("lon", "lng", "long", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "wkt_geom")


class UploadRefused(Exception):
    """The file is refused as a whole; nothing was stored. The message is for people.

    `parameter` names the form field or API parameter at fault; `choices` lists what the
    person may choose from when the refusal asks for a choice (layers, columns, CRS).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        parameter: str = "file",
        choices: list[str] | None = None,
        report: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.parameter = parameter
        self.choices = choices or []
        self.report = report

    def as_dict(self) -> dict:
        data = {"detail": self.message, "parameter": self.parameter, "code": self.code}
        if self.choices:
            data["choices"] = self.choices
        if self.report is not None:
            data["report"] = self.report
        return data


@dataclass
class SourceInfo:
    """What is known of a file before its rows are read: its layer, CRS and attribute columns."""

    name: str  # the file as the person named it, for messages only
    driver: str
    layer: str
    layers: list[str]
    crs: CRS | None
    crs_source: str  # "file", "chosen", "assumed" or "missing"
    fields: list[str] = field(default_factory=list)
    column_types: dict[str, str] = field(default_factory=dict)  # hints from the format
    notes: list[str] = field(default_factory=list)


@dataclass
class Batch:
    """Consecutive rows of the file, from row `start` (0-based)."""

    start: int
    geometries: np.ndarray  # shapely geometries (None where missing, unreadable or not read)
    columns: dict[str, list]
    unreadable: dict[int, str] = field(default_factory=dict)  # row index in the file -> reason

    def __len__(self) -> int:
        return len(self.geometries)


def check_upload(fileobj, original_name: str) -> str:
    """The quick checks of an upload, made in the request: the kind of file by its name, and
    its size. Returns the driver; the contents are read later, by the ingest job."""
    name = PurePosixPath(original_name or "").name
    suffix = PurePosixPath(name.lower()).suffix
    if suffix == ".vrt":
        raise UploadRefused(
            _("%(name)s is a GDAL virtual format (VRT), which may read other files; it is refused.")
            % {"name": name},
            code="driver_not_allowed",
        )
    driver = EXTENSIONS.get(suffix)
    if driver is None:
        raise UploadRefused(
            _(
                "%(name)s: upload a GeoPackage (.gpkg), a zipped Shapefile (.zip), GeoJSON "
                "(.geojson, .json) or CSV (.csv)."
            )
            % {"name": name or "?"},
            code="format",
        )
    size = getattr(fileobj, "size", None)
    biggest = max_upload_bytes()
    if size is not None and size > biggest:
        raise UploadRefused(
            _("%(name)s is %(size)s bytes; at most %(max)s bytes may be uploaded.")
            % {"name": name, "size": size, "max": biggest},
            code="too_large",
        )
    return driver


@contextmanager
def staged_upload(fileobj, original_name: str) -> Iterator[tuple[Path, str]]:
    """Save the upload under a generated name in a private directory; yield it and its driver.

    The size limit is checked before a byte is written; the directory is removed afterwards
    whatever happens, so a refused file leaves nothing behind.
    """
    name = PurePosixPath(original_name or "").name
    suffix = PurePosixPath(name.lower()).suffix
    driver = check_upload(fileobj, original_name)
    biggest = max_upload_bytes()
    with gisfiles.private_directory("dataset-upload-") as tmp:
        path = tmp / f"{gisfiles.STAGED_STEM}{suffix}"
        written = 0
        with path.open("wb") as out:
            chunks = (
                fileobj.chunks()
                if hasattr(fileobj, "chunks")
                else iter(lambda: fileobj.read(MB), b"")
            )
            for chunk in chunks:
                written += len(chunk)
                if written > biggest:
                    raise UploadRefused(
                        _("%(name)s is larger than %(max)s bytes, the most that may be uploaded.")
                        % {"name": name, "max": biggest},
                        code="too_large",
                    )
                out.write(chunk)
        yield path, driver


def _refuse(message: str, code: str = "hostile") -> None:
    raise UploadRefused(message, code=code)


@contextmanager
def _as_refusal() -> Iterator[None]:
    """A refusal of core.gisfiles as an upload's refusal, with its code, parameter and choices."""
    try:
        yield
    except GisFileError as exc:
        raise UploadRefused(
            exc.message, code=exc.code, parameter=exc.parameter, choices=exc.choices
        ) from None


_FEATURE_TYPE = re.compile(rb'"type"\s*:\s*"Feature(Collection)?"')
# A CRS named by a link (GeoJSON 2008), its "type" before or after one nested object.
_LINKED_CRS = re.compile(rb'"crs"\s*:\s*\{(?:[^{}]|\{[^{}]*\})*?"type"\s*:\s*"link"')
_VSI = re.compile(rb"/vsi")
_OVERLAP = 4096


def _first_match(path: Path, patterns: list[re.Pattern]) -> re.Pattern | None:
    """The first of the patterns found in the file, read a megabyte at a time: a large file is
    never held whole (matches across two reads are found through an overlap)."""
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(MB):
            window = tail + chunk
            for pattern in patterns:
                if pattern.search(window):
                    return pattern
            tail = window[-_OVERLAP:]
    return None


def _check_geojson_references(path: Path, name: str) -> None:
    """Refuse GeoJSON that points elsewhere: a linked CRS (GDAL would fetch it) or /vsi paths."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if not _FEATURE_TYPE.search(head):
        _refuse(
            _("%(name)s is not a GeoJSON FeatureCollection or Feature.") % {"name": name}, "format"
        )
    found = _first_match(path, [_LINKED_CRS, _VSI])
    if found is _LINKED_CRS:
        _refuse(
            _("%(name)s names its coordinate system by a link; name it instead (e.g. EPSG:4326).")
            % {"name": name},
            "remote_reference",
        )
    if found is _VSI:
        _refuse(_("%(name)s refers to GDAL virtual files (/vsi); it is refused.") % {"name": name})


def resolve_crs(declared: str | None, srid: int | None, name: str) -> tuple[CRS | None, str]:
    """The CRS of the file, or the one the officer chose for a file that has none."""
    if declared:
        try:
            crs = CRS.from_user_input(declared)
        except CRSError as exc:
            raise UploadRefused(
                _("%(name)s declares a coordinate system PROJ does not understand: %(error)s")
                % {"name": name, "error": exc},
                code="crs",
                parameter="srid",
            ) from None
        if srid is not None and crs.to_epsg() != srid:
            raise UploadRefused(
                _(
                    "%(name)s declares %(crs)s; a coordinate system is chosen only for a file "
                    "that has none. If the file's own is wrong, correct the file."
                )
                % {"name": name, "crs": crs_label(crs)},
                code="crs_conflict",
                parameter="srid",
            )
        return crs, "file"
    if srid is None:
        return None, "missing"
    return epsg_crs(srid), "chosen"


def epsg_crs(srid: int) -> CRS:
    if srid not in settings.SRID_ALLOWED:
        allowed = ", ".join(str(s) for s in settings.SRID_ALLOWED)
        raise UploadRefused(
            _("EPSG:%(srid)s is not offered; choose one of %(allowed)s.")
            % {"srid": srid, "allowed": allowed},
            code="crs",
            parameter="srid",
            choices=[f"EPSG:{s}" for s in settings.SRID_ALLOWED],
        )
    return CRS.from_epsg(srid)


class Source:
    """An opened file: its `info`, and its rows in batches, read again on each call."""

    info: SourceInfo

    def batches(self, size: int, *, geometry: bool = True) -> Iterator[Batch]:
        raise NotImplementedError


def _geometries(blobs: list, start: int) -> tuple[np.ndarray, dict[int, str]]:
    """Shapely geometries of WKB blobs; a blob that cannot be read is None, with the reason."""
    wkb = np.array(blobs, dtype=object)
    geoms = np.asarray(shapely.from_wkb(wkb, on_invalid="ignore"), dtype=object).reshape(-1)
    unreadable: dict[int, str] = {}
    for i in np.flatnonzero(shapely.is_missing(geoms) & np.array([b is not None for b in blobs])):
        try:
            shapely.from_wkb(blobs[i])
        except shapely.errors.GEOSException as exc:
            unreadable[start + int(i)] = _("The geometry cannot be read: %(error)s.") % {
                "error": exc
            }
    return geoms, unreadable


class GdalSource(Source):
    """A GeoPackage, a zipped Shapefile or GeoJSON, read by GDAL as Arrow record batches."""

    def __init__(self, path: Path, info: SourceInfo):
        self.path = path
        self.info = info

    def batches(self, size: int, *, geometry: bool = True) -> Iterator[Batch]:
        info = self.info
        start = 0
        # GDAL's network stays closed for the whole read; the worker reads one file at a time.
        with gisfiles.gdal_offline(), _as_gdal_refusal(info.name):
            with pyogrio.raw.open_arrow(
                self.path,
                layer=gisfiles.gdal_layer(info.driver, info.layer),
                batch_size=size,
                read_geometry=geometry,
                use_pyarrow=True,
            ) as (_meta, reader):
                fields = set(info.fields)
                for record in reader:
                    n = record.num_rows
                    names = record.schema.names
                    columns = {f: record.column(f).to_pylist() for f in info.fields if f in names}
                    # The geometry's column is the one that is not a field; GDAL names it.
                    others = [name for name in names if name not in fields]
                    if geometry and others:
                        geoms, unreadable = _geometries(
                            record.column(others[-1]).to_pylist(), start
                        )
                    else:
                        geoms, unreadable = np.full(n, None, dtype=object), {}
                    yield Batch(
                        start=start, geometries=geoms, columns=columns, unreadable=unreadable
                    )
                    start += n


@contextmanager
def _as_gdal_refusal(name: str) -> Iterator[None]:
    try:
        yield
    except gisfiles.READ_ERRORS as exc:
        raise UploadRefused(
            _("%(name)s cannot be read: %(error)s") % {"name": name, "error": exc}, code="read"
        ) from None


def open_gdal(
    path: Path, driver: str, name: str, *, layer: str | None, srid: int | None
) -> GdalSource:
    """Check a GeoPackage, a zipped Shapefile or GeoJSON and open one layer of it."""
    layers: list[str]
    with _as_refusal():
        if driver == "ESRI Shapefile":
            into = path.parent / "unpacked"
            into.mkdir(mode=0o700)
            path, layer, layers = gisfiles.unpack_shapefile(path, name, layer, into)
        gisfiles.check_signature(path, driver, name)
    if driver == "GeoJSON":
        _check_geojson_references(path, name)
    with _as_refusal():
        if driver != "ESRI Shapefile":
            layers = gisfiles.layers_of(path, driver, name)
            # A GeoJSON file is one layer, whatever a form still names.
            layer = gisfiles.choose_layer(layers, layer, name) if driver == "GPKG" else layers[0]
        meta = gisfiles.read_info(path, driver=driver, layer=layer, name=name)
    crs, crs_source = resolve_crs(meta.get("crs"), srid, name)
    notes = []
    geometry_type = str(meta.get("geometry_type") or "")
    if any(word in geometry_type for word in _CURVED):
        notes.append(
            _("The layer holds curved geometries (%(type)s); they were linearised.")
            % {"type": geometry_type}
        )
    fields = [str(f) for f in meta["fields"]]
    hints = {}
    for fname, ogr_type, subtype in zip(
        fields, meta.get("ogr_types", []), meta.get("ogr_subtypes", []), strict=False
    ):
        if subtype == "OFSTBoolean":
            hints[fname] = "boolean"
        elif ogr_type in ("OFTInteger", "OFTInteger64"):
            hints[fname] = "integer"
        elif ogr_type == "OFTReal":
            hints[fname] = "number"
        elif ogr_type == "OFTDate":
            hints[fname] = "date"
        elif ogr_type in ("OFTBinary",):
            hints[fname] = "binary"
    info = SourceInfo(
        name=name,
        driver=driver,
        layer=str(layer),
        layers=layers,
        crs=crs,
        crs_source=crs_source,
        fields=fields,
        column_types=hints,
        notes=notes,
    )
    return GdalSource(path, info)


def _find(header: list[str], wanted: str | None, candidates: tuple[str, ...], what: str):
    folded = {h.strip().lower(): h for h in header}
    if wanted:
        if wanted not in header and wanted.lower() not in folded:
            raise UploadRefused(
                _("The CSV has no column %(column)s.") % {"column": wanted},
                code="unknown_column",
                parameter=what,
                choices=header,
            )
        return folded.get(wanted.lower(), wanted)
    return next((folded[c] for c in candidates if c in folded), None)


def _looks_like_reference(value: str) -> bool:
    text = value.strip().lower()
    return text.startswith(("http://", "https://", "ftp://", "file:", "/vsi", "\\\\")) or (
        "/vsi" in text
    )


class CsvSource(Source):
    """CSV with longitude/latitude columns or a WKT column, read by Python a batch at a time."""

    def __init__(self, path: Path, info: SourceInfo, dialect, *, wkt, lon, lat, index):
        self.path = path
        self.info = info
        self.dialect = dialect
        self.wkt, self.lon, self.lat = wkt, lon, lat
        self.index = index

    def _rows(self) -> Iterator[list[str]]:
        name = self.info.name
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh, self.dialect)
                next(reader, None)  # the header
                yield from reader
        except UnicodeDecodeError:
            _refuse(_("%(name)s is not UTF-8 text; save it as UTF-8.") % {"name": name}, "encoding")
        except csv.Error as exc:
            _refuse(_("%(name)s cannot be read: %(error)s") % {"name": name, "error": exc}, "read")

    def _geometry(self, r: int, row: list[str], unreadable: dict[int, str], parse: bool):
        index, name = self.index, self.info.name
        if self.wkt and _looks_like_reference(row[index[self.wkt]]):
            _refuse(
                _(
                    "Row %(row)d of %(name)s gives a link or path instead of a geometry; "
                    "geometries must be in the file itself. The file is refused."
                )
                % {"row": r + 1, "name": name},
                "remote_reference",
            )
        if any(c.strip().startswith("/vsi") for c in row):
            _refuse(
                _("%(name)s refers to GDAL virtual files (/vsi); it is refused.") % {"name": name}
            )
        if self.wkt:
            value = row[index[self.wkt]].strip()
            if not value or not parse:
                return None
            try:
                return shapely.from_wkt(value)
            except shapely.errors.GEOSException as exc:
                unreadable[r] = _("The WKT cannot be read: %(error)s.") % {"error": exc}
                return None
        x, y = row[index[self.lon]].strip(), row[index[self.lat]].strip()
        if not x and not y or not parse:
            return None
        try:
            return shapely.Point(float(x.replace(",", ".")), float(y.replace(",", ".")))
        except ValueError:
            unreadable[r] = _("The coordinates %(x)r, %(y)r are not numbers.") % {"x": x, "y": y}
            return None

    def batches(self, size: int, *, geometry: bool = True) -> Iterator[Batch]:
        width = len(self.index)
        rows: list[list[str]] = []
        start = 0
        for row in self._rows():
            rows.append(row + [""] * (width - len(row)))
            if len(rows) >= size:
                yield self._batch(start, rows, geometry)
                start += len(rows)
                rows = []
        if rows:
            yield self._batch(start, rows, geometry)

    def _batch(self, start: int, rows: list[list[str]], geometry: bool) -> Batch:
        unreadable: dict[int, str] = {}
        geoms = np.full(len(rows), None, dtype=object)
        for j, row in enumerate(rows):
            geoms[j] = self._geometry(start + j, row, unreadable, geometry)
        columns = {h: [row[self.index[h]] for row in rows] for h in self.info.fields}
        return Batch(start=start, geometries=geoms, columns=columns, unreadable=unreadable)


def open_csv(
    path: Path,
    name: str,
    *,
    srid: int | None,
    lon_column: str | None,
    lat_column: str | None,
    wkt_column: str | None,
) -> CsvSource:
    """Check a CSV file's start and header, and find its geometry columns."""
    with path.open("rb") as fh:
        raw = fh.read(64 * 1024)
    if b"\x00" in raw:
        _refuse(_("%(name)s is not a text file.") % {"name": name}, "format")
    # The sample may end inside a character; only what comes before it is looked at here.
    sample = codecs.getincrementaldecoder("utf-8-sig")(errors="ignore").decode(raw)
    if raw and not sample:
        _refuse(_("%(name)s is not UTF-8 text; save it as UTF-8.") % {"name": name}, "encoding")
    if sample.lstrip().startswith("<"):
        _refuse(
            _("%(name)s is XML (a VRT?), not CSV; it is refused.") % {"name": name},
            "driver_not_allowed",
        )
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            first = next(csv.reader(fh, dialect), None)
    except UnicodeDecodeError:
        _refuse(_("%(name)s is not UTF-8 text; save it as UTF-8.") % {"name": name}, "encoding")
    if first is None:
        _refuse(_("%(name)s is empty.") % {"name": name}, "empty")
    header = [h.strip() for h in first]
    wkt = _find(header, wkt_column, WKT_NAMES, "wkt_column")
    lon = lat = None
    if wkt is None or lon_column or lat_column:
        lon = _find(header, lon_column, LON_NAMES, "lon_column")
        lat = _find(header, lat_column, LAT_NAMES, "lat_column")
        if lon and lat:
            wkt = None
    if wkt is None and not (lon and lat):
        raise UploadRefused(
            _(
                "Choose the CSV's geometry columns: longitude and latitude (or x and y), or "
                "one column of WKT."
            ),
            code="choose_columns",
            parameter="lon_column",
            choices=header,
        )
    used = [c for c in (wkt, lon, lat) if c]
    index = {h: i for i, h in enumerate(header)}
    notes = []
    crs_source = "chosen"
    if srid is None:
        lonlat_names = {*LON_NAMES[:4], *LAT_NAMES[:2]}
        if lon and lat and lon.lower() in lonlat_names and lat.lower() in lonlat_names:
            srid, crs_source = 4326, "assumed"
            notes.append(
                _(
                    "The columns %(lon)s and %(lat)s were read as longitude and latitude (EPSG:4326)."
                )
                % {"lon": lon, "lat": lat}
            )
    crs = epsg_crs(srid) if srid is not None else None
    info = SourceInfo(
        name=name,
        driver="CSV",
        layer=PurePosixPath(name).stem,
        layers=[PurePosixPath(name).stem],
        crs=crs,
        crs_source=crs_source if crs is not None else "missing",
        fields=[h for h in index if h not in used and h],
        column_types={},
        notes=notes,
    )
    return CsvSource(path, info, dialect, wkt=wkt, lon=lon, lat=lat, index=index)


def inspect_layers(fileobj, original_name: str) -> list[str]:
    """The layers a person may choose among (GeoPackage tables, Shapefiles in a zip)."""
    with staged_upload(fileobj, original_name) as (path, driver), _as_refusal():
        name = PurePosixPath(original_name).name
        if driver == "GPKG":
            gisfiles.check_signature(path, driver, name)
            return gisfiles.gpkg_feature_tables(path, name)
        if driver == "ESRI Shapefile":
            into = path.parent / "unpacked"
            into.mkdir(mode=0o700)
            try:
                gisfiles.unpack_shapefile(path, name, None, into)
            except GisFileError as exc:
                if exc.code == "choose_layer":
                    return exc.choices
                raise
            return []
        return []


@contextmanager
def opened_upload(
    fileobj,
    original_name: str,
    *,
    layer: str | None = None,
    srid: int | None = None,
    lon_column: str | None = None,
    lat_column: str | None = None,
    wkt_column: str | None = None,
) -> Iterator[Source]:
    """Stage and check an uploaded file and open it; the temporary copy is gone afterwards."""
    name = PurePosixPath(original_name or "").name
    with staged_upload(fileobj, original_name) as (path, driver):
        if driver == "CSV":
            yield open_csv(
                path,
                name,
                srid=srid,
                lon_column=lon_column,
                lat_column=lat_column,
                wkt_column=wkt_column,
            )
        else:
            yield open_gdal(path, driver, name, layer=layer, srid=srid)
