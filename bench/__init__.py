"""The benchmark harness of issue 5: `python -m bench.run` (see bench/README.md).

Everything it builds, installs and logs lives under `.state/bench/`; results of full runs go to
`bench/results/`.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".state" / "bench"
RESULTS = ROOT / "bench" / "results"
SMOKE_RESULTS = STATE / "results"
LOGS = STATE / "logs"


def db_conninfo(db: str) -> dict:
    """Connection parameters of benchmark database `db`: DATABASE_URL's server when set,
    otherwise the private cluster of scripts/pg.sh (socket .state/run, user postgres)."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        parts = urllib.parse.urlsplit(url)
        query = dict(urllib.parse.parse_qsl(parts.query))
        return {
            "host": query.get("host") or parts.hostname or "localhost",
            "port": parts.port or 5432,
            "user": urllib.parse.unquote(parts.username or "postgres"),
            "password": urllib.parse.unquote(parts.password or ""),
            "dbname": db,
        }
    return {
        "host": str(ROOT / ".state" / "run"),
        "port": 5432,
        "user": "postgres",
        "password": "",
        "dbname": db,
    }


def db_url(db: str) -> str:
    """A postgresql:// URL for `db`; a socket directory goes percent-encoded in the host part,
    which asyncpg (tipg), psycopg2 and libpq all understand."""
    info = db_conninfo(db)
    auth = urllib.parse.quote(info["user"], safe="")
    if info["password"]:
        auth += ":" + urllib.parse.quote(info["password"], safe="")
    host = urllib.parse.quote(info["host"], safe="")
    return f"postgresql://{auth}@{host}:{info['port']}/{info['dbname']}"


def django_env(db: str) -> dict:
    """Environment that points Django (manage.py, gunicorn) at benchmark database `db`."""
    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        parts = urllib.parse.urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path="/" + db))
    else:
        env["GISPORTAL_DB_NAME"] = db
    return env
