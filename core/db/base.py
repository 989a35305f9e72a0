"""PostGIS, connected as the application role with its municipality scope, and with the health
check of a kept connection only after it has been idle.

Roles and scope (docs/adr/0004-row-level-security.md): the portal connects as APP_USER, a role
held to the row-level security policies of every table that carries a municipality; work inside
`core.db.owner.as_owner()` connects as USER, the owner of the tables. Every connection starts
with the public scope (all municipalities) as a startup option, which costs no round trip; a
request or job that narrows it calls `set_municipality_scope`, which sends `set_config` only
when the connection's scope differs, and a kept connection goes back to the public scope at
the end of each request, when Django tidies its connections.

Health checks: Django's CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every
request that reuses a connection: a round trip per request, a fifth of the time of a page of
100 features under load. A connection that a request used moments ago is alive, and a server
restart comes after a pause in its use, so only a connection idle for
HEALTH_CHECK_AFTER_SECONDS is checked; the rest go straight to their query. A connection that
fails all the same is closed at the end of the request by Django's own check of errored
connections.
"""

from __future__ import annotations

import time

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISWrapper
from django.db import DatabaseError

from core.db.creation import DatabaseCreation
from core.db.owner import owner_mode

HEALTH_CHECK_AFTER_SECONDS = 5.0
# The custom setting that the policies read (core/db/rls.py), and its value for every
# municipality.
SCOPE_SETTING = "gisportal.municipalities"
ALL_MUNICIPALITIES = "*"


class DatabaseWrapper(PostGISWrapper):
    creation_class = DatabaseCreation
    _used_at = 0.0
    # The scope set on the open connection; None when unknown (no connection, or after a
    # rollback that may have undone a set_config).
    municipality_scope: str | None = None

    def get_connection_params(self):
        params = super().get_connection_params()
        app_user = self.settings_dict.get("APP_USER")
        if app_user and not owner_mode():
            params["user"] = app_user
            params.pop("password", None)
            if self.settings_dict.get("APP_PASSWORD"):
                params["password"] = self.settings_dict["APP_PASSWORD"]
        options = params.get("options", "")
        params["options"] = f"{options} -c {SCOPE_SETTING}={ALL_MUNICIPALITIES}".strip()
        return params

    def connect(self):
        self.municipality_scope = None
        super().connect()
        self.municipality_scope = ALL_MUNICIPALITIES

    def _close(self):
        self.municipality_scope = None
        super()._close()

    def _rollback(self):
        self.municipality_scope = None
        super()._rollback()

    def _savepoint_rollback(self, sid):
        self.municipality_scope = None
        super()._savepoint_rollback(sid)

    def set_municipality_scope(self, scope: str) -> None:
        """Make the connection see the rows of these municipalities: "*" or ids "1,2"."""
        if self.connection is None and scope == ALL_MUNICIPALITIES:
            return  # a new connection starts with it
        if self.connection is not None and self.municipality_scope == scope:
            return
        self.ensure_connection()
        # On the driver's own cursor, as Django sets the time zone of a new connection: it is
        # the connection's state, not a query of the request.
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SCOPE_SETTING, scope])
        self.municipality_scope = scope

    def close_if_unusable_or_obsolete(self):
        super().close_if_unusable_or_obsolete()
        # Between requests a kept connection holds the public scope, whatever the last one set.
        if (
            self.connection is not None
            and not self.in_atomic_block
            and self.municipality_scope != ALL_MUNICIPALITIES
        ):
            try:
                self.set_municipality_scope(ALL_MUNICIPALITIES)
            except DatabaseError:
                self.close()

    def close_if_health_check_failed(self) -> None:
        now = time.monotonic()
        recent = self.connection is not None and now - self._used_at < HEALTH_CHECK_AFTER_SECONDS
        self._used_at = now
        if recent and not self.health_check_done:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
