"""The REST API of permits: `POST /api/v1/permits/check`, the compliance check for anyone, and
`GET /api/v1/permits/applications/` with one application at `.../applications/{reference}/`.

The view parses the body (numbers through a serializer, geometries through
core.geometry.parse_geometry, parcel codes through the cadastre), calls
permits.compliance.compliance_check once and answers its report in the request's language.
Bad input answers 400 {"detail", "parameter", "code"} naming the member at fault.

The applications need a session: an applicant reads their own, staff those of the municipalities
and modules they handle; any other application answers 404, as one that does not exist.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from cases.models import Status
from core.api import (
    BadParameter,
    BoundedPagination,
    ErrorSerializer,
    ParameterErrorSerializer,
    StrictFloatField,
    StrictIntegerField,
    text_param,
)
from core.geometry import GeometryError, parse_geometry
from core.parsers import JSONParser
from parcels.models import CADASTRAL_CODE, LandUse
from permits.compliance import compliance_check
from permits.models import BuildingClass, PermitApplication, Stage
from permits.selectors import (
    MAX_SITE_PARCELS,
    UnknownParcels,
    applications_for_user,
    site_from_parcels,
)

AREA_TYPES = ("Polygon", "MultiPolygon")
# One check reads two indexed queries; a site larger than this is not a building plot.
MAX_SITE_AREA_M2 = 1_000_000.0
MAX_FLOORS = 200


class CheckThrottle(AnonRateThrottle):
    """Per address, anonymous or not: the check is cheap but public."""

    scope = "permits_check"
    rate = getattr(settings, "PERMITS_CHECK_RATE", "300/min")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CheckRequestSerializer(serializers.Serializer):
    site = serializers.JSONField(
        required=False,
        help_text="The site: a GeoJSON Polygon or MultiPolygon, or a Feature of one, in "
        "EPSG:4326 unless a `crs` member names another (EPSG:32638 is accepted). Give `site` "
        "or `parcels`.",
    )
    parcels = serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=MAX_SITE_PARCELS,
        help_text="Cadastral codes of current parcels; the site is their union.",
    )
    footprint = serializers.JSONField(
        help_text="The building's ground-floor outline: a GeoJSON Polygon or MultiPolygon "
        "(or Feature), EPSG:4326 unless a `crs` member says otherwise."
    )
    floors = StrictIntegerField(min_value=1, max_value=MAX_FLOORS)
    floor_area_m2 = StrictFloatField(required=False, min_value=0, allow_null=True)
    green_area_m2 = StrictFloatField(required=False, min_value=0, allow_null=True)
    height_m = StrictFloatField(required=False, min_value=0, max_value=1000, allow_null=True)
    incomplete_floors = StrictIntegerField(required=False, min_value=0, default=0)
    attic_area_over_1_6m = StrictFloatField(required=False, min_value=0, default=0.0)
    building_class = serializers.ChoiceField(
        choices=BuildingClass.choices, required=False, allow_null=True
    )
    use = serializers.ChoiceField(choices=LandUse.choices, required=False, allow_null=True)


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="footprint_inside_site, zone, k1, k2, k3, height, ...")
    title = serializers.CharField()
    value = serializers.JSONField(help_text="A number (a ratio for K-rules) or text.")
    limit = serializers.JSONField()
    unit = serializers.CharField(help_text="ratio, m, m² or empty")
    status = serializers.ChoiceField(choices=["pass", "fail", "warning"])
    message = serializers.CharField()
    value_m2 = serializers.FloatField(allow_null=True)
    limit_m2 = serializers.FloatField(allow_null=True)
    assumed = serializers.BooleanField(help_text="The value is an estimate, not given.")


class ZoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    k1 = serializers.FloatField()
    k2 = serializers.FloatField()
    k3 = serializers.FloatField()
    max_height_m = serializers.FloatField()
    allowed_uses = serializers.ListField(child=serializers.CharField())
    area_m2 = serializers.FloatField(help_text="The part of the site in this zone.")
    share = serializers.FloatField(help_text="That part as a share of the site, 0 to 1.")


class ConstraintHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=["heritage_zone", "red_line", "protected_area", "flood_area"]
    )
    kind_name = serializers.CharField()
    name = serializers.CharField()
    consultee = serializers.CharField()
    site_area_m2 = serializers.FloatField()
    footprint_area_m2 = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=["pass", "fail", "warning"])
    message = serializers.CharField()
    geometry = serializers.JSONField(
        allow_null=True, help_text="The constraint near the site, GeoJSON in EPSG:4326."
    )


class CheckResponseSerializer(serializers.Serializer):
    zone = ZoneSerializer(allow_null=True, help_text="The zone covering most of the site.")
    zones = ZoneSerializer(many=True)
    site_area_m2 = serializers.FloatField()
    footprint_area_m2 = serializers.FloatField()
    floor_area_m2 = serializers.FloatField()
    height_m = serializers.FloatField()
    rules = RuleSerializer(many=True)
    constraints = ConstraintHitSerializer(many=True)
    outcome = serializers.ChoiceField(
        choices=[
            "compliant",
            "not_compliant",
            "needs_review",
            "no_permit_needed",
            "national_agency",
        ]
    )
    outcome_message = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())


_EXAMPLE_BODY = {
    "parcels": ["05.45.64.005"],
    "footprint": {
        "type": "Polygon",
        "coordinates": [
            [
                [41.6361, 41.6421],
                [41.6363, 41.6421],
                [41.6363, 41.6422],
                [41.6361, 41.6422],
                [41.6361, 41.6421],
            ]
        ],
    },
    "floors": 4,
}


def _geometry(parameter: str, value) -> object:
    try:
        return parse_geometry(value, allowed_types=AREA_TYPES, target_srid=settings.SRID_STORAGE)
    except GeometryError as exc:
        raise BadParameter(parameter, f"{parameter}: {exc.message}", exc.code) from None


def _first_error(errors: dict) -> tuple[str, str, str]:
    name, problems = next(iter(errors.items()))
    problem = problems[0] if isinstance(problems, list) else problems
    if isinstance(problem, dict):  # a list member: {index: [errors]}
        index, inner = next(iter(problem.items()))
        problem = inner[0] if isinstance(inner, list) else inner
        name = f"{name}[{index}]"
    code = getattr(problem, "code", "invalid")
    return name, f"{name}: {problem}", code


def read_check_request(data) -> dict:
    """The checked arguments of compliance_check from a request body; BadParameter if not."""
    if not isinstance(data, dict):
        raise BadParameter("body", _("Send a JSON object."), "parse")
    serializer = CheckRequestSerializer(data=data)
    if not serializer.is_valid():
        raise BadParameter(*_first_error(serializer.errors))
    values = dict(serializer.validated_data)
    has_site, has_parcels = values.get("site") is not None, bool(values.get("parcels"))
    if has_site == has_parcels:
        raise BadParameter(
            "site",
            _("Give either site (a GeoJSON polygon) or parcels (cadastral codes)."),
            "required",
        )
    if has_parcels:
        bad = [c for c in values["parcels"] if not CADASTRAL_CODE.match(c.strip())]
        if bad:
            raise BadParameter(
                "parcels",
                _("%(code)s is not a cadastral code (e.g. 05.45.64.005).") % {"code": bad[0]},
                "cadastral_code",
            )
        try:
            site = site_from_parcels([c.strip() for c in values["parcels"]]).geom
        except UnknownParcels as exc:
            raise BadParameter(
                "parcels",
                _("No current parcel has the cadastral code: %(codes)s.")
                % {"codes": ", ".join(exc.codes)},
                "unknown_parcel",
            ) from None
    else:
        site = _geometry("site", values["site"])
        if site.area > MAX_SITE_AREA_M2:
            raise BadParameter(
                "site",
                _("site covers %(area)s m²; at most %(max)s m² are checked at once.")
                % {"area": f"{site.area:,.0f}", "max": f"{MAX_SITE_AREA_M2:,.0f}"},
                "too_large",
            )
    footprint = _geometry("footprint", values["footprint"])
    if values["incomplete_floors"] > values["floors"]:
        raise BadParameter(
            "incomplete_floors",
            _("incomplete_floors (%(n)s) cannot exceed floors (%(floors)s).")
            % {"n": values["incomplete_floors"], "floors": values["floors"]},
            "too_large",
        )
    return {
        "site": site,
        "footprint": footprint,
        "floors": values["floors"],
        "floor_area_m2": values.get("floor_area_m2"),
        "green_area_m2": values.get("green_area_m2"),
        "height_m": values.get("height_m"),
        "incomplete_floors": values["incomplete_floors"],
        "attic_area_over_1_6m": values["attic_area_over_1_6m"],
        "building_class": values.get("building_class") or None,
        "use": values.get("use") or None,
    }


class ComplianceCheckView(APIView):
    """Anyone may check; no session, so no CSRF token is needed and nothing is stored."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    throttle_classes = [CheckThrottle]

    @extend_schema(
        operation_id="permits_check",
        tags=["permits"],
        summary="Check a building against its zone and the constraint layers",
        description=(
            "Give the site (a GeoJSON polygon, or the cadastral codes of its parcels), the "
            "building's footprint and its floors; the answer lists each rule (footprint inside "
            "the site, K-1, K-2, K-3, height, use, building class) with its value, limit and "
            "status, every constraint touched (heritage protection zones, red lines, protected "
            "and flood areas) with the area touched in m², and an outcome. Texts follow "
            "Accept-Language (ka or en). Areas are measured in EPSG:32638, in m²."
        ),
        request=CheckRequestSerializer,
        responses={
            200: CheckResponseSerializer,
            400: OpenApiResponse(
                ParameterErrorSerializer,
                description="A member is missing or wrong (a geometry invalid, outside Georgia, "
                "an unknown parcel, floors below 1); `parameter` names it.",
            ),
        },
        examples=[
            OpenApiExample("A building on one parcel", value=_EXAMPLE_BODY, request_only=True)
        ],
    )
    def post(self, request):
        arguments = read_check_request(request.data)
        report = compliance_check(**arguments)
        return Response(report.as_dict())

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Language",))
        return response


