"""An upload of a large GeoJSON read by the ingest job: features per second and peak memory.

`run(manifest, features=N)` makes a scratch database `<db>_ingest` (migrated, holding the
benchmark database's municipalities), writes a GeoJSON of N points with four attributes inside
the first municipality (.state/bench/<db>/ingest-<N>.geojson, kept for the next run), queues
its upload as the upload page does (`datasets.jobs.upload_request`, in a child process), then
runs the job worker as `make run` does (`manage.py procrastinate worker`, `--one-shot`) in a
process of its own and samples its resident memory (VmRSS in /proc/<pid>/status) every
SAMPLE_SECONDS. The peak is the worker's own high-water mark, taken by the small parent that
starts it (`getrusage(RUSAGE_CHILDREN)`), so a peak between two samples is not missed.

Figures: the features stored, the seconds of the job (its started and finished times) and of
the worker process, features per second, the worker's peak and its memory once started (before
the job), against the target of issue 12: at most TARGET_MB for 500,000 features.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import _db
from bench.importing import _copy_tables

TARGET_MB = 300
FEATURES = 500_000
SMOKE_FEATURES = 20_000
SAMPLE_SECONDS = 0.05
MB = 1024 * 1024

# The parent of the worker: it waits for the worker and prints the worker's peak (KiB).
_PEAK_OF_CHILD = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, flush=True)\n"
    "sys.exit(done.returncode)\n"
)


def write_geojson(path: Path, features: int, bounds: tuple[float, float, float, float]) -> Path:
    """N points on a grid inside `bounds` (lon/lat), each with a name, a count, a number and
    a date; written line by line, so the generator holds no feature list either."""
    if path.exists() and path.stat().st_size > 0:
        return path
    min_x, min_y, max_x, max_y = bounds
    side = int(features**0.5) + 1
    step_x, step_y = (max_x - min_x) / (side + 1), (max_y - min_y) / (side + 1)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.write('{"type":"FeatureCollection","name":"bench","features":[\n')
        for i in range(features):
            x = min_x + step_x * (1 + i % side)
            y = min_y + step_y * (1 + i // side)
            feature = {
                "type": "Feature",
                "properties": {
                    "name": f"Object {i}",
                    "capacity": i % 500,
                    "area": round((i % 997) * 1.25, 2),
                    "opened": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}",
                },
                "geometry": {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]},
            }
            out.write(json.dumps(feature, separators=(",", ":")))
            out.write(",\n" if i < features - 1 else "\n")
        out.write("]}\n")
    partial.rename(path)
    return path


def _memory_kib(pid: int) -> tuple[int, int] | None:
    """VmRSS and RssAnon (the process's own pages, not shared library code) in KiB."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "RssAnon:")):
                found[line.split(":")[0]] = int(line.split()[1])
    except (OSError, ValueError):
        return None
    if len(found) < 2:
        return None
    return found["VmRSS"], found["RssAnon"]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _sample(parent: subprocess.Popen, samples: list[tuple[int, int]]) -> None:
    """VmRSS and RssAnon of the worker (the parent's child) until the parent ends."""
    while parent.poll() is None:
        for pid in _children(parent.pid):
            memory = _memory_kib(pid)
            if memory is not None:
                samples.append(memory)
        time.sleep(SAMPLE_SECONDS)


def _worker(env: dict[str, str], log: Path) -> dict:
    """Run the job worker once (it takes what is queued, then stops): its seconds, its peak
    (KiB, from getrusage in its parent) and the samples."""
    command = [
        _db.PYTHON,
        str(_db.ROOT / "manage.py"),
        "procrastinate",
        "worker",
        "--queues=imports",
        "--one-shot",
    ]
    samples: list[tuple[int, int]] = []
    started = time.perf_counter()
    with log.open("w") as out:
        parent = subprocess.Popen(
            [_db.PYTHON, "-c", _PEAK_OF_CHILD, *command],
            cwd=_db.ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
        sampler = threading.Thread(target=_sample, args=(parent, samples))
        sampler.start()
        stdout, _ = parent.communicate()
        sampler.join()
    if parent.returncode != 0:
        raise RuntimeError(f"the worker ended with {parent.returncode}; see {log}")
    return {
        "seconds": time.perf_counter() - started,
        "peak_kib": int(stdout.strip().splitlines()[-1]),
        "anon_kib": max((anon for _, anon in samples), default=None),
    }


def _mb(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


def _queue(scratch: str, path: Path, media: str) -> str:
    """Queue the upload in a child process, as the upload page would; the upload's id."""
    done = subprocess.run(
        [_db.PYTHON, "-m", "bench.ingesting", "queue", str(path)],
        cwd=_db.ROOT,
        env=_db.django_env(scratch, MEDIA_ROOT=media, **_limits(path)),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _limits(path: Path) -> dict[str, str]:
    # The benchmark file may be larger than a deployment's upload limit; the limit is not
    # what is measured.
    return {"DATASET_UPLOAD_MAX_BYTES": str(path.stat().st_size + MB)}


def _bounds(scratch: str) -> tuple[float, float, float, float]:
    """The lon/lat box of the middle half of the first municipality, where points are kept."""
    with _db.connect(scratch) as conn:
        box = conn.execute(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM "
            "(SELECT ST_Transform(ST_Envelope(boundary), 4326) AS b FROM core_municipality "
            "ORDER BY code LIMIT 1) AS m"
        ).fetchone()
    min_x, min_y, max_x, max_y = box
    dx, dy = (max_x - min_x) / 4, (max_y - min_y) / 4
    return (min_x + dx, min_y + dy, max_x - dx, max_y - dy)


def run(manifest: dict, *, features: int = FEATURES, keep: bool = False) -> dict:
    """{"features", "stored", "file_mb", "job_seconds", "worker_seconds", "features_per_s",
    "peak_mb", "peak_anon_mb", "idle_mb", "idle_anon_mb", "growth_mb", "target_mb", "met",
    "status"}."""
    db = manifest["db"]
    scratch = f"{db}_ingest"
    _db.create(scratch, drop=True)
    manage = [_db.PYTHON, str(_db.ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "-v", "0"], cwd=_db.ROOT, env=_db.django_env(scratch), check=True
    )
    _copy_tables(db, scratch, ("core_municipality",))
    path = write_geojson(
        _db.bench_dir(db) / f"ingest-{features}.geojson", features, _bounds(scratch)
    )
    logs = _db.bench_dir(db)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as media:
        worker_env = _db.django_env(scratch, MEDIA_ROOT=media, **_limits(path))
        # The worker with nothing to do: what the process holds before any file is read.
        idle = _worker(worker_env, logs / "ingest_worker_idle.log")
        upload_id = _queue(scratch, path, media)
        busy = _worker(worker_env, logs / "ingest_worker.log")
    with _db.connect(scratch) as conn:
        status, rows_read, refusal, job_seconds = conn.execute(
            "SELECT status, rows_read, refusal, "
            "EXTRACT(EPOCH FROM finished_at - started_at)::float FROM datasets_datasetupload "
            "WHERE id = %s",
            [upload_id],
        ).fetchone()
        stored = conn.execute("SELECT count(*) FROM datasets_datasetfeature").fetchone()[0]
    if not keep:
        _db.drop(scratch)
    peak_mb = _mb(busy["peak_kib"])
    result = {
        "features": features,
        "stored": stored,
        "file_mb": round(path.stat().st_size / MB, 1),
        "job_seconds": round(job_seconds, 2) if job_seconds else None,
        "worker_seconds": round(busy["seconds"], 2),
        "features_per_s": round(stored / job_seconds) if job_seconds else None,
        "peak_mb": peak_mb,
        "peak_anon_mb": _mb(busy["anon_kib"]),
        "idle_mb": _mb(idle["peak_kib"]),
        "idle_anon_mb": _mb(idle["anon_kib"]),
        "growth_mb": round(peak_mb - _mb(idle["peak_kib"]), 1),
        "target_mb": TARGET_MB,
        "met": peak_mb <= TARGET_MB and stored == features,
        "status": status,
    }
    if status != "done":
        result["error"] = json.dumps(refusal)[:500]
    return result


def stage(bench_run) -> None:
    """The workload as a stage of bench.run: its figures go to the results under `ingest`; an
    ingest that does not store every feature fails the stage."""
    if not bench_run.wants("ingest"):
        return
    features = SMOKE_FEATURES if bench_run.args.smoke else FEATURES
    with bench_run.stage(f"ingest job: a GeoJSON upload of {features:,} points"):
        figures = run(bench_run.manifest, features=features)
        bench_run.results["ingest"] = figures
        print(f"   {figures}", flush=True)
        if figures["stored"] != features:
            raise RuntimeError(
                f"the ingest stored {figures['stored']} of {features} features: "
                f"{figures.get('error', '')}"
            )


def _queue_here(path: str) -> None:
    """In a child with Django set up: queue the file's upload as a superuser would."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from core.models import Municipality
    from datasets.jobs import upload_request

    user, _ = get_user_model().objects.get_or_create(
        username="bench-ingest", defaults={"is_superuser": True, "is_staff": True}
    )
    municipality = Municipality.objects.order_by("code").first()
    with open(path, "rb") as handle:
        upload = upload_request(
            user=user,
            municipality=municipality,
            name="bench-ingest",
            title_ka="bench",
            title_en="bench",
            fileobj=File(handle, name=Path(path).name),
            file_name=Path(path).name,
        )
    print(upload.pk, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the ingest job and sample its memory.")
    sub = parser.add_subparsers(dest="command", required=True)
    queue = sub.add_parser("queue", help="(internal) queue an upload of a file")
    queue.add_argument("path")
    measure = sub.add_parser("run", help="run the workload on a benchmark database")
    measure.add_argument("manifest", help="a manifest.json of bench.data")
    measure.add_argument("--features", type=int, default=FEATURES)
    measure.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    if args.command == "queue":
        _queue_here(args.path)
        return
    manifest = json.loads(Path(args.manifest).read_text())
    json.dump(run(manifest, features=args.features, keep=args.keep), sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
