"""REST conventions shared by every app: errors are JSON that name the parameter at fault.

Views read their query parameters through the helpers here, so a malformed, missing or
out-of-range value always answers 400 with {"detail", "parameter", "code"} and never 500.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.geometry import GeometryError, parse_geometry, parse_lonlat
from core.models import Municipality


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


# Response shapes of the errors, for the OpenAPI description.


class ParameterErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What is wrong, for people.")
    parameter = serializers.CharField(help_text="The query parameter at fault, e.g. bbox.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. bbox_too_large.")


class NotFoundErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# Query parameters.


def text_param(request: Request, name: str, *, required: bool = False) -> str | None:
    """A parameter's text, stripped; None when absent or blank and not required."""
    value = request.query_params.get(name, "").strip()
    if not value:
        if required:
            raise BadParameter(name, f"The parameter {name} is required.", "required")
        return None
    return value


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