# ---------------------------------------------------------------------------------------------
# Applications


GEOJSON_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "A GeoJSON MultiPolygon in EPSG:4326, or null when not given.",
    "properties": {
        "type": {"type": "string", "enum": ["MultiPolygon"]},
        "coordinates": {"type": "array", "items": {}},
    },
}


def _geojson(geom) -> dict | None:
    if geom is None:
        return None
    return json.loads(geom.transform(settings.SRID_API, clone=True).geojson)


class ComplianceSummarySerializer(serializers.Serializer):
    outcome = serializers.CharField(
        allow_null=True,
        help_text="compliant, not_compliant, needs_review, no_permit_needed or national_agency; "
        "null while the application lacks its site, footprint or floors.",
    )
    outcome_message = serializers.CharField(allow_blank=True)
    rules = serializers.DictField(
        child=serializers.IntegerField(), help_text="How many rules passed, failed or warned."
    )
    failed = serializers.ListField(
        child=serializers.CharField(), help_text="The codes of the rules that failed."
    )
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="The codes of the rules that warned."
    )
    constraints = serializers.ListField(
        child=serializers.CharField(), help_text="The names of the constraints touched."
    )


def compliance_summary(report: dict | None) -> dict:
    """The stored compliance report in a few numbers and codes (its text in the case's language)."""
    report = report or {}
    rules = report.get("rules", [])
    counts = {name: 0 for name in ("pass", "fail", "warning")}
    for rule in rules:
        if rule.get("status") in counts:
            counts[rule["status"]] += 1
    return {
        "outcome": report.get("outcome"),
        "outcome_message": report.get("outcome_message", ""),
        "rules": counts,
        "failed": [r.get("code", "") for r in rules if r.get("status") == "fail"],
        "warnings": [r.get("code", "") for r in rules if r.get("status") == "warning"],
        "constraints": [c.get("name", "") for c in report.get("constraints", [])],
    }


class ApplicationSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    stage_label = serializers.CharField(source="get_stage_display")
    status = serializers.CharField(
        source="case.status", help_text="The case's status: " + ", ".join(Status.values) + "."
    )
    status_label = serializers.CharField(source="case.get_status_display")
    municipality = serializers.CharField(source="case.municipality.code")
    parcels = serializers.SerializerMethodField()
    site = serializers.SerializerMethodField()
    footprint = serializers.SerializerMethodField()
    built_area_m2 = serializers.FloatField(
        allow_null=True, help_text="The drawn footprint's area, else the typed one."
    )
    compliance = serializers.SerializerMethodField()
    due_date = serializers.DateField(source="case.due_date", allow_null=True)
    submitted_at = serializers.DateTimeField(source="case.submitted_at", allow_null=True)

    class Meta:
        model = PermitApplication
        fields = [
            "reference",
            "stage",
            "stage_label",
            "building_class",
            "status",
            "status_label",
            "municipality",
            "parcels",
            "site",
            "footprint",
            "floors",
            "built_area_m2",
            "footprint_area_m2",
            "floor_area_m2",
            "green_area_m2",
            "height_m",
            "use",
            "compliance",
            "due_date",
            "submitted_at",
        ]

    def get_parcels(self, application) -> list[str]:
        return [parcel.cadastral_code for parcel in application.parcels.all()]

    @extend_schema_field(GEOJSON_SCHEMA)
    def get_site(self, application) -> dict | None:
        return _geojson(application.site)

    @extend_schema_field(GEOJSON_SCHEMA)
    def get_footprint(self, application) -> dict | None:
        return _geojson(application.footprint)

    @extend_schema_field(ComplianceSummarySerializer)
    def get_compliance(self, application) -> dict:
        return compliance_summary(application.compliance)


