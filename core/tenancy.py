"""The municipality scope of each request and job: which municipalities' rows the database lets
its connection see and write (docs/adr/0004-row-level-security.md).

A staff member's request sees the municipalities where they hold a role; a superuser's, a
citizen's and an anonymous request see all of them (a citizen belongs to no one municipality:
the views keep each citizen to their own rows). Jobs are the portal's own work and see all.
Between requests and jobs a kept connection is back in the public scope (core/db/base.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from core.db.base import ALL_MUNICIPALITIES
from core.mfa import STAFF_ROLE_SESSION_KEY
from core.rules import roles_by_municipality


def scope_of(municipality_ids: Iterable[int]) -> str:
    """The scope of these municipalities, as the policies read it: "1,2"."""
    return ",".join(str(int(pk)) for pk in sorted(set(municipality_ids)))


def scope_for(user, session=None) -> str:
    """The scope of a request by this user.

    With the request's session, a person who held no role at sign-in (core.mfa marks the
    session of one who did) and is not `is_staff` costs no query: a citizen. A role granted
    during such a session narrows the scope from the next sign-in; the views ask the rules,
    which read the roles afresh, in the meantime.
    """
    if user is None or not user.is_authenticated or not user.is_active or user.is_superuser:
        return ALL_MUNICIPALITIES
    if session is not None and not (user.is_staff or session.get(STAFF_ROLE_SESSION_KEY)):
        return ALL_MUNICIPALITIES
    staff_of = roles_by_municipality(user)  # kept on the user: the rules read it again free
    return scope_of(staff_of) if staff_of else ALL_MUNICIPALITIES


def set_scope(scope: str, using: str = DEFAULT_DB_ALIAS) -> None:
    connections[using].set_municipality_scope(scope)


def reset_scope(using: str = DEFAULT_DB_ALIAS) -> None:
    """Back to the public scope; a connection that cannot be put back is closed, not kept."""
    connection = connections[using]
    try:
        set_scope(ALL_MUNICIPALITIES, using)
    except DatabaseError:
        if not connection.in_atomic_block:
            connection.close()


@contextmanager
def municipality_scope(scope: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """See the rows of `scope` inside the block; the public scope again after it."""
    set_scope(scope, using)
    try:
        yield
    finally:
        reset_scope(using)


class MunicipalityScopeMiddleware:
    """After AuthenticationMiddleware: the request's scope, from its user.

    An anonymous request whose connection already holds the public scope sends nothing. A
    streamed answer reads the database after this returns, so its scope holds until Django
    tidies the connection when the answer is finished (core/db/base.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_scope(scope_for(getattr(request, "user", None), getattr(request, "session", None)))
        try:
            response = self.get_response(request)
        except BaseException:
            reset_scope()
            raise
        if not response.streaming:
            reset_scope()
        return response


def job_scope(call_next, context, worker):
    """procrastinate task middleware: every job runs in the public scope, whatever the job
    before it on the same thread left behind."""
    with municipality_scope(ALL_MUNICIPALITIES):
        return call_next()


def add_job_scope(app) -> None:
    """PROCRASTINATE_ON_APP_READY: put job_scope around every task that the worker runs."""
    defaults = app.worker_defaults
    defaults["task_middleware"] = [*defaults.get("task_middleware", []), job_scope]
