"""The estate's public read API: lots, the register as GeoJSON, and the open data of closed
auctions (results and price paths as CSV). Bidders appear by their number, never their name."""

from __future__ import annotations

import csv
import io
import json

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import (
    AutoSchema,
    BadParameter,
    BoundedPagination,
    ErrorSerializer,
    FeatureCollectionPagination,
    bbox_param,
    municipality_param,
    text_param,
)
from estate import register as selectors
from estate.models import PUBLIC_LOT_STATUSES, AssetKind, LotKind

API_COORDINATE_DECIMALS = 7


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # The views answer their CSV themselves; what comes here is an error's body.
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data).encode()


def _choice(request, name: str, known: list[str]) -> str:
    value = text_param(request, name) or ""
    if value and value not in known:
        raise BadParameter(
            name, f"Unknown {name} {value!r}; known: {', '.join(known)}.", f"unknown_{name}"
        )
    return value


def _municipality_code(request) -> str:
    municipality = municipality_param(request)
    return municipality.code if municipality is not None else ""


class LotAssetSerializer(serializers.Serializer):
    reference = serializers.CharField(source="asset.reference")
    kind = serializers.CharField(source="asset.kind")
    name_ka = serializers.CharField(source="asset.name_ka")
    name_en = serializers.CharField(source="asset.name_en")
    cadastral_code = serializers.CharField(source="asset.cadastral_code")
    area_m2 = serializers.FloatField(source="asset.area_m2")


