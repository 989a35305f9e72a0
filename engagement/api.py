"""The public REST API of comments: a feature's thread (`GET /api/v1/comments/?layer=..&feature=..`,
paged), writing a comment or a reply (signed in, `POST /api/v1/comments/`), and reporting one
(`POST /api/v1/comments/{id}/report/`).

Hidden comments are listed with the moderator's published reason and never their text. Errors
follow core/api.py: 400 {"detail", "parameter", "code"} naming the member at fault; 404 and the
refusals of state (a closed comment window: 409; a second report: 409) {"detail", "code"}.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.api import (
    BadParameter,
    BoundedPagination,
    ErrorSerializer,
    NotFoundErrorSerializer,
    ParameterErrorSerializer,
    text_param,
)
from core.parsers import JSONParser
from engagement import selectors, services
from engagement.models import BODY_MAX_LENGTH, Comment, ReportReason, Stance


class Refused(exceptions.APIException):
    """409: the request is well formed but the state refuses it (a closed window, a repeat)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"

    def __init__(self, message: str, code: str):
        # A dict detail is answered as it is: {"detail", "code"}.
        super().__init__({"detail": message, "code": code})


# A refusal is an error like any other: {"detail", "code"} (core/api.py), with codes such as
# closed, already_reported, own_comment, too_many.
RefusalSerializer = ErrorSerializer


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="First name and initial; never e-mail.")
    text = serializers.SerializerMethodField(
        help_text="The published text (personal data replaced by [removed]); null when hidden."
    )
    hidden = serializers.SerializerMethodField()
    hidden_reason = serializers.SerializerMethodField(
        help_text="Published in place of a hidden comment: “Hidden by the moderator: …”."
    )
    stance_label = serializers.CharField(source="get_stance_display")

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "depth",
            "stance",
            "stance_label",
            "text",
            "hidden",
            "hidden_reason",
            "author",
            "created_at",
        ]

    def get_author(self, comment) -> str:
        return selectors.author_name(comment.author)

    def get_text(self, comment) -> str | None:
        return None if comment.is_hidden else comment.body

    def get_hidden(self, comment) -> bool:
        return comment.is_hidden

    def get_hidden_reason(self, comment) -> str | None:
        return comment.hidden_reason if comment.is_hidden else None


class CommentCreateSerializer(serializers.Serializer):
    layer = serializers.CharField(max_length=100, help_text="A layer that takes comments.")
    feature = serializers.CharField(max_length=100, help_text="The feature's id in the layer.")
    stance = serializers.ChoiceField(choices=Stance.choices)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=True)
    parent = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The comment answered, if any."
    )


class ReportCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    details = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    comment = serializers.IntegerField(source="comment_id")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentPagination(BoundedPagination):
    @property
    def default_limit(self) -> int:
        return 50

    @property
    def max_limit(self) -> int:
        return 200


def _first_error(serializer: serializers.Serializer) -> BadParameter:
    name, found = next(iter(serializer.errors.items()))
    detail = found[0] if isinstance(found, list) else found
    return BadParameter(name, str(detail), getattr(detail, "code", None) or "invalid")


def _refusal(error: ValidationError, fields: dict[str, str]) -> exceptions.APIException:
    """The service's ValidationError as the API's error: a member's fault is 400 naming it,
    a refusal of state 409, signing in 403."""
    if hasattr(error, "error_dict"):
        name, found = next(iter(error.error_dict.items()))
        return BadParameter(fields.get(name, name), found[0].messages[0], found[0].code)
    code = getattr(error, "code", None) or "refused"
    if code == "sign_in":
        return exceptions.NotAuthenticated(error.messages[0])
    if code in ("no_comments", "no_feature"):
        parameter = "layer" if code == "no_comments" else "feature"
        return BadParameter(parameter, error.messages[0], code)
    return Refused(error.messages[0], code)


THREAD_PARAMETERS = [
    OpenApiParameter(
        "layer",
        OpenApiTypes.STR,
        required=True,
        description="A layer that takes comments.",
        pattern=r"\S",
        examples=[OpenApiExample("The permit register", value="permit-applications")],
    ),
    OpenApiParameter(
        "feature",
        OpenApiTypes.STR,
        required=True,
        description="The feature's id in the layer.",
        pattern=r"\S",
        examples=[OpenApiExample("The demo data's first application", value="1")],
    ),
]


class CommentListView(GenericAPIView):
    authentication_classes = [SessionAuthentication]
    parser_classes = [JSONParser, FormParser]
    pagination_class = CommentPagination
    serializer_class = CommentSerializer

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(
        summary="A feature's comments, in thread order",
        parameters=THREAD_PARAMETERS,
        responses={
            200: CommentSerializer(many=True),
            400: ParameterErrorSerializer,
            404: NotFoundErrorSerializer,
        },
    )
    def get(self, request):
        layer_name = text_param(request, "layer", required=True)
        feature_id = text_param(request, "feature", required=True)
        layer = selectors.comment_layer(layer_name)
        if layer is None or not layer.can_view(request.user):
            raise exceptions.NotFound(f"No layer {layer_name!r} takes comments.")
        target = selectors.feature_target(layer, feature_id)
        if target is None:
            raise exceptions.NotFound(f"The layer {layer.name!r} has no feature {feature_id!r}.")
        comments = selectors.thread(layer.name, target.feature_id)
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        summary="Write a comment or a reply (signed in)",
        request=CommentCreateSerializer,
        responses={
            201: CommentSerializer,
            400: ParameterErrorSerializer,
            403: OpenApiResponse(NotFoundErrorSerializer, description="Not signed in."),
            409: OpenApiResponse(
                RefusalSerializer,
                description="Comments are not taken now (the message says why and until when), "
                "or too many comments in an hour.",
            ),
        },
        examples=[
            OpenApiExample(
                "A comment",
                value={
                    "layer": "permit-applications",
                    "feature": "1",
                    "stance": "against",
                    "body": "The building is too tall for the street.",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        incoming = CommentCreateSerializer(data=request.data)
        if not incoming.is_valid():
            raise _first_error(incoming)
        data = incoming.validated_data
        try:
            comment = services.comment_create(
                layer=data["layer"],
                feature_id=data["feature"],
                author=request.user,
                stance=data["stance"],
                body=data["body"],
                parent=data.get("parent"),
            )
        except ValidationError as error:
            raise _refusal(error, {}) from None
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentReportView(GenericAPIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]
    serializer_class = ReportCreateSerializer

    @extend_schema(
        summary="Report a comment to its moderators (signed in; once per person)",
        request=ReportCreateSerializer,
        responses={
            201: ReportSerializer,
            400: ParameterErrorSerializer,
            403: OpenApiResponse(NotFoundErrorSerializer, description="Not signed in."),
            404: NotFoundErrorSerializer,
            409: OpenApiResponse(RefusalSerializer, description="Reported already, or yours."),
        },
    )
    def post(self, request, pk: int):
        # A hidden comment is seen by its moderators only: to anyone else it does not exist.
        comment = Comment.objects.visible().filter(pk=pk).first()
        if comment is None or selectors.comment_layer(comment.layer) is None:
            raise exceptions.NotFound("There is no such comment.")
        incoming = ReportCreateSerializer(data=request.data)
        if not incoming.is_valid():
            raise _first_error(incoming)
        try:
            report = services.comment_report(
                comment=comment,
                reporter=request.user,
                reason=incoming.validated_data["reason"],
                details=incoming.validated_data["details"],
            )
        except ValidationError as error:
            raise _refusal(error, {}) from None
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
