"""The results: bench/results/<date>.md and .json (smoke runs: .state/bench/results/).

For each workload, our figures and the ratios ours/tipg, ours/pygeoapi and ours/floor; the
targets of issue 5 with met or missed; the machine, the data and the versions; and a
before/after section when a baseline JSON of earlier figures is given.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

from bench import RESULTS, SMOKE_RESULTS, db_conninfo

OTHERS = ("tipg", "pygeoapi")


# --- machine -----------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)  # noqa: S607
        return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def machine(db: str) -> dict:
    info = {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": _memory_gb(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": _wrk_version(),
    }
    try:
        import psycopg

        with psycopg.connect(**db_conninfo(db), connect_timeout=10) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            info["postgis"] = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    except Exception as e:  # noqa: BLE001 (the report must still be written)
        info["postgresql"] = f"unknown ({e.__class__.__name__})"
    return info


# --- ratios and targets ------------------------------------------------------------------


def _rate(fig: dict | None) -> float | None:
    if not isinstance(fig, dict):
        return None
    value = fig.get("rps", fig.get("tps"))
    return float(value) if value else None


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 2)


def ratios(workload: dict) -> dict:
    """ours/tipg, ours/pygeoapi and ours/floor; none when our answers were empty (a zoom below
    the layer's minimum), as a ratio of nothing to something means nothing."""
    ours = workload.get("ours")
    if isinstance(ours, dict) and ours.get("bytes_raw") == 0:
        ours = None
    out = {}
    for other in OTHERS:
        out[f"ours/{other}"] = _ratio(_rate(ours), _rate(workload.get(other)))
    floor = workload.get("floor")
    out["ours/floor rps"] = _ratio(_rate(ours), _rate(floor))
    p50 = ours.get("p50_ms") if isinstance(ours, dict) else None
    floor_p50 = floor.get("p50_ms") if isinstance(floor, dict) else None
    out["ours/floor p50"] = _ratio(p50, floor_p50)
    return out


def _get(results: dict, workload: str, who: str, key: str):
    fig = results.get("workloads", {}).get(workload, {}).get(who)
    if not isinstance(fig, dict):
        return None
    if key == "rps":
        return _rate(fig)
    return fig.get(key)


def targets(results: dict) -> list[dict]:
    """The targets of issue 5, each with the measured value, the limit and met (None when the
    figures are missing)."""
    w = results.get("workloads", {})
    out = []

    def add(text, value, limit, at_least):
        met = None if value is None else (value >= limit if at_least else value <= limit)
        out.append({"target": text, "value": value, "limit": limit, "met": met})

    for name, title in (
        ("tiles_z16_cold", "uncached z16 tiles"),
        ("items_bbox_100", "items, limit 100"),
    ):
        ratio = ratios(w[name]) if name in w else {}
        add(f"{title}: ours/tipg req/s >= 1.5", ratio.get("ours/tipg"), 1.5, True)
        add(f"{title}: ours/pygeoapi req/s >= 3", ratio.get("ours/pygeoapi"), 3.0, True)
    z16 = _ratio(
        _get(results, "tiles_z16_cold_c2", "ours", "p50_ms"),
        _get(results, "tiles_z16_cold_c2", "floor", "p50_ms"),
    )
    add("z16 tile p50 (2 connections) / database floor p50 <= 1.25", z16, 1.25, False)
    add(
        "parcel at a point p99 (2 connections) <= 10 ms",
        _get(results, "point_c2", "ours", "p99_ms"),
        10.0,
        False,
    )
    imp = results.get("import") or {}
    ours_s = (imp.get("import_ours") or {}).get("seconds")
    ogr_s = (imp.get("import_ogr2ogr") or {}).get("seconds")
    add("import time / ogr2ogr's <= 1.5", _ratio(ours_s, ogr_s), 1.5, False)
    add(
        "compliance check p95 <= 200 ms",
        _get(results, "compliance", "ours", "p95_ms"),
        200.0,
        False,
    )
    warm = _ratio(
        _get(results, "tiles_z16_warm", "ours", "rps"),
        _get(results, "tiles_z16_cold", "ours", "rps"),
    )
    add("warm-cache z16 tiles / uncached req/s >= 20", warm, 20.0, True)
    first = (results.get("first_tile") or {}).get("p50_ms")
    add("first parcel tile drawn (p50) <= 2000 ms", first, 2000.0, False)
    ingest = results.get("ingest") or {}
    add(
        f"ingest job peak memory, {ingest.get('features', 500000):,} features <= 300 MB",
        ingest.get("peak_mb"),
        300.0,
        False,
    )
    for figures in (results.get("auction") or {}).values():
        for t in figures.get("targets", []):
            out.append(
                {
                    "target": f"auction: {t['target']}",
                    "value": t["value"],
                    "limit": None,
                    "met": t["met"],
                }
            )
    for t in (results.get("ballots") or {}).get("targets", []):
        out.append(
            {
                "target": f"ballot rush: {t['target']}",
                "value": t["value"],
                "limit": None,
                "met": t["met"],
            }
        )
    return out


# --- writing -----------------------------------------------------------------------------


def _n(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _other_cell(fig) -> str:
    if isinstance(fig, dict) and "skipped" in fig:
        return fig["skipped"]
    rate = _rate(fig)
    if rate is None:
        return "–"
    if fig.get("probe_only"):
        return f"one request took {_n(fig.get('p50_ms'), 0)} ms: no load run"
    return f"{rate:,.1f} (p50 {_n(fig.get('p50_ms'))} ms)"


def markdown(results: dict) -> str:
    m = results.get("machine", {})
    d = results.get("data", {})
    s = results.get("servers", {})
    lines = [
        f"# Benchmark results, {results['date']}"
        + (" (smoke run)" if results.get("smoke") else ""),
        "",
        f"Command: `{results.get('command', '')}`; {results.get('seconds', 0):.0f} s in all.",
        "",
        "## Machine and data",
        "",
        f"- {m.get('cores')} cores, {m.get('cpu')}, {m.get('memory_gb')} GB memory, Linux "
        f"{m.get('kernel')}",
        f"- PostgreSQL {m.get('postgresql')}, PostGIS {m.get('postgis', '–')}; {m.get('wrk')}",
        f"- ours {s.get('ours', {}).get('version', '–')}, tipg "
        f"{s.get('tipg', {}).get('version') or s.get('tipg', {}).get('skipped', '–')}, pygeoapi "
        f"{s.get('pygeoapi', {}).get('version') or s.get('pygeoapi', {}).get('skipped', '–')}"
        f" (2 workers each)",
        f"- database `{d.get('db')}`: {_n(d.get('parcels'))} parcels, built in "
        f"{_n(d.get('build_seconds'))} s",
        f"- load: wrk on loopback, {results.get('duration')} s per run after a warm-up, "
        f"{results.get('connections')} connections for throughput and 2 for latency, "
        "Accept-Encoding: gzip, rotating over the manifest's tiles/bboxes/points",
        "",
        "## Workloads",
        "",
        "Requests per second and latency of ours; the others' req/s (and p50); ratios of req/s "
        "(ours/floor also as p50 latency). The floor is the database alone (pgbench, prepared "
        "statements, 2 clients).",
        "",
        "| workload | ours req/s | p50 ms | p95 ms | p99 ms | errors | bytes raw / gzip | tipg "
        "| ours/tipg | pygeoapi | ours/pygeoapi | floor tps (p50) | ours/floor req/s | ours/floor "
        "p50 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, w in results.get("workloads", {}).items():
        o = w.get("ours") or {}
        r = ratios(w)
        if "skipped" in o or not o:
            lines.append(f"| {name} | {o.get('skipped', 'not run')} |" + " |" * 13)
            continue
        lines.append(
            f"| {name} | {_n(o.get('rps'))} | {_n(o.get('p50_ms'), 2)} | {_n(o.get('p95_ms'), 2)} "
            f"| {_n(o.get('p99_ms'), 2)} | {_n(o.get('errors'))} | {_n(o.get('bytes_raw'))} / "
            f"{_n(o.get('bytes_gzip'))} | {_other_cell(w.get('tipg'))} | {_n(r['ours/tipg'], 2)} "
            f"| {_other_cell(w.get('pygeoapi'))} | {_n(r['ours/pygeoapi'], 2)} "
            f"| {_other_cell(w.get('floor'))} | {_n(r['ours/floor rps'], 2)} "
            f"| {_n(r['ours/floor p50'], 2)} |"
        )
    lines += ["", "## Targets", ""]
    if results.get("smoke"):
        lines += [
            "A smoke run (few parcels, seconds-long runs): the targets are only indicative.",
            "",
        ]
    lines += ["| target | value | met |", "|---|---:|---|"]
    for t in results.get("targets", []):
        met = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {_n(t['value'], 2)} | {met} |")
    lines += ["", "## Checks", ""]
    for c in results.get("checks", []):
        lines.append(f"- {'ok' if c['ok'] else '**FAILED**'}: {c['name']}: {c['detail']}")
    if not results.get("checks"):
        lines.append("- none run")
    ft = results.get("first_tile") or {}
    imp = results.get("import") or {}
    lines += [
        "",
        "## First tile and import",
        "",
        f"- first parcel tile drawn after opening the map page: p50 {_n(ft.get('p50_ms'))} ms, "
        f"max {_n(ft.get('max_ms'))} ms over {ft.get('runs', '–')} run(s)"
        + (f", {ft['errors']} failed: {ft.get('error_messages')}" if ft.get("errors") else ""),
    ]
    for key, title in (("import_ours", "our import_parcels"), ("import_ogr2ogr", "ogr2ogr")):
        fig = imp.get(key) or {}
        lines.append(f"- {title}: {_n(fig.get('seconds'))} s for {_n(fig.get('rows'))} rows")
    ing = results.get("ingest") or {}
    if ing:
        lines.append(
            f"- ingest job (GeoJSON upload, {_n(ing.get('features'))} points, "
            f"{_n(ing.get('file_mb'))} MB): {_n(ing.get('stored'))} stored in "
            f"{_n(ing.get('job_seconds'))} s, {_n(ing.get('features_per_s'))} features/s; worker "
            f"peak {_n(ing.get('peak_mb'))} MB (target {ing.get('target_mb')} MB), "
            f"{_n(ing.get('idle_mb'))} MB idle, so the job adds {_n(ing.get('growth_mb'))} MB; "
            f"its own pages (RssAnon) {_n(ing.get('peak_anon_mb'))} MB at the peak, "
            f"{_n(ing.get('idle_anon_mb'))} MB idle"
        )
    for mode, a in (results.get("auction") or {}).items():
        lines.append(
            f"- auction ({mode}: {a['bidders']} bidders, {a['watchers']} watchers, "
            f"{a['duration_s']} s; {a['servers']['gunicorn']}, stream: {a['servers']['stream']}): "
            f"{a['accepted']} bids accepted, {_n(a['accepted_per_s'])}/s, of "
            f"{a['bids_answered']} answered ({a['answers']}); bid p50 {_n(a['bid_p50_ms'])} ms, "
            f"p99 {_n(a['bid_p99_ms'])} ms; a watcher sees a new price p50 {a['watch_p50_s']} s, "
            f"p99 {a['watch_p99_s']} s ({a['watch_unseen']} unseen); errors {a['errors']} "
            f"(+{a['watcher_errors']} of watchers); inconsistencies {a['inconsistencies']}"
        )
    lines += _overviews(results.get("overviews") or {})
    if results.get("baseline"):
        lines += _before_after(results)
    if results.get("urls"):
        lines += ["", "## URLs", ""]
        for who, url in results["urls"].items():
            lines.append(f"- {who}: `{url}`")
    if results.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    if results.get("failures"):
        lines += ["", "## Failures", ""]
        for f in results["failures"]:
            lines.append(f"- {f['stage']}: {f['error']}")
    return "\n".join(lines) + "\n"


def _overviews(found: dict) -> list[str]:
    """The largest parcel tile of each zoom (bench.overviews); overviews below z15."""
    if not found:
        return []
    lines = [
        "",
        "## Largest parcel tile per zoom",
        "",
        "The tiles that hold parcels (the 400 holding most, where there are more), uncached; "
        "below z15 the tiles are overviews.",
        "",
        "| zoom | tiles (not empty) | largest gzip | largest raw | its features | slowest ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for z, fig in found.items():
        lines.append(
            f"| {z} | {fig.get('tiles')} ({fig.get('not_empty')}) | {_n(fig.get('largest_gzip'))} "
            f"| {_n(fig.get('largest_raw'))} | {_n(fig.get('largest_features'))} "
            f"| {_n(fig.get('slowest_ms'))} |"
        )
    return lines


def _before_after(results: dict) -> list[str]:
    base = results["baseline"]
    lines = [
        "",
        "## Before and after",
        "",
        f"Before: {base.get('label', 'baseline')}.",
        "",
        "| workload | req/s before | req/s after | p50 ms before | p50 ms after | p99 ms before | "
        "p99 ms after |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, w in results.get("workloads", {}).items():
        before = (base.get("workloads", {}).get(name) or {}).get("ours")
        after = w.get("ours")
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        lines.append(
            f"| {name} | {_n(_rate(before))} | {_n(_rate(after))} | {_n(before.get('p50_ms'), 2)} "
            f"| {_n(after.get('p50_ms'), 2)} | {_n(before.get('p99_ms'), 2)} "
            f"| {_n(after.get('p99_ms'), 2)} |"
        )
    return lines


def load_baseline(path: str) -> dict:
    """An earlier results JSON (or any JSON with {"workloads": {name: {"ours": figures}}})."""
    data = json.loads(Path(path).read_text())
    data.setdefault("label", data.get("date", Path(path).name))
    return {"label": data["label"], "workloads": data.get("workloads", {})}


def write(results: dict) -> tuple[Path, Path]:
    results["targets"] = targets(results)
    for w in results.get("workloads", {}).values():
        w["ratios"] = ratios(w)
    # Only a whole run at full size is a result to commit; smoke and --only runs stay local.
    folder = SMOKE_RESULTS if results.get("smoke") or results.get("partial") else RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / f"{results['date']}.md"
    js = folder / f"{results['date']}.json"
    js.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    md.write_text(markdown(results))
    return md, js
