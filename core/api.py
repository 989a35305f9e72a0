"""REST conventions shared by every app: errors are JSON in one shape that names the fault.

Every error under /api/ answers {"detail": str, "code": str} and, when one part of the request
is at fault, "parameter" (the query parameter or body member) and, for a body with several
faults, "errors" ({member: [messages]}). The exception handler here shapes DRF's errors;
core/errors.py shapes Django's own (404, 500, 403, CSRF, 405, 413) and the 503 of a database
statement cut short. Views read their query parameters through the helpers here, so a
malformed, missing or out-of-range value always answers 400 naming it and never 500.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, pagination, permissions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import error_body
from core.geometry import GeometryError, parse_geometry, parse_lonlat
from core.models import Municipality


class BadParameter(exceptions.APIException):
    """400 for one query parameter; the body names it: {"detail": ..., "parameter": ...}."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"

    def __init__(self, parameter: str, message: str, code: str | None = None):
        super().__init__(detail=message, code=code or self.default_code)
        self.parameter = parameter


def _messages(detail, prefix: str = "") -> dict[str, list]:
    """DRF's nested error detail as {member: [ErrorDetail]}, members of members dotted and
    list members indexed: {"parcels[0]": [...], "site.type": [...]}."""
    found: dict[str, list] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if prefix and isinstance(key, int):
                name = f"{prefix}[{key}]"
            found.update(_messages(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            found.setdefault(prefix or "body", []).extend(detail)
        else:
            for index, item in enumerate(detail):
                found.update(_messages(item, f"{prefix}[{index}]" if prefix else str(index)))
    else:
        found.setdefault(prefix or "body", []).append(detail)
    return found


def _validation_body(exc: exceptions.ValidationError) -> dict:
    found = _messages(exc.detail)
    if not found:
        return error_body(str(_("The request is not valid.")), "invalid")
    name, problems = next(iter(found.items()))
    first = problems[0]
    parameter = None if name in ("body", "non_field_errors") else name
    return error_body(
        str(first),
        getattr(first, "code", None) or "invalid",
        parameter=parameter,
        errors={key: [str(p) for p in value] for key, value in found.items()},
    )


def exception_handler(exc, context):
    """DRF's handler, with every answer in the one error shape (module docstring)."""
    if isinstance(exc, GeometryError):
        exc = BadParameter("geometry", exc.message, exc.code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, BadParameter):
        response.data = error_body(str(exc.detail), exc.detail.code, parameter=exc.parameter)
    elif isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        code = response.data.get("code") or getattr(detail, "code", None)
        if isinstance(exc, exceptions.APIException) and not code:
            code = exc.default_code
        if isinstance(exc, exceptions.PermissionDenied) and str(detail).startswith("CSRF"):
            # SessionAuthentication's refusal of a write without its token.
            code = "csrf_failed"
        extra = {k: v for k, v in response.data.items() if k in ("parameter", "errors")}
        response.data = error_body(str(detail), str(code or "error"), **extra)
    else:
        response.data = error_body(str(response.data), getattr(exc, "default_code", "error"))
    return response


def bad_request(parameter: str, message: str, code: str = "invalid_parameter") -> Response:
    return Response(
        error_body(message, code, parameter=parameter), status=status.HTTP_400_BAD_REQUEST
    )


# Numbers of a JSON body as JSON numbers: DRF's own fields also take true, false and "1.5".


class StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


# The shape of every error, for the OpenAPI description: one component, "Error".


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What is wrong, for people, in their language.")
    code = serializers.CharField(
        help_text="A stable code for programs, e.g. bbox_too_large, not_found, throttled."
    )
    parameter = serializers.CharField(
        required=False,
        help_text="The query parameter or body member at fault, e.g. bbox; only when one is.",
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Every member at fault with its messages, when a body has several faults.",
    )


# The names the apps' schemas use; all of them are the one shape.
ParameterErrorSerializer = ErrorSerializer
NotFoundErrorSerializer = ErrorSerializer


# Query parameters.


def text_param(request: Request, name: str, *, required: bool = False) -> str | None:
    """A parameter's text, stripped; None when absent or blank and not required."""
    value = request.query_params.get(name, "").strip()
    if not value:
        if required:
            raise BadParameter(name, f"The parameter {name} is required.", "required")
        return None
    return value


FLAG_VALUES = {"1": True, "true": True, "0": False, "false": False}
FLAG_SCHEMA = {"type": "string", "enum": list(FLAG_VALUES)}


def flag_param(request: Request, name: str) -> bool:
    """A yes-or-no parameter: 1 or true, 0 or false; absent is false, anything else 400."""
    raw = text_param(request, name)
    if raw is None:
        return False
    if raw.lower() not in FLAG_VALUES:
        raise BadParameter(name, f"{name} takes 1, true, 0 or false; got {raw!r}.", "not_a_flag")
    return FLAG_VALUES[raw.lower()]


def int_param(
    request: Request, name: str, *, default: int, minimum: int = 0, maximum: int | None = None
) -> int:
    """A whole number within [minimum, maximum]; a value past the maximum is refused, not cut."""
    raw = text_param(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(
            name, f"{name}={raw!r} is not a whole number.", "not_an_integer"
        ) from None
    if value < minimum:
        raise BadParameter(name, f"{name} must be at least {minimum}; got {value}.", "too_small")
    if maximum is not None and value > maximum:
        raise BadParameter(name, f"{name} may be at most {maximum}; got {value}.", "too_large")
    return value


def bbox_param(request: Request, name: str = "bbox", *, required: bool = True) -> Polygon | None:
    """`minx,miny,maxx,maxy` in EPSG:4326 as a polygon in the storage SRID.

    The box must lie in Georgia and cover at most settings.API_MAX_BBOX_KM2, measured in
    metres in the storage grid, so that one request cannot ask for a whole city at once.
    """
    raw = text_param(request, name, required=required)
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise BadParameter(
            name,
            f"{name} needs four numbers minx,miny,maxx,maxy (longitude and latitude in "
            f"EPSG:4326); got {len(parts)} value{'s' if len(parts) != 1 else ''}.",
            "bbox_format",
        )
    numbers = []
    for part in parts:
        try:
            number = float(part)
        except ValueError:
            raise BadParameter(
                name, f"{part.strip()!r} in {name} is not a number.", "bbox_format"
            ) from None
        if not math.isfinite(number):
            raise BadParameter(
                name, f"{part.strip()!r} in {name} is not a finite number.", "not_finite"
            )
        numbers.append(number)
    minx, miny, maxx, maxy = numbers
    if minx >= maxx or miny >= maxy:
        raise BadParameter(
            name,
            f"{name} must be minx,miny,maxx,maxy with each minimum below its maximum; got "
            f"x from {minx:g} to {maxx:g} and y from {miny:g} to {maxy:g}.",
            "bbox_order",
        )
    ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
    try:
        polygon = parse_geometry(
            {"type": "Polygon", "coordinates": [ring]}, target_srid=settings.SRID_STORAGE
        )
    except GeometryError as exc:
        raise BadParameter(name, exc.message, exc.code) from None
    area_km2 = polygon.area / 1e6
    if area_km2 > settings.API_MAX_BBOX_KM2:
        raise BadParameter(
            name,
            f"{name} covers {area_km2:,.1f} km²; at most {settings.API_MAX_BBOX_KM2:g} km² "
            "are served in one request. Zoom in.",
            "bbox_too_large",
        )
    return polygon


def lonlat_params(request: Request) -> Point:
    """The point given by `lon` and `lat` (EPSG:4326), which must lie in Georgia."""
    values = {}
    for name in ("lon", "lat"):
        raw = text_param(request, name, required=True)
        try:
            number = float(raw)
        except ValueError:
            raise BadParameter(name, f"{name}={raw!r} is not a number.", "not_a_number") from None
        if not math.isfinite(number):
            raise BadParameter(name, f"{name}={raw!r} is not a finite number.", "not_finite")
        values[name] = number
    try:
        return parse_lonlat(values["lon"], values["lat"])
    except GeometryError as exc:
        # Name the coordinate at fault; a swapped pair is blamed on lon, which comes first.
        min_lon, _, max_lon, _ = settings.GEORGIA_BBOX
        lon_fits = min_lon <= values["lon"] <= max_lon
        parameter = "lat" if lon_fits and exc.code != "swapped" else "lon"
        raise BadParameter(parameter, exc.message, exc.code) from None


def municipality_param(request: Request, name: str = "municipality") -> Municipality | None:
    """The municipality named by its code (e.g. BTM), or None when the parameter is absent."""
    code = text_param(request, name)
    if code is None:
        return None
    municipality = Municipality.objects.filter(code__iexact=code).first()
    if municipality is None:
        known = ", ".join(Municipality.objects.values_list("code", flat=True)) or "none"
        raise BadParameter(
            name, f"There is no municipality with the code {code!r}; known: {known}.", "unknown"
        )
    return municipality


BBOX_PARAMETER = OpenApiParameter(
    "bbox",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=True,
    description=(
        "minx,miny,maxx,maxy: longitude and latitude in EPSG:4326, inside Georgia; "
        "the box may cover at most API_MAX_BBOX_KM2 (25 km² by default)."
    ),
    pattern=r"^[^,]+,[^,]+,[^,]+,[^,]+$",
)
MUNICIPALITY_PARAMETER = OpenApiParameter(
    "municipality",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Only parcels of this municipality, by its code: BTM (Batumi) or RST (Rustavi).",
)


class BoundedPagination(pagination.LimitOffsetPagination):
    """`limit` and `offset` with `count`, `next`, `previous`.

    A `limit` above settings.API_MAX_PAGE_SIZE is refused with 400 rather than cut, so that a
    client never mistakes a shorter page for the end of the list.
    """

    @property
    def default_limit(self) -> int:
        return settings.API_PAGE_SIZE

    @property
    def max_limit(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_limit(self, request):
        return int_param(
            request,
            self.limit_query_param,
            default=self.default_limit,
            minimum=1,
            maximum=self.max_limit,
        )

    def get_offset(self, request):
        return int_param(request, self.offset_query_param, default=0, minimum=0)

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["description"] = (
            f"Items per page, 1 to {self.max_limit} (default {self.default_limit}); "
            "a larger value is refused with 400."
        )
        limit["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_limit}
        offset["description"] = "How many items to skip; follow `next` rather than count."
        offset["schema"] = {"type": "integer", "minimum": 0}
        return [limit, offset]


class FeatureCollectionPagination(BoundedPagination):
    """Pages of a GeoJSON FeatureCollection: the features, with `count`, `next`, `previous`."""

    template = None

    def get_paginated_response(self, data):
        return Response(
            {
                "type": "FeatureCollection",
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "features": data["features"],
            }
        )

    def get_paginated_response_schema(self, schema):
        # `schema` is the FeatureCollection that rest_framework_gis describes; a page adds to it.
        page = super().get_paginated_response_schema(schema)
        page["properties"].pop("results")
        page["required"] = ["count", "next", "previous"]
        example = "https://gis.example.ge/api/v1/parcels/?bbox=41.63,41.64,41.64,41.65&limit=100"
        page["properties"]["next"]["example"] = f"{example}&offset=200"
        page["properties"]["previous"]["example"] = f"{example}&offset=0"
        return {"allOf": [schema, page]}

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["description"] = (
            f"Features per page, 1 to {self.max_limit} (default {self.default_limit}); "
            "a larger value is refused with 400."
        )
        limit["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_limit}
        offset["description"] = "How many features to skip; follow `next` rather than count."
        offset["schema"] = {"type": "integer", "minimum": 0}
        return [limit, offset]


# The OpenAPI document: every operation lists the errors it can answer.

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, adding to each operation, in the Error shape, the errors it
    can answer beyond those its view declares: 400 (a malformed request, which any operation
    can get), 403 (signed-in operations, and session writes without their CSRF token), 404 (an
    address with a path parameter), 406 (an Accept header that takes no JSON), 413 and 415
    (bodies too large or of a type not read), 429 (throttled operations) and 503 (a database
    statement past REQUEST_DB_TIMEOUT_SECONDS)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self._error_statuses():
            if code not in responses:
                answer = OpenApiResponse(ErrorSerializer, description=description)
                responses[code] = self._get_response_for_code(answer, code, direction=direction)
        return dict(sorted(responses.items()))

    def _error_statuses(self) -> list[tuple[str, str]]:
        view, method = self.view, self.method.upper()
        found = [
            (
                "400",
                "The request is malformed, or a parameter or body member is wrong: `parameter` "
                "names it.",
            )
        ]
        public = all(isinstance(p, permissions.AllowAny) for p in view.get_permissions())
        session = any(
            type(a).__name__ == "SessionAuthentication" for a in view.get_authenticators()
        )
        if not public:
            found.append(("403", "Not signed in, or not allowed to do this."))
        elif session and method in UNSAFE_METHODS:
            found.append(("403", "A signed-in write without its CSRF token."))
        if "{" in self.path:
            found.append(("404", "Nothing at this address, or nothing the caller may see."))
        if isinstance(view.get_content_negotiator(), DefaultContentNegotiation):
            found.append(("406", "The Accept header takes no type this operation answers."))
        if method in UNSAFE_METHODS:
            found.append(("413", "The body is larger than this operation accepts."))
            found.append(("415", "The body's Content-Type is not one this operation reads."))
        if view.get_throttles():
            found.append(("429", "Too many requests; Retry-After says when to try again."))
        found.append(
            (
                "503",
                "The request took longer than REQUEST_DB_TIMEOUT_SECONDS and was stopped.",
            )
        )
        return found
