"""The bidding API of a lot, under /api/v1/estate/lots/{reference}/ (docs/estate-auctions.md):

- `registration`: POST registers the signed-in person to bid (201); GET is their own
  registration (404 when they have none).
- `deposit`: POST starts paying the deposit and answers where to pay it (201 {"pay_url"}).
- `bids`: POST places a bid {"amount": "1250.00", "key": "<uuid>"}: 201 with the new price,
  200 with the same body when the key was used already (a retry).
- `state`: GET the lot's public state for anyone; its ETag is the lot's version, and an
  If-None-Match that names it is answered 304 with no body.

Writes need the session of a sign-in and its CSRF token (X-CSRFToken). Refusals of the auction
engine answer in the one error shape (core/api.py) with its code, 400, 404 or 409, and, for a
bid below the minimum, "minimum_bid". A 201 to a bid is sent only after the bid is committed.
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import BadParameter, ErrorSerializer
from core.errors import error_body
from core.parsers import JSONParser
from estate import auctions
from estate.auctions import AuctionError
from estate.models import PUBLIC_LOT_STATUSES, BidderRegistration, Lot

# --- Shapes ---------------------------------------------------------------------------------


class RegistrationInSerializer(serializers.Serializer):
    legal_name = serializers.CharField(
        max_length=200, help_text="A person's full name as on their account, or a company's."
    )
    id_number = serializers.CharField(
        max_length=20, help_text="A personal number (11 digits) or a company's (9 digits)."
    )
    is_company = serializers.BooleanField(default=False)


class RegistrationSerializer(serializers.Serializer):
    lot = serializers.CharField(source="lot.reference")
    alias = serializers.IntegerField(help_text="The bidder number, shown after the close.")
    legal_name = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked", help_text="Masked.")
    is_company = serializers.BooleanField()
    status = serializers.CharField(
        help_text="registered (deposit unpaid), paid, released, retained or forfeited."
    )
    deposit = serializers.DecimalField(max_digits=14, decimal_places=2)
    may_bid = serializers.BooleanField()
    registered_at = serializers.DateTimeField()


class DepositInSerializer(serializers.Serializer):
    provider = serializers.CharField(
        max_length=30, default="demo", help_text="A payment provider this portal offers."
    )


class DepositSerializer(serializers.Serializer):
    pay_url = serializers.CharField(help_text="Where the bidder pays the deposit.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    provider = serializers.CharField()
    reference = serializers.CharField(help_text="The payment's reference at the provider.")


class BidInSerializer(serializers.Serializer):
    amount = serializers.RegexField(
        r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
        max_length=15,
        help_text="Lari as a decimal string with at most two places: 1250.00.",
        error_messages={"invalid": _("A bid is an amount in lari with at most two decimals.")},
    )
    key = serializers.UUIDField(
        help_text="The bidder's own key for this bid: sending it again gives the same bid."
    )


class BidSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="The bid's number in the lot's price path.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    placed_at = serializers.DateTimeField(help_text="By the database's clock.")
    current_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    minimum_bid = serializers.DecimalField(max_digits=14, decimal_places=2)
    closes_at = serializers.DateTimeField(help_text="The end, moved later by late bids.")


class BidErrorSerializer(ErrorSerializer):
    minimum_bid = serializers.CharField(
        required=False, help_text="The least the next bid may be (with below_minimum)."
    )


class StateBidSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    amount = serializers.CharField()
    placed_at = serializers.DateTimeField()
    alias = serializers.IntegerField(required=False, help_text="After the close only.")


class StateSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    current_price = serializers.CharField(allow_null=True)
    start_price = serializers.CharField()
    minimum_bid = serializers.CharField(allow_null=True)
    bid_step = serializers.CharField()
    bid_count = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    version = serializers.IntegerField(help_text="Grows with every change; also the ETag.")
    server_time = serializers.DateTimeField()
    bids = StateBidSerializer(many=True, help_text="The latest 20 standing bids, newest first.")
    winner = serializers.IntegerField(required=False, help_text="The winner's bidder number.")
    final_price = serializers.CharField(required=False)


# --- Helpers --------------------------------------------------------------------------------


# The body member at fault in a refusal of bad input.
PARAMETERS = {
    "invalid_amount": "amount",
    "invalid_id_number": "id_number",
    "name_mismatch": "legal_name",
    "invalid_name": "legal_name",
    "unknown_provider": "provider",
}


def refusal(error: AuctionError) -> Response:
    body = error_body(error.message, error.code, parameter=PARAMETERS.get(error.code))
    body.update(error.extra)
    return Response(body, status=error.status)


def _first_error(incoming: serializers.Serializer) -> BadParameter:
    name, found = next(iter(incoming.errors.items()))
    detail = found[0] if isinstance(found, list) else found
    return BadParameter(name, str(detail), getattr(detail, "code", None) or "invalid")


def _public_lot(reference: str) -> Lot:
    lot = Lot.objects.filter(reference=reference, status__in=PUBLIC_LOT_STATUSES).first()
    if lot is None:
        raise exceptions.NotFound(auctions._not_found().message)
    return lot


def _registration(lot: Lot, user) -> BidderRegistration | None:
    return BidderRegistration.objects.filter(lot=lot, user=user).select_related("lot").first()


SIGNED_IN = OpenApiResponse(ErrorSerializer, description="Not signed in, or no CSRF token.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No public lot has this number.")


class BiddingView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]


# --- Views ----------------------------------------------------------------------------------


class LotRegistrationView(BiddingView):
    @extend_schema(
        summary="Your registration to bid on a lot",
        responses={
            200: RegistrationSerializer,
            403: SIGNED_IN,
            404: OpenApiResponse(ErrorSerializer, description="No such lot, or not registered."),
        },
    )
    def get(self, request, reference: str):
        lot = _public_lot(reference)
        registration = _registration(lot, request.user)
        if registration is None:
            raise exceptions.NotFound(_("You are not registered to bid on this lot."))
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        summary="Register to bid on a lot (signed in, e-mail verified)",
        request=RegistrationInSerializer,
        responses={
            201: RegistrationSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="A member is wrong: invalid_id_number, name_mismatch, invalid_name.",
            ),
            403: SIGNED_IN,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description="already_registered, identity_unverified (no verified e-mail), "
                "closed, full.",
            ),
        },
        examples=[
            OpenApiExample(
                "A person",
                value={"legal_name": "Nino Beridze", "id_number": "01001012345"},
                request_only=True,
            )
        ],
    )
    def post(self, request, reference: str):
        lot = _public_lot(reference)
        incoming = RegistrationInSerializer(data=request.data)
        if not incoming.is_valid():
            raise _first_error(incoming)
        try:
            registration = auctions.bidder_register(
                lot=lot, user=request.user, **incoming.validated_data
            )
        except AuctionError as error:
            return refusal(error)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


class LotDepositView(BiddingView):
    @extend_schema(
        summary="Start paying your deposit for a lot",
        request=DepositInSerializer,
        responses={
            201: DepositSerializer,
            400: OpenApiResponse(ErrorSerializer, description="unknown_provider."),
            403: SIGNED_IN,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer, description="not_registered, deposit_paid, closed."
            ),
        },
    )
    def post(self, request, reference: str):
        lot = _public_lot(reference)
        incoming = DepositInSerializer(data=request.data)
        if not incoming.is_valid():
            raise _first_error(incoming)
        registration = _registration(lot, request.user)
        try:
            if registration is None:
                raise AuctionError(
                    _("Register as a bidder on this lot before you bid."),
                    "not_registered",
                )
            deposit, url = auctions.deposit_start(
                registration=registration, provider=incoming.validated_data["provider"]
            )
        except AuctionError as error:
            return refusal(error)
        body = {
            "pay_url": request.build_absolute_uri(url),
            "amount": deposit.amount,
            "provider": deposit.provider,
            "reference": deposit.provider_reference,
        }
        return Response(DepositSerializer(body).data, status=status.HTTP_201_CREATED)


class LotBidView(BiddingView):
    @extend_schema(
        summary="Place a bid (registered, deposit paid)",
        request=BidInSerializer,
        responses={
            200: OpenApiResponse(BidSerializer, description="This key's bid, made before."),
            201: BidSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="invalid_amount, or a member missing."
            ),
            403: SIGNED_IN,
            404: NOT_FOUND,
            409: OpenApiResponse(
                BidErrorSerializer,
                description="not_open, closed, not_registered, deposit_unpaid, "
                "below_minimum (with minimum_bid), already_leading.",
            ),
        },
        examples=[
            OpenApiExample(
                "A bid",
                value={"amount": "1250.00", "key": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
                request_only=True,
            ),
            OpenApiExample(
                "Below the minimum",
                value={
                    "detail": "The bid must be at least 1300.00 GEL.",
                    "code": "below_minimum",
                    "minimum_bid": "1300.00",
                },
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )
    def post(self, request, reference: str):
        incoming = BidInSerializer(data=request.data)
        if not incoming.is_valid():
            _public_lot(reference)  # a lot no one may see is not found, whatever the body
            raise _first_error(incoming)
        try:
            bid = auctions.bid_place(
                reference=reference,
                user=request.user,
                amount=incoming.validated_data["amount"],
                key=incoming.validated_data["key"],
            )
        except AuctionError as error:
            answer = refusal(error)
            # A refused bid is the everyday of a bidding war, not a fault to log.
            answer._has_been_logged = True
            return answer
        body = {
            "sequence": bid.sequence,
            "amount": bid.amount,
            "placed_at": bid.placed_at,
            "current_price": bid.lot_current_price,
            "minimum_bid": bid.lot_minimum_bid,
            "closes_at": bid.lot_closes_at,
        }
        code = status.HTTP_201_CREATED if bid.created else status.HTTP_200_OK
        return Response(BidSerializer(body).data, status=code)


class LotStateView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A lot's public auction state (anyone; ETag and 304)",
        responses={
            200: StateSerializer,
            304: OpenApiResponse(description="Unchanged since the ETag named: no body."),
            404: NOT_FOUND,
        },
    )
    def get(self, request, reference: str):
        found = (
            Lot.objects.filter(reference=reference, status__in=PUBLIC_LOT_STATUSES)
            .values_list("version", flat=True)
            .first()
        )
        if found is None:
            raise exceptions.NotFound(auctions._not_found().message)
        etag = f'"{found}"'
        if _etag_matches(request.headers.get("If-None-Match"), etag):
            answer = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            state = auctions.lot_state(_public_lot(reference))
            answer = Response(state)
            etag = f'"{state["version"]}"'
        answer["ETag"] = etag
        patch_cache_control(answer, no_cache=True)
        return answer


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags
