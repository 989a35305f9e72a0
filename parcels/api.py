"""The parcels REST API: features in a box, at a point, by code, and the search box.

Every view parses its parameters with core.api (bad input answers 400 naming the parameter),
reads through parcels.selectors, and serializes. Geometries leave as GeoJSON in EPSG:4326,
transformed by PostGIS.
"""

import json

from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.db.models import Func, Value
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import (
    BBOX_PARAMETER,
    MUNICIPALITY_PARAMETER,
    FeatureCollectionPagination,
    NotFoundErrorSerializer,
    ParameterErrorSerializer,
    bbox_param,
    int_param,
    lonlat_params,
    municipality_param,
    text_param,
)
from core.models import Municipality
from layers.tiles import prepared_cursor
from parcels import selectors
from parcels.models import CADASTRAL_CODE, Parcel, Zone
from parcels.serializers import (
    ParcelFeatureSerializer,
    ParcelSearchResponseSerializer,
    ParcelSearchResultSerializer,
)

SEARCH_DEFAULT_LIMIT = 20
SEARCH_MAX_LIMIT = 100
# A parcel of Batumi that the demo data holds whatever its size (fixtures/), for the examples.
DEMO_PARCEL = "05.45.64.005"


def _coordinate(minimum: float, maximum: float) -> dict:
    return {"type": "number", "format": "double", "minimum": minimum, "maximum": maximum}


_BAD_PARAMETER = OpenApiResponse(
    ParameterErrorSerializer, description="A parameter is missing or wrong; `parameter` names it."
)
_NOT_FOUND = OpenApiResponse(NotFoundErrorSerializer, description="No such parcel.")


