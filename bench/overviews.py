"""The size of the parcel tiles at every zoom of the layer's range, overviews included.

`stage(run, server)` fetches, from the running server `ours` (uncached), the parcel tiles that
hold parcels at each zoom from the layer's first (TileJSON's `minzoom`) to z17 (the MAX_TILES
holding most, where there are more), as a browser does (gzip accepted), and records
per zoom: tiles fetched and not empty, the largest tile (bytes as sent gzipped and inflated,
its features and its coordinates) and the slowest. Parcel tiles below z15 are overviews that
keep at most the layer's `overview_max_features` largest parcels, so the largest overview tile
should stay near the largest detailed one, whatever the density.
"""

from __future__ import annotations

import gzip
import json
import time
import urllib.request

from bench import _db

MAX_TILES = 400
LAST_ZOOM = 17


def _first_zoom(base_url: str) -> int:
    with urllib.request.urlopen(f"{base_url}/tiles/parcels.json", timeout=60) as response:
        return int(json.load(response)["minzoom"])


def _tiles(db: str, z: int) -> list[tuple[int, int]]:
    """The tiles of zoom z that hold parcels (by their box's lower-left corner), the MAX_TILES
    holding most if there are more."""
    half = 20037508.342789244
    width = 2 * half / (1 << z)
    with _db.connect(db) as conn:
        rows = conn.execute(
            "SELECT floor((ST_XMin(geom_web) + %(half)s) / %(width)s)::int AS x, "
            "floor((%(half)s - ST_YMin(geom_web)) / %(width)s)::int AS y "
            "FROM parcels_parcel WHERE valid_to IS NULL "
            "GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT %(most)s",
            {"half": half, "width": width, "most": MAX_TILES},
        ).fetchall()
    return [(x, y) for x, y in rows]


def _features(body: bytes) -> int:
    import mapbox_vector_tile

    return sum(len(layer["features"]) for layer in mapbox_vector_tile.decode(body).values())


def zoom(base_url: str, db: str, z: int) -> dict:
    largest, slowest, full, tiles = None, 0.0, 0, _tiles(db, z)
    for x, y in tiles:
        request = urllib.request.Request(
            f"{base_url}/tiles/parcels/{z}/{x}/{y}.mvt", headers={"Accept-Encoding": "gzip"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            sent = response.read()
            encoded = response.headers.get("Content-Encoding") == "gzip"
        slowest = max(slowest, time.perf_counter() - started)
        if not sent:
            continue
        full += 1
        if largest is None or len(sent) > largest[0]:
            largest = (len(sent), sent, encoded, (x, y))
    figures = {"tiles": len(tiles), "not_empty": full, "slowest_ms": round(slowest * 1000, 1)}
    if largest is not None:
        size, sent, encoded, (x, y) = largest
        body = gzip.decompress(sent) if encoded else sent
        figures |= {
            "largest_gzip": size,
            "largest_raw": len(body),
            "largest_features": _features(body),
            "largest_tile": f"{z}/{x}/{y}",
        }
    return figures


def stage(bench_run, server) -> None:
    if not bench_run.wants("overviews"):
        return
    with bench_run.stage("parcel tiles at every zoom: the largest per zoom"):
        found = {}
        for z in range(_first_zoom(server.base_url), LAST_ZOOM + 1):
            found[str(z)] = zoom(server.base_url, bench_run.args.db, z)
            print(f"   z{z:<3} {found[str(z)]}", flush=True)
        bench_run.results["overviews"] = found
