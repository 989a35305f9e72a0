"""Mapbox vector tiles for any registered layer, built by PostGIS with ST_AsMVT."""

from __future__ import annotations

import math

import numpy as np
import psycopg
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import F, FloatField, Func, Value

from core.geometry import transformer
from layers.registry import Layer

EXTENT = 4096
BUFFER = 64
WEB_MERCATOR_HALF = 20037508.342789244
MAX_ZOOM = 24
# The width of a tile on screen, in pixels: MapLibre draws vector tiles at 512.
SCREEN_PIXELS = 512


class TileOutOfRange(ValueError):
    pass


def max_zoom_of(layer: Layer) -> int:
    """The last zoom a client needs the layer's tiles of: its declared max_zoom (within the
    server's range), from which they are no longer simplified; clients overzoom beyond it."""
    return max(layer.min_zoom, min(layer.max_zoom, MAX_ZOOM))


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's bounds in EPSG:3857: (min x, min y, max x, max y)."""
    if not 0 <= z <= MAX_ZOOM:
        raise TileOutOfRange(f"Zoom {z} is outside 0-{MAX_ZOOM}.")
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise TileOutOfRange(f"Tile {x}/{y} does not exist at zoom {z} (0-{n - 1}).")
    size = 2 * WEB_MERCATOR_HALF / n
    minx = -WEB_MERCATOR_HALF + x * size
    maxy = WEB_MERCATOR_HALF - y * size
    return minx, maxy - size, minx + size, maxy


# Data lives in Georgia; a tile's search box is clipped to this region (EPSG:4326) before it is
# projected to UTM 38N, where far-away coordinates would not project sensibly.
DATA_REGION = (36.0, 38.0, 52.0, 47.0)


def query_envelope(z: int, x: int, y: int) -> Polygon | None:
    """The tile grown by the buffer, as a box in the storage SRID for an index-using `&&` filter.

    None when the tile lies wholly outside the data region.
    """
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    margin = (maxx - minx) * BUFFER / EXTENT
    to_lonlat = transformer(settings.SRID_TILES, 4326)
    lon0, lat0 = to_lonlat.transform(minx - margin, miny - margin)
    lon1, lat1 = to_lonlat.transform(maxx + margin, maxy + margin)
    lon0, lat0 = max(lon0, DATA_REGION[0]), max(lat0, DATA_REGION[1])
    lon1, lat1 = min(lon1, DATA_REGION[2]), min(lat1, DATA_REGION[3])
    if lon0 >= lon1 or lat0 >= lat1:
        return None
    # The box's edges curve in UTM: project points along them and take their bounds.
    steps = np.linspace(0.0, 1.0, 9)
    lons = np.concatenate(
        [
            lon0 + (lon1 - lon0) * steps,
            np.full(9, lon1),
            lon0 + (lon1 - lon0) * steps,
            np.full(9, lon0),
        ]
    )
    lats = np.concatenate(
        [
            np.full(9, lat0),
            lat0 + (lat1 - lat0) * steps,
            np.full(9, lat1),
            lat0 + (lat1 - lat0) * steps,
        ]
    )
    ux, uy = transformer(4326, settings.SRID_STORAGE).transform(lons, lats)
    envelope = Polygon.from_bbox((ux.min(), uy.min(), ux.max(), uy.max()))
    envelope.srid = settings.SRID_STORAGE
    return envelope


def tile_width(z: int) -> float:
    """The width of a tile at zoom z, in EPSG:3857 metres."""
    return 2 * WEB_MERCATOR_HALF / (1 << z)


def simplify_tolerance(layer: Layer, z: int) -> float:
    """By how much (EPSG:3857 metres) the layer's geometries are simplified at zoom z: its own
    `simplify_pixels` of the tile's grid below its max_zoom, and at least a screen pixel in an
    overview; 0 for none."""
    tolerance = 0.0
    if layer.simplify_pixels and z < layer.max_zoom:
        tolerance = tile_width(z) / EXTENT * layer.simplify_pixels
    if layer.is_overview(z):
        tolerance = max(tolerance, tile_width(z) / SCREEN_PIXELS)
    return tolerance


