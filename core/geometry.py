"""Geometry input for every app: GeoJSON, WKT or WKB into a checked GEOS geometry.

Every geometry that a person or another system sends passes through `parse_geometry`, which
refuses, with a message that says what is wrong and where, anything the database should not
store: an unknown SRID, an empty or non-finite geometry, too many vertices, an invalid shape,
coordinates outside Georgia or with longitude and latitude swapped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from pyproj import CRS, Transformer

GEOJSON_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
_EWKT_SRID = re.compile(r"^\s*SRID=(\d+);(.*)$", re.IGNORECASE | re.DOTALL)
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
_WKT_START = re.compile(
    r"^\s*(POINT|MULTIPOINT|LINESTRING|MULTILINESTRING|POLYGON|MULTIPOLYGON|GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)


class GeometryError(ValueError):
    """A geometry that cannot be accepted; `code` is stable for clients, the message is for people."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class _Parsed:
    geom: shapely.Geometry
    srid: int | None


def _reject_constant(name: str):
    raise GeometryError(f"{name} is not a number a geometry may contain.", "not_finite")


def _load_json(text: str):
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise GeometryError(
            f"The GeoJSON does not parse: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            "parse",
        ) from None


def _srid_from_geojson_crs(obj: dict) -> int | None:
    crs = obj.get("crs")
    if not crs:
        return None
    name = (crs.get("properties") or {}).get("name", "") if isinstance(crs, dict) else ""
    match = re.search(r"(?:EPSG:{1,2}(?:[\d.]*:)?)(\d+)$", str(name))
    if "CRS84" in str(name):
        return 4326
    if not match:
        raise GeometryError(f"The GeoJSON crs {name!r} is not understood.", "srid")
    return int(match.group(1))


def _check_rings(coords, where: str) -> None:
    for r, ring in enumerate(coords, start=1):
        if not isinstance(ring, list) or len(ring) < 4:
            raise GeometryError(
                f"Ring {r} of {where} needs at least 4 positions (a closed triangle).", "ring"
            )
        if list(ring[0])[:2] != list(ring[-1])[:2]:
            raise GeometryError(
                f"Ring {r} of {where} is not closed: it starts at {_fmt(ring[0])} "
                f"and ends at {_fmt(ring[-1])}.",
                "unclosed_ring",
            )


def _fmt(position) -> str:
    try:
        return "(" + " ".join(f"{float(v):.6g}" for v in list(position)[:2]) + ")"
    except (TypeError, ValueError):
        return repr(position)


def _geojson_geometry(obj) -> dict:
    if not isinstance(obj, dict):
        raise GeometryError("The GeoJSON must be an object with a type.", "parse")
    kind = obj.get("type")
    if kind == "Feature":
        geometry = obj.get("geometry")
        if geometry is None:
            raise GeometryError("The GeoJSON feature has no geometry.", "empty")
        if "crs" in obj and "crs" not in geometry:
            geometry = {**geometry, "crs": obj["crs"]}
        return _geojson_geometry(geometry)
    if kind == "FeatureCollection":
        raise GeometryError("Send one geometry or one Feature, not a FeatureCollection.", "type")
    if kind not in GEOJSON_TYPES:
        raise GeometryError(f"{kind!r} is not a GeoJSON geometry type.", "type")
    if kind == "GeometryCollection":
        parts = obj.get("geometries")
        if not isinstance(parts, list):
            raise GeometryError("The GeometryCollection has no 'geometries' list.", "parse")
        for part in parts:
            _geojson_geometry(part)
        return obj
    coords = obj.get("coordinates")
    if not isinstance(coords, list):
        raise GeometryError(f"The {kind} has no 'coordinates' list.", "parse")
    if kind == "Polygon":
        _check_rings(coords, "the polygon")
    elif kind == "MultiPolygon":
        for p, polygon in enumerate(coords, start=1):
            if not isinstance(polygon, list):
                raise GeometryError(f"Polygon {p} of the MultiPolygon is not a list.", "parse")
            _check_rings(polygon, f"polygon {p}")
    return obj


