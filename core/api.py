"""REST conventions shared by every app: errors are JSON that name the parameter at fault."""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.geometry import GeometryError


class BadParameter(exceptions.APIException):
    """400 for one query parameter; the body names it: {"detail": ..., "parameter": ...}."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"

    def __init__(self, parameter: str, message: str, code: str | None = None):
        super().__init__(detail=message, code=code or self.default_code)
        self.parameter = parameter


def exception_handler(exc, context):
    if isinstance(exc, GeometryError):
        exc = BadParameter("geometry", exc.message, exc.code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, BadParameter):
        response.data = {
            "detail": str(exc.detail),
            "parameter": exc.parameter,
            "code": exc.detail.code,
        }
    elif isinstance(exc, Http404 | exceptions.NotFound):
        response.data = {"detail": str(response.data.get("detail", "Not found."))}
    elif isinstance(exc, exceptions.ValidationError) and not isinstance(response.data, dict):
        response.data = {"detail": response.data}
    return response


def bad_request(parameter: str, message: str) -> Response:
    return Response(
        {"detail": message, "parameter": parameter, "code": "invalid_parameter"},
        status=status.HTTP_400_BAD_REQUEST,
    )
