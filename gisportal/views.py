"""Portal pages: the map, its list alternative, and the health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.http import require_GET


@require_GET
def root_redirect(request: HttpRequest) -> HttpResponse:
    language = translation.get_language_from_request(request, check_path=False)
    if language not in ("ka", "en"):
        language = "ka"
    return redirect(f"/{language}/")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), postgis_lib_version()")
            database, postgis = cursor.fetchone()
    except Exception as exc:  # the check reports any database failure as "down"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": database, "postgis": postgis})


def map_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("map")


def parcel_search_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("search")


def parcel_page(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse(code)
