"""Staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request.

A staff member's session decides on permits and publishes layers: left open on a shared or
lost computer it is worth more than a citizen's. Each request of a signed-in staff member sets
the session to expire that long after it, so an hour of work keeps it and an hour away ends it;
the next page then asks to sign in again. Citizens keep Django's default.
"""

from __future__ import annotations

from django.conf import settings


class StaffIdleSessionMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (user.is_staff or user.is_superuser):
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
        return self.get_response(request)
