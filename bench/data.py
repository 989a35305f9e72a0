"""The benchmark database: N synthetic parcels in Batumi and Rustavi, zones and constraints.

`build(parcels, db)` creates the database with Django's migrations, the two municipalities
(from fixtures.cities, their outlines scaled up around the centre when N needs more room), N
parcels, N/20 zone and constraint polygons, builds the indexes after the load and ANALYZEs.
It returns the manifest (what the workloads request) and saves it as
.state/bench/<db>/manifest.json. A database that already holds the same build is kept.

GENERATED DATA, not the NAPR cadastre. Deterministic: the same N gives the same rows. Shapes:
a rotated street grid; each block is cut into rows of lots whose dividing lines slant, bend
once or more, or step (L-shaped lots), and some block corners are cut; neighbours share their
edges exactly. Lots are about 13 m wide and 12 m deep in the centre (the densest z16 tile holds
about a thousand parcels) and grow to suburban lots of about 30 x 30 m; blocks are filled
nearest the centre first, so the centre is the same whatever N.

Run in a child process (Django needs the database name before it starts):
`python -m bench.data --parcels N --db NAME [--rebuild]`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from bench import _db

VERSION = 1
SEED = 5
SHARES = {"BTM": 0.55, "RST": 0.45}  # share of the parcels in each city
VALID_FROM = date(2020, 1, 1)
SOURCE = "benchmark (generated, not the NAPR cadastre)"
TABLE = "parcels_parcel"
SRID = 32638
LAYER = "parcels"

# Sizes in metres. "share" is 0 in the centre and 1 in the suburbs.
DENSE_RADIUS = 1300.0
SUBURB_RADIUS = 4500.0
BLOCK_LENGTH = (96.0, 210.0)  # along the grid's u axis
BLOCK_DEPTH = (50.0, 72.0)  # along v
LOT_WIDTH = (12.5, 24.0)
ROW_DEPTH = (12.0, 28.0)
STREET_WIDTH = {"residential": 10.0, "secondary": 16.0, "primary": 24.0}
BORDER = 25.0
WHOLE_BLOCK_SHARE = 0.03
MUNICIPAL_SHARE = 0.02


# --- deterministic random numbers ------------------------------------------------------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _unit(*keys) -> np.ndarray:
    """Uniform numbers in [0, 1) that depend only on the keys (ints or int arrays)."""
    arrays = np.broadcast_arrays(*(np.asarray(k, dtype=np.int64) for k in (SEED, *keys)))
    z = np.zeros(arrays[0].shape, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for key in arrays:
            z = z + key.astype(np.uint64) + _GOLDEN
            z = (z ^ (z >> np.uint64(30))) * _M1
            z = (z ^ (z >> np.uint64(27))) * _M2
            z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(2**53)


def _lerp(pair: tuple[float, float], share):
    return pair[0] + (pair[1] - pair[0]) * share


def _share(distance):
    return np.clip((np.asarray(distance) - DENSE_RADIUS) / (SUBURB_RADIUS - DENSE_RADIUS), 0, 1)


# --- the street grid -------------------------------------------------------------------------


def _street_kind(index: np.ndarray) -> np.ndarray:
    index = np.abs(index)
    kind = np.full(index.shape, "residential", dtype=object)
    kind[index % 4 == 0] = "secondary"
    kind[index % 8 == 0] = "primary"
    return kind


def _lines(extent: float, sizes: tuple[float, float], city: int, axis: int) -> np.ndarray:
    """Street centre lines along one axis, from the centre outwards (centre in mid-block):
    positions do not depend on the extent, so the centre is the same at every scale."""

    def step(position: float, k: int) -> float:
        size = float(_lerp(sizes, _share(abs(position))))
        jitter = 0.9 + 0.2 * float(_unit(city, axis, k))
        return size * jitter

    ahead = [step(0.0, 0) / 2]
    k = 1
    while ahead[-1] < extent:
        ahead.append(ahead[-1] + step(ahead[-1], k))
        k += 1
    behind = [-ahead[0]]
    k = -1
    while behind[-1] > -extent:
        behind.append(behind[-1] - step(behind[-1], k))
        k -= 1
    return np.array(behind[::-1] + ahead)


@dataclass
class City:
    code: str
    index: int
    spec: object
    origin: np.ndarray
    cos: float
    sin: float
    scale: float
    boundary: object  # shapely Polygon, EPSG:32638
    land: object  # where blocks may be
    # blocks, nearest the centre first
    u0: np.ndarray = None
    u1: np.ndarray = None
    v0: np.ndarray = None
    v1: np.ndarray = None
    cu0: np.ndarray = None  # the cell: the block and half of its streets
    cu1: np.ndarray = None
    cv0: np.ndarray = None
    cv1: np.ndarray = None
    distance: np.ndarray = None
    street: np.ndarray = None  # index of the street along the block's lower v side
    rows: np.ndarray = None
    lots_in_row: list = None  # per block, an array of lots per row
    lots: np.ndarray = None

    def to_xy(self, u, v) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        v = np.asarray(v, dtype=float)
        x = u * self.cos - v * self.sin + self.origin[0]
        y = u * self.sin + v * self.cos + self.origin[1]
        return np.stack([x, y], axis=-1)


def _city(spec, index: int, scale: float) -> City:
    import shapely
    from pyproj import Transformer
    from shapely import LineString, Polygon

    origin = np.array(
        Transformer.from_crs(4326, SRID, always_xy=True).transform(spec.lon, spec.lat)
    )
    outline = Polygon(np.array(spec.outline, dtype=float) * scale + origin)
    outline = shapely.make_valid(outline)
    outline = max(shapely.get_parts(outline), key=lambda p: p.area)
    land = outline.buffer(-BORDER)
    if spec.river is not None:
        river = LineString(np.array(spec.river, dtype=float) * scale + origin)
        land = land.difference(river.buffer(spec.river_width / 2 + BORDER))
    shapely.prepare(land)
    angle = math.radians(spec.grid_angle)
    return City(
        spec.code, index, spec, origin, math.cos(angle), math.sin(angle), scale, outline, land
    )


def _blocks(city: City) -> None:
    """Every block of the grid that lies wholly on the city's land, nearest the centre first,
    with its rows and lots."""
    import shapely

    local = np.array(city.boundary.exterior.coords) - city.origin
    u = local[:, 0] * city.cos + local[:, 1] * city.sin
    v = -local[:, 0] * city.sin + local[:, 1] * city.cos
    extent_u = float(np.abs(u).max()) + 300
    extent_v = float(np.abs(v).max()) + 300
    ul = _lines(extent_u, BLOCK_LENGTH, city.index, 0)
    vl = _lines(extent_v, BLOCK_DEPTH, city.index, 1)
    ui = np.arange(len(ul)) - int(np.argmin(np.abs(ul)))
    vi = np.arange(len(vl)) - int(np.argmin(np.abs(vl)))
    uw = np.array([STREET_WIDTH[k] for k in _street_kind(ui)]) / 2
    vw = np.array([STREET_WIDTH[k] for k in _street_kind(vi)]) / 2
    i, j = np.meshgrid(np.arange(len(ul) - 1), np.arange(len(vl) - 1), indexing="ij")
    i, j = i.ravel(), j.ravel()
    u0, u1 = ul[i] + uw[i], ul[i + 1] - uw[i + 1]
    v0, v1 = vl[j] + vw[j], vl[j + 1] - vw[j + 1]
    corners = np.stack(
        [city.to_xy(u0, v0), city.to_xy(u1, v0), city.to_xy(u1, v1), city.to_xy(u0, v1)], axis=1
    )
    rects = shapely.polygons(corners)
    inside = shapely.contains(city.land, rects)
    centre = city.to_xy((u0 + u1) / 2, (v0 + v1) / 2) - city.origin
    distance = np.hypot(centre[:, 0], centre[:, 1])
    order = np.flatnonzero(inside)
    order = order[np.lexsort((j[order], i[order], distance[order]))]
    city.u0, city.u1, city.v0, city.v1 = u0[order], u1[order], v0[order], v1[order]
    city.cu0, city.cu1 = ul[i[order]], ul[i[order] + 1]
    city.cv0, city.cv1 = vl[j[order]], vl[j[order] + 1]
    city.distance = distance[order]
    city.street = vi[j[order]]
    city.ul, city.vl = ul, vl
    city.i_raw, city.j_raw = i[order], j[order]
    key_i, key_j = ui[i[order]], vi[j[order]]
    share = _share(city.distance)
    width = _lerp(LOT_WIDTH, share)
    depth = _lerp(ROW_DEPTH, share)
    whole = _unit(city.index, 2, key_i, key_j) < WHOLE_BLOCK_SHARE
    rows = np.maximum(1, np.round((city.v1 - city.v0) / depth)).astype(int)
    rows[whole] = 1
    city.rows = rows
    length = city.u1 - city.u0
    most = int(rows.max()) if len(rows) else 1
    jitter = 0.85 + 0.3 * _unit(city.index, 3, key_i[:, None], key_j[:, None], np.arange(most))
    lots = np.maximum(1, np.round(length[:, None] / (width[:, None] * jitter))).astype(np.int64)
    lots[whole, 0] = 1
    lots[np.arange(most)[None, :] >= rows[:, None]] = 0
    city.lots_in_row = lots  # per block and row; 0 past the block's rows
    city.lots = lots.sum(axis=1)
    city.key_i, city.key_j = key_i, key_j


def _cities(parcels: int) -> list[City]:
    """Both cities, each scaled up (from 1) until its blocks hold its share of the parcels."""
    from fixtures.cities import CITIES

    out = []
    remaining = parcels
    for index, spec in enumerate(CITIES):
        want = remaining if index == len(CITIES) - 1 else int(round(parcels * SHARES[spec.code]))
        remaining -= want
        scale = 1.0
        while True:
            city = _city(spec, index, scale)
            _blocks(city)
            if city.lots.sum() >= want:
                break
            scale *= max(1.1, min(2.0, math.sqrt(want / max(city.lots.sum(), 1)) * 1.05))
        city.want = want
        out.append(city)
    return out


# --- lots ------------------------------------------------------------------------------------


def _lot_geometries(city: City, blocks: int, last_lots: int):
    """The lots of the first `blocks` blocks (only `last_lots` of the last one) as polygons,
    with per lot: block number, lot number in the block, row."""
    import shapely

    # One entry per block row: block, row, lots.
    row_block, row_index = np.nonzero(city.lots_in_row[:blocks])
    row_lots = city.lots_in_row[row_block, row_index]
    nrows = city.rows[row_block]
    depth = (city.v1 - city.v0)[row_block]
    length = (city.u1 - city.u0)[row_block]
    ki, kj = city.key_i[row_block], city.key_j[row_block]
    # Row boundaries: shared by the rows on either side, jittered inside the block.
    split = _unit(city.index, 4, ki, kj, row_index + 1) * 0.16 - 0.08
    t1 = np.where(row_index + 1 == nrows, depth, (row_index + 1 + split) * depth / nrows)
    split0 = _unit(city.index, 4, ki, kj, row_index) * 0.16 - 0.08
    t0 = np.where(row_index == 0, 0.0, (row_index + split0) * depth / nrows)

    # Cuts: n + 1 per row (the block's two sides and n - 1 dividing lines).
    cuts_per_row = row_lots + 1
    cut_row = np.repeat(np.arange(len(row_lots)), cuts_per_row)
    first_cut = np.r_[0, np.cumsum(cuts_per_row)[:-1]]
    k = np.arange(len(cut_row)) - first_cut[cut_row]
    n = row_lots[cut_row]
    mean = length[cut_row] / n
    rk = _unit(city.index, 5, ki[cut_row], kj[cut_row], row_index[cut_row], k, 0)
    c = np.where((k > 0) & (k < n), k + (rk - 0.5) * 0.5, k) * mean  # widths 0.5-1.5 x mean
    # Room: a fraction of the narrower neighbouring lot, so that lines never cross.
    room = np.full(len(c), np.inf)
    inner = (k > 0) & (k < n)
    room[inner] = 0.28 * np.minimum(
        c[inner] - c[np.flatnonzero(inner) - 1], c[np.flatnonzero(inner) + 1] - c[inner]
    )
    ta, tb = t0[cut_row], t1[cut_row]
    tm = (ta + tb) / 2
    h = tb - ta
    draws = [
        _unit(city.index, 5, ki[cut_row], kj[cut_row], row_index[cut_row], k, d)
        for d in range(1, 6)
    ]
    kind = draws[0]
    slant = (draws[1] - 0.5) * 2 * 0.5 * room
    bend = (draws[2] - 0.5) * 2 * room
    step = np.where(draws[3] < 0.5, -1, 1) * (0.5 + 0.5 * draws[4]) * room
    points = np.zeros((len(c), 5, 2))
    count = np.full(len(c), 2)
    # straight (with a slant): default
    points[:, 0] = np.column_stack([c - slant, ta])
    points[:, 1] = np.column_stack([c + slant, tb])
    is_bend = inner & (kind >= 0.50) & (kind < 0.72)
    is_step = inner & (kind >= 0.72) & (kind < 0.84)
    is_two = inner & (kind >= 0.84) & (kind < 0.94)
    is_three = inner & (kind >= 0.94)
    sel = is_bend
    points[sel, 1] = np.column_stack([c[sel] + bend[sel], tm[sel]])
    points[sel, 2] = np.column_stack([c[sel] + slant[sel], tb[sel]])
    count[sel] = 3
    sel = is_step
    points[sel, 0] = np.column_stack([c[sel], ta[sel]])
    points[sel, 1] = np.column_stack([c[sel], tm[sel]])
    points[sel, 2] = np.column_stack([c[sel] + step[sel], tm[sel]])
    points[sel, 3] = np.column_stack([c[sel] + step[sel], tb[sel]])
    count[sel] = 4
    sel = is_two
    points[sel, 1] = np.column_stack([c[sel] + bend[sel], ta[sel] + h[sel] / 3])
    points[sel, 2] = np.column_stack([c[sel] - bend[sel], ta[sel] + 2 * h[sel] / 3])
    points[sel, 3] = np.column_stack([c[sel] + slant[sel], tb[sel]])
    count[sel] = 4
    sel = is_three
    for q, f in enumerate((0.25, 0.5, 0.75), start=1):
        sign = 1 if q % 2 else -1
        points[sel, q] = np.column_stack(
            [c[sel] + sign * bend[sel] * (1 - abs(0.5 - f)), ta[sel] + h[sel] * f]
        )
    points[sel, 4] = np.column_stack([c[sel] + slant[sel], tb[sel]])
    count[sel] = 5
    # The block's sides: straight, with a cut corner at some of the block's four corners.
    side = ~inner
    corner = side & ((row_index[cut_row] == 0) | (row_index[cut_row] + 1 == nrows[cut_row]))
    first_width = np.where(k == 0, c[np.minimum(np.arange(len(c)) + 1, len(c) - 1)] - c, 0)
    last_width = np.where(k == n, c - c[np.maximum(np.arange(len(c)) - 1, 0)], 0)
    lot_width = np.where(k == 0, first_width, last_width)
    chamfer = 0.3 * np.minimum(lot_width, h)
    cut = corner & (draws[1] < 0.5)
    sign = np.where(k == 0, 1.0, -1.0)  # towards the inside of the block
    bottom = cut & (row_index[cut_row] == 0)
    top = cut & ~bottom
    points[bottom, 0] = np.column_stack([c[bottom] + sign[bottom] * chamfer[bottom], ta[bottom]])
    points[bottom, 1] = np.column_stack([c[bottom], ta[bottom] + chamfer[bottom]])
    points[bottom, 2] = np.column_stack([c[bottom], tb[bottom]])
    count[bottom] = 3
    points[top, 0] = np.column_stack([c[top], ta[top]])
    points[top, 1] = np.column_stack([c[top], tb[top] - chamfer[top]])
    points[top, 2] = np.column_stack([c[top] + sign[top] * chamfer[top], tb[top]])
    count[top] = 3
    side_straight = side & ~cut
    points[side_straight, 0] = np.column_stack([c[side_straight], ta[side_straight]])
    points[side_straight, 1] = np.column_stack([c[side_straight], tb[side_straight]])

    # Lots: between cut first_cut[row] + m and the next one.
    lot_row = np.repeat(np.arange(len(row_lots)), row_lots)
    first_lot = np.r_[0, np.cumsum(row_lots)[:-1]]
    m = np.arange(len(lot_row)) - first_lot[lot_row]
    left = first_cut[lot_row] + m
    right = left + 1
    lot_block = row_block[lot_row]
    # Lot numbers within a block, and the part of the last block that is used.
    block_first = np.r_[0, np.flatnonzero(np.diff(lot_block)) + 1]
    number = (
        np.arange(len(lot_block))
        - block_first[np.searchsorted(block_first, np.arange(len(lot_block)), side="right") - 1]
    )
    keep = (lot_block < blocks - 1) | (number < last_lots)
    left, right, lot_block, number, lot_row = (
        left[keep],
        right[keep],
        lot_block[keep],
        number[keep],
        lot_row[keep],
    )

    pa, pb = count[left], count[right]
    size = pa + pb + 1
    offset = np.r_[0, np.cumsum(size)[:-1]]
    ring = np.repeat(np.arange(len(size)), size)
    q = np.arange(int(size.sum())) - offset[ring]
    pa_r, pb_r = pa[ring], pb[ring]
    from_left = q < pa_r
    from_right = (q >= pa_r) & (q < pa_r + pb_r)
    closing = q == pa_r + pb_r
    st = np.empty((len(q), 2))
    st[from_left] = points[left[ring][from_left], q[from_left]]
    st[from_right] = points[right[ring][from_right], (pb_r - 1 - (q - pa_r))[from_right]]
    st[closing] = points[left[ring][closing], 0]
    b = lot_block[ring]
    xy = city.to_xy(city.u0[b] + st[:, 0], city.v0[b] + st[:, 1])
    rings = shapely.linearrings(xy, indices=ring)
    polygons = shapely.polygons(rings)
    return polygons, lot_block, number, row_index[lot_row]


def draw(city: City):
    """The city's parcels: blocks used, polygons, and each lot's block and number in it."""
    cum = np.cumsum(city.lots)
    blocks = int(np.searchsorted(cum, city.want)) + 1
    last = int(city.want - (cum[blocks - 2] if blocks > 1 else 0))
    polygons, lot_block, number, _ = _lot_geometries(city, blocks, last)
    if len(polygons) != city.want:  # a broken generator, not bad input
        raise AssertionError(f"{city.code}: drew {len(polygons)} lots, not {city.want}")
    return blocks, polygons, lot_block, number


def layout(parcels: int) -> list[City]:
    """Both cities laid out for `parcels` parcels (Django must be set up)."""
    return _cities(parcels)


# --- writing ---------------------------------------------------------------------------------


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _ewkb(geoms) -> list[str]:
    import shapely

    return shapely.to_wkb(shapely.set_srid(geoms, SRID), hex=True, include_srid=True).tolist()


def _zone_cells(city: City, blocks: np.ndarray):
    """The zone of each given block: the pair of grid cells along u that holds it, streets
    halved, so that zones tile the city without overlapping."""
    import shapely

    i0 = (city.i_raw[blocks] // 2) * 2
    i1 = np.minimum(i0 + 2, len(city.ul) - 1)
    j = city.j_raw[blocks]
    u0, u1, v0, v1 = city.ul[i0], city.ul[i1], city.vl[j], city.vl[j + 1]
    corners = np.stack(
        [city.to_xy(u0, v0), city.to_xy(u1, v0), city.to_xy(u1, v1), city.to_xy(u0, v1)], axis=1
    )
    return shapely.polygons(corners)


def _zone_kind(city: City, blocks: np.ndarray) -> np.ndarray:
    d = city.distance[blocks]
    kind = np.where(d < DENSE_RADIUS, "central", np.where(d < 0.6 * SUBURB_RADIUS, "mid", "low"))
    u = _unit(city.index, 6, city.key_i[blocks], city.key_j[blocks])
    kind = np.where(u < 0.06, "green", np.where(u > 0.95, "industrial", kind))
    return kind.astype(object)


def _municipality(city: City):
    """Municipality and districts through the ORM, as the demo fixtures make them."""
    import shapely
    from django.conf import settings
    from django.contrib.gis.geos import GEOSGeometry
    from shapely import MultiPolygon

    from core.models import District, Municipality

    def geos(geom):
        return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=settings.SRID_STORAGE)

    spec = city.spec
    municipality = Municipality.objects.create(
        code=spec.code,
        name_ka=spec.name_ka,
        name_en=spec.name_en,
        ocha_code=spec.ocha_code,
        boundary=geos(MultiPolygon([city.boundary])),
        center_lon=spec.lon,
        center_lat=spec.lat,
        default_zoom=spec.zoom,
    )
    seeds = np.array([d.seed for d in spec.districts], dtype=float) * city.scale + city.origin
    cells = shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=city.boundary.buffer(5000.0), ordered=True
    )
    for d, cell in zip(spec.districts, shapely.get_parts(cells), strict=True):
        shape = shapely.intersection(cell, city.boundary)
        parts = [p for p in shapely.get_parts(shape) if p.geom_type == "Polygon"]
        District.objects.create(
            municipality=municipality,
            code=d.code,
            name_ka=d.name_ka,
            name_en=d.name_en,
            boundary=geos(MultiPolygon(parts)),
            population=d.population,
        )
    return municipality.pk


def _indexes(cursor, table: str) -> list[str]:
    """Drop the table's indexes but its primary key; return the statements that remake them."""
    rows = cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""",
        [table],
    ).fetchall()
    for name, _ in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


def _write(cities: list[City], say) -> None:
    import shapely
    from django.db import connection, transaction

    from fixtures.cities import STREET_NAMES, ZONE_TYPES
    from parcels.models import LandUse  # noqa: F401  (apps loaded)

    lu_choices = {k: z.land_use for k, z in ZONE_TYPES.items()}
    parcel_id = 0
    zone_id = 0
    constraint_id = 0
    total = sum(c.want for c in cities)
    constraints_wanted = total // 20
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers per row
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        remake = _indexes(cursor, TABLE) + _indexes(cursor, "parcels_zone")
        zones_written = 0
        for city in cities:
            started = time.perf_counter()
            municipality = _municipality(city)
            blocks, polygons, lot_block, number = draw(city)
            say(
                f"  {city.code}: scale {city.scale:.2f}, {blocks} blocks, {len(polygons)} lots "
                f"drawn in {time.perf_counter() - started:.1f} s"
            )
            # Zones: one per pair of neighbouring cells along u (blocks with half their streets).
            used = np.arange(blocks)
            group = (city.i_raw[used] // 2) * (len(city.vl) + 1) + city.j_raw[used]
            keys, first, zone_of_block = np.unique(group, return_index=True, return_inverse=True)
            rank = np.empty(len(keys), dtype=np.int64)
            rank[np.argsort(first, kind="stable")] = np.arange(len(keys))  # nearest first
            zone_of_block = rank[zone_of_block]
            zone_first_block = np.empty(len(keys), dtype=np.int64)
            zone_first_block[rank] = first
            kinds = _zone_kind(city, zone_first_block)
            zone_ids = zone_id + 1 + np.arange(len(keys))
            zone_geoms = _ewkb(shapely.multipolygons(_zone_cells(city, zone_first_block)[:, None]))
            _copy(
                cursor,
                "parcels_zone",
                [
                    "id",
                    "municipality_id",
                    "code",
                    "name_ka",
                    "name_en",
                    "k1",
                    "k2",
                    "k3",
                    "max_height_m",
                    "allowed_uses",
                    "geom",
                ],
                (
                    (
                        int(zid),
                        municipality,
                        f"{city.code}-Z-{z + 1:05d}",
                        ZONE_TYPES[k].name_ka,
                        ZONE_TYPES[k].name_en,
                        ZONE_TYPES[k].k1,
                        ZONE_TYPES[k].k2,
                        ZONE_TYPES[k].k3,
                        ZONE_TYPES[k].max_height_m,
                        ZONE_TYPES[k].allowed_uses,
                        g,
                    )
                    for z, zid, k, g in zip(
                        range(len(keys)), zone_ids.tolist(), kinds, zone_geoms, strict=True
                    )
                ),
            )
            zones_written += len(keys)
            zone_id += len(keys)
            # Parcels.
            n = len(polygons)
            ids = np.arange(parcel_id + 1, parcel_id + n + 1)
            parcel_id += n
            key = ids
            area = shapely.area(polygons)
            lot_kind = kinds[zone_of_block[lot_block]]
            land_use = np.empty(n, dtype=object)
            u = _unit(city.index, 7, key)
            for k, weights in lu_choices.items():
                sel = lot_kind == k
                if not sel.any():
                    continue
                values = np.array([str(v) for v, _ in weights], dtype=object)
                cumw = np.cumsum([w for _, w in weights])
                cumw /= cumw[-1]
                land_use[sel] = values[
                    np.minimum(np.searchsorted(cumw, u[sel], side="right"), len(values) - 1)
                ]
            municipal = (_unit(city.index, 8, key) < MUNICIPAL_SHARE).tolist()
            street = np.abs(city.street[lot_block]) % len(STREET_NAMES)
            house = (2 * number + 1 + (city.key_i[lot_block] % 50) * 40).tolist()
            reg = city.spec.registration_zone
            codes = [
                f"{reg:02d}.{1 + b // 10000:02d}.{b % 10000:04d}.{m + 1:03d}"
                for b, m in zip(lot_block.tolist(), number.tolist(), strict=True)
            ]
            zone_of = zone_ids[zone_of_block[lot_block]].tolist()
            multis = shapely.multipolygons(polygons[:, None])
            chunk = 100_000
            for start in range(0, n, chunk):
                stop = min(start + chunk, n)
                ewkb = _ewkb(multis[start:stop])
                _copy(
                    cursor,
                    TABLE,
                    [
                        "id",
                        "cadastral_code",
                        "municipality_id",
                        "geom",
                        "area_m2",
                        "land_use",
                        "address_ka",
                        "address_en",
                        "zone_id",
                        "is_municipal_property",
                        "valid_from",
                        "source",
                    ],
                    (
                        (
                            int(ids[i]),
                            codes[i],
                            municipality,
                            ewkb[i - start],
                            float(area[i]),
                            land_use[i],
                            f"{STREET_NAMES[street[i]][0]} ქუჩა {house[i]}",
                            f"{STREET_NAMES[street[i]][1]} Street {house[i]}",
                            zone_of[i],
                            municipal[i],
                            VALID_FROM,
                            SOURCE,
                        )
                        for i in range(start, stop)
                    ),
                )
            say(f"  {city.code}: {n} parcels written in {time.perf_counter() - started:.1f} s")
            city.municipality_id = municipality
            city.blocks_used = blocks
        # Constraints: the rest of N/20, on blocks spread over the cities.
        constraint_id = _constraints(cursor, cities, max(constraints_wanted - zones_written, 0))
        started = time.perf_counter()
        for statement in remake:
            cursor.execute(statement)
        say(f"  indexes rebuilt in {time.perf_counter() - started:.1f} s")
        for table, last_id in (
            (TABLE, parcel_id),
            ("parcels_zone", zone_id),
            ("permits_constraint", constraint_id),
        ):
            if last_id:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last_id]
                )


CONSTRAINT_KINDS = (
    (
        "heritage_zone",
        "კულტურული მემკვიდრეობის დაცვის ზონა",
        "Heritage protection zone",
        "კულტურული მემკვიდრეობის დაცვის ეროვნული სააგენტო",
        "National Agency for Cultural Heritage Preservation",
    ),
    ("red_line", "წითელი ხაზი", "Red line", "", ""),
    (
        "protected_area",
        "დაცული ტერიტორია",
        "Protected area",
        "დაცული ტერიტორიების სააგენტო",
        "Agency of Protected Areas",
    ),
    (
        "flood_area",
        "დატბორვის ზონა",
        "Flood area",
        "გარემოს ეროვნული სააგენტო",
        "National Environmental Agency",
    ),
)


def _constraints(cursor, cities: list[City], count: int) -> int:
    """`count` constraint polygons over the used blocks; return the last id."""
    import shapely

    if count <= 0:
        return 0
    total_blocks = sum(c.blocks_used for c in cities)
    cid = 0
    for ci, city in enumerate(cities):
        n = count * city.blocks_used // total_blocks if ci < len(cities) - 1 else count - cid
        k = np.arange(n)
        block = (_unit(city.index, 9, k) * city.blocks_used).astype(int)
        kind = (_unit(city.index, 10, k) * 4).astype(int)
        kind[k % 4 == 0] = 0  # a quarter are heritage zones, often in the centre
        block[k % 4 == 0] = (
            _unit(city.index, 11, k[k % 4 == 0]) * min(city.blocks_used, 400)
        ).astype(int)
        cu = (city.u0[block] + city.u1[block]) / 2
        cv = (city.v0[block] + city.v1[block]) / 2
        size = 30 + 120 * _unit(city.index, 12, k)
        centre = city.to_xy(cu, cv)
        circles = shapely.buffer(shapely.points(centre), size, quad_segs=4)
        # Red lines: the strip along the block's lower street.
        strips = shapely.polygons(
            np.stack(
                [
                    city.to_xy(city.u0[block], city.v0[block] - 3),
                    city.to_xy(city.u1[block], city.v0[block] - 3),
                    city.to_xy(city.u1[block], city.v0[block] + 2),
                    city.to_xy(city.u0[block], city.v0[block] + 2),
                ],
                axis=1,
            )
        )
        boxes = shapely.box(
            centre[:, 0] - size,
            centre[:, 1] - size / 2,
            centre[:, 0] + size,
            centre[:, 1] + size / 2,
        )
        geoms = np.where(kind == 1, strips, np.where(kind == 2, boxes, circles))
        ewkb = _ewkb(shapely.multipolygons(geoms[:, None]))
        _copy(
            cursor,
            "permits_constraint",
            [
                "id",
                "municipality_id",
                "name_ka",
                "name_en",
                "kind",
                "consultee_ka",
                "consultee_en",
                "source",
                "valid_from",
                "geom",
            ],
            (
                (
                    cid + i + 1,
                    city.municipality_id,
                    f"{CONSTRAINT_KINDS[kd][1]} {cid + i + 1}",
                    f"{CONSTRAINT_KINDS[kd][2]} {cid + i + 1}",
                    CONSTRAINT_KINDS[kd][0],
                    CONSTRAINT_KINDS[kd][3],
                    CONSTRAINT_KINDS[kd][4],
                    SOURCE,
                    VALID_FROM,
                    g,
                )
                for i, (kd, g) in enumerate(zip(kind.tolist(), ewkb, strict=True))
            ),
        )
        cid += n
    return cid


# --- the manifest ----------------------------------------------------------------------------


def _lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def _tile_count_sql() -> str:
    return (
        "SELECT count(*) FROM parcels_parcel WHERE valid_to IS NULL AND geom && "
        "ST_Transform(ST_TileEnvelope(%s, %s, %s), 32638) AND "
        "ST_Intersects(geom, ST_Transform(ST_TileEnvelope(%s, %s, %s), 32638))"
    )


def _bbox_count(cursor, box) -> int:
    return cursor.execute(
        "SELECT count(*) FROM parcels_parcel WHERE valid_to IS NULL AND ST_Intersects(geom, "
        "ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), 32638))",
        list(box),
    ).fetchone()[0]


def _point_lonlat(cursor, parcel_id: int) -> tuple[float, float]:
    return cursor.execute(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(geom), 4326) AS p "
        "FROM parcels_parcel WHERE id = %s) s",
        [parcel_id],
    ).fetchone()


def _bboxes(cursor, centres: list[int], target: int) -> list[list[float]]:
    out = []
    for pid in centres:
        lon, lat = _point_lonlat(cursor, pid)
        half = math.sqrt(target * 230.0) / 2  # metres, at the densest lots
        while True:
            dlat = half / 111_320.0
            dlon = half / (111_320.0 * math.cos(math.radians(lat)))
            box = [
                round(lon - dlon, 6),
                round(lat - dlat, 6),
                round(lon + dlon, 6),
                round(lat + dlat, 6),
            ]
            if _bbox_count(cursor, box) >= target * 1.2 or half > 20_000:
                break
            half *= 1.3
        out.append(box)
    return out


def _manifest(db: str, cities: list[dict]) -> dict:
    import psycopg

    with psycopg.connect(_db.conninfo(db), autocommit=True) as conn, conn.cursor() as cursor:
        parcels = cursor.execute(
            "SELECT count(*) FROM parcels_parcel WHERE valid_to IS NULL"
        ).fetchone()[0]
        lon, lat = cities[0]["lon"], cities[0]["lat"]
        tiles, counts, densest = {}, {}, {}
        for z in (14, 15, 16, 17):
            cx, cy = _lonlat_to_tile(lon, lat, z)
            found = []
            for dx in range(-3, 4):
                for dy in range(-3, 4):
                    x, y = cx + dx, cy + dy
                    n = cursor.execute(_tile_count_sql(), [z, x, y, z, x, y]).fetchone()[0]
                    found.append((n, abs(dx) + abs(dy), x, y))
            found.sort(key=lambda t: (-t[0], t[1], t[2], t[3]))
            chosen = sorted(found[:20], key=lambda t: (t[3], t[2]))
            tiles[str(z)] = [[x, y] for _, _, x, y in chosen]
            counts[str(z)] = [n for n, _, _, _ in chosen]
            densest[str(z)] = {"tile": [found[0][2], found[0][3]], "parcels": found[0][0]}
        # Centres of bboxes: parcels near each city's centre (ids are given nearest first).
        centres = []
        for city, share in zip(cities, (14, 6), strict=True):
            span = min(city["parcels"], 40_000)
            step = max(span // share, 1)
            centres += [city["first_id"] + i * step for i in range(share)]
        bboxes_100 = _bboxes(cursor, centres, 100)
        bboxes_1000 = _bboxes(cursor, centres, 1000)
        stride = max(parcels // 50, 1)
        points = [list(_point_lonlat(cursor, 1 + i * stride)) for i in range(min(50, parcels))]
        points = [[round(x, 7), round(y, 7)] for x, y in points]
        # The compliance check: three neighbouring lots of a dense block, near the centre.
        site, footprint, codes = cursor.execute(
            """SELECT ST_AsGeoJSON(ST_Transform(u, 4326), 7),
                      ST_AsGeoJSON(ST_Transform(ST_Buffer(u, -2.0, 'join=mitre'), 4326), 7), codes
               FROM (SELECT ST_Union(geom) AS u, array_agg(cadastral_code ORDER BY id) AS codes
                     FROM parcels_parcel WHERE id IN (11, 12, 13)) s"""
        ).fetchone()
    compliance = {
        "site": json.loads(site),
        "footprint": json.loads(footprint),
        "floors": 4,
        "height_m": 13.5,
        "use": "residential",
    }
    return {
        "db": db,
        "parcels": parcels,
        "table": TABLE,
        "srid": SRID,
        "layer": LAYER,
        "centre": [lon, lat],
        "tiles": tiles,
        "tile_parcels": counts,
        "densest": densest,
        "bboxes_100": bboxes_100,
        "bboxes_1000": bboxes_1000,
        "points": points,
        "compliance": compliance,
        "compliance_parcels": list(codes),
        "build": {"version": VERSION, "seed": SEED},
    }


# --- build -----------------------------------------------------------------------------------


def _stamp(parcels: int) -> str:
    return f"gisportal-bench v{VERSION} seed={SEED} parcels={parcels}"


def _db_stamp(db: str) -> str | None:
    with _db.connect("postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [db],
        ).fetchone()
    return row[0] if row else None


def _version_rows() -> None:
    """Give every declared layer its version row. The data are written with triggers off
    (session_replication_role), so none was made; a layer without one has a token that never
    changes, under which the server keeps no count (layers.versions.is_versioned)."""
    from layers.models import LayerState
    from layers.registry import registry
    from layers.versions import layer_bump

    known = set(LayerState.objects.values_list("name", flat=True))
    for layer in registry.declared():
        if layer.name not in known:
            layer_bump(layer.name)


def _build_here(parcels: int, db: str, rebuild: bool) -> dict:
    """The work of build(), in a process whose Django points at db."""
    manifest_path = _db.bench_dir(db) / "manifest.json"

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    fresh = rebuild or _db_stamp(db) != _stamp(parcels)
    if fresh:
        _db.create(db, drop=True)
    _db.setup_django(db)
    from core.db.owner import as_owner

    # The load drops indexes and writes with triggers off: the work of the tables' owner, not of
    # the application role that the portal connects as (core/db/owner.py).
    with as_owner():
        return _build_as_owner(parcels, db, fresh, manifest_path, say)


def _build_as_owner(parcels: int, db: str, fresh: bool, manifest_path: Path, say) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from psycopg import sql

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if not fresh:
        _version_rows()
        if manifest_path.exists():
            manifest = json.loads(manifest_path.read_text())
            if manifest.get("parcels") == parcels:
                return manifest
        cities = json.loads((_db.bench_dir(db) / "cities.json").read_text())
        manifest = _manifest(db, cities)
        manifest_path.write_text(json.dumps(manifest, indent=1))
        return manifest
    say(f"Building {db}: {parcels} parcels (migrated in {time.perf_counter() - started:.1f} s)")
    t0 = time.perf_counter()
    cities = _cities(parcels)
    say(f"  grid laid out in {time.perf_counter() - t0:.1f} s")
    _write(cities, say)
    t1 = time.perf_counter()
    connection.close()
    with _db.connect(db, autocommit=True) as conn:
        for table in (
            TABLE,
            "parcels_zone",
            "permits_constraint",
            "core_municipality",
            "core_district",
        ):
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(db), sql.Literal(_stamp(parcels))
            )
        )
    say(f"  vacuumed and analysed in {time.perf_counter() - t1:.1f} s")
    _version_rows()
    info = []
    first = 1
    for city in cities:
        info.append(
            {
                "code": city.code,
                "lon": city.spec.lon,
                "lat": city.spec.lat,
                "parcels": int(city.want),
                "first_id": first,
                "scale": city.scale,
            }
        )
        first += int(city.want)
    (_db.bench_dir(db) / "cities.json").write_text(json.dumps(info, indent=1))
    manifest = _manifest(db, info)
    manifest["build"]["seconds"] = round(time.perf_counter() - started, 1)
    manifest["build"]["cities"] = info
    manifest_path.write_text(json.dumps(manifest, indent=1))
    say(
        f"Built {db} in {manifest['build']['seconds']} s; densest z16 tile "
        f"{manifest['densest']['16']}"
    )
    return manifest


def build(parcels: int, db: str, *, rebuild: bool = False) -> dict:
    """Create (or keep) database db with `parcels` benchmark parcels; return the manifest."""
    args = ["--parcels", str(parcels), "--db", db] + (["--rebuild"] if rebuild else [])
    _db.run_module("bench.data", args, db)
    return json.loads((_db.bench_dir(db) / "manifest.json").read_text())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build a benchmark database.")
    parser.add_argument("--parcels", type=int, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args(argv)
    _build_here(args.parcels, args.db, args.rebuild)


if __name__ == "__main__":
    main()
