"""Reading a parcel file for the import: open it with pyogrio, find its fields, check its rows.

Nothing here writes to the database; `parcels.services.parcels_import` does, batch by batch.
The file is opened through `core.gisfiles`, as dataset uploads are: GDAL sees only a path in a
private directory under our own name, after the extension, the first bytes and GDAL's driver
agree on a GeoPackage, a Shapefile or GeoJSON, and reads with its network closed. A zipped
Shapefile is unpacked by Python within the upload limits (size, compression ratio, members;
no paths that leave the archive, no links), never read through a /vsizip path.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from core import gisfiles
from core.geometry import check_many, crs_transformer, transform_many
from core.gisfiles import GisFileError, crs_label
from parcels.models import LandUse, Parcel, validate_cadastral_code

# What each extension must be, by GDAL's driver name.
DRIVERS = {
    ".gpkg": "GPKG",
    ".zip": "ESRI Shapefile",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
}
# Field names tried, case-insensitively, when no field is named; a Shapefile cuts names to
# ten characters, so "cadastral_code" arrives as "cadastral_".
DEFAULT_FIELDS = {
    "code": ("cadastral_code", "cadastral_", "cad_code", "code"),
    "land_use": ("land_use", "landuse"),
    "address_ka": ("address_ka", "addr_ka"),
    "address_en": ("address_en", "addr_en"),
}
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# Geometry errors that mean "not where the CRS says", as opposed to a bad shape.
EXTENT_ERRORS = {"outside_georgia", "swapped", "out_of_range"}


class ParcelImportError(Exception):
    """The file cannot be imported (or the import stopped); the message says why, for people.

    `report` holds what was done before the import stopped, when anything was.
    """

    def __init__(self, message: str, *, report: ImportReport | None = None):
        super().__init__(message)
        self.message = message
        self.report = report


@dataclass(frozen=True)
class RejectedRow:
    row: int  # 1-based position of the feature in the layer
    code: str
    reason: str


@dataclass
class ImportReport:
    file: str
    layer: str
    crs: str
    dry_run: bool = False
    read: int = 0
    imported: int = 0  # with dry_run: the rows that would be imported
    replaced: int = 0  # current parcels retired by --replace (or that would be)
    batches: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


@dataclass(frozen=True)
class FieldMap:
    """Field names of the file as the person importing names them; None tries the defaults."""

    code: str | None = None
    land_use: str | None = None
    address_ka: str | None = None
    address_en: str | None = None


@dataclass(frozen=True)
class Columns:
    """The file's own field names for what the import reads (None: the file has no such field)."""

    code: str
    land_use: str | None
    address_ka: str | None
    address_en: str | None

    @property
    def names(self) -> list[str]:
        found = (self.code, self.land_use, self.address_ka, self.address_en)
        return list(dict.fromkeys(n for n in found if n))


@dataclass(frozen=True)
class Batch:
    first_row: int
    geometry: np.ndarray  # WKB or None, one per row
    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.geometry)


@dataclass
class CheckedBatch:
    """The rows of one batch that passed every check made without the database, and the rest."""

    rows: list[int] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    land_uses: list[str] = field(default_factory=list)
    addresses_ka: list[str] = field(default_factory=list)
    addresses_en: list[str] = field(default_factory=list)
    geoms: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # storage SRID
    areas: np.ndarray = field(default_factory=lambda: np.empty(0))
    points: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    ewkb: list[bytes] = field(default_factory=list)  # with SRID (ewkb_many)
    municipality_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    zone_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    rejected: list[RejectedRow] = field(default_factory=list)
    in_georgia: int = 0  # geometries that passed the extent check
    not_in_georgia: list[RejectedRow] = field(default_factory=list)


