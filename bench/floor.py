"""The database floor: our own tile, bbox and point SQL run by pgbench, with no server around it.

`run(manifest, duration=..., clients=2)` first asks our code, inside Django and at run time,
for the SQL it sends for each request of the manifest (so a change to the server's queries
changes the floor too):

- tiles: `layers.tiles.tile_sql(layer, z, x, y)`, its parameters inlined by psycopg;
- items: what the OGC API items view runs against the parcels table for
  `/ogcapi/collections/parcels/items?bbox=...&limit=N` (the page and, if the view counts, the
  count), captured as executed;
- point: what `/api/v1/parcels/at/?lon=..&lat=..` runs against the parcels table.

Each request becomes one pgbench script file of literal SQL (one transaction); pgbench picks
among the files at random, with `-M prepared -c clients -j clients -T duration`. Per-transaction
latencies come from pgbench's transaction log (`-l`, under .state/bench/<db>/floor/).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench import _db

PGBENCH = shutil.which("pgbench") or "/usr/bin/pgbench"
KEYS = (
    "tiles_z14",
    "tiles_z15",
    "tiles_z16",
    "tiles_z17",
    "items_bbox_100",
    "items_bbox_1000",
    "point",
)
# pgbench reads ":name" in a script as a variable; "::" casts are left alone.
_VARIABLE = re.compile(r"(?<![:\w]):[A-Za-z_][A-Za-z0-9_]*")


# --- inside Django: the SQL of each request ---------------------------------------------------


def _tile_statements(layer, z: int, x: int, y: int) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from layers import tiles

    try:
        sql, params = tiles.tile_sql(layer, z, x, y)
    except TypeError:  # a changed signature: take what rendering the tile runs
        with CaptureQueriesContext(connection) as captured:
            tiles.render_tile(layer, z, x, y)
        return [q["sql"] for q in captured.captured_queries]
    if not sql:
        return []
    return [connection.ops.compose_sql(sql, params)]


def _view_statements(client, url: str, host: str) -> list[str]:
    """The statements on the parcels table that one GET of our server runs, with their
    parameters inlined (the server may bind them on the server side, as prepared statements)."""
    from django.db import connection

    seen: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url, HTTP_HOST=host)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return [
        connection.ops.compose_sql(sql, params) if params else sql
        for sql, params in seen
        if "parcels_parcel" in sql
    ]


def _fmt(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")


def write_scripts(manifest: dict, out: Path) -> dict[str, list[Path]]:
    """Write one pgbench script per request of the manifest under out/<key>/; return them."""
    from django.conf import settings
    from django.test import Client

    from layers.registry import registry

    layer = registry.get(manifest.get("layer", "parcels"))
    if layer is None:
        raise RuntimeError(f"No layer {manifest.get('layer')!r} in the registry.")
    host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h), "localhost")
    host = host.lstrip(".")
    client = Client()
    requests: dict[str, list[list[str]]] = {key: [] for key in KEYS}
    for z, tiles in manifest["tiles"].items():
        for x, y in tiles:
            requests[f"tiles_z{z}"].append(_tile_statements(layer, int(z), x, y))
    for limit in (100, 1000):
        for box in manifest[f"bboxes_{limit}"]:
            bbox = ",".join(_fmt(v) for v in box)
            url = f"/ogcapi/collections/{layer.name}/items?bbox={bbox}&limit={limit}&f=json"
            requests[f"items_bbox_{limit}"].append(_view_statements(client, url, host))
    for lon, lat in manifest["points"]:
        url = f"/api/v1/parcels/at/?lon={_fmt(lon)}&lat={_fmt(lat)}"
        requests["point"].append(_view_statements(client, url, host))
    written: dict[str, list[Path]] = {}
    for key, scripts in requests.items():
        folder = out / key
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        written[key] = []
        for n, statements in enumerate(s for s in scripts if s):
            text = "".join(" ".join(st.split()) + ";\n" for st in statements)
            if _VARIABLE.search(text):
                raise RuntimeError(f"{key} script {n} holds text pgbench reads as a variable.")
            path = folder / f"{n:03d}.sql"
            path.write_text(text)
            written[key].append(path)
    return written


# --- pgbench -----------------------------------------------------------------------------------


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def _latencies(prefix: Path) -> np.ndarray:
    values = []
    for log in prefix.parent.glob(prefix.name + ".*"):
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2].isdigit():
                values.append(int(parts[2]))
    return np.array(values, dtype=float) / 1000.0  # ms


def pgbench(db: str, scripts: list[Path], *, duration: float, clients: int, log_dir: Path) -> dict:
    """Run pgbench over the scripts; figures in the shape of a load workload."""
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("txn.*"):
        old.unlink()
    prefix = log_dir / "txn"
    seconds = max(1, int(round(duration)))
    command = [PGBENCH, "-n", "-M", "prepared", "-c", str(clients), "-j", str(clients)]
    command += ["-T", str(seconds), "-l", f"--log-prefix={prefix}"]
    for script in scripts:
        command += ["-f", str(script)]
    command.append(_db.conninfo(db))
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    out = done.stdout + done.stderr
    (log_dir / "pgbench.out").write_text(" ".join(command) + "\n\n" + out)
    latencies = _latencies(prefix)
    processed = _number(r"number of transactions actually processed: (\d+)", out) or 0
    failed = _number(r"number of failed transactions: (\d+)", out) or 0
    aborted = len(re.findall(r"client \d+ aborted", out))
    p50, p95, p99 = (
        np.percentile(latencies, [50, 95, 99]).tolist() if len(latencies) else (None,) * 3
    )
    return {
        "requests": int(processed),
        "seconds": float(seconds),
        "rps": _number(r"tps = ([\d.]+) \(without initial connection time\)", out)
        or (processed / seconds if processed else 0.0),
        "latency_avg_ms": _number(r"latency average = ([\d.]+) ms", out),
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "errors": int(failed) + aborted + (0 if done.returncode == 0 else 1),
        "connections": clients,
        "scripts": len(scripts),
        "bytes_raw": None,
        "bytes_gzip": None,
    }


def run(manifest: dict, *, duration: float, clients: int = 2) -> dict[str, dict]:
    """pgbench figures for tiles_z14..z17, items_bbox_100, items_bbox_1000 and point."""
    db = manifest["db"]
    out = _db.bench_dir(db) / "floor"
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    _db.run_module("bench.floor", ["--scripts", str(manifest_path), str(out)], db)
    results = {}
    for key in KEYS:
        scripts = sorted((out / key).glob("*.sql"))
        if not scripts:
            results[key] = {"requests": 0, "errors": 0, "skipped": "no request holds data"}
            continue
        results[key] = pgbench(
            db, scripts, duration=duration, clients=clients, log_dir=out / "logs" / key
        )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The database floor of the benchmark.")
    parser.add_argument("--scripts", nargs=2, metavar=("MANIFEST", "OUT"))
    parser.add_argument("--manifest", help="run pgbench for this manifest.json")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args(argv)
    if args.scripts:
        manifest = json.loads(Path(args.scripts[0]).read_text())
        _db.setup_django(manifest["db"])
        write_scripts(manifest, Path(args.scripts[1]))
        return
    manifest = json.loads(Path(args.manifest).read_text())
    json.dump(run(manifest, duration=args.duration, clients=args.clients), sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
