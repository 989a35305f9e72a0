"""The ballot API of a budget, under /api/v1/budgeting/ballots/{budget}/ (docs/budgeting-ballots.md):

- GET: the signed-in resident's ballot in the budget (a draft, checked out, or none yet), with
  the money chosen and remaining and what the rules say of the choice;
- PUT {"projects": [id, ...]}: keep the choice as a draft (not counted);
- `checkout` POST {"projects": [...]}: check the choice against the rules and count it.

The resident must have verified their account against the cycle's voter list (the vote page)
and may vote only in the budget of the district the list gives and the city-wide one. Writes
need the session of a sign-in and its CSRF token (X-CSRFToken). Refusals answer in the one
error shape: 400 for a choice the rules refuse, 403 for a resident who may not vote here, 404
for no such budget, 409 when the voting is not open or the ballot is already checked out.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from budgeting import ballots
from budgeting.models import Ballot, BallotStatus, Budget, Phase, Voter
from core.api import ErrorSerializer
from core.errors import error_body
from core.parsers import JSONParser

MAX_PROJECTS = 500

# Refusal codes of the services, by the status they answer.
CONFLICTS = {"no_voting", "not_open", "closed", "checked_out"}
FORBIDDEN = {"other_district", "not_verified"}


class ChoiceInSerializer(serializers.Serializer):
    projects = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=MAX_PROJECTS,
        help_text="The ids of the chosen projects (proposals on this budget's ballot).",
    )


class BallotSerializer(serializers.Serializer):
    budget = serializers.IntegerField()
    status = serializers.CharField(
        allow_null=True, help_text="draft, checked_out, or null when there is no ballot yet."
    )
    projects = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField(help_text="The cost of the chosen projects, GEL.")
    amount = serializers.IntegerField(help_text="The budget, GEL.")
    remaining = serializers.IntegerField(help_text="The budget less the total, GEL.")
    problem = serializers.CharField(
        allow_null=True,
        help_text="Why the rules would refuse this choice at checkout; null when they take it.",
    )
    code = serializers.CharField(allow_blank=True, help_text="The confirmation code.")
    checked_out_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True, help_text="When the voting closes.")
    done_url = serializers.CharField(
        allow_null=True, help_text="The confirmation page, once checked out."
    )


def refusal(error: ValidationError) -> Response:
    code = getattr(error, "code", None) or "invalid_choice"
    status = 409 if code in CONFLICTS else 403 if code in FORBIDDEN else 400
    return Response(error_body(error.messages[0], code), status=status)


def _first_error(incoming: serializers.Serializer) -> exceptions.APIException:
    from core.api import BadParameter

    name, found = next(iter(incoming.errors.items()))
    if isinstance(found, dict):  # a member of the list
        found = next(iter(found.values()))
    detail = found[0] if isinstance(found, list) else found
    return BadParameter(name, str(detail), getattr(detail, "code", None) or "invalid")


def _budget(pk: int) -> Budget:
    try:
        # get(), not first(): no ordering through the cycle and district to compile and sort.
        return (
            Budget.objects.select_related("cycle__municipality", "district")
            # The outlines are not needed here, and a city's is large.
            .defer("cycle__municipality__boundary", "district__boundary")
            .prefetch_related("cycle__phases")
            .get(pk=pk)
        )
    except Budget.DoesNotExist:
        raise exceptions.NotFound(_("There is no such budget.")) from None


def _voter(request, budget: Budget) -> Voter:
    voter = Voter.objects.filter(cycle_id=budget.cycle_id, user=request.user).order_by().first()
    if voter is None:
        raise exceptions.PermissionDenied(
            _("First confirm on the vote page that you are on the voter list."),
            code="not_verified",
        )
    try:
        ballots.check_may_vote_in(voter, budget)
    except ValidationError as error:
        raise exceptions.PermissionDenied(error.messages[0], code="other_district") from None
    return voter


def _problem(budget: Budget, projects: list[int]) -> str | None:
    try:
        ballots.check_choice(budget, projects)
    except ValidationError as error:
        return error.messages[0]
    return None


def _body(budget: Budget, ballot: Ballot | None, *, checked: bool = False) -> dict:
    """The ballot as the API shows it; `checked`: its choice has just passed the rules."""
    from budgeting import cycles

    chosen = list(ballot.projects) if ballot else []
    total = ballot.total if ballot else 0
    phase = cycles.phase_of(budget.cycle, Phase.BALLOTING)
    checked_out = ballot is not None and ballot.status == BallotStatus.CHECKED_OUT
    return {
        "budget": budget.pk,
        "status": ballot.status if ballot else None,
        "projects": chosen,
        "total": total,
        "amount": budget.amount,
        "remaining": budget.amount - total,
        "problem": None if checked else _problem(budget, chosen),
        "code": ballot.code if checked_out else "",
        "checked_out_at": ballot.checked_out_at if checked_out else None,
        "closes_at": phase.ends_at if phase else None,
        "done_url": reverse(
            "budgeting:ballot-done",
            args=[budget.cycle.municipality.code, budget.cycle.slug, budget.pk],
        )
        if checked_out
        else None,
    }


NOT_ALLOWED = OpenApiResponse(
    ErrorSerializer,
    description="Not signed in, no CSRF token, not verified on the voter list "
    "(not_verified), or a budget of another district (other_district).",
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such budget.")
EXAMPLE = OpenApiExample("A choice", value={"projects": [12, 15]}, request_only=True)


class ResidentView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]


class BallotView(ResidentView):
    @extend_schema(
        summary="Your ballot in a budget",
        responses={200: BallotSerializer, 403: NOT_ALLOWED, 404: NOT_FOUND},
    )
    def get(self, request, budget: int):
        found = _budget(budget)
        voter = _voter(request, found)
        return Response(BallotSerializer(_body(found, ballots.ballot_of(voter, found))).data)

    @extend_schema(
        summary="Keep your choice as a draft (not counted until checked out)",
        request=ChoiceInSerializer,
        responses={
            200: BallotSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="A project that is not on this ballot: unknown_project, "
                "other_budget, not_on_ballot; or a malformed body.",
            ),
            403: NOT_ALLOWED,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description="not_open, closed, no_voting, or checked_out (check out again "
                "to change a counted ballot).",
            ),
        },
        examples=[EXAMPLE],
    )
    def put(self, request, budget: int):
        found = _budget(budget)
        # Who asks comes before what they send: someone who may not vote here learns nothing
        # about the ballot's rules from a refusal of the body.
        voter = _voter(request, found)
        incoming = ChoiceInSerializer(data=request.data)
        if not incoming.is_valid():
            raise _first_error(incoming)
        try:
            ballot = ballots.ballot_save_draft(
                voter=voter,
                budget=found,
                proposal_ids=incoming.validated_data["projects"],
                user=request.user,
            )
        except ValidationError as error:
            return refusal(error)
        return Response(BallotSerializer(_body(found, ballot)).data)


class BallotCheckoutView(ResidentView):
    @extend_schema(
        summary="Check out your ballot: checked against the rules, then counted",
        request=ChoiceInSerializer,
        responses={
            200: BallotSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="The rules refuse the choice: over_budget, under_min_share, "
                "too_few, too_many, unknown_project, other_budget, not_on_ballot.",
            ),
            403: NOT_ALLOWED,
            404: NOT_FOUND,
            409: OpenApiResponse(ErrorSerializer, description="not_open, closed, no_voting."),
        },
        examples=[
            EXAMPLE,
            OpenApiExample(
                "Over the budget",
                value={
                    "detail": "Your choice costs 412,000 GEL; the budget is 400,000 GEL.",
                    "code": "over_budget",
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request, budget: int):
        incoming = ChoiceInSerializer(data=request.data)
        if not incoming.is_valid():
            # No such budget is a 404 and someone who may not vote here a 403, whatever the body.
            _voter(request, _budget(budget))
            raise _first_error(incoming)
        chosen = incoming.validated_data["projects"]
        read = ballots.checkout_read(budget_id=budget, user_id=request.user.pk, proposal_ids=chosen)
        if read is None:
            raise exceptions.NotFound(_("There is no such budget."))
        found, voter, proposals = read
        if voter is None:
            _voter(request, found)  # refuses: not verified
        try:
            ballots.check_may_vote_in(voter, found)
        except ValidationError as error:
            raise exceptions.PermissionDenied(error.messages[0], code="other_district") from None
        try:
            ballot = ballots.ballot_checkout(
                voter=voter, budget=found, proposal_ids=chosen, user=request.user, found=proposals
            )
        except ValidationError as error:
            answer = refusal(error)
            answer._has_been_logged = True  # a refused choice is the resident's, not a fault
            return answer
        return Response(BallotSerializer(_body(found, ballot, checked=True)).data)
