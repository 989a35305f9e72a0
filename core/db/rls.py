"""The application role, its grants and the row-level security of every table that carries a
municipality, made again after every migrate (docs/adr/0004-row-level-security.md).

Raw SQL because none of it is a model: the role and its grants, the scope functions and the
policies follow from the schema as it stands after all migrations, so a new table of any app
(or an audit table that copies a `municipality_id`) is covered when it is created, with no
list to keep. Every statement is idempotent; identifiers are quoted with psycopg's `sql`.

The policy of a table lets a connection see and write the rows of the municipalities in its
scope, the custom setting `gisportal.municipalities`: "*" for all of them, "1,2" for some;
unset, empty or malformed, none. Rows with no municipality (a service offered everywhere) are
seen by any connection that has a scope, and so are all rows of the tables whose models declare
`public_rows` (the cadastre), though only the scope's may be written. The scope functions are
wrapped in sub-selects so PostgreSQL reads the setting once per statement, not once per row.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from psycopg import sql

from core.db.owner import owner_mode

logger = logging.getLogger(__name__)

POLICY_NAME = "municipality_scope"
# Tables of public rows (the cadastre, zoning, constraints, the service catalogue) have a second
# policy: any connection that holds a scope reads all their rows; writes stay in the scope.
PUBLIC_READ_POLICY = "public_rows"
# What the application role may do, by kind of relation (pg_class.relkind); tables and views
# get the rest.
PRIVILEGES = {"S": "USAGE, SELECT, UPDATE", "m": "SELECT"}
MUNICIPALITY_COLUMN = "municipality_id"

# The setting and its "all" value are written out: SCOPE_SETTING and ALL_MUNICIPALITIES.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION gisportal_scope_all() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('gisportal.municipalities', true), '') = '*' $$;

CREATE OR REPLACE FUNCTION gisportal_scope_ids() RETURNS bigint[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE WHEN scope ~ '^[0-9]{1,18}(,[0-9]{1,18})*$'
                    THEN string_to_array(scope, ',')::bigint[]
                    ELSE '{}'::bigint[] END
        FROM (SELECT coalesce(current_setting('gisportal.municipalities', true), '') AS scope) AS setting
    $$;

CREATE OR REPLACE FUNCTION gisportal_scope_any() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT gisportal_scope_all() OR cardinality(gisportal_scope_ids()) > 0 $$;
"""

# With a policy on a table, PostgreSQL uses an index for a condition of the query only when the
# condition's functions are LEAKPROOF (they cannot reveal, by an error, a row that the policy
# hides); otherwise it reads the whole table. These are the functions of the conditions that
# the portal's indexes serve: the spatial lookups of GeoDjango, and the upper-cased LIKE of
# address and code searches. None of them says anything about a row in an error: PostGIS's
# errors name a geometry type or an SRID, which the column's type fixes.
LEAKPROOF_FUNCTIONS = (
    "geometry_overlaps(geometry, geometry)",  # &&
    "geometry_contains(geometry, geometry)",  # ~
    "geometry_within(geometry, geometry)",  # @
    "st_intersects(geometry, geometry)",
    "st_dwithin(geometry, geometry, double precision)",
    "st_covers(geometry, geometry)",
    "st_coveredby(geometry, geometry)",
    "st_contains(geometry, geometry)",
    "st_within(geometry, geometry)",
    "upper(text)",
    "textlike(text, text)",
)


def _execute(cursor, statement: sql.Composable | str) -> None:
    if isinstance(statement, sql.Composable):
        statement = statement.as_string(cursor.connection)
    cursor.execute(statement)


def municipality_tables(cursor) -> list[tuple[str, bool]]:
    """(table, column is nullable) for every table of the current schema with the column."""
    cursor.execute(
        """SELECT c.relname, NOT a.attnotnull
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attname = %s AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
          AND n.nspname = current_schema()
        ORDER BY c.relname""",
        [MUNICIPALITY_COLUMN],
    )
    return list(cursor.fetchall())


def policy_condition(nullable: bool) -> sql.Composable:
    column = sql.Identifier(MUNICIPALITY_COLUMN)
    condition = sql.SQL(
        "(SELECT gisportal_scope_all()) OR {column} = ANY ((SELECT gisportal_scope_ids())::bigint[])"
    ).format(column=column)
    if nullable:
        condition = sql.SQL("{} OR ({} IS NULL AND (SELECT gisportal_scope_any()))").format(
            condition, column
        )
    return condition


