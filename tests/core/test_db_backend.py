"""The database backend (core/db): a kept connection is checked with a round trip only after a
pause in its use; one used moments ago goes straight to its query."""

import time

import pytest
from django.db import connection, connections

from core.db.base import HEALTH_CHECK_AFTER_SECONDS


@pytest.fixture
def checks(db, monkeypatch):
    """The health checks the connection makes (each a round trip), counted."""
    connection.ensure_connection()
    monkeypatch.setattr(connection, "health_check_enabled", True)
    found = []
    monkeypatch.setattr(connection, "is_usable", lambda: found.append(1) or True)
    return found


def test_the_portal_uses_the_backend():
    assert type(connections["default"]).__module__ == "core.db.base"


def test_a_connection_used_moments_ago_is_not_checked(checks):
    connection.close_if_health_check_failed()  # a first query
    connection.health_check_done = False  # a new request
    connection.close_if_health_check_failed()
    assert checks == []
    assert connection.health_check_done


def test_a_connection_idle_for_a_while_is_checked(checks):
    connection._used_at = time.monotonic() - HEALTH_CHECK_AFTER_SECONDS - 1
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert checks == [1]


def test_a_failed_check_closes_the_connection(db, monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection, "health_check_enabled", True)
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    closed = []
    monkeypatch.setattr(connection, "close", lambda: closed.append(1))
    connection._used_at = 0.0
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert closed == [1]