class _LocalizedMixin:
    """Addresses and labels follow Accept-Language, so caches must key on it."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Language",))
        return response


# The point query, compiled once from the ORM with stand-ins for the longitude and latitude.
_AT_FIELDS = (
    "cadastral_code",
    "geojson",
    "area_m2",
    "land_use",
    "address_ka",
    "address_en",
    "municipality__code",
    "is_municipal_property",
    "valid_from",
    "zone__code",
    "zone__name_ka",
    "zone__name_en",
    "zone__k1",
    "zone__k2",
    "zone__k3",
    "zone__max_height_m",
)
_AT_STAND_INS = (-1234.5671, -1234.5672)
_at_sql: tuple[str, tuple] | None = None


class _Float(Value):
    def as_sql(self, compiler, connection):
        return "%s::float8", [self.value]


def _point_at_sql() -> tuple[str, tuple]:
    global _at_sql
    if _at_sql is None:
        lon, lat = (_Float(v) for v in _AT_STAND_INS)
        point = Func(
            Func(Func(lon, lat, function="ST_MakePoint"), Value(4326), function="ST_SetSRID"),
            Value(settings.SRID_STORAGE),
            function="ST_Transform",
            output_field=GeometryField(srid=settings.SRID_STORAGE),
        )
        qs = (
            selectors.parcels_for_api()
            .filter(geom__intersects=point)
            .order_by("area_m2", "id")
            .values_list(*_AT_FIELDS)[:1]
        )
        sql, params = qs.query.sql_with_params()
        _at_sql = (sql, tuple(params))
    return _at_sql


def parcel_at(point) -> Parcel | None:
    """selectors.parcel_at(point, queryset=selectors.parcels_for_api()) as one prepared
    statement: the same SQL, compiled once, and unsaved instances that serialize alike."""
    sql, params = _point_at_sql()
    values = dict(zip(_AT_STAND_INS, (point.x, point.y), strict=True))
    params = [values.get(p, p) if type(p) is float else p for p in params]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    found = dict(zip(_AT_FIELDS, row, strict=True))
    zone = None
    if found["zone__code"] is not None:
        zone = Zone(
            code=found["zone__code"],
            name_ka=found["zone__name_ka"],
            name_en=found["zone__name_en"],
            k1=found["zone__k1"],
            k2=found["zone__k2"],
            k3=found["zone__k3"],
            max_height_m=found["zone__max_height_m"],
        )
    parcel = Parcel(
        cadastral_code=found["cadastral_code"],
        area_m2=found["area_m2"],
        land_use=found["land_use"],
        address_ka=found["address_ka"],
        address_en=found["address_en"],
        municipality=Municipality(code=found["municipality__code"]),
        zone=zone,
        is_municipal_property=found["is_municipal_property"],
        valid_from=found["valid_from"],
    )
    parcel.geojson = found["geojson"]
    return parcel


def parcel_feature(parcel) -> dict:
    """What ParcelFeatureSerializer writes for one parcel, built directly: the serializer builds
    its fields anew on every use, which costs more than the whole point query. The serializer
    stays the documented shape (tests/parcels keep the two equal)."""
    zone = parcel.zone
    return {
        "id": parcel.cadastral_code,
        "type": "Feature",
        "geometry": json.loads(parcel.geojson) if parcel.geojson else None,
        "properties": {
            "cadastral_code": parcel.cadastral_code,
            "area_m2": round(float(parcel.area_m2), 1),
            "land_use": parcel.land_use,
            "land_use_label": str(parcel.get_land_use_display()),
            "address": parcel.address,
            "address_ka": parcel.address_ka,
            "address_en": parcel.address_en,
            "municipality": parcel.municipality.code,
            "zone": None
            if zone is None
            else {
                "code": zone.code,
                "name": zone.name,
                "k1": zone.k1,
                "k2": zone.k2,
                "k3": zone.k3,
                "max_height_m": zone.max_height_m,
            },
            "is_municipal_property": parcel.is_municipal_property,
            "valid_from": parcel.valid_from.isoformat(),
        },
    }


class ParcelListView(_LocalizedMixin, GenericAPIView):
    serializer_class = ParcelFeatureSerializer
    pagination_class = FeatureCollectionPagination

    @extend_schema(
        operation_id="parcels_list",
        tags=["parcels"],
        summary="Parcels in a bounding box",
        description=(
            "Current parcels that meet the box, as a GeoJSON FeatureCollection in EPSG:4326, "
            "ordered by their internal id and paged with `limit` and `offset`; follow `next` "
            "until it is null."
        ),
        parameters=[BBOX_PARAMETER, MUNICIPALITY_PARAMETER],
        responses={200: ParcelFeatureSerializer(many=True), 400: _BAD_PARAMETER},
    )
    def get(self, request):
        bbox = bbox_param(request)
        municipality = municipality_param(request)
        parcels = selectors.parcels_in_bbox(bbox, queryset=selectors.parcels_for_api())
        if municipality is not None:
            parcels = parcels.in_municipality(municipality)
        page = self.paginate_queryset(parcels)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ParcelAtView(_LocalizedMixin, APIView):
    @extend_schema(
        operation_id="parcels_at",
        tags=["parcels"],
        summary="The parcel at a point",
        description=(
            "The current parcel that covers the point, as one GeoJSON Feature (the smallest "
            "when several overlap); 404 when none does."
        ),
        parameters=[
            OpenApiParameter(
                "lon",
                _coordinate(settings.GEORGIA_BBOX[0], settings.GEORGIA_BBOX[2]),
                OpenApiParameter.QUERY,
                required=True,
                description="Longitude, EPSG:4326, inside Georgia.",
                examples=[OpenApiExample("In Batumi", value=41.6363)],
            ),
            OpenApiParameter(
                "lat",
                _coordinate(settings.GEORGIA_BBOX[1], settings.GEORGIA_BBOX[3]),
                OpenApiParameter.QUERY,
                required=True,
                description="Latitude, EPSG:4326, inside Georgia.",
                examples=[OpenApiExample("In Batumi", value=41.6421)],
            ),
        ],
        responses={200: ParcelFeatureSerializer, 400: _BAD_PARAMETER, 404: _NOT_FOUND},
    )
    def get(self, request):
        point = lonlat_params(request)
        parcel = parcel_at(point)
        if parcel is None:
            raise NotFound(f"No parcel covers longitude {point.x:g}, latitude {point.y:g}.")
        return Response(parcel_feature(parcel))


class ParcelDetailView(_LocalizedMixin, APIView):
    @extend_schema(
        operation_id="parcels_retrieve",
        tags=["parcels"],
        summary="One parcel by cadastral code",
        description="The current parcel with this cadastral code, as one GeoJSON Feature.",
        parameters=[
            OpenApiParameter(
                "cadastral_code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The NAPR cadastral code, dots included, e.g. 05.45.64.005.",
                pattern=CADASTRAL_CODE.pattern,
                examples=[OpenApiExample("A parcel of the demo data", value=DEMO_PARCEL)],
            ),
        ],
        responses={200: ParcelFeatureSerializer, 404: _NOT_FOUND},
    )
    def get(self, request, cadastral_code: str):
        if not CADASTRAL_CODE.match(cadastral_code):
            raise NotFound(
                f"{cadastral_code!r} is not a cadastral code "
                "(4 or 5 dot-separated groups of digits, e.g. 05.24.11.005)."
            )
        parcel = selectors.parcel_by_code(cadastral_code, queryset=selectors.parcels_for_api())
        if parcel is None:
            raise NotFound(f"No current parcel has the cadastral code {cadastral_code}.")
        return Response(ParcelFeatureSerializer(parcel).data)


class ParcelSearchView(_LocalizedMixin, APIView):
    @extend_schema(
        operation_id="parcels_search",
        tags=["parcels"],
        summary="Search parcels by cadastral code or address",
        description=(
            "A query of digits and dots matches cadastral codes that start with it, in code "
            "order; any other query matches addresses (Georgian or English) that contain every "
            "word, the most similar first."
        ),
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                description="A cadastral code prefix (05.45.64) or words of an address.",
                pattern=r"\S",
                examples=[OpenApiExample("A code prefix", value="05.45.64")],
            ),
            MUNICIPALITY_PARAMETER,
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": SEARCH_MAX_LIMIT},
                OpenApiParameter.QUERY,
                description=(
                    f"At most this many results, 1 to {SEARCH_MAX_LIMIT} "
                    f"(default {SEARCH_DEFAULT_LIMIT})."
                ),
            ),
        ],
        responses={200: ParcelSearchResponseSerializer, 400: _BAD_PARAMETER},
    )
    def get(self, request):
        query = text_param(request, "q", required=True)
        limit = int_param(
            request, "limit", default=SEARCH_DEFAULT_LIMIT, minimum=1, maximum=SEARCH_MAX_LIMIT
        )
        municipality = municipality_param(request)
        parcels = selectors.parcel_search(
            query,
            municipality=municipality,
            limit=limit,
            queryset=selectors.parcels_for_search_results(),
        )
        return Response({"results": ParcelSearchResultSerializer(parcels, many=True).data})
