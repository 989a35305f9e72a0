"""Sign-in limits: failures counted per account in the shared cache, and the page that says so.

allauth counts failed sign-ins (its `login_failed` rate) per e-mail address and, more
generously, per client address; the counters live in Django's default cache, which is the
database or Redis (settings.CACHES), so every server process sees the same count. An account
that reaches its limit is answered 429 with the time left until the oldest counted failure
expires, in Retry-After and on the page, instead of allauth's form error (core/accounts.py);
the limits per address are generous, so that one office behind a NAT is not locked out by its
own typing errors.

Any other 429 that a view answers as a bare page (allauth's per-address limits on sign-in,
sign-up and password reset) is replaced by the portal's page, or by JSON for API clients.
"""

from __future__ import annotations

import math
import time

# allauth keeps its rate-limit arithmetic in an internal module; the counters read here are
# the ones it writes, so the same functions name their keys (pinned by pyproject: <66).
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.inputs import API_PREFIXES

ACCOUNT_APP = "allauth.account"
# Waited when no counter tells how long (a limit per key that the response does not name).
DEFAULT_RETRY_SECONDS = 60
JSON_PREFIXES = (*API_PREFIXES, "/ogcapi", "/wfs")


def _wait(history: list[float], rate, now: float) -> float:
    """Seconds until a rate allows one more hit: the oldest hit that still counts expires."""
    recent = sorted((t for t in history if t > now - rate.duration), reverse=True)
    if len(recent) < rate.amount:
        return 0.0
    return recent[rate.amount - 1] + rate.duration - now


def seconds_until_allowed(request, *, action: str, key: str | None = None, user=None) -> int:
    """How long until every rate of an allauth action allows `request` again (0: now)."""
    now = time.time()
    waits = [0.0]
    for rate in allauth_ratelimit.get_rates(app=ACCOUNT_APP, action=action):
        if rate.per == "key" and key is None:
            continue
        if rate.per == "user" and user is None and not request.user.is_authenticated:
            continue
        cache_key = allauth_ratelimit.get_cache_key(
            request, app=ACCOUNT_APP, action=action, rate=rate, key=key, user=user
        )
        waits.append(_wait(cache.get(cache_key, []), rate, now))
    return math.ceil(max(waits))


def _longest_wait_by_address(request) -> int:
    """For a 429 that does not say which limit it met: the longest wait among the limits per
    client address (and per signed-in user) that are spent now."""
    from allauth.account import app_settings

    waits = [0]
    for action in app_settings.RATE_LIMITS:
        waits.append(seconds_until_allowed(request, action=action))
    return max(waits)


def wants_json(request) -> bool:
    if request.path.startswith(JSON_PREFIXES):
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def rate_limited(request, *, seconds: int | None = None) -> HttpResponse:
    """429 with Retry-After: the portal's page, or {"detail", "code"} for API clients."""
    if not seconds:
        seconds = _longest_wait_by_address(request) or DEFAULT_RETRY_SECONDS
    minutes = max(1, math.ceil(seconds / 60))
    wait = ngettext(
        "Please try again in %(minutes)s minute.",
        "Please try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}
    if wants_json(request):
        detail = _("Too many attempts.") + " " + wait
        response = JsonResponse({"detail": detail, "code": "rate_limited"}, status=429)
    else:
        page = render_to_string("429.html", {"wait": wait}, request=request)
        response = HttpResponse(page, status=429)
    response["Retry-After"] = str(seconds)
    return response


def locked_out(request, **credentials) -> HttpResponse:
    """The 429 for an account whose sign-in failures (or an address's) reached the limit."""
    from allauth.account.adapter import get_adapter

    key = get_adapter(request)._get_login_attempts_cache_key(request, **credentials)
    seconds = seconds_until_allowed(request, action="login_failed", key=key)
    return rate_limited(request, seconds=seconds)


class RateLimitPageMiddleware:
    """A 429 page without Retry-After (allauth's own, for its per-address limits) becomes ours.

    Answers that are already JSON (the API's throttles, a full export queue) are left alone.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 429
            and not response.has_header("Retry-After")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return rate_limited(request)
        return response


def create_cache_table(sender, using: str = "default", **kwargs) -> None:
    """After migrate (and the test database's creation): the table of the database cache, when
    it is missing (a migrate inside a transaction, as in tests, finds it there)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    wanted = {
        cache["LOCATION"]
        for cache in settings.CACHES.values()
        if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    }
    if wanted - set(connections[using].introspection.table_names()):
        call_command("createcachetable", database=using, verbosity=0)
