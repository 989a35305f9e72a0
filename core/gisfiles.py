"""GIS-file input for every importer: what GDAL may open, from which path, and how.

GDAL opens only a path in a private directory under a name given here, never a name a person
chose (which GDAL could read as a /vsi path, a connection string or a driver prefix). A file's
extension and first bytes must agree on its format, and GDAL's driver must agree too: a VRT, or
anything else that can point GDAL at other files or the network, is refused before it is read.
A zip is unpacked by Python, only the members a layer needs and under our own names, with its
declared and real sizes counted against limits (zip bombs), and with traversal, absolute names,
symbolic links and nested archives refused. GDAL reads with its network access closed.
The limits default to the settings (`DATASET_*`), so every importer refuses the same files.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import pyogrio
import pyogrio.errors
import pyogrio.raw
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS

MB = 1024 * 1024
# The formats GDAL may open; CSV is read by Python's csv module, never by GDAL.
GDAL_DRIVERS = ("GPKG", "ESRI Shapefile", "GeoJSON")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".kmz")
# The name a file (or an unpacked Shapefile's parts) gets in its private directory.
STAGED_STEM = "layer"
READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    OSError,
)
# A proxy on the discard port, where nothing listens: any HTTP request GDAL might try (a linked
# CRS, a remote schema) fails at once instead of reaching the network. The curl options close
# /vsicurl/ and friends; no /vsi path is built here in any case.
_GDAL_OFFLINE = {
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_NETRC": "NO",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".gisportal-none",
    "CPL_VSIL_CURL_USE_HEAD": "NO",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "OGR_GEOJSON_MAX_OBJ_SIZE": "0",
    "GDAL_ENABLE_DEPRECATED_DRIVER_VRT": "NO",
}
_gdal_lock = threading.Lock()


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_upload_bytes() -> int:
    return _limit("DATASET_UPLOAD_MAX_BYTES", 100 * MB)


def max_unpacked_bytes() -> int:
    return _limit("DATASET_UNPACKED_MAX_BYTES", 500 * MB)


def max_zip_ratio() -> int:
    return _limit("DATASET_ZIP_MAX_RATIO", 200)


def max_zip_members() -> int:
    return _limit("DATASET_ZIP_MAX_MEMBERS", 100)


class GisFileError(Exception):
    """The file cannot be opened or read; the message says why, for people.

    `code` says what kind of refusal it is (e.g. "zip_bomb", "zip_slip", "format", "read");
    `parameter` names the choice at fault; `choices` lists what may be chosen instead
    (layers, Shapefiles) when the refusal asks for a choice.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        parameter: str = "file",
        choices: list[str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.parameter = parameter
        self.choices = choices or []


def _refuse(message: str, code: str = "hostile") -> None:
    raise GisFileError(message, code=code)


@contextmanager
def gdal_offline() -> Iterator[None]:
    """GDAL configured with no network and no directory listing, for the read only.

    The options are global to the process, so they are set under a lock and the previous
    values put back: other code (exports, OGC clients in tests) keeps its own settings.
    """
    with _gdal_lock:
        before = {key: pyogrio.get_gdal_config_option(key) for key in _GDAL_OFFLINE}
        pyogrio.set_gdal_config_options(_GDAL_OFFLINE)
        try:
            yield
        finally:
            pyogrio.set_gdal_config_options(before)


def crs_label(crs: CRS) -> str:
    """EPSG:n when the CRS has an EPSG code, else its name."""
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


@contextmanager
def private_directory(prefix: str) -> Iterator[Path]:
    """A temporary directory only this process's user may enter, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        os.chmod(tmp, stat.S_IRWXU)
        yield Path(tmp)


def stage_local_file(path: Path, into: Path) -> Path:
    """Link a file named on this machine (and a Shapefile's parts beside it) into `into` under
    our own name; return the path GDAL may open. Linked, not copied: a cadastre is large."""
    suffix = path.suffix.lower()
    parts = SHAPEFILE_PARTS if suffix == ".shp" else (suffix,)
    try:
        source = path.resolve(strict=True)
        for part in parts:
            for candidate in (source.with_suffix(part), source.with_suffix(part.upper())):
                if candidate.is_file():
                    (into / f"{STAGED_STEM}{part}").symlink_to(candidate)
                    break
    except OSError as exc:
        _refuse(
            _("%(name)s cannot be read: %(error)s.")
            % {"name": path.name, "error": exc.strerror or exc},
            "read",
        )
    return into / f"{STAGED_STEM}{suffix}"


def check_signature(path: Path, driver: str, name: str) -> None:
    """Refuse a file whose first bytes are not those of the format its extension names."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        _refuse(
            _("%(name)s cannot be read: %(error)s.") % {"name": name, "error": exc.strerror or exc},
            "format",
        )
    if driver == "GPKG" and not head.startswith(b"SQLite format 3\x00"):
        _refuse(
            _("%(name)s is not a GeoPackage: it is not an SQLite database.") % {"name": name},
            "format",
        )
    if driver == "ESRI Shapefile" and not head.startswith(b"\x00\x00\x27\x0a"):
        _refuse(
            _("%(name)s is not a Shapefile: its .shp part does not start like one.")
            % {"name": name},
            "format",
        )
    if driver == "GeoJSON" and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        _refuse(
            _("%(name)s is not GeoJSON: it does not start with a JSON object.") % {"name": name},
            "format",
        )


def _leaves_archive(filename: str) -> bool:
    parts = PurePosixPath(filename.replace("\\", "/")).parts
    return (
        filename.startswith(("/", "\\"))
        or ".." in parts
        or (len(filename) > 1 and filename[1] == ":")  # a Windows drive, C:
    )


def check_zip(
    path: Path,
    name: str,
    *,
    max_members: int | None = None,
    max_unpacked: int | None = None,
    max_ratio: int | None = None,
) -> list[zipfile.ZipInfo]:
    """The members of a zip, after every check that does not need to inflate them.

    The limits default to the settings DATASET_ZIP_MAX_MEMBERS, DATASET_UNPACKED_MAX_BYTES and
    DATASET_ZIP_MAX_RATIO.
    """
    max_members = max_zip_members() if max_members is None else max_members
    max_unpacked = max_unpacked_bytes() if max_unpacked is None else max_unpacked
    max_ratio = max_zip_ratio() if max_ratio is None else max_ratio
    if not zipfile.is_zipfile(path):
        _refuse(_("%(name)s is not a zip archive.") % {"name": name}, "format")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        _refuse(_("%(name)s cannot be unpacked: %(error)s.") % {"name": name, "error": exc})
    if len(members) > max_members:
        _refuse(
            _("%(name)s holds %(count)s files; at most %(max)s are accepted.")
            % {"name": name, "count": len(members), "max": max_members},
            "too_many_members",
        )
    declared = 0
    for member in members:
        filename = member.filename
        if _leaves_archive(filename):
            _refuse(
                _("%(name)s holds %(member)r, a path that leaves the archive; it is refused.")
                % {"name": name, "member": filename},
                "zip_slip",
            )
        if stat.S_ISLNK(member.external_attr >> 16):
            _refuse(
                _("%(name)s holds a symbolic link (%(member)s); it is refused.")
                % {"name": name, "member": filename},
                "zip_symlink",
            )
        if member.is_dir():
            continue
        if filename.lower().endswith(ARCHIVE_SUFFIXES):
            _refuse(
                _("%(name)s holds another archive (%(member)s); unpack it and upload its contents.")
                % {"name": name, "member": filename},
                "zip_nested",
            )
        declared += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        # Small members compress well for honest reasons (an empty .dbf); only size matters.
        if member.file_size > MB and ratio > max_ratio:
            _refuse(
                _(
                    "%(name)s: %(member)s inflates %(ratio)d times (at most %(max)d); "
                    "it looks like a zip bomb and is refused."
                )
                % {"name": name, "member": filename, "ratio": ratio, "max": max_ratio},
                "zip_bomb",
            )
    if declared > max_unpacked:
        _refuse(
            _("%(name)s unpacks to %(size)s bytes; at most %(max)s are accepted.")
            % {"name": name, "size": declared, "max": max_unpacked},
            "zip_bomb",
        )
    return members


def zip_files(members: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """The members that are files, by name, without the macOS resource forks."""
    return {
        m.filename: m
        for m in members
        if not m.is_dir()
        and not m.filename.startswith("__MACOSX/")
        and not PurePosixPath(m.filename).name.startswith("._")
    }


def shapefiles_in(files: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """The Shapefiles among a zip's files: layer name -> the member name without .shp."""
    return {PurePosixPath(f).stem: f[: -len(".shp")] for f in files if f.lower().endswith(".shp")}


def shapefile_parts(files: dict[str, zipfile.ZipInfo], base: str) -> dict[str, zipfile.ZipInfo]:
    """The parts of one Shapefile (by suffix: .shp, .shx, ...); nothing else is unpacked."""
    base = base.lower()
    return {
        PurePosixPath(f).suffix.lower(): files[f]
        for f in files
        if f.lower().startswith(base) and f.lower()[len(base) :] in SHAPEFILE_PARTS
    }


def _extract(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: list[int], most: int
) -> None:
    """Inflate one member, counting real bytes: a header may lie about the size."""
    written = 0
    with archive.open(member) as source, target.open("wb") as out:
        while chunk := source.read(MB):
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > member.file_size or budget[0] < 0:
                _refuse(
                    _(
                        "%(member)s inflates to more than its archive declares or than %(max)s "
                        "bytes; it looks like a zip bomb and is refused."
                    )
                    % {"member": member.filename, "max": most},
                    "zip_bomb",
                )
            out.write(chunk)


def unpack_parts(
    path: Path,
    name: str,
    parts: dict[str, zipfile.ZipInfo],
    into: Path,
    *,
    max_unpacked: int | None = None,
) -> Path:
    """Inflate the given members into `into` as layer<suffix> (a name in the archive never
    becomes a path on this disk); return the path of layer.shp."""
    most = max_unpacked_bytes() if max_unpacked is None else max_unpacked
    budget = [most]
    try:
        with zipfile.ZipFile(path) as archive:
            for suffix, member in parts.items():
                _extract(archive, member, into / f"{STAGED_STEM}{suffix}", budget, most)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError) as exc:
        _refuse(_("%(name)s cannot be unpacked: %(error)s.") % {"name": name, "error": exc})
    except OSError as exc:
        _refuse(
            _("%(name)s cannot be read: %(error)s.") % {"name": name, "error": exc.strerror or exc},
            "read",
        )
    return into / f"{STAGED_STEM}.shp"


def unpack_shapefile(
    path: Path,
    name: str,
    layer: str | None,
    into: Path,
    *,
    max_members: int | None = None,
    max_unpacked: int | None = None,
    max_ratio: int | None = None,
) -> tuple[Path, str, list[str]]:
    """Unpack one Shapefile from a zip into `into`; return the .shp path, the chosen layer and
    all the Shapefiles the archive holds."""
    members = check_zip(
        path, name, max_members=max_members, max_unpacked=max_unpacked, max_ratio=max_ratio
    )
    files = zip_files(members)
    shapefiles = shapefiles_in(files)
    if any(f.lower().endswith(".vrt") for f in files):
        _refuse(
            _("%(name)s holds a VRT file; it is refused.") % {"name": name}, "driver_not_allowed"
        )
    if not shapefiles:
        _refuse(_("%(name)s holds no Shapefile (no .shp file).") % {"name": name}, "format")
    choices = sorted(shapefiles)
    if layer is None:
        if len(choices) > 1:
            raise GisFileError(
                _("%(name)s holds %(count)d Shapefiles; choose one.")
                % {"name": name, "count": len(choices)},
                code="choose_layer",
                parameter="layer",
                choices=choices,
            )
        layer = choices[0]
    elif layer not in shapefiles:
        raise GisFileError(
            _("%(name)s holds no Shapefile named %(layer)s.") % {"name": name, "layer": layer},
            code="unknown_layer",
            parameter="layer",
            choices=choices,
        )
    parts = shapefile_parts(files, shapefiles[layer])
    missing = [p for p in (".shx", ".dbf") if p not in parts]
    if missing:
        _refuse(
            _("The Shapefile %(layer)s has no %(parts)s part.")
            % {"layer": layer, "parts": " / ".join(missing)},
            "format",
        )
    return unpack_parts(path, name, parts, into, max_unpacked=max_unpacked), layer, choices


def gpkg_feature_tables(path: Path, name: str) -> list[str]:
    """The GeoPackage's feature tables, read with SQLite itself: views and other tables that
    GDAL might list as layers are not read. Nothing here runs the file's triggers."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        _refuse(_("%(name)s cannot be read: %(error)s") % {"name": name, "error": exc}, "format")
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        rows = conn.execute(
            "SELECT c.table_name FROM gpkg_contents AS c JOIN sqlite_master AS m "
            "ON m.name = c.table_name AND m.type = 'table' "
            "WHERE c.data_type = 'features' ORDER BY c.table_name"
        ).fetchall()
    except sqlite3.OperationalError as exc:  # an SQLite database without GeoPackage tables
        _refuse(
            _("%(name)s is not a GeoPackage: %(error)s") % {"name": name, "error": exc}, "format"
        )
    except sqlite3.Error as exc:  # not a database at all, or a damaged one
        _refuse(_("%(name)s cannot be read: %(error)s") % {"name": name, "error": exc}, "format")
    finally:
        conn.close()
    return [str(r[0]) for r in rows]


def layers_of(path: Path, driver: str, name: str) -> list[str]:
    """The layers a person may choose among: a GeoPackage's feature tables; a GeoJSON file is
    one layer named after the file (a Shapefile's layers are found by `unpack_shapefile`)."""
    if driver == "GPKG":
        return gpkg_feature_tables(path, name)
    return [PurePosixPath(name).stem]


def choose_layer(layers: list[str], layer: str | None, name: str) -> str:
    """The layer asked for, or the only one; otherwise a refusal that lists the choices."""
    if not layers:
        _refuse(_("%(name)s has no layer with geometries.") % {"name": name}, "no_layers")
    if layer is None:
        if len(layers) > 1:
            raise GisFileError(
                _("%(name)s has %(count)d layers; choose one.")
                % {"name": name, "count": len(layers)},
                code="choose_layer",
                parameter="layer",
                choices=layers,
            )
        return layers[0]
    if layer not in layers:
        raise GisFileError(
            _("%(name)s has no layer %(layer)s.") % {"name": name, "layer": layer},
            code="unknown_layer",
            parameter="layer",
            choices=layers,
        )
    return layer


def gdal_layer(driver: str, layer: str) -> str | int:
    """What to ask GDAL for: a GeoPackage's table by name; a staged GeoJSON or Shapefile has
    one layer, whose name GDAL takes from our file name, not the person's."""
    return layer if driver == "GPKG" else 0


def _check_staged(path: Path) -> None:
    # The paths given here come from this module's staging; this keeps it that way.
    text = str(path)
    path = Path(path)
    if not path.is_absolute() or text.startswith("/vsi") or path.stem != STAGED_STEM:
        raise ValueError(f"{text} is not a file staged by core.gisfiles.")


def read_info(path: Path, *, driver: str, layer: str, name: str, **options) -> dict:
    """pyogrio's description of a staged file's layer, after GDAL's driver agrees with ours."""
    _check_staged(path)
    try:
        with gdal_offline():
            info = pyogrio.read_info(path, layer=gdal_layer(driver, layer), **options)
    except READ_ERRORS as exc:
        _refuse(_("%(name)s cannot be read: %(error)s") % {"name": name, "error": exc}, "read")
    if info["driver"] != driver or info["driver"] not in GDAL_DRIVERS:
        _refuse(
            _("%(name)s was read by GDAL as %(found)s, not %(driver)s; it is refused.")
            % {"name": name, "found": info["driver"], "driver": driver},
            "driver_not_allowed",
        )
    return info


def read_layer(path: Path, *, driver: str, layer: str, name: str, **options):
    """pyogrio.raw.read of a staged file's layer with the network closed: (meta, fids, wkb,
    field arrays)."""
    _check_staged(path)
    try:
        with gdal_offline():
            return pyogrio.raw.read(path, layer=gdal_layer(driver, layer), **options)
    except READ_ERRORS as exc:
        _refuse(_("%(name)s cannot be read: %(error)s") % {"name": name, "error": exc}, "read")
