"""Participatory budgeting's public read API: the cycles with their phases, voting rules and
budgets, and the projects (the public proposals) as GeoJSON with, for the winners, their
delivery: status, progress, milestones and reports. Nothing personal is given: no author."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import F, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from budgeting import delivery
from budgeting.cycles import enabled_phases
from budgeting.models import (
    BallotKind,
    Category,
    Cycle,
    DeliveryStatus,
    Phase,
    PhotoKind,
    Proposal,
    ProposalStatus,
    Rule,
)
from core.api import (
    BadParameter,
    BoundedPagination,
    ErrorSerializer,
    FeatureCollectionPagination,
    flag_param,
    int_param,
    municipality_param,
    text_param,
)

API_COORDINATE_DECIMALS = 7
# Proposals the public sees (merged and withdrawn ones point elsewhere or are gone).
PUBLIC_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.FEASIBLE, ProposalStatus.UNFEASIBLE)

_BAD = OpenApiResponse(ErrorSerializer, description="An unknown filter value or a bad limit.")
MUNICIPALITY = OpenApiParameter(
    "municipality", str, description="Only this municipality, by its code: BTM or RST."
)


def _choice(request, name: str, known: list[str]) -> str:
    value = text_param(request, name) or ""
    if value and value not in known:
        raise BadParameter(
            name, f"Unknown {name} {value!r}; known: {', '.join(known)}.", f"unknown_{name}"
        )
    return value


def _page(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- Cycles ----------------------------------------------------------------------------------


class CycleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    municipality = serializers.CharField(source="municipality.code")
    slug = serializers.CharField(help_text="The cycle's short name in its addresses")
    name_ka = serializers.CharField()
    name_en = serializers.CharField()
    phase = serializers.ChoiceField(
        choices=Phase.choices,
        help_text="The current phase; `finished` after the last one.",
    )
    ballot_kind = serializers.ChoiceField(choices=BallotKind.choices)
    winner_rule = serializers.ChoiceField(choices=Rule.choices)
    total = serializers.IntegerField(help_text="The money of all its budgets, lari")
    url = serializers.CharField(allow_null=True, help_text="The cycle's page")


class PhaseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Phase.choices)
    name = serializers.CharField(help_text="In the language asked")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    current = serializers.BooleanField()


class RulesSerializer(serializers.Serializer):
    ballot_kind = serializers.ChoiceField(
        choices=BallotKind.choices,
        help_text="knapsack: at least `min_share_percent` of the budget; knapsack_count: at "
        "least `min_projects`; approval: between `min_projects` and `max_projects`.",
    )
    min_share_percent = serializers.IntegerField()
    min_projects = serializers.IntegerField()
    max_projects = serializers.IntegerField(allow_null=True)
    winner_rule = serializers.ChoiceField(choices=Rule.choices)
    locked_at = serializers.DateTimeField(
        allow_null=True, help_text="When the first ballot locked them"
    )


class DistrictSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ka = serializers.CharField()
    name_en = serializers.CharField()


class BudgetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name_ka = serializers.CharField()
    name_en = serializers.CharField()
    amount = serializers.IntegerField(help_text="Lari")
    population = serializers.IntegerField(allow_null=True)
    district = DistrictSerializer(allow_null=True, help_text="None: the city-wide budget")


class CycleDetailSerializer(CycleSerializer):
    description_ka = serializers.CharField()
    description_en = serializers.CharField()
    phases = PhaseSerializer(many=True, help_text="The enabled phases, in their order")
    rules = RulesSerializer()
    budgets = BudgetSerializer(many=True)


def _cycle_data(cycle: Cycle, *, detail: bool = False) -> dict:
    budgets = list(cycle.budgets.select_related("district").defer("district__boundary"))
    data = {
        "id": cycle.pk,
        "municipality": cycle.municipality.code,
        "slug": cycle.slug,
        "name_ka": cycle.name_ka,
        "name_en": cycle.name_en,
        "phase": cycle.phase,
        "ballot_kind": cycle.ballot_kind,
        "winner_rule": cycle.winner_rule,
        "total": sum(b.amount for b in budgets),
        "url": _page("budgeting:cycle", cycle.municipality.code, cycle.slug),
    }
    if not detail:
        return data
    data.update(
        description_ka=cycle.description_ka,
        description_en=cycle.description_en,
        phases=[
            {
                "kind": phase.kind,
                "name": str(Phase(phase.kind).label),
                "starts_at": phase.starts_at,
                "ends_at": phase.ends_at,
                "current": phase.kind == cycle.phase,
            }
            for phase in enabled_phases(cycle)
        ],
        rules={
            "ballot_kind": cycle.ballot_kind,
            "min_share_percent": cycle.min_share_percent,
            "min_projects": cycle.min_projects,
            "max_projects": cycle.max_projects,
            "winner_rule": cycle.winner_rule,
            "locked_at": cycle.rules_locked_at,
        },
        budgets=[
            {
                "id": b.pk,
                "name_ka": b.name_ka,
                "name_en": b.name_en,
                "amount": b.amount,
                "population": b.population,
                "district": {
                    "code": b.district.code,
                    "name_ka": b.district.name_ka,
                    "name_en": b.district.name_en,
                }
                if b.district_id
                else None,
            }
            for b in budgets
        ],
    )
    return data


class CycleListView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = CycleSerializer
    pagination_class = BoundedPagination

    @extend_schema(
        operation_id="budgeting_cycles_list",
        tags=["budgeting"],
        summary="Participatory budget cycles",
        description=(
            "The public cycles of every municipality (not those being drafted), each with its "
            "current phase, paged with `limit` and `offset`."
        ),
        parameters=[MUNICIPALITY],
        responses={200: CycleSerializer(many=True), 400: _BAD},
    )
    def get(self, request):
        municipality = municipality_param(request)
        cycles = delivery.public_cycles()
        if municipality is not None:
            cycles = [c for c in cycles if c.municipality_id == municipality.pk]
        page = self.paginate_queryset(cycles)
        return self.get_paginated_response([_cycle_data(c) for c in page])


class CycleDetailView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = CycleDetailSerializer

    @extend_schema(
        operation_id="budgeting_cycles_retrieve",
        tags=["budgeting"],
        summary="One cycle: its phases with their dates, voting rules and budgets",
        responses={
            200: CycleDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such public cycle."),
        },
    )
    def get(self, request, pk: int):
        cycle = next((c for c in delivery.public_cycles() if c.pk == pk), None)
        if cycle is None:
            raise Http404("No such cycle.")
        return Response(_cycle_data(cycle, detail=True))


# --- Projects --------------------------------------------------------------------------------


class ProjectPropertiesSerializer(serializers.Serializer):
    reference = serializers.CharField()
    municipality = serializers.CharField()
    cycle = serializers.IntegerField(help_text="The cycle's id")
    cycle_slug = serializers.CharField()
    budget = serializers.IntegerField(help_text="The budget's id")
    budget_ka = serializers.CharField()
    budget_en = serializers.CharField()
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    status = serializers.ChoiceField(choices=[str(s) for s in PUBLIC_STATUSES])
    estimated_cost = serializers.IntegerField(help_text="The author's estimate, lari")
    cost = serializers.IntegerField(allow_null=True, help_text="The municipality's price, lari")
    supports = serializers.IntegerField()
    winner = serializers.BooleanField()
    delivery_status = serializers.ChoiceField(
        choices=DeliveryStatus.choices, allow_null=True, help_text="Winners only"
    )
    progress = serializers.IntegerField(allow_null=True, help_text="Winners only, 0 to 100")
    url = serializers.CharField(allow_null=True, help_text="The proposal's page")
    project_url = serializers.CharField(allow_null=True, help_text="A winner's delivery page")


class MilestoneSerializer(serializers.Serializer):
    title_ka = serializers.CharField()
    title_en = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)


class UpdateSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    delivery_status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    progress = serializers.IntegerField()
    note_ka = serializers.CharField()
    note_en = serializers.CharField()


class PhotoSerializer(serializers.Serializer):
    url = serializers.CharField()
    caption = serializers.CharField()
    created_at = serializers.DateTimeField()


class DeliverySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    progress = serializers.IntegerField()
    milestones = MilestoneSerializer(many=True)
    updates = UpdateSerializer(many=True, help_text="The reports, newest first")
    photos = PhotoSerializer(many=True, help_text="Photos of the works, newest first")


class ProjectDetailPropertiesSerializer(ProjectPropertiesSerializer):
    description = serializers.CharField()
    delivery = DeliverySerializer(allow_null=True, help_text="Winners only")


class ProjectFeatureSerializer(serializers.Serializer):
    """A project as a GeoJSON Feature (EPSG:4326, its point); its id is its reference."""

    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = serializers.JSONField(help_text="A GeoJSON Point")
    properties = ProjectPropertiesSerializer()


class ProjectDetailSerializer(ProjectFeatureSerializer):
    """A project with its area (when it has one) and, for a winner, its delivery."""

    area = serializers.JSONField(allow_null=True, help_text="A GeoJSON MultiPolygon, or null")
    properties = ProjectDetailPropertiesSerializer()


class ProjectCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    features = ProjectFeatureSerializer(many=True)


def public_projects() -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(
            status__in=PUBLIC_STATUSES, cycle__in=[c.pk for c in delivery.public_cycles()]
        )
        .annotate(
            municipality_code=F("municipality__code"),
            cycle_slug=F("cycle__slug"),
            budget_ka=F("budget__name_ka"),
            budget_en=F("budget__name_en"),
            point=AsGeoJSON(
                Transform("location", settings.SRID_API), precision=API_COORDINATE_DECIMALS
            ),
        )
        .defer("area")
        .order_by("cycle_id", "reference")
    )


def _properties(proposal: Proposal) -> dict:
    return {
        "reference": proposal.reference,
        "municipality": proposal.municipality_code,
        "cycle": proposal.cycle_id,
        "cycle_slug": proposal.cycle_slug,
        "budget": proposal.budget_id,
        "budget_ka": proposal.budget_ka,
        "budget_en": proposal.budget_en,
        "title": proposal.title,
        "category": proposal.category,
        "status": proposal.status,
        "estimated_cost": proposal.estimated_cost,
        "cost": proposal.cost,
        "supports": proposal.supports,
        "winner": proposal.winner,
        "delivery_status": proposal.delivery_status if proposal.winner else None,
        "progress": proposal.progress if proposal.winner else None,
        "url": _page("budgeting:proposal", proposal.reference),
        "project_url": _page("budgeting:project", proposal.reference) if proposal.winner else None,
    }


def _feature(proposal: Proposal) -> dict:
    return {
        "type": "Feature",
        "id": proposal.reference,
        "geometry": json.loads(proposal.point),
        "properties": _properties(proposal),
    }


class ProjectListView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProjectFeatureSerializer
    pagination_class = FeatureCollectionPagination

    @extend_schema(
        operation_id="budgeting_projects_list",
        tags=["budgeting"],
        summary="Projects of the participatory budgets as GeoJSON",
        description=(
            "The public proposals of the public cycles (submitted, feasible or not feasible; "
            "merged and withdrawn ones are left out) as a GeoJSON FeatureCollection of points "
            "in EPSG:4326, paged with `limit` and `offset`. Winners carry their delivery "
            "status and progress."
        ),
        parameters=[
            MUNICIPALITY,
            OpenApiParameter("cycle", int, description="Only this cycle, by its id."),
            OpenApiParameter("budget", int, description="Only this budget, by its id."),
            OpenApiParameter(
                "status",
                str,
                enum=["", *[str(s) for s in PUBLIC_STATUSES]],
                description="Only proposals of this review status.",
            ),
            OpenApiParameter(
                "delivery",
                str,
                enum=["", *DeliveryStatus.values],
                description="Only winners of this delivery status.",
            ),
            OpenApiParameter(
                "winner",
                OpenApiTypes.STR,
                enum=["", "1", "true", "0", "false"],
                description="1 or true: only the winners.",
            ),
        ],
        responses={200: ProjectCollectionSerializer, 400: _BAD},
    )
    def get(self, request):
        municipality = municipality_param(request)
        cycle = int_param(request, "cycle", default=0, minimum=1, maximum=2**31 - 1)
        budget = int_param(request, "budget", default=0, minimum=1, maximum=2**31 - 1)
        status = _choice(request, "status", [str(s) for s in PUBLIC_STATUSES])
        delivery_status = _choice(request, "delivery", DeliveryStatus.values)
        winner = flag_param(request, "winner")
        projects = public_projects()
        if municipality is not None:
            projects = projects.filter(municipality=municipality)
        if cycle:
            projects = projects.filter(cycle_id=cycle)
        if budget:
            projects = projects.filter(budget_id=budget)
        if status:
            projects = projects.filter(status=status)
        if delivery_status:
            projects = projects.filter(winner=True, delivery_status=delivery_status)
        if winner:
            projects = projects.filter(winner=True)
        page = self.paginate_queryset(projects)
        return self.get_paginated_response({"features": [_feature(p) for p in page]})


class ProjectDetailView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ProjectDetailSerializer

    @extend_schema(
        operation_id="budgeting_projects_retrieve",
        tags=["budgeting"],
        summary="One project, with its delivery when it won",
        description=(
            "A public proposal as a GeoJSON Feature, with its description and area; a winner "
            "with its delivery: status, progress, milestones, the reports newest first and the "
            "photos of the works."
        ),
        responses={
            200: ProjectDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such public project."),
        },
    )
    def get(self, request, reference: str):
        proposal = (
            public_projects()
            .defer(None)
            .annotate(
                outline=AsGeoJSON(
                    Transform("area", settings.SRID_API), precision=API_COORDINATE_DECIMALS
                )
            )
            .filter(reference=reference[:30])
            .first()
        )
        if proposal is None:
            raise Http404("No such project.")
        data = _feature(proposal)
        data["area"] = json.loads(proposal.outline) if proposal.outline else None
        properties = data["properties"]
        properties["description"] = proposal.description
        properties["delivery"] = None
        if proposal.winner:
            properties["delivery"] = {
                "status": proposal.delivery_status,
                "progress": proposal.progress,
                "milestones": [
                    {
                        "title_ka": m.title_ka,
                        "title_en": m.title_en,
                        "due_on": m.due_on,
                        "done_on": m.done_on,
                    }
                    for m in delivery.timeline(proposal)
                ],
                "updates": [
                    {
                        "created_at": u.created_at,
                        "delivery_status": u.delivery_status,
                        "progress": u.progress,
                        "note_ka": u.note_ka,
                        "note_en": u.note_en,
                    }
                    for u in delivery.history(proposal)
                ],
                "photos": [
                    {
                        "url": _page("budgeting:proposal-photo", proposal.reference, p.pk) or "",
                        "caption": p.caption,
                        "created_at": p.created_at,
                    }
                    for p in proposal.photos.filter(kind=PhotoKind.PROGRESS).order_by(
                        "-created_at", "-pk"
                    )
                ],
            }
        return Response(ProjectDetailSerializer(data).data)
