"""Run the benchmark of issue 5 end to end and write the results.

    python -m bench.run [--parcels N] [--smoke] [--duration S] [--only WORKLOADS] [--baseline JSON]

Stages: the database and its manifest (bench.data), the database floor (bench.floor), the load
on ours (uncached and with a warm cache), tipg and pygeoapi, the checks, the full download
(bench.downloading), the largest parcel tile per zoom (bench.overviews), the first tile drawn
in Chromium (bench.first_tile), the import against ogr2ogr (bench.importing), the ingest job's
speed and peak memory on a large GeoJSON upload (bench.ingesting), bidders and watchers of one
auction (bench.auction), both rules of a participatory budget beside pabutools
(bench.budgeting_results), the report. Each
stage says what it does and its figures as it goes; a stage that fails says why and the run
goes on where it can, but exits non-zero. A failed check exits non-zero too; a missed target
does not (it is a result).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import signal
import sys
import time
import traceback

from bench import (
    ROOT,
    auction,
    budgeting_ballots,
    budgeting_results,
    downloading,
    ingesting,
    load,
    overviews,
    report,
    servers,
)

GROUPS = (
    "floor",
    "tiles",
    "warm",
    "items",
    "point",
    "compliance",
    "checks",
    "first_tile",
    "import",
    "download",
    "overviews",
    "ingest",
    "auction",
    "ballots",
    "results",
)
ZOOMS = (14, 15, 16, 17)
LATENCY_ROUNDS = 3


class Run:
    def __init__(self, args):
        self.args = args
        self.failures: list[dict] = []
        self.results: dict = {
            "date": datetime.date.today().isoformat(),
            "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "smoke": args.smoke,
            "partial": sorted(args.only),
            "command": "python -m bench.run " + " ".join(sys.argv[1:]),
            "duration": args.duration,
            "connections": args.connections,
            "servers": {},
            "workloads": {},
            "checks": [],
            "urls": {},
            "notes": [],
            "failures": self.failures,
        }

    # -- helpers -------------------------------------------------------------------------

    def wants(self, group: str) -> bool:
        return not self.args.only or group in self.args.only

    @contextlib.contextmanager
    def stage(self, name: str):
        started = time.monotonic()
        print(f"\n== {name}", flush=True)
        try:
            yield
        except Exception as e:  # noqa: BLE001 (a failed stage must not end the run)
            message = f"{e.__class__.__name__}: {e}"
            self.failures.append({"stage": name, "error": message})
            print(f"!! {name} failed: {message}", flush=True)
            traceback.print_exc(limit=3)
        else:
            print(f"   ({time.monotonic() - started:.1f} s)", flush=True)

    def record(self, workload: str, who: str, figures: dict) -> None:
        self.results["workloads"].setdefault(workload, {})[who] = figures
        if "skipped" in figures:
            print(f"   {workload:<20} {who:<9} {figures['skipped']}", flush=True)
        else:
            print(f"   {workload:<20} {who:<9} {load.describe(figures)}", flush=True)

    def measure(
        self, workload: str, server, paths: list[str], *, connections: int | None = None, **kwargs
    ) -> None:
        """One load run; a failure is recorded for this workload only."""
        try:
            figures = load.run(
                server.base_url,
                paths,
                connections=connections or self.args.connections,
                duration=self.args.duration,
                probe_timeout=30 if self.args.smoke else 120,
                **kwargs,
            )
        except Exception as e:  # noqa: BLE001
            self.failures.append({"stage": f"{workload} on {server.name}", "error": str(e)})
            figures = {"skipped": f"failed: {e}"}
        self.record(workload, server.name, figures)

    # -- inputs from the manifest --------------------------------------------------------

    def tiles(self, z: int) -> list[list[int]]:
        """The manifest's tiles of zoom z; with --tiles N, the N holding most parcels."""
        tiles = self.manifest["tiles"][str(z)]
        if not self.args.tiles or self.args.tiles >= len(tiles):
            return tiles
        counts = self.manifest.get("tile_parcels", {}).get(str(z)) or [0] * len(tiles)
        ranked = sorted(range(len(tiles)), key=lambda i: -counts[i])[: self.args.tiles]
        return [tiles[i] for i in sorted(ranked)]

    def tile_paths(self, server, z: int) -> list[str]:
        return [server.tile(z, x, y) for x, y in self.tiles(z)]

    def item_paths(self, server, limit: int) -> list[str]:
        return [server.items(b, limit) for b in self.manifest[f"bboxes_{limit}"]]

    def point_paths(self) -> list[str]:
        return [f"/api/v1/parcels/at/?lon={lon}&lat={lat}" for lon, lat in self.manifest["points"]]

    # -- stages --------------------------------------------------------------------------

    def data(self) -> bool:
        with self.stage(f"database {self.args.db} with {self.args.parcels:,} parcels"):
            from bench import data

            started = time.monotonic()
            self.manifest = data.build(self.args.parcels, self.args.db, rebuild=self.args.rebuild)
            build = self.manifest.get("build", {})
            self.results["data"] = {
                "db": self.args.db,
                "parcels": self.manifest.get("parcels"),
                "build_seconds": build.get("seconds"),
                "ready_seconds": round(time.monotonic() - started, 1),
                "densest": self.manifest.get("densest"),
            }
            print(
                f"   {self.manifest.get('parcels'):,} parcels; build time "
                f"{build.get('seconds', 'kept from an earlier run')} s",
                flush=True,
            )
            return True
        return False

    def floor(self) -> None:
        if not self.wants("floor"):
            return
        with self.stage("database floor (pgbench, 2 clients)"):
            from bench import floor

            # The floor runs over the same tiles as the loads (--tiles may pick fewer).
            same = dict(self.manifest, tiles={str(z): self.tiles(z) for z in ZOOMS})
            figures = floor.run(same, duration=self.args.duration, clients=2)
            self.floor_figures = figures
            for key, fig in figures.items():
                print(f"   {key:<20} floor     {fig}", flush=True)
            for z in ZOOMS:
                for suffix in ("cold", "cold_c2", "warm"):
                    if f"tiles_z{z}" in figures and (suffix != "cold_c2" or z == 16):
                        name = f"tiles_z{z}_{suffix}"
                        self.results["workloads"].setdefault(name, {})["floor"] = figures[
                            f"tiles_z{z}"
                        ]
            for key in ("items_bbox_100", "items_bbox_1000", "point"):
                if key in figures:
                    self.results["workloads"].setdefault(key, {})["floor"] = figures[key]
            if "point" in figures:
                self.results["workloads"].setdefault("point_c2", {})["floor"] = figures["point"]

    def ours_cold(self, tipg_available: bool) -> None:
        db = self.args.db
        with self.stage("ours, uncached (TILE_CACHE=off)"), servers.ours(db, cache=False) as s:
            self.results["servers"]["ours"] = {"version": s.version}
            self.results["urls"]["ours tile"] = s.tile_path
            self.results["urls"]["ours items"] = s.items_path
            if self.wants("tiles"):
                for z in ZOOMS:
                    self.measure(f"tiles_z{z}_cold", s, self.tile_paths(s, z))
            if self.wants("items"):
                for limit in (100, 1000):
                    self.measure(f"items_bbox_{limit}", s, self.item_paths(s, limit))
            if self.wants("point"):
                self.measure("point", s, self.point_paths())
            if self.wants("compliance"):
                self.measure(
                    "compliance",
                    s,
                    ["/api/v1/permits/check"],
                    method="POST",
                    body=json.dumps(self.manifest["compliance"]),
                )
            if self.wants("tiles"):
                self.z16_latency(s)
            if self.wants("point"):
                self.measure("point_c2", s, self.point_paths(), connections=2)
            self.others_and_checks(s, tipg_available)
            downloading.stage(self, s)
            overviews.stage(self, s)
            if self.wants("first_tile"):
                self.first_tile(s)

    def z16_latency(self, server) -> None:
        """Our z16 tile latency at 2 connections against the database floor, measured in turns
        (ours, then pgbench, LATENCY_ROUNDS times) so that both see the machine in the same
        state: on a shared machine its speed drifts over a run of twenty minutes. Each side
        keeps the round with its median p50; every round is recorded."""
        from bench import _db, floor

        scripts = sorted((_db.bench_dir(self.args.db) / "floor" / "tiles_z16").glob("*.sql"))
        if not scripts or not hasattr(self, "floor_figures"):
            self.measure("tiles_z16_cold_c2", server, self.tile_paths(server, 16), connections=2)
            return
        duration = max(1.0, self.args.duration / LATENCY_ROUNDS)
        paths = self.tile_paths(server, 16)
        ours_rounds, floor_rounds = [], []
        try:
            for _ in range(LATENCY_ROUNDS):
                ours_rounds.append(
                    load.run(server.base_url, paths, connections=2, duration=duration)
                )
                floor_rounds.append(
                    floor.pgbench(
                        self.args.db,
                        scripts,
                        duration=duration,
                        clients=2,
                        log_dir=_db.bench_dir(self.args.db) / "floor" / "logs" / "z16_turns",
                    )
                )
        except Exception as e:  # noqa: BLE001
            self.failures.append({"stage": "tiles_z16_cold_c2 on ours", "error": str(e)})
            self.record("tiles_z16_cold_c2", "ours", {"skipped": f"failed: {e}"})
            return

        def median(rounds: list[dict]) -> dict:
            ranked = sorted(rounds, key=lambda f: f.get("p50_ms") or float("inf"))
            p50s = [None if f.get("p50_ms") is None else round(f["p50_ms"], 2) for f in rounds]
            return dict(ranked[len(ranked) // 2], rounds=p50s)

        workload = self.results["workloads"].setdefault("tiles_z16_cold_c2", {})
        workload["floor"] = dict(median(floor_rounds), interleaved=True)
        self.record("tiles_z16_cold_c2", "ours", median(ours_rounds))
        self.results["notes"].append(
            f"tiles_z16_cold_c2: ours and the floor measured in {LATENCY_ROUNDS} turns of "
            f"{duration:.0f} s; p50 by turn, ours {workload['ours']['rounds']} ms, floor "
            f"{workload['floor']['rounds']} ms; each side's median turn is shown."
        )
        print(f"   {'':<20} floor     p50 by turn {workload['floor']['rounds']}", flush=True)

    def others_and_checks(self, ours, tipg_available: bool) -> None:
        """tipg's load and the checks run while ours (idle) is still up."""
        if not tipg_available:
            if self.wants("checks"):
                self.checks(ours, None)
            return
        if not (self.wants("tiles") or self.wants("items") or self.wants("checks")):
            return
        with self.stage("tipg"), servers.tipg(self.args.db) as t:
            self.results["servers"]["tipg"] = {"version": t.version}
            self.results["urls"]["tipg tile"] = t.tile_path
            self.results["urls"]["tipg items"] = t.items_path
            if self.wants("tiles"):
                for z in ZOOMS:
                    self.measure(f"tiles_z{z}_cold", t, self.tile_paths(t, z))
                self.measure("tiles_z16_cold_c2", t, self.tile_paths(t, 16), connections=2)
            if self.wants("items"):
                for limit in (100, 1000):
                    self.measure(f"items_bbox_{limit}", t, self.item_paths(t, limit))
            if self.wants("checks"):
                self.checks(ours, t)

    def checks(self, ours, tipg) -> None:
        from bench import checks

        todo = [
            (
                "paging",
                lambda: checks.paging_complete(ours, self.args.db, self.manifest["bboxes_1000"][0]),
            )
        ]
        if tipg is not None:
            todo.insert(
                0, ("same tile ids", lambda: checks.same_tile_ids(ours, tipg, self.tiles(16)[:4]))
            )
        for name, call in todo:
            try:
                result = call()
            except Exception as e:  # noqa: BLE001
                result = {"name": name, "ok": False, "detail": f"{e.__class__.__name__}: {e}"}
            self.results["checks"].append(result)
            print(
                f"   check {'ok' if result['ok'] else 'FAILED'}: {result['name']}: "
                f"{result['detail']}",
                flush=True,
            )

    def first_tile(self, ours) -> None:
        with self.stage("first tile drawn in Chromium"):
            from bench import first_tile

            runs = 3 if self.args.smoke else 5
            figures = first_tile.run(ours.base_url, self.manifest, runs=runs)
            self.results["first_tile"] = figures
            print(f"   {figures}", flush=True)

    def ours_warm(self) -> None:
        if not self.wants("warm"):
            return
        with self.stage("ours, warm tile cache"), servers.ours(self.args.db, cache=True) as s:
            paths = [p for z in ZOOMS for p in self.tile_paths(s, z)]
            ok = load.fetch_all(s.base_url, paths)
            print(f"   cache warmed with {ok} of {len(paths)} tiles", flush=True)
            for z in ZOOMS:
                self.measure(f"tiles_z{z}_warm", s, self.tile_paths(s, z))

    def pygeoapi(self) -> None:
        if not (self.wants("items") or self.wants("tiles")):
            return
        with self.stage("pygeoapi"), servers.pygeoapi(self.args.db) as p:
            self.results["servers"]["pygeoapi"] = {"version": p.version}
            self.results["urls"]["pygeoapi tile"] = p.tile_path
            self.results["urls"]["pygeoapi items"] = p.items_path
            if self.wants("items"):
                for limit in (100, 1000):
                    self.measure(f"items_bbox_{limit}", p, self.item_paths(p, limit))
            if self.wants("tiles"):
                # z16 only: pygeoapi's tile SQL is slow (see bench/README.md); every zoom
                # would only add minutes of timeouts.
                self.measure("tiles_z16_cold", p, self.tile_paths(p, 16))

    def importing(self) -> None:
        if not self.wants("import"):
            return
        with self.stage("import from a GeoPackage: ours against ogr2ogr"):
            from bench import importing

            figures = importing.run(self.manifest)
            self.results["import"] = figures
            for key, fig in figures.items():
                print(f"   {key:<20} {fig}", flush=True)

    def installs(self) -> tuple[bool, bool]:
        """Install tipg and pygeoapi when missing; a server that cannot be installed is
        recorded as skipped with the reason."""
        available = []
        for name, ensure in (("tipg", servers.ensure_tipg), ("pygeoapi", servers.ensure_pygeoapi)):
            try:
                _, version = ensure()
                print(f"   {name} {version}", flush=True)
                available.append(True)
            except servers.ServerUnavailable as e:
                self.results["servers"][name] = {"skipped": str(e)}
                self.results["notes"].append(f"{name} skipped: {e}")
                print(f"   {name} skipped: {e}", flush=True)
                available.append(False)
        return available[0], available[1]

    def skip_missing(self) -> None:
        """Mark the other servers' cells of a skipped server with the reason."""
        for name in ("tipg", "pygeoapi"):
            reason = self.results["servers"].get(name, {}).get("skipped")
            if not reason:
                continue
            for workload, w in self.results["workloads"].items():
                if workload.startswith(("items_", "tiles_z16_cold")) and name not in w:
                    w[name] = {"skipped": "skipped"}

    def note_empty(self) -> None:
        """Say where our answers were empty (a zoom below the layer's minimum, say), since a
        ratio of empty tiles to full ones means nothing."""
        for name, w in self.results["workloads"].items():
            ours = w.get("ours") or {}
            if ours.get("bytes_raw") == 0:
                self.results["notes"].append(
                    f"{name}: our answers were empty (no parcels served there), so its ratios "
                    "compare nothing with something."
                )

    def main(self) -> int:
        started = time.monotonic()
        if self.data():
            self.floor()
            with self.stage("installing tipg and pygeoapi (skipped when installed)"):
                tipg_ok, pygeoapi_ok = self.installs()
            self.ours_cold(tipg_ok)
            self.ours_warm()
            if pygeoapi_ok:
                self.pygeoapi()
            self.importing()
            ingesting.stage(self)
            auction.stage(self)
            budgeting_ballots.stage(self)
            budgeting_results.stage(self)
            self.skip_missing()
            self.note_empty()
            self.results["notes"].append(
                "pygeoapi is measured on z16 tiles only; tipg tiles carry all the table's "
                "columns (its default), ours the map's attributes."
            )
        self.results["seconds"] = round(time.monotonic() - started, 1)
        if self.args.baseline:
            try:
                self.results["baseline"] = report.load_baseline(self.args.baseline)
            except (OSError, ValueError) as e:
                self.failures.append({"stage": "baseline", "error": str(e)})
        self.results["machine"] = report.machine(self.args.db)
        md, js = report.write(self.results)
        print(f"\n== report: {md.relative_to(ROOT)} and {js.relative_to(ROOT)}")
        for t in self.results["targets"]:
            met = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
            print(f"   {met:<12} {t['target']}: {t['value']}")
        failed_checks = [c for c in self.results["checks"] if not c["ok"]]
        if self.failures or failed_checks:
            print(
                f"\nbench: {len(self.failures)} stage(s) failed, {len(failed_checks)} check(s) "
                f"failed ({self.results['seconds']:.0f} s)",
                file=sys.stderr,
            )
            return 1
        print(f"\nbench: done in {self.results['seconds']:.0f} s")
        return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--parcels", type=int, default=None, help="default 1,000,000 (smoke: 10,000)")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="10,000 parcels, 3 s runs, 5 tiles per zoom, results under .state/bench/",
    )
    p.add_argument("--duration", type=float, default=None, help="seconds per run (default 30)")
    p.add_argument("--connections", type=int, default=8, help="for the throughput runs")
    p.add_argument("--tiles", type=int, default=None, help="tiles per zoom (default all)")
    p.add_argument(
        "--only", default="", help="comma-separated groups: " + ",".join(GROUPS) + " (default all)"
    )
    p.add_argument("--db", default=None, help="database name (default gisportal_bench[_smoke])")
    p.add_argument("--rebuild", action="store_true", help="rebuild the database")
    p.add_argument("--baseline", default=None, help="earlier results JSON for before/after")
    args = p.parse_args(argv)
    args.only = {g.strip() for g in args.only.split(",") if g.strip()}
    unknown = args.only - set(GROUPS)
    if unknown:
        p.error(f"unknown group(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}")
    if args.parcels is None:
        args.parcels = 10_000 if args.smoke else 1_000_000
    if args.duration is None:
        args.duration = 3.0 if args.smoke else 30.0
    if args.tiles is None and args.smoke:
        args.tiles = 5
    if args.db is None:
        args.db = "gisportal_bench_smoke" if args.smoke else "gisportal_bench"
    return args


def _terminated(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    # A TERM (CI cancelling, `kill`) unwinds like Ctrl-C, so every server is stopped.
    signal.signal(signal.SIGTERM, _terminated)
    return Run(parse(argv)).main()


if __name__ == "__main__":
    sys.exit(main())
