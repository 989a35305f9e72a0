"""Audit: the one way a model's history is kept, by database triggers (docs/audit.md).

Every table that holds a decision, a status, money, a bid, a ballot, a signature or personal
data, or that says who may do what, is tracked with `track()`: each insert, update and delete
writes the row as it became (for a delete: as it was) to the model's event table, with the
request's user and path attached by `pghistory.middleware.HistoryMiddleware`. Triggers and not
signals, so that bulk updates, raw SQL and COPY are recorded too. Event tables take no updates
or deletes.

    @audit.track(exclude=["key_hash"])
    class ApiKey(models.Model): ...

A value that must not be copied into the history (a password hash, a personal number) is
left out of the snapshot with `exclude`, and `changed(field)` still records, under a label
of its own, that it changed.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import connection


def changed(field: str) -> pghistory.UpdateEvent:
    """An update event labelled "<field>_change", written whenever that field's value changes."""
    return pghistory.UpdateEvent(f"{field}_change", condition=pghistory.AnyChange(field))


def track(
    *extra: pghistory.RowEvent,
    fields: list[str] | None = None,
    exclude: list[str] | None = None,
    model_name: str | None = None,
):
    """Record every insert, update and delete of the model in an append-only event table.

    `fields` or `exclude` choose the columns copied (all by default); an update that changes
    none of them writes nothing. `extra` adds events, such as `changed("password")`.
    """
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        *extra,
        fields=fields,
        exclude=exclude,
        model_name=model_name,
        append_only=True,
    )


def ignore_triggers_in_transaction() -> None:
    """Until the transaction ends, every trigger of pgtrigger (the audit's) returns at once:
    the setting that pgtrigger.ignore() sets per statement, here once for COPYs too. For the
    generated demo data only (docs/audit.md): its history begins with the first change."""
    ignored = set()
    for model, trigger in pgtrigger.registered():
        pgid = trigger.get_pgid(model)
        ignored |= {pgid, f"{model._meta.db_table}:{pgid}"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', %s, true)",
            ["{" + ",".join(sorted(ignored)) + "}"],
        )