def _parse_geojson(obj) -> _Parsed:
    geometry = _geojson_geometry(obj)
    srid = _srid_from_geojson_crs(obj) or _srid_from_geojson_crs(geometry)
    payload = {k: v for k, v in geometry.items() if k != "crs"}
    try:
        geom = shapely.from_geojson(json.dumps(payload, allow_nan=True))
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        raise GeometryError(
            f"The GeoJSON geometry is malformed: {_geos_message(exc)}", "parse"
        ) from None
    return _Parsed(geom, srid if srid is not None else 4326)


def _geos_message(exc: Exception) -> str:
    text = str(exc)
    text = re.sub(r"^(ParseException|IllegalArgumentException):\s*", "", text)
    return text.rstrip(".") + "."


def _parse_text(text: str) -> _Parsed:
    stripped = text.strip()
    if not stripped:
        raise GeometryError("The geometry is empty.", "empty")
    if stripped[0] in "{[":
        return _parse_geojson(_load_json(stripped))
    srid = None
    match = _EWKT_SRID.match(stripped)
    if match:
        srid, stripped = int(match.group(1)), match.group(2).strip()
    if _WKT_START.match(stripped):
        try:
            return _Parsed(shapely.from_wkt(stripped), srid)
        except shapely.errors.GEOSException as exc:
            raise GeometryError(f"The WKT does not parse: {_geos_message(exc)}", "parse") from None
    if _HEX.match(stripped) and len(stripped) % 2 == 0:
        return _parse_wkb(bytes.fromhex(stripped))
    raise GeometryError("Send the geometry as GeoJSON, WKT or WKB.", "parse")


def _parse_wkb(data: bytes) -> _Parsed:
    try:
        geom = shapely.from_wkb(data)
    except shapely.errors.GEOSException as exc:
        raise GeometryError(f"The WKB does not parse: {_geos_message(exc)}", "parse") from None
    srid = shapely.get_srid(geom) or None
    return _Parsed(geom, srid)


