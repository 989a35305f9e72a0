"""COPY into a table that row-level security may hold (docs/adr/0004-row-level-security.md).

PostgreSQL refuses `COPY ... FROM` into a table whose policies apply to the current role, so a
load run by the application role (a test, a job) copies into a temporary table of the same
columns and inserts from it, through the policy like any other insert. The owner of the tables
(`manage.py import_parcels`, `prepare`), a superuser or a role with BYPASSRLS, copies straight
into the table.

Raw SQL because the ORM cannot COPY; the names come from the caller's model, never from input.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from psycopg import sql

from core.db.owner import owner_mode


@contextmanager
def copy_target(cursor, table: str, columns: Sequence[str]) -> Iterator[sql.Identifier]:
    """The table to COPY these columns into: `table`, or a temporary stand-in for it that is
    emptied into `table` when the block ends without an error."""
    if owner_mode():
        yield sql.Identifier(table)
        return
    staging = sql.Identifier(f"gisportal_copy_{table}")
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    source = sql.Identifier(table)

    def run(statement: sql.Composable) -> None:
        cursor.execute(statement.as_string(cursor.connection))

    run(sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(staging))
    run(
        sql.SQL("CREATE TEMPORARY TABLE {} AS SELECT {} FROM {} LIMIT 0").format(
            staging, names, source
        )
    )
    # After an error the stand-in stays until the session ends or the next load drops it.
    yield staging
    run(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(source, names, names, staging))
    run(sql.SQL("DROP TABLE pg_temp.{}").format(staging))