def overview_min_size(layer: Layer, z: int) -> float:
    """The size (EPSG:3857 metres) below which an overview at zoom z leaves a feature out."""
    return tile_width(z) / SCREEN_PIXELS * layer.overview_min_pixels


class WebSize(Func):
    """The larger side of a geometry's bounding box in EPSG:3857 metres; `transform` when the
    geometry is stored in another SRID (its box is transformed, not the geometry)."""

    output_field = FloatField()

    def __init__(self, geometry, *, transform: bool = False):
        box = "%(expressions)s"
        if transform:
            box = f"ST_Transform(ST_Envelope(%(expressions)s), {int(settings.SRID_TILES)})"
        self.template = (
            f"GREATEST(ST_XMax({box}) - ST_XMin({box}), ST_YMax({box}) - ST_YMin({box}))"
        )
        super().__init__(geometry)


class AsMVTGeom(Func):
    """ST_AsMVTGeom over the geometry transformed into the tile SRID and simplified."""

    function = "ST_AsMVTGeom"
    output_field = GeometryField(srid=3857)

    def __init__(self, geometry, z: int, x: int, y: int, tolerance: float = 0.0):
        geom = Func(geometry, Value(settings.SRID_TILES), function="ST_Transform")
        if tolerance:
            geom = Func(geom, Value(tolerance), function="ST_SimplifyPreserveTopology")
        envelope = Func(
            Value(z), Value(x), Value(y), function="ST_TileEnvelope", output_field=GeometryField()
        )
        super().__init__(geom, envelope, Value(EXTENT), Value(BUFFER), Value(True))


class TileEnvelope(Func):
    """ST_TileEnvelope(z, x, y), grown by the tile buffer when `margin` (EPSG:3857)."""

    function = "ST_TileEnvelope"
    output_field = GeometryField(srid=3857)

    def __init__(self, z, x, y, *, margin: bool = False):
        if margin:
            self.template = f"%(function)s(%(expressions)s, margin => {BUFFER / EXTENT!r})"
        super().__init__(z, x, y)


def overview(layer: Layer, z: int, qs, geometry):
    """The rows of a tile at zoom z: all of them, or in an overview the largest features down to
    `overview_min_pixels`, at most `overview_max_features` of them. PostgreSQL computes the MVT
    geometry after the sort and limit (ST_AsMVTGeom is declared costly), only for those kept."""
    if not layer.is_overview(z):
        return qs.order_by()
    transform = geometry.name != layer.tile_geometry_field and layer.srid != settings.SRID_TILES
    return (
        qs.alias(mvt_size=WebSize(geometry, transform=transform))
        .filter(mvt_size__gte=overview_min_size(layer, z))
        .order_by("-mvt_size")[: layer.overview_max_features]
    )


class _Zxy(Value):
    """A tile coordinate as an SQL integer parameter (one prepared plan for every tile)."""

    def as_sql(self, compiler, connection):
        return "%s::integer", [self.value]


# Stand-ins for z, x and y while a tile query is compiled, replaced by the tile's own.
_SENTINELS = (-7_340_001, -7_340_002, -7_340_003)
# Compiled tile SQL of layers with a stored tile geometry, per (layer name, signature, zoom).
_compiled: dict[tuple[str, str, int], tuple[str, tuple]] = {}