def ensure_app_role(cursor, role: str, password: str = "") -> None:
    """Create the application role when it is missing: it logs in, and nothing more."""
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone():
        return
    statement = sql.SQL(
        "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION"
    ).format(sql.Identifier(role))
    if password:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    # Another process migrating another database of the same cluster may create it first.
    try:
        with transaction.atomic():
            _execute(cursor, statement)
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) != "42710":  # duplicate_object
            raise


def grant(cursor, role: str) -> None:
    """Rows of every table and the counters of every sequence of the schema; nothing else.

    TRUNCATE is not granted: it would empty a table past its policy.
    """
    role_id = sql.Identifier(role)
    _execute(
        cursor,
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(cursor.connection.info.dbname), role_id
        ),
    )
    _execute(cursor, sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role_id))
    # Tables that the owner makes between migrations (a cache table) are covered at once.
    for kind, privileges in (
        ("TABLES", "SELECT, INSERT, UPDATE, DELETE"),
        ("SEQUENCES", "USAGE, SELECT, UPDATE"),
    ):
        _execute(
            cursor,
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {} ON {} TO {}").format(
                sql.SQL(privileges), sql.SQL(kind), role_id
            ),
        )
    cursor.execute(
        """SELECT c.relname, c.relkind FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND NOT EXISTS (
            SELECT 1 FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY c.relname"""
    )
    for name, kind in cursor.fetchall():
        privileges = PRIVILEGES.get(kind, "SELECT, INSERT, UPDATE, DELETE")
        _execute(
            cursor,
            sql.SQL("GRANT {} ON {} TO {}").format(
                sql.SQL(privileges), sql.Identifier(name), role_id
            ),
        )


def public_tables() -> set[str]:
    """The tables whose models declare `public_rows = True`: what anyone may read on the map,
    whoever asks; a staff member's narrowed scope limits only what they may write there."""
    from django.apps import apps

    return {m._meta.db_table for m in apps.get_models() if getattr(m, "public_rows", False)}


def protect(cursor) -> list[str]:
    """Enable and force row-level security on every table with a municipality, each under the
    one policy (and the public read of public rows); returns the tables."""
    tables = []
    public = public_tables()
    for table, nullable in municipality_tables(cursor):
        table_id = sql.Identifier(table)
        policy_id = sql.Identifier(POLICY_NAME)
        condition = policy_condition(nullable)
        _execute(cursor, sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(policy_id, table_id))
        _execute(
            cursor,
            sql.SQL("CREATE POLICY {} ON {} USING ({}) WITH CHECK ({})").format(
                policy_id, table_id, condition, condition
            ),
        )
        read_id = sql.Identifier(PUBLIC_READ_POLICY)
        _execute(cursor, sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(read_id, table_id))
        if table in public:
            _execute(
                cursor,
                sql.SQL(
                    "CREATE POLICY {} ON {} FOR SELECT USING ((SELECT gisportal_scope_any()))"
                ).format(read_id, table_id),
            )
        _execute(cursor, sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table_id))
        _execute(cursor, sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(table_id))
        tables.append(table)
    return tables


def mark_leakproof(cursor) -> bool:
    """Mark the indexed conditions' functions LEAKPROOF; only a superuser may. False when the
    current role may not, after saying which statements a superuser should run."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    statements = [f"ALTER FUNCTION {signature} LEAKPROOF" for signature in LEAKPROOF_FUNCTIONS]
    if not cursor.fetchone()[0]:
        logger.warning(
            "Row-level security: %s is not a superuser, so spatial and search indexes cannot "
            "serve the application role until a superuser runs, in this database: %s",
            cursor.connection.info.user,
            "; ".join(statements),
        )
        return False
    for statement in statements:
        cursor.execute(statement)
    return True


def apply(connection, *, role: str, password: str = "") -> list[str]:
    """Everything above, in one transaction on a connection of the owner."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(FUNCTIONS)
        ensure_app_role(cursor, role, password)
        grant(cursor, role)
        tables = protect(cursor)
        mark_leakproof(cursor)
    return tables


def secure_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, plan=None, **kwargs) -> None:
    """post_migrate: make the role, grants and policies again, once per migrate (not after a
    flush, which sends the signal with no plan and changes no table)."""
    connection = connections[using]
    role = connection.settings_dict.get("APP_USER")
    if plan is None or connection.vendor != "postgresql" or not role or not owner_mode():
        return  # not after a flush, nor on the application role's own connection
    tables = apply(connection, role=role, password=connection.settings_dict.get("APP_PASSWORD", ""))
    logger.debug("Row-level security on %d tables: %s", len(tables), ", ".join(tables))