def _parse(value) -> _Parsed:
    if isinstance(value, GEOSGeometry):
        return _Parsed(shapely.from_wkb(bytes(value.wkb)), value.srid)
    if isinstance(value, dict):
        return _parse_geojson(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return _parse_wkb(bytes(value))
    if isinstance(value, str):
        return _parse_text(value)
    raise GeometryError("Send the geometry as GeoJSON, WKT or WKB.", "parse")


_TRANSFORMERS: dict[tuple[int, int], Transformer] = {}


def transformer(source: int, target: int) -> Transformer:
    key = (source, target)
    if key not in _TRANSFORMERS:
        _TRANSFORMERS[key] = Transformer.from_crs(source, target, always_xy=True)
    return _TRANSFORMERS[key]


def _to_lonlat(coords: np.ndarray, srid: int) -> np.ndarray:
    if srid == 4326:
        return coords
    x, y = transformer(srid, 4326).transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def _inside(coords: np.ndarray, bbox) -> np.ndarray:
    return (
        (coords[:, 0] >= bbox[0])
        & (coords[:, 0] <= bbox[2])
        & (coords[:, 1] >= bbox[1])
        & (coords[:, 1] <= bbox[3])
    )


def _out_of_range(x: float, y: float) -> GeometryError:
    return GeometryError(
        f"The coordinate ({x:.6g} {y:.6g}) is out of range for EPSG:4326: "
        "longitude must lie within ±180 and latitude within ±90.",
        "out_of_range",
    )


def _check_extent(coords: np.ndarray, srid: int) -> None:
    if srid == 4326:
        outside = (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
        if outside.any():
            raise _out_of_range(*coords[outside][0])
    lonlat = _to_lonlat(coords, srid)
    bbox = settings.GEORGIA_BBOX
    inside = _inside(lonlat, bbox)
    if inside.all():
        return
    if srid == 4326 and _inside(lonlat[:, ::-1], bbox).all():
        x, y = coords[0]
        raise GeometryError(
            f"The coordinates look swapped: ({x:.6g} {y:.6g}) lies outside Georgia, but "
            f"({y:.6g} {x:.6g}) lies inside. Give longitude first, then latitude.",
            "swapped",
        )
    lon, lat = lonlat[~inside][0]
    x, y = coords[~inside][0]
    raise GeometryError(
        f"The coordinate ({x:.6g} {y:.6g}) lies outside Georgia "
        f"(longitude {lon:.4f}, latitude {lat:.4f} in EPSG:4326).",
        "outside_georgia",
    )


def _validity_message(geom: shapely.Geometry) -> str:
    reason = shapely.is_valid_reason(geom)
    match = re.match(r"^(.*?)\[([-\d.eE+]+) ([-\d.eE+]+)\]$", reason)
    if match:
        what, x, y = match.groups()
        return f"The geometry is not valid: {what.lower()} at ({float(x):.6g} {float(y):.6g})."
    return f"The geometry is not valid: {reason}."


def parse_geometry(
    value,
    *,
    srid: int | None = None,
    allowed_types: Iterable[str] | None = None,
    target_srid: int | None = None,
    max_vertices: int | None = None,
    within_georgia: bool = True,
    promote_multi: bool = True,
) -> GEOSGeometry:
    """Parse and check one geometry; return it as GEOS in `target_srid` (storage by default).

    `srid` names the coordinate system of input that does not carry its own (GeoJSON without a
    crs member is EPSG:4326 by RFC 7946). With `promote_multi`, a Polygon is returned as a
    MultiPolygon when only MultiPolygon is allowed.
    """
    parsed = _parse(value)
    geom = parsed.geom
    source_srid = parsed.srid or srid
    if source_srid is None:
        raise GeometryError("The geometry has no coordinate system; name its SRID.", "srid")
    if parsed.srid and srid and parsed.srid != srid and not isinstance(value, dict | str):
        raise GeometryError(
            f"The geometry says SRID {parsed.srid} but SRID {srid} was given.", "srid"
        )
    if source_srid not in settings.SRID_ALLOWED:
        allowed = ", ".join(f"EPSG:{s}" for s in settings.SRID_ALLOWED)
        raise GeometryError(f"EPSG:{source_srid} is not accepted; use one of {allowed}.", "srid")
    if geom is None or shapely.is_empty(geom):
        raise GeometryError("The geometry is empty.", "empty")
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    limit = max_vertices or settings.GEOMETRY_MAX_VERTICES
    count = shapely.get_num_coordinates(geom)
    if count > limit:
        raise GeometryError(
            f"The geometry has {count} vertices; at most {limit} are accepted. Simplify it.",
            "too_many_vertices",
        )
    coords = shapely.get_coordinates(geom)
    finite = np.isfinite(coords).all(axis=1)
    if not finite.all():
        index = int(np.argmin(finite))
        raise GeometryError(
            f"Vertex {index + 1} has a coordinate that is not a finite number.", "not_finite"
        )
    kind = shapely.get_type_id(geom)
    type_name = geom.geom_type
    if allowed_types is not None:
        allowed = set(allowed_types)
        if type_name not in allowed:
            if promote_multi and type_name == "Polygon" and "MultiPolygon" in allowed:
                geom = shapely.multipolygons([geom])
            else:
                raise GeometryError(
                    f"A {type_name} was sent; expected {' or '.join(sorted(allowed))}.", "type"
                )
    if kind in (3, 6) and not shapely.is_valid(geom):
        raise GeometryError(_validity_message(geom), "invalid_geometry")
    if kind in (1, 5) and not shapely.is_valid(geom):
        raise GeometryError(_validity_message(geom), "invalid_geometry")
    if within_georgia:
        _check_extent(coords, source_srid)
    target = target_srid or settings.SRID_STORAGE
    if target != source_srid:
        # pyproj on the coordinate arrays: GEOS's transform goes through an OGR copy per call.
        project = transformer(source_srid, target)
        geom = shapely.transform(geom, lambda xy: np.column_stack(project.transform(*xy.T)))
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=target)


def parse_lonlat(lon, lat, *, within_georgia: bool = True) -> Point:
    """A point from longitude and latitude given as text or numbers, in EPSG:4326."""
    values = []
    for name, raw in (("lon", lon), ("lat", lat)):
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise GeometryError(f"{name}={raw!r} is not a number.", "parse") from None
        if not math.isfinite(number):
            raise GeometryError(f"{name}={raw!r} is not a finite number.", "not_finite")
        values.append(number)
    # The checks of parse_geometry that a point can fail, without its trip through GEOS:
    # the parcel at a point is the most frequent request of the API.
    if within_georgia:
        _check_extent(np.array([values]), 4326)
    elif abs(values[0]) > 180 or abs(values[1]) > 90:
        raise _out_of_range(*values)
    return Point(values[0], values[1], srid=4326)


def as_multipolygon(geom: GEOSGeometry) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    raise GeometryError(f"A {geom.geom_type} is not an area.", "type")


# Many geometries at once: the checks of `parse_geometry` over shapely arrays, for file imports.

_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
_CRS_TRANSFORMERS: dict[tuple[str, str], Transformer] = {}


def crs_transformer(source: int | CRS, target: int | CRS) -> Transformer:
    """An always-xy transformer between two SRIDs or pyproj CRSs (a file may name any CRS)."""
    if isinstance(source, int) and isinstance(target, int):
        return transformer(source, target)
    source_crs, target_crs = CRS.from_user_input(source), CRS.from_user_input(target)
    key = (source_crs.to_wkt(), target_crs.to_wkt())
    if key not in _CRS_TRANSFORMERS:
        _CRS_TRANSFORMERS[key] = Transformer.from_crs(source_crs, target_crs, always_xy=True)
    return _CRS_TRANSFORMERS[key]


def transform_many(geoms, source: int | CRS, target: int | CRS) -> np.ndarray:
    """Reproject an array of shapely geometries (None stays None) with one PROJ call."""
    geoms = np.asarray(geoms, dtype=object)
    if source == target:
        return geoms
    tr = crs_transformer(source, target)

    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, _xy)