def _web_tile_template(layer: Layer, z: int) -> tuple[str, tuple]:
    """The tile SQL of a layer with a stored tile geometry, at zoom z, compiled once.

    The stored geometry is filtered with `&&` against the buffered tile envelope and clipped
    by ST_AsMVTGeom as it is; z, x and y are parameters, so psycopg prepares the statement
    after a few tiles and the server plans it once.
    """
    key = (layer.name, layer.signature, z)
    found = _compiled.get(key)
    if found is not None:
        return found
    sz, sx, sy = (_Zxy(v) for v in _SENTINELS)
    geom = F(layer.tile_geometry_field)
    tolerance = simplify_tolerance(layer, z)
    if tolerance:
        geom = Func(geom, Value(tolerance), function="ST_SimplifyPreserveTopology")
    mvt_geom = Func(
        geom,
        TileEnvelope(sz, sx, sy),
        Value(EXTENT),
        Value(BUFFER),
        Value(True),
        function="ST_AsMVTGeom",
        output_field=GeometryField(srid=3857),
    )
    qs = (
        layer.get_queryset()
        .alias(mvt_box=TileEnvelope(sz, sx, sy, margin=True))
        .filter(**{f"{layer.tile_geometry_field}__bboverlaps": F("mvt_box")})
    )
    qs = overview(
        layer, z, qs.annotate(mvt_geom=mvt_geom, mvt_fid=F("pk")), F(layer.tile_geometry_field)
    ).values("mvt_fid", "mvt_geom", *layer.tile_properties_at(z))
    inner, params = qs.query.sql_with_params()
    sql = (
        "SELECT ST_AsMVT(t, %s, " + str(EXTENT) + ", 'mvt_geom', 'mvt_fid') "  # noqa: S608
        "FROM (" + inner + ") AS t"
    )
    found = (sql, (layer.name, *params))
    _compiled[key] = found
    return found


def tile_sql(layer: Layer, z: int, x: int, y: int, queryset=None) -> tuple[str, list]:
    """The SQL and parameters of one tile of one layer, from the layer's own queryset.

    The ORM builds the inner query (filters, the index-using `&&` and the MVT geometry); the
    aggregate ST_AsMVT around it has no ORM expression, so it wraps the compiled SQL. ST_AsMVT
    skips the rows whose clipped geometry is NULL; a `WHERE mvt_geom IS NOT NULL` would be
    pushed into the scan and clip every geometry twice. A layer
    with a stored tile geometry has its SQL compiled once per zoom (`_web_tile_template`).
    """
    if layer.tile_geometry_field and queryset is None:
        sql, params = _web_tile_template(layer, z)
        values = dict(zip(_SENTINELS, (z, x, y), strict=True))
        return sql, [values.get(p, p) if type(p) is int else p for p in params]
    envelope = query_envelope(z, x, y)
    if envelope is None:
        return "", []
    qs = queryset if queryset is not None else layer.get_queryset()
    geom_field = layer.geometry_field
    qs = qs.filter(**{f"{geom_field}__bboverlaps": envelope}).annotate(
        mvt_geom=AsMVTGeom(F(geom_field), z, x, y, simplify_tolerance(layer, z)),
        mvt_fid=F("pk"),
    )
    qs = overview(layer, z, qs, F(geom_field)).values(
        "mvt_fid", "mvt_geom", *layer.tile_properties_at(z)
    )
    inner, params = qs.query.sql_with_params()
    sql = (
        "SELECT ST_AsMVT(t, %s, " + str(EXTENT) + ", 'mvt_geom', 'mvt_fid') "  # noqa: S608
        "FROM (" + inner + ") AS t"
    )
    return sql, [layer.name, *params]


def render_tile(layer: Layer, z: int, x: int, y: int, queryset=None) -> bytes:
    if z < layer.min_zoom or z > MAX_ZOOM:
        tile_bounds(z, x, y)
        return b""
    sql, params = tile_sql(layer, z, x, y, queryset)
    if not sql:
        return b""
    # In binary: the tile's bytes travel as they are, not as hex text that the server encodes
    # and the client decodes (twice the bytes, and a tenth of a tile's time).
    with prepared_cursor(binary=True) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] else b""


def prepared_cursor(*, binary: bool = False):
    """A cursor that binds parameters on the server, so that psycopg prepares a statement run
    again and again (every tile of a layer at a zoom) and PostgreSQL plans it once; with
    `binary`, results come in PostgreSQL's binary format.

    Django's own cursors bind on the client (the SQL text differs per tile, so nothing is
    prepared); this one is wrapped like them, so it is logged and counted in tests alike.
    """
    connection.ensure_connection()
    cursor = psycopg.Cursor(connection.connection)
    if binary:
        cursor.format = psycopg.pq.Format.BINARY
    return connection._prepare_cursor(cursor)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    lat_rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)
