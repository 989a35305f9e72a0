"""A full download of the parcels layer through our OGC API Features, against PostGIS directly.

`stage(run, server)` times, with the running server `ours`:

- ours: `ogr2ogr -f GPKG out.gpkg OAPIF:<server>/ogcapi parcels -oo PAGE_SIZE=1000`, GDAL
  following the `next` links page after page;
- direct: `ogr2ogr -f GPKG out.gpkg PG:<db> 'parcels_parcel(geom)'` with the layer's columns and its
  filter (the current parcels), no HTTP in between;

and prints the ratio of the two (target at most 3 ×), the rows each wrote, and the time of
the first page against the last (target: the last no slower), each the median of a few
fetches, the last reached by the key that its `next` link carries; the same last page by
`offset` is shown beside them.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import _db

OGR2OGR = "/usr/bin/ogr2ogr"
PAGE_SIZE = 1000
PAGE_FETCHES = 5
TARGET_RATIO = 3.0
COLUMNS = "cadastral_code,land_use,area_m2,is_municipal_property"
CURRENT = "valid_to IS NULL"
ITEMS = "/ogcapi/collections/parcels/items"


def _rows(gpkg: Path) -> int:
    done = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(gpkg), "parcels"], capture_output=True, text=True
    )
    for line in done.stdout.splitlines():
        if line.startswith("Feature Count:"):
            return int(line.split(":")[1])
    return 0


def _ogr2ogr(args: list[str], out: Path, log: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [OGR2OGR, "-f", "GPKG", str(out), *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    log.write_text(done.stdout + done.stderr)
    result = {"seconds": round(seconds, 2), "rows": _rows(out) if out.exists() else 0}
    if done.returncode != 0:
        result["error"] = (done.stderr or done.stdout)[-500:]
    return result


def _page_ms(base_url: str, query: str) -> float:
    """The median time of fetching one page of items, in milliseconds."""
    times = []
    for _ in range(PAGE_FETCHES):
        request = urllib.request.Request(
            f"{base_url}{ITEMS}?{query}", headers={"Accept": "application/geo+json"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _last_page_key(db: str) -> tuple[int, int | None]:
    """Where the last page starts (its offset) and the key its `next` link would carry."""
    with _db.connect(db) as conn:
        count = conn.execute(f"SELECT count(*) FROM parcels_parcel WHERE {CURRENT}").fetchone()[0]  # noqa: S608
        start = max(0, (count - 1) // PAGE_SIZE * PAGE_SIZE)
        if start == 0:
            return 0, None
        found = conn.execute(
            f"SELECT id FROM parcels_parcel WHERE {CURRENT} ORDER BY id OFFSET %s LIMIT 1",  # noqa: S608
            [start - 1],
        ).fetchone()
    return start, found[0]


def pages(base_url: str, db: str) -> dict:
    start, key = _last_page_key(db)
    first = _page_ms(base_url, f"limit={PAGE_SIZE}")
    figures = {"first_ms": first, "last_offset": start}
    if key is None:
        return figures | {"last_ms": first, "last_by_offset_ms": first}
    figures["last_ms"] = _page_ms(base_url, f"limit={PAGE_SIZE}&after-id={key}")
    figures["last_by_offset_ms"] = _page_ms(base_url, f"limit={PAGE_SIZE}&offset={start}")
    return figures


def run(base_url: str, db: str) -> dict[str, dict]:
    """{"download_ours": {"seconds", "rows"}, "download_direct": {...}, "download_pages": {...},
    "download_ratio": {"ours/direct", "target", "met"}}."""
    logs = _db.bench_dir(db)
    with tempfile.TemporaryDirectory(prefix="bench-download-") as tmp:
        ours = _ogr2ogr(
            [f"OAPIF:{base_url}/ogcapi", "parcels", "-oo", f"PAGE_SIZE={PAGE_SIZE}"],
            Path(tmp) / "ours.gpkg",
            logs / "download_ours.log",
        )
        direct = _ogr2ogr(
            [
                f"PG:{_db.ogr_conninfo(db)}",
                "parcels_parcel(geom)",
                "-select",
                COLUMNS,
                "-where",
                CURRENT,
                "-nln",
                "parcels",
            ],
            Path(tmp) / "direct.gpkg",
            logs / "download_direct.log",
        )
    ratio = round(ours["seconds"] / direct["seconds"], 2) if direct["seconds"] else None
    page_figures = pages(base_url, db)
    return {
        "download_ours": ours,
        "download_direct": direct,
        "download_ratio": {
            "ours/direct": ratio,
            "target": TARGET_RATIO,
            "met": ratio is not None and ratio <= TARGET_RATIO,
        },
        "download_pages": page_figures
        | {"last_no_slower": page_figures["last_ms"] <= page_figures["first_ms"]},
    }


def stage(bench_run, server) -> None:
    """The workload as a stage of bench.run: its figures go to the results under `download`;
    a download that fails or misses rows fails the stage."""
    if not bench_run.wants("download"):
        return
    with bench_run.stage("full download over OGC API Features: ogr2ogr, ours against PG"):
        figures = run(server.base_url, bench_run.args.db)
        bench_run.results["download"] = figures
        for key, fig in figures.items():
            print(f"   {key:<20} {fig}", flush=True)
        ours, direct = figures["download_ours"], figures["download_direct"]
        if "error" in ours or "error" in direct or ours["rows"] != direct["rows"]:
            raise RuntimeError(f"the download copied {ours['rows']} of {direct['rows']} parcels")
