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
import io
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
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
class SourceData:
    """What was read from the file: one layer's geometries and attribute columns."""

    name: str  # the file as the person named it, for messages only
    driver: str
    layer: str
    layers: list[str]
    crs: CRS | None
    crs_source: str  # "file", "chosen" or "assumed"
    geometries: np.ndarray  # shapely geometries (None where missing or unreadable)
    unreadable: dict[int, str] = field(default_factory=dict)  # row index -> reason
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    column_types: dict[str, str] = field(default_factory=dict)  # hints from the format
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.geometries)


@contextmanager
def staged_upload(fileobj, original_name: str) -> Iterator[tuple[Path, str]]:
    """Save the upload under a generated name in a private directory; yield it and its driver.

    The size limit is checked before a byte is written; the directory is removed afterwards
    whatever happens, so a refused file leaves nothing behind.
    """
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


def _check_geojson_references(path: Path, name: str) -> None:
    """Refuse GeoJSON that points elsewhere: a linked CRS (GDAL would fetch it) or /vsi paths."""
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        _refuse(_("%(name)s is not valid JSON: %(error)s") % {"name": name, "error": exc}, "format")
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        _refuse(
            _("%(name)s is not a GeoJSON FeatureCollection or Feature.") % {"name": name}, "format"
        )
    crs = data.get("crs")
    if isinstance(crs, dict) and str(crs.get("type", "")).lower() == "link":
        _refuse(
            _("%(name)s names its coordinate system by a link; name it instead (e.g. EPSG:4326).")
            % {"name": name},
            "remote_reference",
        )
    if b"/vsi" in path.read_bytes():
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


def read_with_gdal(
    path: Path, driver: str, name: str, *, layer: str | None, srid: int | None
) -> SourceData:
    """Open a GeoPackage, a zipped Shapefile or GeoJSON and read one layer."""
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
        gisfiles.read_info(path, driver=driver, layer=layer, name=name)
        meta, _fids, wkb, values = gisfiles.read_layer(
            path, driver=driver, layer=layer, name=name, return_fids=True
        )
    crs, crs_source = resolve_crs(meta.get("crs"), srid, name)
    n = len(values[0]) if values else (0 if wkb is None else len(wkb))
    wkb = wkb if wkb is not None else np.full(n, None, dtype=object)
    geoms = np.full(len(wkb), None, dtype=object)
    unreadable: dict[int, str] = {}
    for i, blob in enumerate(wkb):
        if blob is None:
            continue
        try:
            geoms[i] = shapely.from_wkb(blob)
        except shapely.errors.GEOSException as exc:
            unreadable[i] = _("The geometry cannot be read: %(error)s.") % {"error": exc}
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
    return SourceData(
        name=name,
        driver=driver,
        layer=str(layer),
        layers=layers,
        crs=crs,
        crs_source=crs_source,
        geometries=geoms,
        unreadable=unreadable,
        columns=dict(zip(fields, values, strict=True)),
        column_types=hints,
        notes=notes,
    )


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


def read_csv(
    path: Path,
    name: str,
    *,
    srid: int | None,
    lon_column: str | None,
    lat_column: str | None,
    wkt_column: str | None,
) -> SourceData:
    """CSV with longitude/latitude columns or a WKT column, read by Python."""
    raw = path.read_bytes()
    if b"\x00" in raw[: 64 * 1024]:
        _refuse(_("%(name)s is not a text file.") % {"name": name}, "format")
    try:
        text = codecs.decode(raw, "utf-8-sig")
    except UnicodeDecodeError:
        _refuse(_("%(name)s is not UTF-8 text; save it as UTF-8.") % {"name": name}, "encoding")
    if text.lstrip().startswith("<"):
        _refuse(
            _("%(name)s is XML (a VRT?), not CSV; it is refused.") % {"name": name},
            "driver_not_allowed",
        )
    sample = text[: 64 * 1024]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        _refuse(_("%(name)s is empty.") % {"name": name}, "empty")
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
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
    n = len(body)
    geoms = np.full(n, None, dtype=object)
    unreadable: dict[int, str] = {}
    used = [c for c in (wkt, lon, lat) if c]
    index = {h: i for i, h in enumerate(header)}
    for r, row in enumerate(body):
        row = row + [""] * (len(header) - len(row))
        if wkt:
            value = row[index[wkt]].strip()
            if _looks_like_reference(value):
                _refuse(
                    _(
                        "Row %(row)d of %(name)s gives a link or path instead of a geometry; "
                        "geometries must be in the file itself. The file is refused."
                    )
                    % {"row": r + 1, "name": name},
                    "remote_reference",
                )
            if not value:
                continue
            try:
                geoms[r] = shapely.from_wkt(value)
            except shapely.errors.GEOSException as exc:
                unreadable[r] = _("The WKT cannot be read: %(error)s.") % {"error": exc}
        else:
            x, y = row[index[lon]].strip(), row[index[lat]].strip()
            if not x and not y:
                continue
            try:
                geoms[r] = shapely.Point(float(x.replace(",", ".")), float(y.replace(",", ".")))
            except ValueError:
                unreadable[r] = _("The coordinates %(x)r, %(y)r are not numbers.") % {
                    "x": x,
                    "y": y,
                }
    if any(_looks_like_reference(c) for row in body for c in row if c.strip().startswith("/vsi")):
        _refuse(_("%(name)s refers to GDAL virtual files (/vsi); it is refused.") % {"name": name})
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
    columns = {
        h: np.array([(row[i] if i < len(row) else "") for row in body], dtype=object)
        for h, i in index.items()
        if h not in used and h
    }
    return SourceData(
        name=name,
        driver="CSV",
        layer=PurePosixPath(name).stem,
        layers=[PurePosixPath(name).stem],
        crs=crs,
        crs_source=crs_source if crs is not None else "missing",
        geometries=geoms,
        unreadable=unreadable,
        columns=columns,
        column_types={},
        notes=notes,
    )


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


def read_upload(
    fileobj,
    original_name: str,
    *,
    layer: str | None = None,
    srid: int | None = None,
    lon_column: str | None = None,
    lat_column: str | None = None,
    wkt_column: str | None = None,
) -> SourceData:
    """Stage, check and read an uploaded file; the temporary copy is gone when this returns."""
    name = PurePosixPath(original_name or "").name
    with staged_upload(fileobj, original_name) as (path, driver):
        if driver == "CSV":
            data = read_csv(
                path,
                name,
                srid=srid,
                lon_column=lon_column,
                lat_column=lat_column,
                wkt_column=wkt_column,
            )
        else:
            data = read_with_gdal(path, driver, name, layer=layer, srid=srid)
        shutil.rmtree(path.parent / "unpacked", ignore_errors=True)
    return data