@dataclass(frozen=True)
class ParcelFile:
    path: Path  # what GDAL opens: staged by core.gisfiles in a private temporary directory
    name: str  # the file as the person gave it, for messages
    layer: str
    driver: str
    crs: CRS
    crs_label: str
    crs_from_file: bool
    fields: tuple[str, ...]
    count: int
    fid_column: str | None = None  # a GeoPackage's integer primary key

    def read(
        self, *, columns: list[str], skip: int = 0, limit: int | None = None, geometry: bool = True
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        _, geoms, named = self._read(columns=columns, skip=skip, limit=limit, geometry=geometry)
        return geoms, named

    def _read(
        self,
        *,
        columns: list[str],
        skip: int = 0,
        limit: int | None = None,
        geometry: bool = True,
        after_fid: int | None = None,
    ) -> tuple[np.ndarray | None, np.ndarray, dict[str, np.ndarray]]:
        """FIDs (with `after_fid`), WKB and field arrays. `after_fid` reads the rows whose FID
        follows it, which a GeoPackage finds through its primary key, where skipping rows
        costs a scan of all of them."""
        where = None
        if after_fid is not None:
            where = f'"{self.fid_column}" > {int(after_fid)}'
        with _refusals():
            meta, fids, geoms, values = gisfiles.read_layer(
                self.path,
                driver=self.driver,
                layer=self.layer,
                name=self.name,
                columns=columns,
                skip_features=skip,
                max_features=limit,
                read_geometry=geometry,
                force_2d=True,
                where=where,
                return_fids=after_fid is not None,
            )
        named = dict(zip(list(meta["fields"]), values, strict=True))
        if geoms is None:
            geoms = np.full(len(values[0]) if values else 0, None, dtype=object)
        return fids, geoms, named

    def batches(self, *, columns: list[str], size: int) -> Iterator[Batch]:
        """The rows in batches of `size`. GDAL holds a whole GeoJSON in memory when it opens
        one, so that is read once; a GeoPackage or Shapefile is read a batch at a time."""
        if self.driver == "GeoJSON":
            geoms, values = self.read(columns=columns)
            for start in range(0, len(geoms), size):
                part = {k: v[start : start + size] for k, v in values.items()}
                yield Batch(start + 1, geoms[start : start + size], part)
            return
        start = 0
        keyset = self.driver == "GPKG" and bool(self.fid_column)
        last_fid = -(2**63)  # SQLite's smallest integer: every FID follows it
        while start < self.count:
            if keyset:
                fids, geoms, values = self._read(columns=columns, limit=size, after_fid=last_fid)
                if len(fids):
                    last_fid = int(fids[-1])
            else:
                geoms, values = self.read(columns=columns, skip=start, limit=size)
            if not len(geoms):
                return
            yield Batch(start + 1, geoms, values)
            start += len(geoms)


def _fail(message: str) -> None:
    raise ParcelImportError(message)


@contextmanager
def _refusals() -> Iterator[None]:
    """A refusal of core.gisfiles as the import's error, in English like the rest of its
    report (the batches are read in a worker thread, which has no language of its own)."""
    with translation.override("en"):
        try:
            yield
        except GisFileError as exc:
            raise ParcelImportError(exc.message) from None


def _unpack_shapefile(path: Path, name: str, layer: str | None, into: Path) -> tuple[Path, str]:
    """Unpack one Shapefile's parts from a zip into `into`; return the .shp and its layer name.
    The zip's limits and paths are checked by core.gisfiles; the wording names --layer."""
    with _refusals():
        files = gisfiles.zip_files(gisfiles.check_zip(path, name))
    shapefiles = gisfiles.shapefiles_in(files)
    if not shapefiles:
        listed = ", ".join(sorted(files)[:10]) or "nothing"
        _fail(f"{name} holds no Shapefile (no .shp file); it holds {listed}.")
    if layer is None:
        if len(shapefiles) > 1:
            _fail(
                f"{name} holds {len(shapefiles)} Shapefiles: "
                f"{', '.join(sorted(shapefiles))}. Choose one with --layer."
            )
        layer = next(iter(shapefiles))
    elif layer not in shapefiles:
        _fail(
            f"{name} holds no Shapefile named {layer!r}; it holds {', '.join(sorted(shapefiles))}."
        )
    parts = gisfiles.shapefile_parts(files, shapefiles[layer])
    missing = [p for p in (".shx", ".dbf") if p not in parts]
    if missing:
        _fail(f"The Shapefile {layer!r} in {name} has no {' and no '.join(missing)} part.")
    with _refusals():
        return gisfiles.unpack_parts(path, name, parts, into), layer


def _choose_layer(path: Path, driver: str, name: str, layer: str | None) -> str:
    with _refusals():
        layers = gisfiles.layers_of(path, driver, name)
    if layer is not None:
        if layer not in layers:
            _fail(f"{name} has no layer {layer!r}; its layers are {', '.join(layers) or 'none'}.")
        return layer
    if not layers:
        _fail(f"{name} has no layer with geometries.")
    if len(layers) > 1:
        _fail(
            f"{name} has {len(layers)} layers with geometries: {', '.join(layers)}. "
            "Choose one with --layer."
        )
    return layers[0]


def _resolve_crs(declared: str | None, srid: int | None, name: str) -> tuple[CRS, bool]:
    if declared is None:
        if srid is None:
            _fail(
                f"{name} does not say which coordinate system its coordinates are in. "
                "Name it with --srid (e.g. --srid 32638 for UTM 38N, 4326 for longitude/latitude)."
            )
        try:
            crs = CRS.from_epsg(srid)
        except CRSError:
            _fail(f"EPSG:{srid} is not a coordinate system that PROJ knows.")
        from_file = False
    else:
        try:
            crs = CRS.from_user_input(declared)
        except CRSError as exc:
            _fail(f"{name} declares a coordinate system that PROJ does not understand: {exc}")
        if srid is not None and crs != CRS.from_epsg(srid):
            _fail(
                f"{name} declares {crs_label(crs)}, but --srid {srid} was given. --srid names "
                "the coordinate system of a file that has none; if the file's own is wrong, "
                "correct the file."
            )
        from_file = True
    try:
        crs_transformer(crs, settings.SRID_STORAGE)
    except (CRSError, ProjError) as exc:
        _fail(
            f"Coordinates in {crs_label(crs)} cannot be transformed to "
            f"EPSG:{settings.SRID_STORAGE}: {exc}"
        )
    return crs, from_file


@contextmanager
def open_parcel_file(
    path: str | Path, *, layer: str | None = None, srid: int | None = None
) -> Iterator[ParcelFile]:
    """Open a GeoPackage, a zipped Shapefile or a GeoJSON file, choose its layer and its CRS."""
    path = Path(path)
    name = path.name
    driver = DRIVERS.get(path.suffix.lower())
    if driver is None:
        kinds = ", ".join(sorted(DRIVERS))
        _fail(f"{name}: import a GeoPackage, a zipped Shapefile or GeoJSON ({kinds}).")
    if not path.is_file():
        _fail(f"{path} does not exist." if not path.exists() else f"{path} is not a file.")
    with gisfiles.private_directory("parcel-import-") as tmp:
        if path.suffix.lower() == ".zip":
            gdal_path, layer = _unpack_shapefile(path, name, layer, tmp)
        else:
            with _refusals():
                gdal_path = gisfiles.stage_local_file(path, tmp)
        with _refusals():
            gisfiles.check_signature(gdal_path, driver, name)
        if driver != "ESRI Shapefile":
            layer = _choose_layer(gdal_path, driver, name, layer)
        elif layer is None:
            layer = path.stem
        with _refusals():
            info = gisfiles.read_info(
                gdal_path, driver=driver, layer=layer, name=name, force_feature_count=True
            )
        crs, from_file = _resolve_crs(info["crs"], srid, name)
        yield ParcelFile(
            path=gdal_path,
            name=name,
            layer=layer,
            driver=driver,
            crs=crs,
            crs_label=crs_label(crs),
            crs_from_file=from_file,
            fields=tuple(str(f) for f in info["fields"]),
            count=int(info["features"]),
            fid_column=_fid_column(info) if driver == "GPKG" else None,
        )


def _fid_column(info: dict) -> str | None:
    """The GeoPackage's FID column if its name is a plain identifier (then quoted in SQL)."""
    name = info.get("fid_column") or ""
    return name if name.replace("_", "a").isalnum() and name.isascii() else None


def _find_field(available: tuple[str, ...], wanted: str) -> str | None:
    if wanted in available:
        return wanted
    folded = {f.lower(): f for f in available}
    return folded.get(wanted.lower())


def resolve_fields(
    available: tuple[str, ...], requested: FieldMap, *, default_land_use: str | None, name: str
) -> Columns:
    """The file's fields for code, land use and addresses, by name or by the usual names."""
    found: dict[str, str | None] = {}
    listed = ", ".join(available) or "none"
    for key, candidates in DEFAULT_FIELDS.items():
        wanted = getattr(requested, key)
        if wanted is not None:
            match = _find_field(available, wanted)
            if match is None:
                _fail(f"{name} has no field {wanted!r}; its fields are {listed}.")
        else:
            match = next((m for c in candidates if (m := _find_field(available, c))), None)
        found[key] = match
    if found["code"] is None:
        _fail(
            f"{name} has no cadastral code field (tried {', '.join(DEFAULT_FIELDS['code'])}); "
            f"name it with --code-field. Its fields are {listed}."
        )
    if found["land_use"] is None and default_land_use is None:
        _fail(
            f"{name} has no land-use field (tried {', '.join(DEFAULT_FIELDS['land_use'])}); "
            f"name it with --land-use-field or give --default-land-use. Its fields are {listed}."
        )
    return Columns(**found)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def duplicate_codes(parcel_file: ParcelFile, code_field: str) -> dict[str, list[int]]:
    """Valid codes that more than one row carries, with those rows (read without geometries)."""
    _, values = parcel_file.read(columns=[code_field], geometry=False)
    codes = [_text(v) for v in values[code_field]]
    repeated = {c for c, n in Counter(codes).items() if n > 1 and c}
    found: dict[str, list[int]] = {}
    for row, code in enumerate(codes, start=1):
        if code in repeated:
            found.setdefault(code, []).append(row)
    return {c: rows for c, rows in found.items() if _is_cadastral_code(c)}


def _is_cadastral_code(code: str) -> bool:
    try:
        validate_cadastral_code(code)
    except ValidationError:
        return False
    return True


def _land_uses() -> dict[str, str]:
    with translation.override("en"):
        names = {str(label).lower(): value for value, label in LandUse.choices}
    return {**names, **{value: value for value in LandUse.values}}


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:5])
    return f"rows {shown}" + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")


