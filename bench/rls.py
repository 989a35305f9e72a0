"""The cost of row-level security on uncached tiles and items pages (docs/adr/0004).

    python -m bench.rls [--parcels N] [--duration S] [--tiles N] [--db NAME]

One server (ours, TILE_CACHE=off) answers the same z16 tiles and bbox pages in turns, with the
policies on and off, ROUNDS turns in alternating order: on a shared machine the speed drifts
over minutes, so the two sides are compared only turn by turn (the cost is the median of the
turns' lost throughput). "Off" disables row-level security on the tables that carry a
municipality, through the owner's connection, so the application role reads them unfiltered as
it did before the policies; the server and its connections stay the same. Each side also keeps
its median turn; the policies are on again at the end whatever happens.

Then the same comparison without HTTP: the floor's SQL of those tiles and pages (bench.floor)
run by pgbench as the application role with the public scope, on the private cluster only.

Takes the options of bench.run (the same database and manifest) and writes
.state/bench/results/rls-<date>.json.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

from psycopg import sql

from bench import ROOT, STATE, _db, floor, load, servers
from bench._db import connect

# The role the portal connects as on the private cluster (gisportal/settings.py).
APP_USER = "gisportal_app"

ROUNDS = 4
ZOOM = 16
WORKLOADS = ("tiles_z16_cold", "items_bbox_100", "items_bbox_1000")


def _tables(db: str) -> list[str]:
    with connect(db) as conn:
        found = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relrowsecurity AND n.nspname = 'public' ORDER BY 1"
        ).fetchall()
    return [name for (name,) in found]


def _switch(db: str, tables: list[str], *, on: bool) -> None:
    action = sql.SQL("ENABLE" if on else "DISABLE")
    with connect(db, autocommit=True) as conn:
        for table in tables:
            conn.execute(
                sql.SQL("ALTER TABLE {} {} ROW LEVEL SECURITY").format(
                    sql.Identifier(table), action
                )
            )


def _paths(run, server, workload: str) -> list[str]:
    if workload.startswith("tiles"):
        return run.tile_paths(server, ZOOM)
    return run.item_paths(server, int(workload.rsplit("_", 1)[1]))


def _measure(run, server, paths: list[str]) -> dict:
    try:
        return load.run(
            server.base_url,
            paths,
            connections=run.args.connections,
            duration=run.args.duration,
            probe_timeout=30 if run.args.smoke else 120,
        )
    except Exception as e:  # noqa: BLE001  (recorded; the other turns go on)
        run.failures.append({"stage": "rls", "error": str(e)})
        return {"skipped": f"failed: {e}"}


def _pgbench_tps(db: str, scripts: list[Path], duration: float) -> float | None:
    """Transactions per second of pgbench over the scripts, as the application role."""
    conninfo = (
        f"host={STATE.parent / 'run'} dbname={db} user={APP_USER} "
        f"options='-c gisportal.municipalities=*'"
    )
    command = [floor.PGBENCH, "-n", "-M", "prepared", "-c", "2", "-j", "2"]
    command += ["-T", str(max(1, int(round(duration))))]
    for script in scripts:
        command += ["-f", str(script)]
    done = subprocess.run([*command, conninfo], capture_output=True, text=True, check=False)
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    return float(found[1]) if found and done.returncode == 0 else None


def floor_stage(run, tables: list[str]) -> None:
    """The lost transactions per second of the floor's SQL, turn by turn, on and off."""
    db = run.args.db
    if _db.database_url(db):
        run.results["rls_floor"] = {
            "skipped": "pgbench as the application role: private cluster only"
        }
        return
    with run.stage(f"row-level security on and off, database floor, {ROUNDS} turns"):
        same = dict(run.manifest, tiles={str(z): run.tiles(z) for z in (ZOOM,)})
        out = _db.bench_dir(db) / "floor"
        out.mkdir(parents=True, exist_ok=True)
        manifest_path = out / "manifest.json"
        manifest_path.write_text(json.dumps(same))
        _db.run_module("bench.floor", ["--scripts", str(manifest_path), str(out)], db)
        keys = {
            "tiles_z16_cold": "tiles_z16",
            "items_bbox_100": "items_bbox_100",
            "items_bbox_1000": "items_bbox_1000",
        }
        found: dict[str, dict[str, list]] = {w: {"on": [], "off": []} for w in keys}
        try:
            for turn in range(ROUNDS):
                for side in ("on", "off") if turn % 2 == 0 else ("off", "on"):
                    _switch(db, tables, on=side == "on")
                    for workload, key in keys.items():
                        scripts = sorted((out / key).glob("*.sql"))
                        tps = _pgbench_tps(db, scripts, run.args.duration)
                        found[workload][side].append(tps)
                        print(f"   {workload:<20} rls {side:<3}  floor {tps} tps", flush=True)
        finally:
            _switch(db, tables, on=True)
        summary = {}
        for workload, sides in found.items():
            paired = [
                (b - a) / b * 100 for a, b in zip(sides["on"], sides["off"], strict=True) if a and b
            ]
            cost = round(statistics.median(paired), 1) if paired else None
            summary[workload] = {**sides, "cost_pct": cost}
            print(f"   {workload:<20} floor cost {cost} %", flush=True)
        run.results["rls_floor"] = summary


