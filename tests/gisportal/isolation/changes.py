"""Whether a request changed any row: PostgreSQL's per-transaction write counters say which
tables a request wrote to, and row checksums of those tables say whether anything differs.

Each request runs in a savepoint that is rolled back, so the rows read before the first
request stay the reference for all of them and only the tables written to are read again.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from psycopg.pq import TransactionStatus

# Written by signing in and by throttles, not by anything a request may do to another's rows.
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "gisportal_cache",
        "axes_accessattempt",
        "axes_accessfailurelog",
        "axes_accesslog",
    }
)

# pg_stat_xact_user_tables computes a dozen figures for every relation; the three counters of
# the tables alone take a tenth of the time, and this runs twice per request.
_TABLES = """
    SELECT c.oid, c.oid::regclass::text FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
_COUNTERS = """
    SELECT pg_stat_get_xact_tuples_inserted(t) + pg_stat_get_xact_tuples_updated(t)
        + pg_stat_get_xact_tuples_deleted(t)
    FROM unnest(%s::oid[]) WITH ORDINALITY AS u(t, i) ORDER BY i
"""


def tables() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(_TABLES)
        return dict(cursor.fetchall())


def write_counters(oids: list[int]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_COUNTERS, [oids])
        return [count for (count,) in cursor.fetchall()]


def aborted() -> bool:
    """The transaction is in error: a statement of the request failed and nothing undid it."""
    return connection.connection.info.transaction_status == TransactionStatus.INERROR


def see_every_municipality() -> None:
    """Read as the portal's widest scope: a request may have narrowed the connection's scope
    of row-level security, and its rows would seem gone."""
    widen = getattr(connection, "set_municipality_scope", None)
    if widen is not None:
        widen("*")


def row_hashes(table: str) -> frozenset[str] | None:
    """A checksum of every row, or None for a table the connection may not read."""
    # The table name comes from pg_stat_xact_user_tables (regclass text), never from a request.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT md5(t::text) FROM {table} AS t")  # noqa: S608
            return frozenset(row for (row,) in cursor.fetchall())
    except DatabaseError:
        return None


class RowWatch:
    """The rows of every table as they were before the first request, and the check of one."""

    def __init__(self) -> None:
        see_every_municipality()
        found = tables()
        self._oids = list(found)
        self._last: list[int] | None = None
        self._names = [found[oid] for oid in self._oids]
        self._reference = {
            name: row_hashes(name) for name in self._names if name not in IGNORED_TABLES
        }

    @contextmanager
    def request(self):
        """Run a request in a rolled-back savepoint; yields a list it fills with the changes."""
        changes: list[str] = []
        # Counters only grow, and a rollback leaves them as they are: the last request's
        # "after" is this one's "before".
        before = self._last if self._last is not None else write_counters(self._oids)
        with transaction.atomic():
            yield changes
            if aborted():
                # The request failed inside the database (its 5xx is reported); PostgreSQL
                # keeps nothing of an aborted transaction. The counters are read afresh.
                self._last = None
                transaction.set_rollback(True)
                return
            after = self._last = write_counters(self._oids)
            moved = [
                name
                for name, b, a in zip(self._names, before, after, strict=True)
                if a != b and name not in IGNORED_TABLES
            ]
            if moved:
                see_every_municipality()
            for table in moved:
                now, reference = row_hashes(table), self._reference.get(table)
                if now is None or reference is None:
                    changes.append(f"{table}: written to")
                    continue
                added, gone = len(now - reference), len(reference - now)
                if added or gone:
                    changes.append(f"{table}: {added} rows new or changed, {gone} gone")
            transaction.set_rollback(True)
