"""Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request.

A staff member's session decides on permits and publishes layers: left open on a shared or
lost computer it is worth more than a citizen's. A staff member's requests keep setting the
session to expire that long after them, so an hour of work keeps it and an hour away ends it;
the next page then asks to sign in again. The idle time starts at sign-in, and the expiry is
moved at most once a minute after (REFRESH_SECONDS), so most requests write nothing. Citizens
keep Django's default.
"""

from __future__ import annotations

import time

from django.conf import settings

REFRESH_SECONDS = 60
REFRESHED = "_staff_session_refreshed"


def _is_staff(user) -> bool:
    return user is not None and user.is_authenticated and (user.is_staff or user.is_superuser)


def _refresh(session, *, now: int) -> None:
    session[REFRESHED] = now
    session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)


def staff_signed_in(sender, request, user, **kwargs) -> None:
    """At sign-in (its session is written then in any case), the idle time starts."""
    if _is_staff(user) and hasattr(request, "session"):
        _refresh(request.session, now=int(time.time()))


class StaffIdleSessionMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if _is_staff(getattr(request, "user", None)):
            now = int(time.time())
            if now - request.session.get(REFRESHED, 0) >= REFRESH_SECONDS:
                _refresh(request.session, now=now)
        return self.get_response(request)