def _unreadable(wkb: bytes) -> str:
    try:
        shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as exc:
        return f"The geometry cannot be read: {exc}."
    return "The geometry cannot be read."


def check_batch(
    batch: Batch,
    *,
    crs: CRS,
    columns: Columns,
    duplicates: dict[str, list[int]],
    default_land_use: str | None,
) -> CheckedBatch:
    """Check every row of a batch without the database: geometry (the rules of
    `core.geometry.parse_geometry`, over arrays), code, land use, addresses, repeated codes.
    The rows that pass come back with their geometry as MultiPolygons in the storage SRID."""
    n = len(batch)
    reasons: list[list[str]] = [[] for _ in range(n)]
    out = CheckedBatch()

    with np.errstate(invalid="ignore"):
        geoms = shapely.from_wkb(batch.geometry, on_invalid="ignore")
    errors = check_many(geoms, crs, allowed_types=GEOMETRY_TYPES)
    # WKB from GDAL that GEOS refuses, e.g. an unclosed ring.
    missing = np.flatnonzero(shapely.is_missing(geoms))
    unreadable = {int(i) for i in missing if batch.geometry[i] is not None}
    for i, error in enumerate(errors):
        if i in unreadable:
            reasons[i].append(_unreadable(batch.geometry[i]))
        elif error is not None:
            reasons[i].append(error.message)

    codes = [_text(v) for v in batch.values[columns.code]]
    land_uses = _land_uses()
    lu_values = batch.values[columns.land_use] if columns.land_use else [None] * n
    ka_values = batch.values[columns.address_ka] if columns.address_ka else [None] * n
    en_values = batch.values[columns.address_en] if columns.address_en else [None] * n
    limits = {key: Parcel._meta.get_field(key).max_length for key in ("address_ka", "address_en")}
    chosen_uses: list[str] = []
    for i, code in enumerate(codes):
        row = batch.first_row + i
        if not code:
            reasons[i].append("The row has no cadastral code.")
        else:
            try:
                validate_cadastral_code(code)
            except ValidationError as exc:
                # The report is in English, as the geometry messages of core.geometry are.
                with translation.override("en"):
                    reasons[i].append(exc.messages[0])
        raw_use = _text(lu_values[i])
        use = land_uses.get(raw_use.lower()) or default_land_use
        if use is None:
            reasons[i].append(
                f"The land use {raw_use!r} is not one of {', '.join(LandUse.values)}."
                if raw_use
                else "The row has no land use."
            )
        chosen_uses.append(use or "")
        for label, value, limit in (
            ("Georgian", ka_values[i], limits["address_ka"]),
            ("English", en_values[i], limits["address_en"]),
        ):
            if len(_text(value)) > limit:
                reasons[i].append(f"The {label} address is longer than {limit} characters.")
        if code in duplicates:
            reasons[i].append(
                f"The cadastral code {code} is on more than one row of the file "
                f"({_rows_text(duplicates[code])}); none of them is imported."
            )
        if errors[i] is not None and errors[i].code in EXTENT_ERRORS:
            out.not_in_georgia.append(RejectedRow(row, code, errors[i].message))
    out.in_georgia = sum(1 for i in range(n) if errors[i] is None and i not in unreadable)

    good = np.array([i for i in range(n) if not reasons[i]], dtype=int)
    for i in range(n):
        if reasons[i]:
            out.rejected.append(RejectedRow(batch.first_row + i, codes[i], " ".join(reasons[i])))
    if not len(good):
        return out
    flat = geoms[good]
    if shapely.has_z(flat).any():  # read with force_2d, so only a file GDAL could not flatten
        flat = shapely.force_2d(flat)
    storage = transform_many(flat, crs, settings.SRID_STORAGE)
    polygons = shapely.get_type_id(storage) == 3
    if polygons.any():
        storage[polygons] = shapely.multipolygons(storage[polygons][:, np.newaxis])
    out.rows = [batch.first_row + int(i) for i in good]
    out.codes = [codes[i] for i in good]
    out.land_uses = [chosen_uses[i] for i in good]
    out.addresses_ka = [_text(ka_values[i]) for i in good]
    out.addresses_en = [_text(en_values[i]) for i in good]
    out.geoms = storage
    out.areas = shapely.area(storage)
    out.points = shapely.point_on_surface(storage)
    out.ewkb = ewkb_many(storage, settings.SRID_STORAGE)
    return out


