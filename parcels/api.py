"""The parcels REST API: features in a box, at a point, by code, and the search box.

Every view parses its parameters with core.api (bad input answers 400 naming the parameter),
reads through parcels.selectors, and serializes. Geometries leave as GeoJSON in EPSG:4326,
transformed by PostGIS.
"""

from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
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
from parcels import selectors
from parcels.models import CADASTRAL_CODE
from parcels.serializers import (
    ParcelFeatureSerializer,
    ParcelSearchResponseSerializer,
    ParcelSearchResultSerializer,
)

SEARCH_DEFAULT_LIMIT = 20
SEARCH_MAX_LIMIT = 100

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
                OpenApiTypes.DOUBLE,
                OpenApiParameter.QUERY,
                required=True,
                description="Longitude, EPSG:4326, inside Georgia.",
            ),
            OpenApiParameter(
                "lat",
                OpenApiTypes.DOUBLE,
                OpenApiParameter.QUERY,
                required=True,
                description="Latitude, EPSG:4326, inside Georgia.",
            ),
        ],
        responses={200: ParcelFeatureSerializer, 400: _BAD_PARAMETER, 404: _NOT_FOUND},
    )
    def get(self, request):
        point = lonlat_params(request)
        parcel = selectors.parcel_at(point, queryset=selectors.parcels_for_api())
        if parcel is None:
            raise NotFound(f"No parcel covers longitude {point.x:g}, latitude {point.y:g}.")
        return Response(ParcelFeatureSerializer(parcel).data)


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
                description="The NAPR cadastral code, dots included, e.g. 05.24.11.005.",
                pattern=CADASTRAL_CODE.pattern,
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
                description="A cadastral code prefix (05.24.11) or words of an address.",
            ),
            MUNICIPALITY_PARAMETER,
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
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
