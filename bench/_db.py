"""Where the benchmark databases live, and running code inside Django pointed at one of them.

The private cluster (scripts/pg.sh: socket .state/run, user postgres) unless DATABASE_URL is
set, in which case its server is used and only the database name changes. Django reads its
database from the environment when it starts, so work that needs Django for a given database
runs in a child process (`django_env`, `run_module`).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".state"
BENCH_STATE = STATE / "bench"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def bench_dir(db: str) -> Path:
    path = BENCH_STATE / db
    path.mkdir(parents=True, exist_ok=True)
    return path


def _url() -> str:
    return os.environ.get("DATABASE_URL", "")


def database_url(db: str) -> str | None:
    """DATABASE_URL with its database replaced by `db`, or None on the private cluster."""
    url = _url()
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + db))


def conninfo(db: str) -> str:
    """A libpq connection string (also accepted by pgbench and ogr2ogr's PG: prefix) for db."""
    url = database_url(db)
    if url:
        return url
    return f"host={STATE / 'run'} user=postgres dbname={db}"


def ogr_conninfo(db: str) -> str:
    """The same as conninfo, in the key=value form GDAL's PG: driver wants."""
    url = database_url(db)
    if not url:
        return conninfo(db)
    parts = urlsplit(url)
    items = {"dbname": db, "host": parts.hostname, "port": parts.port}
    items |= {"user": parts.username, "password": parts.password}
    return " ".join(f"{k}={v}" for k, v in items.items() if v)


def connect(db: str, **kwargs):
    import psycopg

    return psycopg.connect(conninfo(db), **kwargs)


def django_env(db: str, **extra: str) -> dict[str, str]:
    """The environment for a Django process (manage.py, gunicorn) that uses database db."""
    env = dict(os.environ)
    env["GISPORTAL_DB_NAME"] = db
    env.setdefault("DJANGO_SETTINGS_MODULE", "gisportal.settings")
    url = database_url(db)
    if url:
        env["DATABASE_URL"] = url
    env.update(extra)
    return env


def setup_django(db: str) -> None:
    """Set Django up in this process for database db (must not be set up already)."""
    os.environ.update(django_env(db))
    import django

    django.setup()


def exists(db: str) -> bool:
    with connect("postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone())


def create(db: str, *, drop: bool = False) -> None:
    from psycopg import sql

    with connect("postgres", autocommit=True) as conn:
        if drop:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db))
            )
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))


def drop(db: str) -> None:
    from psycopg import sql

    with connect("postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))


def run_module(module: str, args: list[str], db: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m module args` in a child with Django pointed at db; raises on failure."""
    return subprocess.run(
        [PYTHON, "-m", module, *args], cwd=ROOT, env=django_env(db), check=True, **kwargs
    )
