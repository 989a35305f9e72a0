"""Every error under /api/ is JSON in one shape, {"detail", "code"} with "parameter" and "errors"
when they apply, whichever part of the stack answers it: DRF's views, Django's URL resolver,
CSRF, the size limit of a body, a plain view's allowed methods or a crash."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import path
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from core.api import StrictFloatField, exception_handler
from gisportal.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db

ERROR_STATUSES = {"400", "403", "404", "406", "413", "415", "429", "503"}


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    assert set(body) <= {"detail", "code", "parameter", "errors"}
    if code is not None:
        assert body["code"] == code
    return body


# A few views that fail on purpose, mounted beside the portal's own routes.


class _BodySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    area = StrictFloatField()


@api_view(["POST"])
def _validates(request):
    serializer = _BodySerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return Response(serializer.validated_data)


@api_view(["GET"])
def _crashes(request):
    raise RuntimeError("a bug")


def _plain_crash(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("api/v1/test/validates/", _validates),
    path("api/v1/test/crashes/", _crashes),
    path("api/v1/test/plain-crash/", _plain_crash),
    *portal_urlpatterns,
]
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"


@pytest.fixture
def failing_views(settings):
    settings.ROOT_URLCONF = __name__


def test_unknown_api_path_answers_json_404():
    body = assert_error_shape(Client().get("/api/v1/no-such-thing/"), 404, "not_found")
    assert "parameter" not in body


def test_unknown_ogcapi_path_keeps_the_ogc_exception_format():
    response = Client().get("/ogcapi/no-such-thing/at/all")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "description"}


def test_unknown_page_is_still_a_page():
    response = Client().get("/en/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_not_found_of_a_view_carries_a_code(parcels):
    body = assert_error_shape(Client().get("/api/v1/parcels/01.02.03.999/"), 404, "not_found")
    assert "01.02.03.999" in body["detail"]


def test_bad_parameter_names_it(parcels):
    body = assert_error_shape(Client().get("/api/v1/parcels/?bbox=1,2,3"), 400, "bbox_format")
    assert body["parameter"] == "bbox"


def test_not_signed_in_is_403_with_a_code():
    assert_error_shape(Client().get("/api/v1/cases/"), 403, "not_authenticated")


def test_unknown_method_is_405_with_a_code_and_allow(parcels):
    response = Client().delete("/api/v1/parcels/search/?q=1")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_method_refused_by_a_plain_view_is_shaped_too(batumi):
    response = Client().post("/api/v1/datasets/anything/dcat.jsonld")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_unacceptable_accept_header_is_406(parcels):
    response = Client().get("/api/v1/parcels/search/?q=05", HTTP_ACCEPT="image/png")
    assert_error_shape(response, 406, "not_acceptable")


def test_unsupported_body_type_is_415():
    response = Client().post("/api/v1/permits/check", data=b"<a/>", content_type="text/xml")
    assert_error_shape(response, 415, "unsupported_media_type")


def test_unparsable_json_is_400_parse_error():
    response = Client().post("/api/v1/permits/check", data=b"{", content_type="application/json")
    assert_error_shape(response, 400, "parse_error")


def test_body_over_the_size_limit_is_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"site": "x" * 5000})
    response = Client().post("/api/v1/permits/check", data=body, content_type="application/json")
    assert_error_shape(response, 413, "too_large")


def test_nul_character_is_refused_in_the_shape():
    body = assert_error_shape(Client().get("/api/v1/parcels/?bbox=%00"), 400, "nul_character")
    assert body["parameter"] == "bbox"


def test_missing_csrf_token_of_a_session_write_is_403_json(batumi):
    user = get_user_model().objects.create_user("anna", "anna@example.ge", "x")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        "/api/v1/comments/", data={"layer": "x"}, content_type="application/json"
    )
    assert_error_shape(response, 403, "csrf_failed")


def test_throttled_is_429_with_a_code(settings):
    from permits.api import CheckThrottle

    CheckThrottle.rate = "1/min"
    try:
        from django.core.cache import cache

        cache.clear()
        client = Client()
        client.post("/api/v1/permits/check", data="{}", content_type="application/json")
        response = client.post("/api/v1/permits/check", data="{}", content_type="application/json")
    finally:
        CheckThrottle.rate = settings.PERMITS_CHECK_RATE
        cache.clear()
    assert_error_shape(response, 429, "throttled")
    assert response["Retry-After"]


def test_validation_errors_list_every_member(failing_views):
    response = Client().post(
        "/api/v1/test/validates/",
        data=json.dumps({"name": "too long", "area": True}),
        content_type="application/json",
    )
    body = assert_error_shape(response, 400)
    assert body["parameter"] == "name"
    assert set(body["errors"]) == {"name", "area"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)


def test_crash_in_an_api_view_is_500_json(failing_views):
    client = Client(raise_request_exception=False)
    assert_error_shape(client.get("/api/v1/test/crashes/"), 500, "server_error")
    assert_error_shape(client.get("/api/v1/test/plain-crash/"), 500, "server_error")


def test_exception_handler_leaves_unknown_exceptions_to_django():
    assert exception_handler(RuntimeError("x"), {}) is None


@override_settings(ROOT_URLCONF="gisportal.urls")
def test_schema_describes_the_one_error_shape_and_every_operation_uses_it():
    document = Client().get("/api/v1/schema/?format=json").json()
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "detail"]
    assert set(error["properties"]) == {"detail", "code", "parameter", "errors"}
    for address, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses and "503" in responses, (method, address)
            if "{" in address:
                assert "404" in responses, (method, address)
            for status, answer in responses.items():
                # The datasets app describes its own 400 answers, which carry "choices".
                # (409 of an export's download is the job's state, not an error.)
                if status in ERROR_STATUSES and not address.startswith("/api/v1/datasets/"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, address)
