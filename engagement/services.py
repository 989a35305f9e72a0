"""Writes of engagement: comments and their moderation, follows, and telling the followers.

Followers are told by jobs (`engagement/jobs.py`) deferred in the transaction that made the
comment or the event, so that a request never waits for them; with NOTIFY_SYNC, at once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.geometry import GeometryError, parse_geometry
from engagement import selectors
from engagement.models import (
    BODY_MAX_LENGTH,
    MAX_DEPTH,
    PATH_WIDTH,
    Comment,
    CommentReport,
    Follow,
    FollowKind,
    ReportReason,
    Stance,
)
from engagement.notifications import notify_sync, notify_user
from engagement.redaction import redact
from engagement.rules import can_moderate
from layers.registry import registry

# What modules publish about their features (feature_event_publish): a feature appeared on
# the map (an application submitted to the public register), changed, or was decided.
FEATURE_EVENTS = ("new", "changed", "decided")


def _field_error(name: str, message: str, code: str) -> ValidationError:
    """A refusal naming the field at fault, with a code for programs (the API answers it)."""
    return ValidationError({name: ValidationError(message, code=code)})


def _require_signed_in(user, message: str) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise ValidationError(message, code="sign_in")


# ---------------------------------------------------------------------------------------------
# Comments


def _parent_for(parent, layer: str, feature_id: str) -> Comment | None:
    if parent is None or parent == "":
        return None
    pk = parent.pk if isinstance(parent, Comment) else parent
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    found = (
        Comment.objects.select_for_update().on_feature(layer, feature_id).filter(pk=pk).first()
        if pk
        else None
    )
    if found is None:
        raise _field_error(
            "parent", _("There is no such comment on this feature to answer."), "no_parent"
        )
    if found.depth >= MAX_DEPTH:
        raise _field_error(
            "parent",
            _("Replies go two levels deep: answer the comment this one answers."),
            "too_deep",
        )
    if found.is_hidden:
        raise _field_error("parent", _("A hidden comment takes no replies."), "parent_hidden")
    return found


def _comment_errors(stance: str, text: str) -> dict[str, ValidationError]:
    errors = {}
    if stance not in Stance.values:
        errors["stance"] = ValidationError(
            _("Say whether you are in favour, neutral or against."), code="stance"
        )
    if not text:
        errors["body"] = ValidationError(_("Write your comment."), code="required")
    elif len(text) > BODY_MAX_LENGTH:
        errors["body"] = ValidationError(
            _("A comment may be at most %(max)d characters long; this one has %(count)d.")
            % {"max": BODY_MAX_LENGTH, "count": len(text)},
            code="too_long",
        )
    return errors


def _rate_check(author) -> None:
    limit = getattr(settings, "COMMENTS_PER_HOUR", 20)
    since = timezone.now() - datetime.timedelta(hours=1)
    if Comment.objects.filter(author=author, created_at__gte=since).count() >= limit:
        raise ValidationError(
            _("You have written many comments in the last hour; please wait a while."),
            code="too_many",
        )


@transaction.atomic
def comment_create(
    *,
    layer: str,
    feature_id,
    author,
    stance: str,
    body: str,
    parent: Comment | int | str | None = None,
) -> Comment:
    """A signed-in person's comment on a feature of a layer that takes comments, or a reply.

    Refused with the layer's message while its window is closed (a permit application's
    comments: outside its neighbour consultation). Personal data in the text is replaced by a
    mark in what is published; the text as written is kept for the moderators. The feature's
    followers, the author of the comment answered and those following an area around the
    feature are told by a job.
    """
    _require_signed_in(author, _("Sign in to comment."))
    found = selectors.comment_layer(layer)
    if found is None or not found.can_view(author):
        raise ValidationError(_("This layer takes no comments."), code="no_comments")
    target = selectors.feature_target(found, feature_id)
    if target is None:
        raise ValidationError(_("There is no such feature on this layer."), code="no_feature")
    closed = target.closed_message
    if closed:
        raise ValidationError(closed, code="closed")
    parent = _parent_for(parent, found.name, target.feature_id)
    text = (body or "").replace("\x00", "").strip()
    errors = _comment_errors(stance, text)
    if errors:
        raise ValidationError(errors)
    _rate_check(author)
    published, redacted = redact(text)
    comment = Comment(
        layer=found.name,
        feature_id=target.feature_id,
        municipality=parent.municipality if parent else target.municipality(),
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        author=author,
        stance=stance,
        body=published,
        body_original=text,
        redacted=redacted,
    )
    # The text was measured as written; the published one may be longer by its marks.
    comment.full_clean(exclude=["path", "body"])
    comment.save()
    comment.path = (parent.path if parent else "") + f"{comment.pk:0{PATH_WIDTH}d}/"
    comment.save(update_fields=["path"])
    if notify_sync():
        comment_followers_notify(comment=comment)
    else:
        from engagement.jobs import comment_published

        comment_published.defer(comment_id=comment.pk)
    return comment


@transaction.atomic
def comment_report(*, comment: Comment, reporter, reason: str, details: str = "") -> CommentReport:
    """A signed-in person reports a comment to its moderators, once."""
    _require_signed_in(reporter, _("Sign in to report a comment."))
    if comment.author_id == reporter.pk:
        raise ValidationError(_("You cannot report your own comment."), code="own_comment")
    if reason not in ReportReason.values:
        raise _field_error("reason", _("Choose why you report it."), "reason")
    report = CommentReport(
        comment=comment,
        reporter=reporter,
        reason=reason,
        details=(details or "").replace("\x00", "").strip(),
    )
    report.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(
            _("You have reported this comment already; the moderators will look at it."),
            code="already_reported",
        ) from None
    return report


def _require_moderator(user, comment: Comment) -> None:
    if user is None or not can_moderate.test(user, comment):
        raise PermissionDenied(_("You do not moderate this comment."))


def _reports_resolve(comment: Comment) -> int:
    return comment.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


def _tell_author(comment: Comment, action: str, reason: str) -> None:
    target = _target_of(comment)
    url = f"{target.url}#comment-{comment.pk}" if target else "/"
    notify_user(
        recipient=comment.author,
        kind="moderation",
        context={"comment": comment, "action": action, "reason": reason, "feature": target},
        url=url,
        about=comment,
        municipality=comment.municipality,
    )


@transaction.atomic
def comment_hide(*, comment: Comment, by, reason: str) -> Comment:
    """A moderator hides a comment; the reason is published in its place and its author told."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    _require_moderator(by, comment)
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise _field_error(
            "reason", _("Give the reason; it is published in place of the comment."), "required"
        )
    comment.hidden_at = timezone.now()
    comment.hidden_by = by
    comment.hidden_reason = reason
    comment.full_clean(exclude=["path", "body"])
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _reports_resolve(comment)
    _tell_author(comment, "hidden", reason)
    return comment