class LotSerializer(serializers.Serializer):
    reference = serializers.CharField()
    municipality = serializers.CharField(source="municipality.code")
    kind = serializers.CharField(help_text="lease, sale or usufruct")
    title_ka = serializers.CharField()
    title_en = serializers.CharField()
    status = serializers.CharField(help_text="published, awarded, failed or cancelled")
    start_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    bid_step = serializers.DecimalField(max_digits=14, decimal_places=2)
    deposit = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="In lari, the percentage applied."
    )
    deposit_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    lease_months = serializers.IntegerField(allow_null=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(help_text="The end, moved by late bids.")
    attempt = serializers.IntegerField()
    min_bidders = serializers.IntegerField()
    current_price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    bid_count = serializers.IntegerField()
    final_price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class LotDetailSerializer(LotSerializer):
    description_ka = serializers.CharField()
    description_en = serializers.CharField()
    conditions_ka = serializers.CharField()
    conditions_en = serializers.CharField()
    extension_window_s = serializers.IntegerField()
    extension_s = serializers.IntegerField()
    assets = LotAssetSerializer(source="lot_assets.all", many=True)


_BAD = OpenApiResponse(ErrorSerializer, description="An unknown filter value or a bad limit.")
MUNICIPALITY = OpenApiParameter(
    "municipality", str, description="Only this municipality, by its code: BTM or RST."
)


class LotListView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = LotSerializer
    pagination_class = BoundedPagination

    @extend_schema(
        operation_id="estate_lots_list",
        tags=["estate"],
        summary="Public lots of municipal property",
        description=(
            "Lots open for bidding, awarded, failed or cancelled (never a lot being prepared), "
            "the latest first, paged with `limit` and `offset`."
        ),
        parameters=[
            OpenApiParameter(
                "status", str, enum=["", *PUBLIC_LOT_STATUSES], description="Only this status."
            ),
            OpenApiParameter(
                "kind", str, enum=["", *LotKind.values], description="Only this kind."
            ),
            MUNICIPALITY,
        ],
        responses={200: LotSerializer(many=True), 400: _BAD},
    )
    def get(self, request):
        lots = selectors.public_lots(
            status=_choice(request, "status", list(PUBLIC_LOT_STATUSES)),
            kind=_choice(request, "kind", LotKind.values),
            municipality=_municipality_code(request),
        )
        page = self.paginate_queryset(lots)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class LotDetailView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = LotDetailSerializer

    @extend_schema(
        operation_id="estate_lots_retrieve",
        tags=["estate"],
        summary="One public lot: its terms, assets, status, price and result",
        responses={
            200: LotDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such public lot."),
        },
    )
    def get(self, request, reference: str):
        lot = selectors.public_lot(reference)
        if lot is None:
            raise Http404("No such lot.")
        return Response(self.get_serializer(lot).data)


class AssetPropertiesSerializer(serializers.Serializer):
    reference = serializers.CharField()
    municipality = serializers.CharField(source="municipality.code")
    kind = serializers.CharField(help_text=", ".join(AssetKind.values))
    name_ka = serializers.CharField()
    name_en = serializers.CharField()
    address_ka = serializers.CharField()
    address_en = serializers.CharField()
    cadastral_code = serializers.CharField()
    area_m2 = serializers.FloatField()
    zone = serializers.CharField(allow_null=True)
    state = serializers.CharField(help_text=", ".join(selectors.REGISTER_STATES))
    ownership_basis = serializers.CharField()
    ownership_document = serializers.CharField()
    current_use_ka = serializers.CharField()
    current_use_en = serializers.CharField()


class AssetFeatureSerializer(serializers.Serializer):
    """An asset of the register as a GeoJSON Feature (EPSG:4326); its id is the register
    number."""

    type = serializers.SerializerMethodField()
    id = serializers.CharField(source="reference")
    geometry = serializers.SerializerMethodField()
    properties = serializers.SerializerMethodField()

    def get_type(self, asset) -> str:
        return "Feature"

    def get_geometry(self, asset) -> dict:
        return json.loads(asset.geojson)

    def get_properties(self, asset) -> dict:
        return AssetPropertiesSerializer(asset).data


class AssetFeatureCollectionSerializer(serializers.Serializer):
    """A page of the register as a GeoJSON FeatureCollection (what AssetListView answers)."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    features = AssetFeatureSerializer(many=True)


def assets_for_api() -> QuerySet:
    return (
        selectors.public_register()
        .annotate(
            geojson=AsGeoJSON(
                Transform("geom", settings.SRID_API), precision=API_COORDINATE_DECIMALS
            )
        )
        .order_by("pk")
    )


class AssetListView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = AssetFeatureSerializer
    pagination_class = FeatureCollectionPagination

    @extend_schema(
        operation_id="estate_assets_list",
        tags=["estate"],
        summary="The public register of municipal property as GeoJSON",
        description=(
            "Assets of the register (every state but withdrawn) as a GeoJSON FeatureCollection "
            "in EPSG:4326, paged with `limit` and `offset`; `bbox` keeps those that meet it."
        ),
        parameters=[
            OpenApiParameter(
                "bbox",
                OpenApiTypes.STR,
                description="minx,miny,maxx,maxy in EPSG:4326, inside Georgia.",
            ),
            OpenApiParameter(
                "state",
                str,
                enum=["", selectors.OFFERED, *selectors.REGISTER_STATES],
                description="Only this state; `offered`: listed or in auction.",
            ),
            OpenApiParameter("kind", str, enum=["", *AssetKind.values]),
            MUNICIPALITY,
        ],
        responses={200: AssetFeatureCollectionSerializer, 400: _BAD},
    )
    def get(self, request):
        states = [selectors.OFFERED, *[str(s) for s in selectors.REGISTER_STATES]]
        state = _choice(request, "state", states)
        kind = _choice(request, "kind", AssetKind.values)
        municipality = _municipality_code(request)
        bbox = bbox_param(request, required=False)
        assets = assets_for_api().filter(
            pk__in=selectors.public_register(
                state=state, kind=kind, municipality=municipality
            ).values("pk")
        )
        if bbox is not None:
            assets = assets.filter(geom__intersects=bbox)
        page = self.paginate_queryset(assets)
        return self.get_paginated_response(
            {"features": [AssetFeatureSerializer(asset).data for asset in page]}
        )


def csv_response(header: list[str], rows, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


RESULT_COLUMNS = [
    "lot_reference",
    "municipality",
    "kind",
    "cadastral_codes",
    "start_price",
    "bid_step",
    "deposit",
    "attempt",
    "status",
    "final_price",
    "bids",
    "closed_at",
]
PRICE_PATH_COLUMNS = ["lot_reference", "sequence", "amount", "placed_at", "bidder_number"]


def result_rows(lots) -> list[list]:
    rows = []
    for lot in lots:
        codes = " ".join(item.asset.cadastral_code for item in lot.lot_assets.all())
        rows.append(
            [
                lot.reference,
                lot.municipality.code,
                lot.kind,
                codes,
                lot.start_price,
                lot.bid_step,
                lot.deposit,
                lot.attempt,
                lot.status,
                lot.final_price if lot.final_price is not None else "",
                lot.standing_bids,
                lot.closed_at.isoformat() if lot.closed_at else "",
            ]
        )
    return rows


class _NoFormatParameter:
    URL_FORMAT_OVERRIDE = None


class CSVOnly(DefaultContentNegotiation):
    """The open-data files are CSV whatever `?format=` says; an error is JSON when the
    request accepts it (Accept), as everywhere in the API."""

    settings = _NoFormatParameter


class CSVSchema(AutoSchema):
    """No `format` parameter: the file is CSV (CSVOnly)."""

    def _get_format_parameters(self):
        return []


class ResultsCSVView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [CSVRenderer, renderers.JSONRenderer]
    content_negotiation_class = CSVOnly
    schema = CSVSchema()

    @extend_schema(
        operation_id="estate_results_csv",
        tags=["estate"],
        summary="Open data: the result of every closed auction (CSV)",
        description=(
            "One row per closed auction, awarded or failed: "
            + ", ".join(RESULT_COLUMNS)
            + ". Cadastral codes are separated by spaces; amounts in lari."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        return csv_response(RESULT_COLUMNS, result_rows(selectors.closed_lots()), "results.csv")


class PricePathsCSVView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [CSVRenderer, renderers.JSONRenderer]
    content_negotiation_class = CSVOnly
    schema = CSVSchema()

    @extend_schema(
        operation_id="estate_price_paths_csv",
        tags=["estate"],
        summary="Open data: every standing bid of every closed auction (CSV)",
        description=(
            "The price path of each closed auction: "
            + ", ".join(PRICE_PATH_COLUMNS)
            + ". A bidder appears by the number of their registration on the lot, never by name."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request):
        rows = (
            [
                bid.lot.reference,
                bid.sequence,
                bid.amount,
                bid.placed_at.isoformat(),
                bid.registration.alias,
            ]
            for bid in selectors.price_paths()
        )
        return csv_response(PRICE_PATH_COLUMNS, rows, "price-paths.csv")