def _median_turn(turns: list[dict]) -> dict:
    measured = [t for t in turns if "p50_ms" in t]
    if not measured:
        return turns[0]
    middle = statistics.median_low([t["rps"] for t in measured])
    return next(t for t in measured if t["rps"] == middle)


def stage(run) -> None:
    """Record per workload `rls_on` and `rls_off` (median turns) and `cost_pct` (throughput)."""
    db = run.args.db
    with run.stage(f"row-level security on and off, {ROUNDS} turns"):
        tables = _tables(db)
        if not tables:
            raise RuntimeError(f"no table of {db} has row-level security: was it migrated?")
        turns: dict[str, dict[str, list[dict]]] = {w: {"on": [], "off": []} for w in WORKLOADS}
        try:
            with servers.ours(db, cache=False) as server:
                for turn in range(ROUNDS):
                    # on, off; off, on; ...: a drift of the machine's speed weighs on both.
                    for side in ("on", "off") if turn % 2 == 0 else ("off", "on"):
                        _switch(db, tables, on=side == "on")
                        for workload in WORKLOADS:
                            figures = _measure(run, server, _paths(run, server, workload))
                            turns[workload][side].append(figures)
                            print(
                                f"   {workload:<20} rls {side:<3}  {load.describe(figures)}",
                                flush=True,
                            )
        finally:
            _switch(db, tables, on=True)
        summary = {}
        for workload, sides in turns.items():
            on, off = _median_turn(sides["on"]), _median_turn(sides["off"])
            # The throughput lost, turn by turn (each turn measured both sides within a minute).
            paired = [
                (b["rps"] - a["rps"]) / b["rps"] * 100
                for a, b in zip(sides["on"], sides["off"], strict=True)
                if a.get("rps") and b.get("rps")
            ]
            cost = round(statistics.median(paired), 1) if paired else None
            summary[workload] = {"rls_on": on, "rls_off": off, "cost_pct": cost, "turns": sides}
            print(
                f"   {workload:<20} median turns: on {on.get('rps')} req/s p50 "
                f"{on.get('p50_ms')} ms, off {off.get('rps')} req/s p50 {off.get('p50_ms')} ms: "
                f"cost {cost} %",
                flush=True,
            )
        run.results["rls"] = {"tables": len(tables), "rounds": ROUNDS, "workloads": summary}
    floor_stage(run, tables)


def main(argv: list[str] | None = None) -> int:
    from bench.run import Run, parse

    run = Run(parse(argv))
    if not run.data():
        return 1
    stage(run)
    out = STATE / "results" / f"rls-{run.results['date']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    kept = {key: run.results.get(key) for key in ("data", "rls", "rls_floor")}
    out.write_text(json.dumps(kept, indent=1))
    print(f"\n== {out.relative_to(ROOT)}")
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
