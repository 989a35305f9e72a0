"""Layer versions: a statement trigger on each layer's table bumps `LayerState` on every write.

Triggers, not signals, because imports write with COPY and bulk updates that send no signals;
a version that missed a write would serve stale tiles from the cache.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, connections

from layers.models import LayerState
from layers.registry import Layer, registry
from layers.tiles import prepared_cursor

TRIGGER_NAME = "layers_bump_version"


# The data part of the token of a layer that has no version row.
UNVERSIONED = "0"


def layer_token(layer: Layer) -> str:
    """A token that changes whenever the layer's data or declaration changes.

    Asked on every tile request, so it is one prepared primary-key lookup without the ORM.
    """
    with prepared_cursor() as cursor:
        cursor.execute(
            "SELECT version, changed_at FROM layers_layerstate WHERE name = %s", [layer.name]
        )
        row = cursor.fetchone()
    data = (
        LayerState(name=layer.name, version=row[0], changed_at=row[1]).token if row else UNVERSIONED
    )
    return f"{layer.signature}-{data}"


def is_versioned(token: str) -> bool:
    """Whether the token follows the layer's writes: a layer with no version row yet (no
    trigger names it) has a token that never changes, under which nothing may be cached."""
    return not token.endswith(f"-{UNVERSIONED}")


def layer_bump(name: str) -> None:
    """Bump a layer's version by hand: for layers kept as rows (datasets), on activation."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT layers_bump_version_of(%s)", [name])


def tables_of_declared_layers() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = defaultdict(list)
    for layer in registry.declared():
        for table in (layer.model._meta.db_table, *layer.extra_tables):
            tables[table].append(layer.name)
    return tables


def install_version_triggers(using: str = "default", **kwargs) -> None:
    """(Re)create one statement trigger per table, naming the layers that it feeds."""
    conn = connections[using]
    with conn.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('layers_bump_version()') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return  # layers' migration has not run yet
        for table, names in tables_of_declared_layers().items():
            # Layer names are slugs checked at registration; quoted as SQL literals all the same.
            arguments = ", ".join("'" + n.replace("'", "''") + "'" for n in sorted(names))
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER_NAME} "
                "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {conn.ops.quote_name(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION layers_bump_version({arguments})"
            )
