"""Input that no view should see: refused before any view runs, with 400 and a reason.

A NUL character cannot be stored in PostgreSQL text, and a view that passes one on fails with
an error of the database: so it is refused here, in the path, the query string or a form, and
the client is told which parameter held it. API paths answer JSON in the shape of their other
errors (the OGC API `{"code", "description", "parameter"}`, the others `{"detail", "code",
"parameter"}`), WFS an OWS exception report, pages a page.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIXES = ("/api/", "/tiles/")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_in(request) -> str | None:
    """The name of the first part of the request that holds a NUL character."""
    if "\x00" in request.path:
        return "path"
    if "%00" in request.META.get("QUERY_STRING", ""):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")[:50] or "query"
    if request.method == "POST" and request.content_type in FORMS:
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")[:50] or "form"
    return None


def refused(request, message: str, parameter: str) -> HttpResponse:
    """A 400 in the form the path's clients read."""
    if request.path.startswith("/ogcapi"):
        body = {"code": "InvalidParameterValue", "description": message, "parameter": parameter}
        return JsonResponse(body, status=400)
    if request.path.startswith(API_PREFIXES):
        body = {"detail": message, "code": "nul_character", "parameter": parameter}
        return JsonResponse(body, status=400)
    if request.path.startswith("/wfs"):
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">'
            f'<ows:Exception exceptionCode="InvalidParameterValue" locator="{escape(parameter)}">'
            f"<ows:ExceptionText>{escape(message)}</ows:ExceptionText></ows:Exception>"
            "</ows:ExceptionReport>"
        )
        return HttpResponse(body, content_type="text/xml; charset=utf-8", status=400)
    page = render_to_string("400.html", {"message": message}, request=request)
    return HttpResponse(page, status=400)


class RefuseNulMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        found = _nul_in(request)
        if found is not None:
            return refused(
                request, _("A NUL character is not accepted in %(part)s.") % {"part": found}, found
            )
        return self.get_response(request)
