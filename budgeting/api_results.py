"""The results' API: a budget's published results (the winners by each rule, the reason for
each project, the overrides and the winners that were decided), and its whole election as a
pabulib file, public once the results are published and for the budget's staff always."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from budgeting import results as services
from budgeting.models import Budget
from budgeting.result_views import REPLAY_MAX_BYTES
from budgeting.rules import officer_municipality_ids
from core.api import AutoSchema, ErrorSerializer, bad_request


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="greedy_selected, greedy_no_money, mes_selected, greedy_completion, "
        "mes_unaffordable or no_votes"
    )
    params = serializers.DictField(help_text="The figures behind the reason (money in lari).")
    text = serializers.CharField(help_text="The reason in words, in the language asked.")


class RuleOutcomeSerializer(serializers.Serializer):
    winners = serializers.ListField(child=serializers.CharField(), help_text="References, in order")
    spent = serializers.IntegerField(help_text="Lari")
    reasons = serializers.DictField(child=ReasonSerializer(), help_text="By project reference")


class ProjectSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    cost = serializers.IntegerField()
    votes = serializers.IntegerField()
    greedy = serializers.BooleanField(help_text="Chosen by the greedy rule")
    mes = serializers.BooleanField(help_text="Chosen by the Method of Equal Shares")
    winner = serializers.BooleanField(help_text="Funded: the deciding rule with the overrides")


class OverrideSerializer(serializers.Serializer):
    reference = serializers.CharField(source="proposal.reference")
    funded = serializers.BooleanField()
    reason_ka = serializers.CharField()
    reason_en = serializers.CharField()
    created_at = serializers.DateTimeField()


class ResultsSerializer(serializers.Serializer):
    budget = serializers.IntegerField()
    cycle = serializers.CharField(help_text="The cycle's short name")
    municipality = serializers.CharField()
    amount = serializers.IntegerField(help_text="The budget, lari")
    ballots = serializers.IntegerField(help_text="Checked-out ballots counted, online and paper")
    winner_rule = serializers.CharField(help_text="greedy or mes: the rule that decides")
    published_at = serializers.DateTimeField()
    greedy = RuleOutcomeSerializer()
    mes = RuleOutcomeSerializer()
    projects = ProjectSerializer(many=True)
    winners = serializers.ListField(child=serializers.CharField())
    overrides = OverrideSerializer(many=True)


def _budget(pk: int) -> Budget:
    budget = (
        Budget.objects.select_related("cycle", "municipality", "district")
        .defer("municipality__boundary", "district__boundary")
        .filter(pk=pk)
        .first()
    )
    if budget is None:
        raise Http404("No such budget.")
    return budget


def _rule(outcome: dict) -> dict:
    return {
        "winners": outcome.get("winners", []),
        "spent": outcome.get("spent", 0),
        "reasons": {
            reference: {
                "code": reason["code"],
                "params": reason["params"],
                "text": services.reason_text(reason["code"], reason["params"]),
            }
            for reference, reason in outcome.get("reasons", {}).items()
        },
    }


class BudgetResultsView(GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = ResultsSerializer

    @extend_schema(
        operation_id="budgeting_budget_results",
        tags=["budgeting"],
        summary="A budget's published results by both rules, with reasons and overrides",
        responses={
            200: ResultsSerializer,
            404: OpenApiResponse(
                ErrorSerializer, description="No such budget, or no results published."
            ),
        },
    )
    def get(self, request, pk: int):
        budget = _budget(pk)
        run = services.published_run(budget)
        if run is None:
            raise Http404("The results of this budget are not published.")
        compared = services.comparison(run)
        data = {
            "budget": budget.pk,
            "cycle": budget.cycle.slug,
            "municipality": budget.municipality.code,
            "amount": int(budget.amount),
            "ballots": run.ballots,
            "winner_rule": budget.cycle.winner_rule,
            "published_at": run.published_at,
            "greedy": _rule(run.outcome.get("greedy", {})),
            "mes": _rule(run.outcome.get("mes", {})),
            "projects": [
                {
                    "reference": row.reference,
                    "title": row.title,
                    "cost": row.cost,
                    "votes": row.votes,
                    "greedy": row.greedy_won,
                    "mes": row.mes_won,
                    "winner": row.decided,
                }
                for row in compared.rows
            ],
            "winners": [row.reference for row in compared.rows if row.decided],
            "overrides": compared.overrides,
        }
        return Response(self.get_serializer(data).data)


class PabulibRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "pb"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # The view answers its file itself; what comes here is an error's body.
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data).encode()


class _NoFormatParameter:
    URL_FORMAT_OVERRIDE = None


class PabulibOnly(DefaultContentNegotiation):
    """The file is pabulib text whatever `?format=` says; an error is JSON when the request
    accepts it, as everywhere in the API."""

    settings = _NoFormatParameter


class PabulibSchema(AutoSchema):
    def _get_format_parameters(self):
        return []


class ElectionFileView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [PabulibRenderer, renderers.JSONRenderer]
    content_negotiation_class = PabulibOnly
    schema = PabulibSchema()

    @extend_schema(
        operation_id="budgeting_budget_election_pb",
        tags=["budgeting"],
        summary="A budget's whole election in the pabulib format (.pb)",
        description=(
            "META, PROJECTS (reference, cost, votes, name, category, latitude, longitude, "
            "selected) and VOTES (an opaque number per ballot, the chosen references, internet "
            "or paper). Public once the budget's results are published; for its staff always."
        ),
        responses={
            (200, "text/plain"): OpenApiTypes.STR,
            404: OpenApiResponse(ErrorSerializer, description="No such budget, or not public yet."),
        },
    )
    def get(self, request, pk: int):
        budget = _budget(pk)
        if not services.election_public(budget, request.user):
            raise Http404("The election of this budget is not public yet.")
        text = services.export_election(budget)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        name = f"{budget.municipality.code}_{budget.cycle.slug}_{budget.pk}.pb".lower()
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class BudgetOfficersOnly(BasePermission):
    """Signed in, and a budget officer somewhere (or a superuser)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated) and officer_municipality_ids(user) != []


class ReplayInSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An election in the pabulib format (.pb), UTF-8.")
    compare = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Compute pabutools' winners too (files of at most 2,000 voters).",
    )


class ReplayRuleSerializer(serializers.Serializer):
    winners = serializers.ListField(child=serializers.CharField(), help_text="Project ids")
    spent = serializers.IntegerField()
    seconds = serializers.FloatField()
    pabutools = serializers.ListField(
        child=serializers.CharField(), allow_null=True, help_text="pabutools' winners, sorted"
    )
    same = serializers.BooleanField(allow_null=True, help_text="Null when not compared")


class ReplaySerializer(serializers.Serializer):
    meta = serializers.DictField(child=serializers.CharField())
    voters = serializers.IntegerField()
    projects = serializers.IntegerField()
    budget = serializers.IntegerField()
    greedy = ReplayRuleSerializer()
    mes = ReplayRuleSerializer()
    note = serializers.CharField(help_text="Why pabutools was not asked, or failed")


class ReplayView(APIView):
    permission_classes = [BudgetOfficersOnly]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="budgeting_replay",
        tags=["budgeting"],
        summary="Replay a pabulib file: its winners by both rules (budget officers)",
        description=(
            "The file is read (at most 20 MB) and both rules computed with the portal's code; "
            "with `compare`, a file of at most 2,000 voters is computed by pabutools too. A "
            "malformed file is refused with 400, its `detail` naming the line."
        ),
        request={"multipart/form-data": ReplayInSerializer},
        responses={
            200: ReplaySerializer,
            400: OpenApiResponse(ErrorSerializer, description="A malformed or too large file."),
            401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
            403: OpenApiResponse(ErrorSerializer, description="Not a budget officer."),
        },
    )
    def post(self, request):
        from budgeting.pabulib import PabulibError

        incoming = ReplayInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        if upload.size > REPLAY_MAX_BYTES:
            return bad_request("file", _("The file is larger than 20 MB."), "too_large")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            return bad_request("file", _("The file is not UTF-8 text."), "not_utf8")
        try:
            replayed = services.replay(text, compare=incoming.validated_data["compare"])
        except PabulibError as error:
            return bad_request("file", str(error), "malformed")
        except ValueError as error:
            return bad_request("file", str(error), "malformed")

        def rule(name: str) -> dict:
            ours = replayed.ours[name]
            return {
                "winners": ours["winners"],
                "spent": ours["spent"],
                "seconds": ours["seconds"],
                "pabutools": (replayed.theirs or {}).get(name),
                "same": replayed.same(name),
            }

        data = {
            "meta": {k: str(v) for k, v in replayed.meta.items()},
            "voters": replayed.voters,
            "projects": replayed.projects,
            "budget": replayed.budget,
            "greedy": rule("greedy"),
            "mes": rule("mes"),
            "note": str(replayed.theirs_note),
        }
        return Response(ReplaySerializer(data).data)
