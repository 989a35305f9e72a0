"""Reads of engagement: a feature's thread and its summary, what someone follows, the inbox and
the moderators' list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import Municipality
from core.rules import roles_by_municipality
from engagement.models import (
    Comment,
    CommentReport,
    Follow,
    FollowKind,
    Notification,
    NotificationPreference,
    Stance,
)
from engagement.rules import layers_moderated_with
from layers import selectors as layer_selectors
from layers.registry import Layer, registry

INBOX_PAGE_SIZE = 50
CARD_LATEST = 3


def author_name(user) -> str:
    """How an author is shown to everyone: the first name and the initial of the last name,
    never the e-mail address or the user name."""
    if user is None:
        return _("A former user")
    first = (user.first_name or "").strip()
    last = (user.last_name or "").strip()
    if not first:
        return _("A resident")
    return f"{first} {last[0]}." if last else first


# ---------------------------------------------------------------------------------------------
# Features


def comment_layer(name: str) -> Layer | None:
    """A layer declared in code that takes comments; None for any other name."""
    layer = registry.get_declared(name)
    return layer if layer is not None and layer.comments else None


@dataclass(frozen=True)
class FeatureTarget:
    """A feature that can be commented on or followed, as engagement needs it."""

    layer: Layer
    feature_id: str
    properties: dict[str, Any]
    center: tuple[float, float] | None
    label: str
    # The owning module's page of the feature, else the feature's page among the layers.
    url: str

    @property
    def closed_message(self) -> str | None:
        """Why comments are not taken now (shown to people), or None while they are."""
        if not self.layer.comments:
            return _("This layer takes no comments.")
        if self.layer.comments_open is None:
            return None
        return self.layer.comments_open(self.properties)

    def municipality(self) -> Municipality | None:
        """The municipality the feature lies in (its inner point), if the portal serves it."""
        if self.center is None:
            return None
        point = Point(*self.center, srid=settings.SRID_API)
        return Municipality.objects.filter(boundary__covers=point).first()

    def geometry(self) -> GEOSGeometry | None:
        """The feature's geometry in the storage SRID."""
        queryset = self.layer.get_queryset().filter(pk=self.feature_id).order_by()
        found = queryset.annotate(
            engagement_geometry=Transform(self.layer.geometry_field, settings.SRID_STORAGE)
        ).values_list("engagement_geometry", flat=True)
        return found.first()


def feature_target(layer: Layer, feature_id: Any) -> FeatureTarget | None:
    """The feature of the layer with this id (one query), or None when there is none."""
    from layers.pages import feature_label

    try:
        key = layer_selectors.parse_feature_id(layer, str(feature_id))
    except layer_selectors.InvalidFeatureId:
        return None
    feature = layer_selectors.feature_by_id(layer, key)
    if feature is None:
        return None
    url = layer.page_for(feature.properties) or reverse(
        "layer-pages:feature", kwargs={"name": layer.name, "feature_id": str(feature.id)}
    )
    return FeatureTarget(
        layer=layer,
        feature_id=str(feature.id),
        properties=feature.properties,
        center=feature.center,
        label=feature_label(layer, feature),
        url=url,
    )


def followable_layer(name: str, user) -> Layer | None:
    """A layer whose features may be followed by this person: one they may see, that takes
    comments or whose features have a page of their module (where events happen)."""
    layer = registry.get(name)
    if layer is None or not layer.can_view(user):
        return None
    if not (layer.comments or layer.page_url is not None):
        return None
    return layer


# ---------------------------------------------------------------------------------------------
# Threads


def thread(layer: str, feature_id) -> QuerySet[Comment]:
    """Every comment on a feature in thread order (each reply after the one it answers)."""
    return (
        Comment.objects.on_feature(layer, feature_id)
        .select_related("author")
        .defer("body_original")
        .order_by("path")
    )


def thread_summary(layer: str, feature_id) -> dict[str, int]:
    """How many comments a feature has, and how many of the visible ones take each stance."""
    visible = Q(hidden_at__isnull=True)
    counts = Comment.objects.on_feature(layer, feature_id).aggregate(
        total=Count("pk"),
        **{stance.value: Count("pk", filter=visible & Q(stance=stance.value)) for stance in Stance},
    )
    return counts


def latest_comments(layer: str, feature_id, count: int = CARD_LATEST) -> list[Comment]:
    return list(thread(layer, feature_id).order_by("-created_at", "-pk")[:count])


# ---------------------------------------------------------------------------------------------
# Follows


def feature_follow(user, layer: str, feature_id) -> Follow | None:
    if not user.is_authenticated:
        return None
    return Follow.objects.of_feature(layer, feature_id).filter(user=user).first()


def object_follow(user, obj) -> Follow | None:
    if not user.is_authenticated:
        return None
    return Follow.objects.of_object(obj).filter(user=user).first()


def follows_of(user) -> dict[str, list[Follow]]:
    """What a person follows, by kind, newest first."""
    found: dict[str, list[Follow]] = {kind.value: [] for kind in FollowKind}
    if not user.is_authenticated:
        return found
    for follow in Follow.objects.filter(user=user).select_related("content_type"):
        found[follow.kind].append(follow)
    return found


def object_followers(obj) -> QuerySet:
    """The people who follow an object (an application), active accounts only."""
    from django.contrib.auth import get_user_model

    follows = Follow.objects.of_object(obj)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=follows.values("user_id"))
        .order_by("pk")
    )


def content_type_of(label: str) -> ContentType | None:
    """The content type named "app_label.model", or None."""
    app_label, _sep, model = label.partition(".")
    if not app_label or not model:
        return None
    try:
        return ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------
# Notifications


def preference_of(user) -> NotificationPreference:
    """A person's preferences, or the defaults (unsaved) when they never chose."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.for_user(user).unread().count()


# ---------------------------------------------------------------------------------------------
# Moderation


def moderation_scope(user) -> Q | None:
    """The comments a person moderates, as a filter: None for all of them (a superuser)."""
    if user.is_active and user.is_superuser:
        return None
    scope = Q(pk__in=[])
    for municipality_id, roles in roles_by_municipality(user).items():
        layer_names = layers_moderated_with(roles)
        if layer_names is None:
            scope |= Q(municipality_id=municipality_id)
        elif layer_names:
            scope |= Q(municipality_id=municipality_id, layer__in=layer_names)
    return scope


def is_moderator(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(
        layers_moderated_with(roles) != [] for roles in roles_by_municipality(user).values()
    )


def moderation_queue(user) -> QuerySet[Comment]:
    """Comments with reports not yet dealt with, and hidden ones, that the person moderates:
    reported first, then the most recently hidden."""
    open_reports = CommentReport.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
    comments = Comment.objects.annotate(
        reported=Exists(open_reports),
        open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
    ).filter(Q(reported=True) | Q(hidden_at__isnull=False))
    scope = moderation_scope(user)
    if scope is not None:
        comments = comments.filter(scope)
    return comments.select_related("author", "municipality", "hidden_by").order_by(
        "-reported", "-hidden_at", "-created_at"
    )


def reported_count(user) -> int:
    """Comments with open reports that the person moderates (the moderation link's badge)."""
    comments = Comment.objects.filter(reports__resolved_at__isnull=True)
    scope = moderation_scope(user)
    if scope is not None:
        comments = comments.filter(scope)
    return comments.values("pk").distinct().count()
