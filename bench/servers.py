"""The three servers under test, each started on 127.0.0.1 on a free port and always stopped.

- `ours`: the production command of the Makefile's serve target (gunicorn, 2 workers, 4 threads);
- `tipg`: tipg from PyPI in its own venv under .state/bench/venv-tipg, 2 uvicorn workers;
- `pygeoapi`: pygeoapi from PyPI in .state/bench/venv-pygeoapi (Python >= 3.12), 2 gunicorn
  workers, with a generated config on the same table.

Each is a context manager yielding a `Server`; its log goes to .state/bench/logs/<name>.log.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import LOGS, ROOT, STATE, db_conninfo, db_url, django_env

WORKERS = 2
TIPG_SPEC = "tipg==1.*"
PYGEOAPI_SPEC = "pygeoapi==0.24.*"
TIPG_PACKAGES = [TIPG_SPEC, "uvicorn", "mapbox-vector-tile"]
PYGEOAPI_PACKAGES = [PYGEOAPI_SPEC, "SQLAlchemy", "GeoAlchemy2", "psycopg2-binary", "gunicorn"]
TABLE = "parcels_parcel"
READY_TIMEOUT = 60.0


class ServerUnavailable(RuntimeError):
    """A server cannot be installed or started here; the reason goes into the results."""


@dataclass
class Server:
    name: str
    base_url: str
    version: str
    tile_path: str | None  # a format string with {z} {x} {y}; None: tiles not offered
    items_path: str  # a format string with {bbox} and {limit}
    log: Path
    notes: list[str] = field(default_factory=list)

    def tile(self, z: int, x: int, y: int) -> str:
        return self.tile_path.format(z=z, x=x, y=y)

    def items(self, bbox, limit: int) -> str:
        return self.items_path.format(bbox=",".join(f"{v:.7f}" for v in bbox), limit=limit)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_status(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (loopback)
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return 0


def _stop(proc: subprocess.Popen) -> None:
    """TERM the server's process group, then KILL it if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def terminate_backends(db: str) -> None:
    """End queries a stopped server left running in the benchmark database (a slow tile query
    goes on after its client is gone and would weigh on the next measurement). Idle sessions
    are left alone: they are the kept connections of a server still up."""
    import psycopg

    info = db_conninfo(db)
    with contextlib.suppress(Exception), psycopg.connect(**info, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND state <> 'idle'",
            [db],
        )


@contextlib.contextmanager
def _spawn(name: str, cmd: list[str], *, env: dict, ready_path: str, port: int, db: str):
    """Start `cmd` in its own process group, wait for `ready_path` to answer 200, and always
    stop the group on exit (error or not)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}.log"
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        proc = subprocess.Popen(  # noqa: S603
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise ServerUnavailable(
                    f"{name} exited with code {proc.returncode} while starting; see {log}"
                )
            if _get_status(base + ready_path) == 200:
                break
            if time.monotonic() > deadline:
                raise ServerUnavailable(f"{name} not ready in {READY_TIMEOUT:.0f} s; see {log}")
            time.sleep(0.3)
        yield base, log
    finally:
        _stop(proc)
        terminate_backends(db)


# --- ours ----------------------------------------------------------------------------------


@contextlib.contextmanager
def ours(db: str, *, cache: bool):
    """Our production server; `cache=False` sets TILE_CACHE=off (every tile built afresh),
    `cache=True` uses a fresh, empty TILE_CACHE_DIR."""
    port = free_port()
    env = django_env(db)
    env.update(
        DEBUG="false",
        PERMITS_CHECK_RATE="1000000/min",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if cache:
        cache_dir = STATE / "tile-cache"
        shutil.rmtree(cache_dir, ignore_errors=True)
        cache_dir.mkdir(parents=True)
        env.update(TILE_CACHE="on", TILE_CACHE_DIR=str(cache_dir))
    else:
        env["TILE_CACHE"] = "off"
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "gisportal.wsgi:application",
        "--config",
        "gisportal/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        "4",
        "--log-level",
        "warning",
    ]
    name = "ours-warm" if cache else "ours-cold"
    with _spawn(name, cmd, env=env, ready_path="/healthz", port=port, db=db) as (base, log):
        yield Server(
            name="ours",
            base_url=base,
            version=_our_version(),
            tile_path="/tiles/parcels/{z}/{x}/{y}.mvt",
            items_path="/ogcapi/collections/parcels/items?bbox={bbox}&limit={limit}",
            log=log,
        )


def _our_version() -> str:
    try:
        out = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return "git " + out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "working tree"


# --- installing the others ---------------------------------------------------------------


def _python_version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(  # noqa: S603
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def find_python(minimum: tuple[int, int]) -> str | None:
    """A Python interpreter at least `minimum`: on PATH, then pyenv's versions, then ours."""
    candidates = []
    for minor in range(13, minimum[1] - 1, -1):
        candidates.append(shutil.which(f"python3.{minor}"))
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        for d in sorted(pyenv.iterdir(), reverse=True):
            candidates.extend(str(p) for p in sorted((d / "bin").glob("python3.[0-9]*")))
    candidates.append(getattr(sys, "_base_executable", sys.executable))
    for python in filter(None, candidates):
        version = _python_version(python)
        if version and version >= minimum:
            return python
    return None


def _venv(name: str, minimum: tuple[int, int], packages: list[str], dist: str) -> tuple[Path, str]:
    """Create or reuse .state/bench/venv-<name> with `packages`; skipped when the stamp file
    records the same package list. Returns the venv and the installed version of `dist`."""
    venv = STATE / f"venv-{name}"
    stamp = venv / "bench-stamp.json"
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        recorded = {}
    if recorded.get("packages") == packages and (venv / "bin" / "python").exists():
        return venv, recorded["version"]
    python = find_python(minimum)
    if python is None:
        raise ServerUnavailable(
            f"{name} needs Python >= {minimum[0]}.{minimum[1]}; none found on PATH or in pyenv"
        )
    print(f"  installing {name} into {venv.relative_to(ROOT)} (Python {python}) ...", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"pip-{name}.log"
    with open(log, "w") as out:
        steps = [
            [python, "-m", "venv", str(venv)],
            [str(venv / "bin" / "pip"), "install", "-q", "-U", "pip"],
            [str(venv / "bin" / "pip"), "install", "-q", *packages],
        ]
        for step in steps:
            if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT).returncode != 0:  # noqa: S603
                raise ServerUnavailable(f"installing {name} failed; see {log}")
    out = subprocess.run(  # noqa: S603
        [
            str(venv / "bin" / "python"),
            "-c",
            f"import importlib.metadata as m; print(m.version({dist!r}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    version = out.stdout.strip()
    stamp.write_text(json.dumps({"packages": packages, "version": version}))
    return venv, version


def ensure_tipg() -> tuple[Path, str]:
    return _venv("tipg", (3, 11), TIPG_PACKAGES, "tipg")


def ensure_pygeoapi() -> tuple[Path, str]:
    return _venv("pygeoapi", (3, 12), PYGEOAPI_PACKAGES, "pygeoapi")


# --- tipg --------------------------------------------------------------------------------


@contextlib.contextmanager
def tipg(db: str):
    """tipg on the parcels table. Its default geometry column is pinned to `geom` (the table as
    imported, EPSG:32638) so that any extra geometry column we add does not change its query."""
    venv, version = ensure_tipg()
    port = free_port()
    collection = f"public.{TABLE}"
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DATABASE_URL=db_url(db),
        TIPG_DB_SCHEMAS='["public"]',
        TIPG_DB_TABLES=json.dumps([collection]),
        TIPG_DEBUG="false",
        TIPG_ADD_TILES_VIEWER="false",
    )
    cmd = [
        str(venv / "bin" / "uvicorn"),
        "tipg.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    ready = f"/collections/{collection}"
    with _spawn("tipg", cmd, env=env, ready_path=ready, port=port, db=db) as (base, log):
        yield Server(
            name="tipg",
            base_url=base,
            version=version,
            tile_path=(
                f"/collections/{collection}/tiles/WebMercatorQuad/{{z}}/{{x}}/{{y}}"
                "?geom-column=geom"
            ),
            items_path=(
                f"/collections/{collection}/items?bbox={{bbox}}&limit={{limit}}&geom-column=geom"
            ),
            log=log,
        )


# --- pygeoapi ----------------------------------------------------------------------------


def _plain_columns(db: str) -> list[str]:
    """The table's columns but its geometries: pygeoapi's feature provider cannot write a
    second geometry column (such as a stored tile geometry) as a property."""
    import psycopg

    with psycopg.connect(**db_conninfo(db)) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND table_name = %s AND udt_name NOT IN ('geometry', 'geography') "
            "ORDER BY ordinal_position",
            [TABLE],
        ).fetchall()
    return [r[0] for r in rows]


def pygeoapi_config(db: str, port: int) -> dict:
    info = db_conninfo(db)
    data = {
        "host": info["host"],
        "port": info["port"],
        "dbname": info["dbname"],
        "user": info["user"],
        "password": info["password"],
        "search_path": ["public"],
    }
    common = {
        "data": data,
        "id_field": "id",
        "table": TABLE,
        "geom_field": "geom",
        "storage_crs": "http://www.opengis.net/def/crs/EPSG/0/32638",
    }
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "limits": {"default_items": 10, "max_items": 10000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "gisportal benchmark",
                "description": "parcels for the benchmark",
                "keywords": ["parcels"],
                "keywords_type": "theme",
                "terms_of_service": "https://example.org",
                "url": "https://example.org",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "gisportal", "url": "https://example.org"},
            "contact": {"name": "gisportal", "email": "bench@example.org"},
        },
        "resources": {
            "parcels": {
                "type": "collection",
                "title": "Parcels",
                "description": "Cadastral parcels",
                "keywords": ["parcels"],
                "extents": {
                    "spatial": {
                        "bbox": [40.0, 41.0, 46.8, 43.6],
                        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
                    }
                },
                "providers": [
                    {
                        "type": "feature",
                        "name": "PostgreSQL",
                        **common,
                        "properties": _plain_columns(db),
                    },
                    {
                        "type": "tile",
                        "name": "MVT-postgresql",
                        **common,
                        "options": {"zoom": {"min": 0, "max": 22}},
                        "format": {"name": "pbf", "mimetype": "application/vnd.mapbox-vector-tile"},
                    },
                ],
            }
        },
    }


