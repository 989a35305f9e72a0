"""PostGIS, with the health check of a kept connection only after it has been idle.

Django's CONN_HEALTH_CHECKS sends `SELECT 1` before the first query of every request that
reuses a connection: a round trip per request, a fifth of the time of a page of 100 features
under load. A connection that a request used moments ago is alive, and a server restart comes
after a pause in its use, so only a connection idle for HEALTH_CHECK_AFTER_SECONDS is checked;
the rest go straight to their query. A connection that fails all the same is closed at the
end of the request by Django's own check of errored connections.
"""

from __future__ import annotations

import time

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISWrapper

HEALTH_CHECK_AFTER_SECONDS = 5.0


class DatabaseWrapper(PostGISWrapper):
    _used_at = 0.0

    def close_if_health_check_failed(self) -> None:
        now = time.monotonic()
        recent = self.connection is not None and now - self._used_at < HEALTH_CHECK_AFTER_SECONDS
        self._used_at = now
        if recent and not self.health_check_done:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