_EWKB_SRID_FLAG = 0x20000000


def ewkb_many(geoms: np.ndarray, srid: int) -> list[bytes]:
    """Little-endian EWKB (WKB with the SRID after the type) of 2D geometries, as PostGIS reads
    in a binary COPY. GEOS writes plain WKB three times faster than EWKB of geometries given an
    SRID, so the SRID goes in here: the type word gains its flag and the SRID follows it."""
    srid_bytes = struct.pack("<I", srid)
    out = []
    for wkb in shapely.to_wkb(geoms, hex=False, byte_order=1):
        (kind,) = struct.unpack_from("<I", wkb, 1)
        out.append(b"\x01" + struct.pack("<I", kind | _EWKB_SRID_FLAG) + srid_bytes + wkb[5:])
    return out


class AreaLocator:
    """Which of a set of areas (municipal boundaries, zones) holds each point: the areas are read
    once and searched in memory with an STR tree, so that a batch costs no query."""

    def __init__(self, ids, geoms, owners=None):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.owners = None if owners is None else np.asarray(owners, dtype=np.int64)
        # Prepared, each area answers "does it hold this point?" through its own index of
        # edges rather than by walking every edge: a third of the time over zones.
        self.geoms = np.array(list(geoms), dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)

    @classmethod
    def municipalities(cls) -> AreaLocator:
        from core.models import Municipality

        rows = list(Municipality.objects.order_by("code").values_list("pk", "boundary"))
        return cls([pk for pk, _ in rows], [_shapely(b) for _, b in rows])

    @classmethod
    def zones(cls) -> AreaLocator:
        from parcels.models import Zone

        rows = list(
            Zone.objects.order_by("municipality", "code").values_list(
                "pk", "geom", "municipality_id"
            )
        )
        return cls([r[0] for r in rows], [_shapely(r[1]) for r in rows], [r[2] for r in rows])

    def locate(self, points: np.ndarray, owners: np.ndarray | None = None) -> np.ndarray:
        """For each point in the storage SRID, the id of the first area (in the order given)
        that contains it and, when `owners` is given, belongs to the point's owner; else 0."""
        found = np.zeros(len(points), dtype=np.int64)
        if not len(points) or not len(self.ids):
            return found
        point_index, tree_index = self.tree.query(points)  # bounding boxes
        x, y = shapely.get_x(points), shapely.get_y(points)
        # The interior, as "within": a point on a boundary is in neither area.
        inside = shapely.contains_xy(self.geoms[tree_index], x[point_index], y[point_index])
        point_index, tree_index = point_index[inside], tree_index[inside]
        if owners is not None and self.owners is not None:
            same = self.owners[tree_index] == np.asarray(owners)[point_index]
            point_index, tree_index = point_index[same], tree_index[same]
        order = np.lexsort((tree_index, point_index))
        point_index, tree_index = point_index[order], tree_index[order]
        first = np.unique(point_index, return_index=True)[1]
        found[point_index[first]] = self.ids[tree_index[first]]
        return found


def _shapely(geom) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geom.wkb))
