"""Importing the benchmark parcels from a GeoPackage: our `import_parcels` against `ogr2ogr`.

`run(manifest)` exports the current parcels of the benchmark database once to
.state/bench/<db>/parcels.gpkg (EPSG:32638, the fields import_parcels reads: cadastral_code,
land_use, address_ka, address_en), then times, each into a fresh scratch database:

- ours: `manage.py import_parcels parcels.gpkg` into `<db>_import`, migrated, holding the same
  municipalities, districts and zones as the benchmark database (the import finds each
  parcel's municipality and zone), with every index of the parcels table in place;
- ogr2ogr: `ogr2ogr -f PostgreSQL PG:<db>_ogr parcels.gpkg -nln parcels
  -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST` into a database with only PostGIS.

Both times are wall-clock seconds of the whole command; the scratch databases are dropped
afterwards.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench import _db

OGR2OGR = "/usr/bin/ogr2ogr"
COPIED_TABLES = ("core_municipality", "core_district", "parcels_zone")
VALID_FROM = "2020-01-01"


def export(manifest: dict) -> Path:
    """The parcels of the benchmark database as a GeoPackage (made once, then reused)."""
    db = manifest["db"]
    path = _db.bench_dir(db) / "parcels.gpkg"
    stamp = path.with_suffix(".json")
    wanted = {"parcels": manifest["parcels"], "build": manifest.get("build", {}).get("version")}
    if path.exists() and stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return path
    path.unlink(missing_ok=True)
    query = (
        "SELECT cadastral_code, land_use, address_ka, address_en, geom FROM parcels_parcel "  # noqa: S608
        "WHERE valid_to IS NULL ORDER BY id"
    )
    subprocess.run(
        [
            OGR2OGR,
            "-f",
            "GPKG",
            str(path),
            f"PG:{_db.ogr_conninfo(db)}",
            "-sql",
            query,
            "-nln",
            "parcels",
            "-nlt",
            "MULTIPOLYGON",
            "-a_srs",
            "EPSG:32638",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    stamp.write_text(json.dumps(wanted))
    return path


def _copy_tables(source: str, target: str, tables=COPIED_TABLES) -> None:
    with _db.connect(source) as src, _db.connect(target) as dst:
        for table in tables:
            with (
                src.cursor().copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as out,
                dst.cursor().copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as into,
            ):
                for chunk in out:
                    into.write(chunk)
            dst.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
        dst.execute("ANALYZE")


def _count(db: str, table: str) -> int:
    with _db.connect(db) as conn:
        return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608


def ours(manifest: dict, gpkg: Path, *, keep: bool = False) -> dict:
    db = manifest["db"]
    scratch = f"{db}_import"
    _db.create(scratch, drop=True)
    env = _db.django_env(scratch)
    manage = [_db.PYTHON, str(_db.ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=_db.ROOT, env=env, check=True)
    _copy_tables(db, scratch)
    log = _db.bench_dir(db) / "import_ours.log"
    started = time.perf_counter()
    done = subprocess.run(
        [*manage, "import_parcels", str(gpkg), "--valid-from", VALID_FROM],
        cwd=_db.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    log.write_text(done.stdout + done.stderr)
    rows = _count(scratch, "parcels_parcel")
    if not keep:
        _db.drop(scratch)
    result = {"seconds": round(seconds, 2), "rows": rows}
    if done.returncode != 0:
        result["error"] = (done.stderr or done.stdout)[-500:]
    return result


def ogr2ogr(manifest: dict, gpkg: Path, *, keep: bool = False) -> dict:
    db = manifest["db"]
    scratch = f"{db}_ogr"
    _db.create(scratch, drop=True)
    with _db.connect(scratch, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    log = _db.bench_dir(db) / "import_ogr2ogr.log"
    started = time.perf_counter()
    done = subprocess.run(
        [
            OGR2OGR,
            "-f",
            "PostgreSQL",
            f"PG:{_db.ogr_conninfo(scratch)}",
            str(gpkg),
            "-nln",
            "parcels",
            "-lco",
            "GEOMETRY_NAME=geom",
            "-lco",
            "SPATIAL_INDEX=GIST",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    log.write_text(done.stdout + done.stderr)
    rows = _count(scratch, "parcels")
    if not keep:
        _db.drop(scratch)
    result = {"seconds": round(seconds, 2), "rows": rows}
    if done.returncode != 0:
        result["error"] = (done.stderr or done.stdout)[-500:]
    return result


def run(manifest: dict) -> dict[str, dict]:
    """{"import_ours": {"seconds", "rows"}, "import_ogr2ogr": {"seconds", "rows"}}."""
    gpkg = export(manifest)
    return {"import_ours": ours(manifest, gpkg), "import_ogr2ogr": ogr2ogr(manifest, gpkg)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time import_parcels against ogr2ogr.")
    parser.add_argument("manifest", help="a manifest.json of bench.data")
    parser.add_argument("--only", choices=("ours", "ogr2ogr"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args(argv)
    manifest = json.loads(Path(args.manifest).read_text())
    gpkg = export(manifest)
    result = {}
    if args.only in (None, "ours"):
        result["import_ours"] = ours(manifest, gpkg, keep=args.keep)
    if args.only in (None, "ogr2ogr"):
        result["import_ogr2ogr"] = ogr2ogr(manifest, gpkg, keep=args.keep)
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