def _first_per_geometry(positions: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For flagged coordinate positions, each geometry's number and its first flagged position."""
    geometries, first = np.unique(index[positions], return_index=True)
    return geometries, positions[first]


def check_many(
    geoms,
    srid: int | CRS,
    *,
    allowed_types: Iterable[str] | None = None,
    max_vertices: int | None = None,
    within_georgia: bool = True,
    promote_multi: bool = True,
) -> list[GeometryError | None]:
    """Check an array of shapely geometries in `srid` as `parse_geometry` checks one.

    Returns, in order, None for each geometry that `parse_geometry` would accept and otherwise
    the `GeometryError` (same message, same code) that it would raise; the work is done over
    whole arrays, which is what makes an import of a cadastre fast. Two differences, because a
    file names its own coordinate system: `srid` may be any CRS that pyproj can transform from
    (the SRID allow list is the caller's business), and the range and swapped-axes checks that
    `parse_geometry` makes for EPSG:4326 are made for every geographic CRS. A missing geometry
    (None) is empty. Nothing is reprojected or promoted here: see `transform_many`.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    errors: list[GeometryError | None] = [None] * n
    pending = np.ones(n, dtype=bool)

    def reject(i: int, message: str, code: str) -> None:
        errors[i] = GeometryError(message, code)
        pending[i] = False

    for i in np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms)):
        reject(int(i), "The geometry is empty.", "empty")
    # Files are read in 2D: only a geometry with a Z is copied without it.
    work = shapely.force_2d(geoms) if shapely.has_z(geoms).any() else geoms

    limit = max_vertices or settings.GEOMETRY_MAX_VERTICES
    counts = shapely.get_num_coordinates(work)
    for i in np.flatnonzero(pending & (counts > limit)):
        reject(
            int(i),
            f"The geometry has {counts[i]} vertices; at most {limit} are accepted. Simplify it.",
            "too_many_vertices",
        )

    coords, index = shapely.get_coordinates(work, return_index=True)
    offsets = np.cumsum(counts) - counts
    bad = np.flatnonzero(~np.isfinite(coords).all(axis=1) & pending[index])
    for g, position in zip(*_first_per_geometry(bad, index), strict=True):
        reject(
            int(g),
            f"Vertex {position - offsets[g] + 1} has a coordinate that is not a finite number.",
            "not_finite",
        )

    kinds = shapely.get_type_id(work)
    if allowed_types is not None:
        allowed = set(allowed_types)
        expected = " or ".join(sorted(allowed))
        promotes = promote_multi and "MultiPolygon" in allowed
        for i in np.flatnonzero(pending):
            name = _TYPE_NAMES.get(int(kinds[i]), "geometry")
            if name not in allowed and not (promotes and name == "Polygon"):
                reject(int(i), f"A {name} was sent; expected {expected}.", "type")

    checked = np.flatnonzero(pending & np.isin(kinds, (1, 3, 5, 6)))
    for i in checked[~shapely.is_valid(work[checked])]:
        reject(int(i), _validity_message(work[i]), "invalid_geometry")

    if within_georgia:
        _check_extent_many(coords, index, offsets, pending, srid, reject)
    return errors


def _check_extent_many(coords, index, offsets, pending, srid, reject) -> None:
    """`_check_extent` for every pending geometry at once."""
    rows = pending[index]
    if not rows.any():
        return
    geographic = srid == 4326 or CRS.from_user_input(srid).is_geographic
    if geographic:
        out_of_range = (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
        bad = np.flatnonzero(out_of_range & rows)
        for g, position in zip(*_first_per_geometry(bad, index), strict=True):
            x, y = coords[position]
            reject(
                int(g),
                f"The coordinate ({x:.6g} {y:.6g}) is out of range for EPSG:4326: "
                "longitude must lie within ±180 and latitude within ±90.",
                "out_of_range",
            )
        rows = pending[index]
    positions = np.flatnonzero(rows)
    if not len(positions):
        return
    subset, subset_index = coords[positions], index[positions]

    def lonlat(xy: np.ndarray) -> np.ndarray:
        if srid == 4326:
            return xy
        x, y = crs_transformer(srid, 4326).transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    bbox = settings.GEORGIA_BBOX
    subset_lonlat = lonlat(subset)
    outside = ~_inside(subset_lonlat, bbox)
    if not outside.any():
        return
    failing = np.unique(subset_index[outside])
    if geographic:
        swapped_outside = ~_inside(lonlat(subset[:, ::-1]), bbox)
        swapped_fails = np.unique(subset_index[swapped_outside])
        for g in np.setdiff1d(failing, swapped_fails, assume_unique=True):
            x, y = coords[offsets[g]]
            reject(
                int(g),
                f"The coordinates look swapped: ({x:.6g} {y:.6g}) lies outside Georgia, but "
                f"({y:.6g} {x:.6g}) lies inside. Give longitude first, then latitude.",
                "swapped",
            )
    for g, first in zip(*_first_per_geometry(np.flatnonzero(outside), subset_index), strict=True):
        if not pending[g]:
            continue
        lon, lat = subset_lonlat[first]
        x, y = subset[first]
        reject(
            int(g),
            f"The coordinate ({x:.6g} {y:.6g}) lies outside Georgia "
            f"(longitude {lon:.4f}, latitude {lat:.4f} in EPSG:4326).",
            "outside_georgia",
        )
