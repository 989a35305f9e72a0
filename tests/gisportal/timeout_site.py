"""A test-only URLconf for tests/gisportal/test_request_timeout.py: one view that waits in
PostgreSQL for as long as it is asked, and one that answers at once, each with its process id."""

import os

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.response import Response


def sleep(request, seconds: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [float(seconds)])
    return JsonResponse({"pid": os.getpid()})


@api_view(["GET"])
def sleep_rest(request, seconds: str):
    """The same wait in a REST framework view, whose own exception handler passes it on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [float(seconds)])
    return Response({"pid": os.getpid()})


def ready(request):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (timeout,) = cursor.fetchone()
    return JsonResponse({"pid": os.getpid(), "statement_timeout": timeout})


urlpatterns = [
    path("api/v1/test/sleep/<str:seconds>/", sleep),
    path("test/sleep/<str:seconds>/", sleep),
    path("api/v1/test/rest-sleep/<str:seconds>/", sleep_rest),
    path("api/v1/test/ready/", ready),
]
