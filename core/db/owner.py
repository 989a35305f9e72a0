"""Work that connects as the owner of the tables instead of the application role.

The portal's connections use the application role (DATABASES' APP_USER), which may read and
write rows but owns nothing and is held to the row-level security policies (docs/adr/0004).
Changing the schema, creating and dropping the test database, emptying tables between tests
and bulk loads with COPY need the owner (DATABASES' USER): they run inside `as_owner()`.

The mode belongs to the process, not to one connection object: Django makes connections of
its own for such work (the one to the `postgres` database that creates the test database), and
a large import builds its indexes on threads of its own. The calling thread's connections are
closed on the way in and out, so each side reconnects as its own role; the mode is for
commands and test set-up, never for a server that answers requests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

_lock = threading.Lock()
_depth = 0


def owner_mode() -> bool:
    """True inside `as_owner()`."""
    return _depth > 0


@contextmanager
def as_owner() -> Iterator[None]:
    """Connect this thread as the owner of the tables for the duration of the block.

    Re-entrant. Inside a transaction it changes nothing: reconnecting would cut the work off.
    """
    global _depth
    if owner_mode():
        with _lock:
            _depth += 1
        try:
            yield
        finally:
            with _lock:
                _depth -= 1
        return
    if any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        # Inside a transaction (a test's) the connection cannot change: the work goes on as
        # the role it has, and fails there if that role may not do it.
        yield
        return
    connections.close_all()
    with _lock:
        _depth = 1
    try:
        yield
    finally:
        with _lock:
            _depth = 0
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()