@transaction.atomic
def comment_restore(*, comment: Comment, by, reason: str = "") -> Comment:
    """A moderator shows a hidden comment again; its author is told."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    _require_moderator(by, comment)
    if not comment.is_hidden:
        raise ValidationError(_("This comment is not hidden."), code="not_hidden")
    comment.hidden_at = None
    comment.hidden_by = None
    comment.hidden_reason = ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _reports_resolve(comment)
    _tell_author(comment, "restored", (reason or "").strip())
    return comment


@transaction.atomic
def comment_reports_dismiss(*, comment: Comment, by) -> int:
    """A moderator keeps a reported comment as it is; its open reports are dealt with."""
    _require_moderator(by, comment)
    return _reports_resolve(comment)


# ---------------------------------------------------------------------------------------------
# Follows


@transaction.atomic
def follow_feature(*, user, layer: str, feature_id) -> Follow:
    """Follow a feature: its new comments and what its module publishes about it."""
    _require_signed_in(user, _("Sign in to follow."))
    found = selectors.followable_layer(layer, user)
    target = selectors.feature_target(found, feature_id) if found is not None else None
    if target is None:
        raise ValidationError(_("There is no such feature to follow."), code="no_feature")
    follow, _created = Follow.objects.get_or_create(
        user=user, kind=FollowKind.FEATURE, layer=found.name, feature_id=target.feature_id
    )
    return follow


@transaction.atomic
def follow_object(*, user, obj) -> Follow:
    """Follow an object such as an application, if its app lets this person (the permission
    `<app>.follow_<model>`, e.g. staff who handle the application)."""
    _require_signed_in(user, _("Sign in to follow."))
    opts = obj._meta
    if not user.has_perm(f"{opts.app_label}.follow_{opts.model_name}", obj):
        raise PermissionDenied(_("You may not follow this."))
    follow, _created = Follow.objects.get_or_create(
        user=user,
        kind=FollowKind.OBJECT,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )
    return follow


def _area_polygon(area) -> Polygon:
    try:
        geometry = (
            area
            if isinstance(area, GEOSGeometry)
            else parse_geometry(area, target_srid=settings.SRID_STORAGE)
        )
    except GeometryError as error:
        raise _field_error("area", error.message, error.code) from None
    if geometry.srid != settings.SRID_STORAGE:
        geometry = geometry.transform(settings.SRID_STORAGE, clone=True)
    if isinstance(geometry, MultiPolygon) and len(geometry) == 1:
        geometry = geometry[0]
    if not isinstance(geometry, Polygon):
        raise _field_error("area", _("Draw one polygon."), "not_polygon")
    geometry.srid = settings.SRID_STORAGE
    return geometry


@transaction.atomic
def follow_area(*, user, area, name: str = "") -> Follow:
    """Follow an area drawn on the map (a polygon; GeoJSON in EPSG:4326 or any SRID the
    geometry input allows): new features and comments inside it. At most FOLLOW_AREA_MAX_KM2
    large, and at most FOLLOW_AREAS_MAX areas a person."""
    _require_signed_in(user, _("Sign in to follow."))
    polygon = _area_polygon(area)
    largest = float(getattr(settings, "FOLLOW_AREA_MAX_KM2", 25.0))
    area_km2 = polygon.area / 1e6
    if area_km2 > largest:
        raise _field_error(
            "area",
            _("The area covers %(area).1f km²; an area you follow may cover at most %(max)s km².")
            % {"area": area_km2, "max": f"{largest:g}"},
            "too_large",
        )
    most = int(getattr(settings, "FOLLOW_AREAS_MAX", 10))
    if Follow.objects.filter(user=user, kind=FollowKind.AREA).count() >= most:
        raise ValidationError(
            _("You follow %(count)d areas already, the most one may; remove one first.")
            % {"count": most},
            code="too_many",
        )
    follow = Follow(user=user, kind=FollowKind.AREA, area=polygon, name=(name or "").strip())
    follow.full_clean()
    follow.save()
    return follow


@transaction.atomic
def follow_remove(*, user, follow: Follow) -> None:
    if follow.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This is not yours."))
    follow.delete()


# ---------------------------------------------------------------------------------------------
# Telling followers


def _target_of(comment: Comment):
    layer = registry.get_declared(comment.layer)
    return selectors.feature_target(layer, comment.feature_id) if layer is not None else None


def _users(ids) -> list:
    return list(get_user_model().objects.filter(pk__in=set(ids), is_active=True).order_by("pk"))


def comment_followers_notify(*, comment: Comment) -> int:
    """Tell, once each: the author of the comment answered, the feature's followers, and those
    following an area the feature touches. The comment's author is never told of their own.
    How many were told."""
    if comment.is_hidden:
        return 0
    target = _target_of(comment)
    if target is None:
        return 0
    layer = target.layer
    parent_author = comment.parent.author_id if comment.parent_id else None
    followers = Follow.objects.of_feature(layer.name, comment.feature_id).values_list(
        "user_id", flat=True
    )
    geometry = target.geometry()
    areas = (
        Follow.objects.areas_touching(geometry).values_list("user_id", flat=True)
        if geometry is not None
        else []
    )
    plan: dict[int, str] = {}
    for user_id in areas:
        plan[user_id] = "comment_area"
    for user_id in followers:
        plan[user_id] = "comment_followed"
    if parent_author:
        plan[parent_author] = "comment_reply"
    plan.pop(comment.author_id, None)
    context = {
        "comment": comment,
        "author": selectors.author_name(comment.author),
        "layer": layer,
        "feature": target,
    }
    told = 0
    for user in _users(plan):
        if not layer.can_view(user):
            continue
        made = notify_user(
            recipient=user,
            kind=plan[user.pk],
            context=context,
            url=f"{target.url}#comment-{comment.pk}",
            about=comment,
            municipality=comment.municipality,
            dedupe_key=f"engagement:comment:{comment.pk}:{user.pk}",
        )
        told += made is not None
    return told


def feature_event_publish(
    *,
    layer: str,
    feature_id,
    geometry: GEOSGeometry,
    kind: str,
    title: str = "",
    url: str = "",
    actor=None,
    key: str = "",
) -> None:
    """A module tells engagement that a feature of its layer appeared ("new"), "changed" or was
    "decided": those following the feature or an area it touches are told by a job.

    `geometry` is the feature's (any SRID it states); `title` names it in messages (a reference);
    `url` is its page (a path); `actor` (who caused it) is not told. An event is told once per
    person, feature, kind and `key` (give a key to tell of several changes).
    """
    if kind not in FEATURE_EVENTS:
        raise ValueError(f"Unknown feature event {kind!r}; known: {', '.join(FEATURE_EVENTS)}.")
    if geometry.srid is None:
        raise ValueError("The event's geometry needs its SRID stated.")
    if geometry.srid != settings.SRID_STORAGE:
        geometry = geometry.transform(settings.SRID_STORAGE, clone=True)
    arguments = {
        "layer": layer,
        "feature_id": str(feature_id),
        "geometry": geometry.hexewkb.decode(),
        "kind": kind,
        "title": title,
        "url": url,
        "actor_id": getattr(actor, "pk", None),
        "key": key,
    }
    if notify_sync():
        feature_event_notify(**arguments)
    else:
        from engagement.jobs import feature_event

        feature_event.defer(**arguments)


def feature_event_notify(
    *,
    layer: str,
    feature_id: str,
    geometry: str,
    kind: str,
    title: str = "",
    url: str = "",
    actor_id: int | None = None,
    key: str = "",
) -> int:
    """Tell the followers of a feature event (see feature_event_publish); how many were told."""
    found = registry.get(layer)
    if found is None:
        return 0
    shape = GEOSGeometry(geometry)
    plan: dict[int, str] = {}
    for user_id in Follow.objects.areas_touching(shape).values_list("user_id", flat=True):
        plan[user_id] = "area"
    if kind != "new":
        followers = Follow.objects.of_feature(found.name, feature_id).values_list(
            "user_id", flat=True
        )
        for user_id in followers:
            plan[user_id] = "feature"
    plan.pop(actor_id, None)
    if not url:
        target = selectors.feature_target(found, feature_id)
        url = target.url if target is not None else "/"
    told = 0
    for user in _users(plan):
        if not found.can_view(user):
            continue
        made = notify_user(
            recipient=user,
            kind="area_feature" if kind == "new" else "feature_changed",
            context={"layer": found, "title": title, "event": kind, "via": plan[user.pk]},
            url=url,
            dedupe_key=f"engagement:event:{found.name}:{feature_id}:{kind}:{key}:{user.pk}",
        )
        told += made is not None
    return told