def _choice(request, name: str, known: list[str]) -> str:
    """The parameter's value when it is one of `known`, "" when absent; 400 otherwise."""
    value = text_param(request, name)
    if value and value not in known:
        message = _("Unknown status %(value)s; known: %(known)s.")
        if name == "stage":
            message = _("Unknown stage %(value)s; known: %(known)s.")
        raise BadParameter(
            name, message % {"value": value, "known": ", ".join(known)}, f"unknown_{name}"
        )
    return value


def _application_filters(request) -> dict:
    filters = {}
    if status := _choice(request, "status", Status.values):
        filters["case__status"] = status
    if stage := _choice(request, "stage", Stage.values):
        filters["stage"] = stage
    return filters


class ApplicationListView(GenericAPIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer
    pagination_class = BoundedPagination

    @extend_schema(
        operation_id="permits_applications_list",
        tags=["permits"],
        summary="Building-permit applications the caller may read",
        description=(
            "Signed in (session): an applicant gets their own applications, drafts included; "
            "planners and municipal administrators those submitted in their municipalities. "
            "Newest first, paged with `limit` and `offset`. Geometries are GeoJSON in "
            "EPSG:4326."
        ),
        parameters=[
            # Empty, like absent, filters nothing.
            OpenApiParameter(
                "status", str, enum=["", *Status.values], description="Only this status."
            ),
            OpenApiParameter(
                "stage", str, enum=["", *Stage.values], description="Only this stage."
            ),
        ],
        responses={
            200: ApplicationSerializer(many=True),
            400: OpenApiResponse(
                ParameterErrorSerializer, description="An unknown status or stage, a bad limit."
            ),
        },
    )
    def get(self, request):
        queryset = applications_for_user(request.user).filter(**_application_filters(request))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ApplicationDetailView(GenericAPIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer

    @extend_schema(
        operation_id="permits_applications_retrieve",
        tags=["permits"],
        summary="One building-permit application by its reference",
        description=(
            "404 for an application the caller may not read (another person's, another "
            "municipality's), exactly as for a reference that does not exist."
        ),
        responses={
            200: ApplicationSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such application, or not yours."),
        },
    )
    def get(self, request, reference: str):
        application = applications_for_user(request.user).filter(case__reference=reference).first()
        if application is None:
            raise Http404("No such application.")
        return Response(self.get_serializer(application).data)
