"""The REST API of the one window (session auth): a person's applications, the staff queue
(?queue=1), and one application with its status history. A case the caller may not see is 404.
"""

from __future__ import annotations

import json

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cases import calendar, selectors
from cases.models import Case, CaseStatusChange, Status
from core.api import (
    FLAG_SCHEMA,
    BadParameter,
    ErrorSerializer,
    flag_param,
    int_param,
    text_param,
)

MAX_LIMIT = 500


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()

    class Meta:
        model = CaseStatusChange
        fields = ["from_status", "to_status", "at", "note"]


class CaseSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.code")
    service_name = serializers.CharField(source="service.name")
    module = serializers.CharField(source="service.module")
    municipality = serializers.CharField(source="municipality.code")
    status_label = serializers.CharField(source="get_status_display")
    assigned_to = serializers.CharField(
        source="assigned_to.get_username", default=None, allow_null=True
    )
    clock_paused = serializers.BooleanField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "service",
            "service_name",
            "module",
            "variant",
            "summary",
            "municipality",
            "status",
            "status_label",
            "submitted_at",
            "due_date",
            "clock_paused",
            "paused_days",
            "assigned_to",
            "created_at",
            "updated_at",
        ]


class CaseDetailSerializer(CaseSerializer):
    history = StatusChangeSerializer(source="status_changes", many=True)
    location = serializers.SerializerMethodField()
    payload = serializers.JSONField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "location", "payload", "history"]

    def get_location(self, case) -> dict | None:
        if case.location is None:
            return None
        return json.loads(case.location.transform(settings.SRID_API, clone=True).geojson)


class CaseListSerializer(serializers.Serializer):
    results = CaseSerializer(many=True)
    truncated = serializers.BooleanField(
        help_text="More cases match than `limit`; narrow the filters or raise the limit."
    )


@extend_schema(
    parameters=[
        OpenApiParameter(
            "queue", FLAG_SCHEMA, description="1: the staff work queue instead of your own"
        ),
        # Empty, like absent, filters nothing.
        OpenApiParameter("status", str, enum=["", *Status.values]),
        OpenApiParameter("service", str, description="In the queue, only this service's cases."),
        OpenApiParameter(
            "overdue", FLAG_SCHEMA, description="1: in the queue, only cases past their due date"
        ),
        OpenApiParameter(
            "mine", FLAG_SCHEMA, description="1: in the queue, only cases assigned to you"
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            description=f"At most this many cases, 1 to {MAX_LIMIT} (default 100).",
        ),
    ],
    operation_id="cases_list",
    responses=CaseListSerializer,
)
@api_view(["GET"])
@authentication_classes([SessionAuthentication])
@permission_classes([IsAuthenticated])
def case_list(request):
    status = text_param(request, "status")
    if status and status not in Status.values:
        raise BadParameter(
            "status", f"Unknown status {status!r}; known: {', '.join(Status.values)}."
        )
    limit = int_param(request, "limit", default=100, minimum=1, maximum=MAX_LIMIT)
    # Every flag is checked, though service, overdue and mine filter only the queue.
    queue, overdue, mine = (flag_param(request, name) for name in ("queue", "overdue", "mine"))
    today = calendar.today()
    if queue:
        filters = selectors.QueueFilter(
            service=text_param(request, "service") or "",
            status=status or "",
            overdue=overdue,
            mine=mine,
        )
        cases = selectors.case_queue(request.user, filters=filters, today=today)
    else:
        cases = selectors.cases_of_applicant(request.user)
        if status:
            cases = cases.filter(status=status)
    rows = list(cases[: limit + 1])
    return Response(
        {
            "results": CaseSerializer(rows[:limit], many=True).data,
            "truncated": len(rows) > limit,
        }
    )


@extend_schema(
    operation_id="cases_retrieve",
    responses={
        200: CaseDetailSerializer,
        404: OpenApiResponse(
            ErrorSerializer, description="No such case, or one the caller may not see."
        ),
    },
)
@api_view(["GET"])
@authentication_classes([SessionAuthentication])
@permission_classes([IsAuthenticated])
def case_detail(request, reference: str):
    case = selectors.case_for_user(request.user, reference)
    return Response(CaseDetailSerializer(case).data)
