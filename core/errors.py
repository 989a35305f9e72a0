"""Errors that Django answers itself, in the form the path's clients read.

Under /api/ every error is JSON in the one shape of the REST API (core/api.py):
{"detail": str, "code": str} with "parameter" and "errors" when they apply. Django's own
answers (an unknown path, a server error, a refused CSRF token, a body over the size limit, a
method a plain view does not take) are HTML or empty; the handlers and the middleware here
give them that shape. The OGC API keeps its own `{"code", "description"}`; pages keep pages.

A database statement that runs past REQUEST_DB_TIMEOUT_SECONDS is cancelled by PostgreSQL
(core/db/base.py sets the bound on the web server's connections) and answered here with 503,
so that no request holds a worker longer than the bound.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import psycopg
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import csrf, defaults

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
OGCAPI_PREFIX = "/ogcapi"

# The code of an error that Django answered without one, by status.
STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}
# Headers of an error answer that a client needs and a rewritten answer keeps.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def error_body(
    detail: str,
    code: str,
    *,
    parameter: str | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict:
    """The one shape of an API error."""
    body = {"detail": detail, "code": code}
    if parameter:
        body["parameter"] = parameter
    if errors and (len(errors) > 1 or parameter is None):
        body["errors"] = errors
    return body


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(status: int, detail: str, code: str | None = None, **extra) -> JsonResponse:
    code = code or STATUS_CODES.get(status, "error")
    return JsonResponse(error_body(detail, code, **extra), status=status)


def ogc_error(status: int, code: str, description: str) -> JsonResponse:
    return JsonResponse({"code": code, "description": description}, status=status)


# Django's handlers (gisportal/urls.py names them).


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error(404, _("There is nothing at this address of the API."))
    if request.path.startswith(OGCAPI_PREFIX):
        return ogc_error(404, "NotFound", _("There is nothing at this address of the OGC API."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return api_error(500, _("The server failed to answer; the failure has been logged."))
    if request.path.startswith(OGCAPI_PREFIX):
        return ogc_error(500, "ServerError", _("The server failed to answer."))
    return defaults.server_error(request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        message = str(exception) if exception and str(exception) else ""
        return api_error(403, message or _("You may not do this."))
    return defaults.permission_denied(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    too_big = isinstance(exception, RequestDataTooBig)
    if is_api(request):
        if too_big:
            return api_error(
                413,
                _("The request body is larger than this address accepts."),
                "too_large",
            )
        return api_error(400, _("The request could not be read."), "bad_request")
    if too_big:
        page = render_to_string(
            "400.html", {"message": _("The request body is too large.")}, request=request
        )
        return HttpResponse(page, status=413)
    return defaults.bad_request(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a refused form or API write, 403."""
    if is_api(request):
        return api_error(
            403,
            _(
                "The CSRF check failed: a signed-in write needs the csrftoken cookie's value "
                "in the X-CSRFToken header."
            ),
            "csrf_failed",
        )
    return csrf.csrf_failure(request, reason=reason)


# The database's bound on one statement.


def is_statement_timeout(exception: BaseException) -> bool:
    return isinstance(exception, OperationalError) and isinstance(
        exception.__cause__, psycopg.errors.QueryCanceled
    )


def timeout_response(request: HttpRequest) -> HttpResponse:
    seconds = f"{settings.REQUEST_DB_TIMEOUT_SECONDS:g}"
    message = _(
        "The request took longer than %(seconds)s s and was stopped; try a smaller one."
    ) % {"seconds": seconds}
    if is_api(request) or request.path.startswith("/tiles/"):
        response = api_error(503, message, "timeout")
    elif request.path.startswith(OGCAPI_PREFIX):
        response = ogc_error(503, "Timeout", message)
    else:
        # Static, like the 500 page: the connection that timed out is of no use for the shell.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "60"
    return response


class ApiErrorMiddleware:
    """Gives every error under /api/ the one JSON shape, and answers a database statement cut
    short by REQUEST_DB_TIMEOUT_SECONDS with 503 on every path."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and is_api(request) and self._needs_shape(response):
            return self._shaped(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_statement_timeout(exception):
            logger.warning("statement timeout: %s %s", request.method, request.path)
            return timeout_response(request)
        return None

    @staticmethod
    def _needs_shape(response: HttpResponse) -> bool:
        if getattr(response, "streaming", False):
            return False
        if "json" in response.get("Content-Type", ""):
            return False
        # DRF's browsable page of an error, asked for by a browser, is left as it is.
        renderer = getattr(response, "accepted_renderer", None)
        return getattr(renderer, "format", None) != "api"

    @staticmethod
    def _shaped(response: HttpResponse) -> HttpResponse:
        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = _("Error")
        shaped = api_error(status, f"{phrase}.", STATUS_CODES.get(status, "error"))
        for header in KEPT_HEADERS:
            if response.has_header(header):
                shaped[header] = response[header]
        return shaped


def bound_request_statements() -> None:
    """Bound every statement of this process's database connections by
    REQUEST_DB_TIMEOUT_SECONDS, set once as each connection opens.

    Called by the web server's workers (gisportal/gunicorn.conf.py), never by jobs or
    commands, whose work may rightly take longer. gunicorn's own timeout cannot do this: with
    threaded workers it watches the worker's main loop, not a thread stuck in a request.
    """
    from django.db.backends.signals import connection_created

    connection_created.connect(_set_statement_timeout, dispatch_uid="request_statement_timeout")


def _set_statement_timeout(sender, connection, **kwargs) -> None:
    milliseconds = int(settings.REQUEST_DB_TIMEOUT_SECONDS * 1000)
    if connection.vendor != "postgresql" or milliseconds <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{milliseconds}ms"])