@contextlib.contextmanager
def pygeoapi(db: str):
    """pygeoapi with its PostgreSQL feature provider and MVT-postgresql tile provider."""
    venv, version = ensure_pygeoapi()
    port = free_port()
    workdir = STATE / "pygeoapi"
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "config.yml"
    openapi = workdir / "openapi.yml"
    # JSON is YAML: no YAML writer needed on our side.
    config.write_text(json.dumps(pygeoapi_config(db, port), indent=2))
    env = dict(os.environ)
    env.update(PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / "pygeoapi-openapi.log", "w") as out:
        done = subprocess.run(  # noqa: S603
            [str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(config)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
    if done.returncode != 0 or not done.stdout.strip():
        raise ServerUnavailable(
            "pygeoapi openapi generate failed; see " + str(LOGS / "pygeoapi-openapi.log")
        )
    openapi.write_text(done.stdout)
    cmd = [
        str(venv / "bin" / "gunicorn"),
        "pygeoapi.flask_app:APP",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    ready = "/collections/parcels?f=json"
    with _spawn("pygeoapi", cmd, env=env, ready_path=ready, port=port, db=db) as (base, log):
        yield Server(
            name="pygeoapi",
            base_url=base,
            version=version,
            tile_path="/collections/parcels/tiles/WebMercatorQuad/{z}/{y}/{x}?f=mvt",
            items_path="/collections/parcels/items?bbox={bbox}&limit={limit}&f=json",
            log=log,
        )
