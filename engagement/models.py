"""Engagement: comments with a stance on the features of layers, follows, and notifications.

A comment belongs to a feature of a registered layer (the layer's name and the feature's id),
so any module's layer can take comments without a model of its own. Notifications are the one
inbox of the site: every module sends through `engagement.notifications`, and each message keeps
its deliveries per channel (e-mail, SMS) with their outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import Municipality

# Replies go two levels deep: a comment (depth 0), a reply (1) and a reply to a reply (2).
MAX_DEPTH = 2
BODY_MAX_LENGTH = 1000
# Width of each id in a comment's path: a thread sorts by path as text.
PATH_WIDTH = 12


class Stance(models.TextChoices):
    IN_FAVOUR = "in_favour", _("In favour")
    NEUTRAL = "neutral", _("Neutral")
    AGAINST = "against", _("Against")


class CommentQuerySet(models.QuerySet):
    def on_feature(self, layer: str, feature_id):
        return self.filter(layer=layer, feature_id=str(feature_id))

    def visible(self):
        return self.filter(hidden_at__isnull=True)

    def in_municipalities(self, municipalities):
        return self.filter(municipality__in=municipalities)


@audit.track()
class Comment(models.Model):
    """A person's comment on one feature, or a reply to another comment on it.

    `body` is what is published: the text as written with personal data (personal numbers,
    phones, e-mail addresses) replaced by a mark. `body_original` is the text as written, for
    moderators only. A hidden comment is published as the moderator's reason instead.
    """

    layer = models.SlugField(_("layer"), max_length=100)
    feature_id = models.CharField(_("feature"), max_length=100)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    # The ids from the thread's first comment to this one, each PATH_WIDTH digits wide.
    path = models.CharField(max_length=(PATH_WIDTH + 1) * (MAX_DEPTH + 1), editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("author"),
    )
    stance = models.CharField(_("stance"), max_length=20, choices=Stance.choices)
    body = models.TextField(_("comment"), max_length=BODY_MAX_LENGTH)
    body_original = models.TextField(_("comment as written"), editable=False)
    redacted = models.BooleanField(_("personal data removed"), default=False, editable=False)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["layer", "feature_id", "path"], name="comment_thread_idx"),
            models.Index(fields=["municipality", "hidden_at"], name="comment_municipality_idx"),
            models.Index(fields=["author", "created_at"], name="comment_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(depth__lte=MAX_DEPTH), name="comment_depth_limit"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="comment_hidden_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.layer}/{self.feature_id}: {self.get_stance_display()}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def may_take_replies(self) -> bool:
        return self.depth < MAX_DEPTH and not self.is_hidden


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive or abusive")
    PERSONAL_DATA = "personal_data", _("Personal data of someone")
    OFF_TOPIC = "off_topic", _("Not about this place")
    OTHER = "other", _("Something else")


@audit.track()
class CommentReport(models.Model):
    """A signed-in person's report of a comment to the moderators; once per person and comment."""

    municipality_path = "comment__municipality"

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = models.CharField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    # Set when a moderator hid, restored or kept the comment.
    resolved_at = models.DateTimeField(_("dealt with"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report of a comment")
        verbose_name_plural = _("reports of comments")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="commentreport_once")
        ]
        indexes = [models.Index(fields=["resolved_at"], name="commentreport_open_idx")]


class FollowKind(models.TextChoices):
    FEATURE = "feature", _("A feature on the map")
    OBJECT = "object", _("An application")
    AREA = "area", _("An area")


class FollowQuerySet(models.QuerySet):
    def of_feature(self, layer: str, feature_id):
        return self.filter(kind=FollowKind.FEATURE, layer=layer, feature_id=str(feature_id))

    def of_object(self, obj):
        return self.filter(
            kind=FollowKind.OBJECT,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
        )

    def areas_touching(self, geometry):
        """Areas that the geometry (any SRID it states) intersects."""
        return self.filter(kind=FollowKind.AREA, area__intersects=geometry)


@audit.track()
class Follow(models.Model):
    """Someone follows a feature of a layer, an object such as an application, or an area."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("what"), max_length=10, choices=FollowKind.choices)
    layer = models.SlugField(_("layer"), max_length=100, blank=True)
    feature_id = models.CharField(_("feature"), max_length=100, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    area = models.PolygonField(
        _("area"), srid=settings.SRID_STORAGE, null=True, blank=True, spatial_index=False
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        indexes = [
            GistIndex(fields=["area"], name="follow_area_gist"),
            models.Index(fields=["layer", "feature_id"], name="follow_feature_idx"),
            models.Index(fields=["content_type", "object_id"], name="follow_object_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "layer", "feature_id"],
                condition=Q(kind="feature"),
                name="follow_feature_once",
            ),
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"],
                condition=Q(kind="object"),
                name="follow_object_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="feature") & ~Q(layer="") & ~Q(feature_id=""))
                | (Q(kind="object") & Q(content_type__isnull=False) & ~Q(object_id=""))
                | (Q(kind="area") & Q(area__isnull=False)),
                name="follow_kind_has_target",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == FollowKind.FEATURE:
            return f"{self.user_id} → {self.layer}/{self.feature_id}"
        if self.kind == FollowKind.OBJECT:
            return f"{self.user_id} → {self.content_type_id}/{self.object_id}"
        return f"{self.user_id} → {self.name or _('area')}"


# ---------------------------------------------------------------------------------------------
# Notifications


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held for the daily digest")


class NotificationQuerySet(models.QuerySet):
    def about(self, obj):
        """Notifications about this object (a case, a comment)."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


# The text is rendered from a template and the object it is about; who was told what, when, and
# whether they read it is what the history keeps.
@audit.track(exclude=["body", "sms_text"])
class Notification(models.Model):
    """One message to one person (or to an address that is no account, such as a consulted
    neighbour), rendered in its language when made; sent by the worker through its deliveries."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # Whom an address-only notification was written to (a neighbour's name).
    recipient_name = models.CharField(_("written to"), max_length=200, blank=True)
    kind = models.SlugField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    # The short text sent by SMS: the subject and the link.
    sms_text = models.CharField(max_length=500, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=5)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    # Set for notifications that must not be repeated, e.g. one overdue reminder a day.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["content_type", "object_id"], name="notification_about_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


@audit.track()
class NotificationDelivery(models.Model):
    """A notification's way to its reader on one channel, with its outcome."""

    municipality_path = "notification__municipality"

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["notification", "channel"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notificationdelivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "channel"], name="delivery_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}: {self.get_status_display()}"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DAILY = "daily", _("Once a day, in one e-mail")


@audit.track()
class NotificationPreference(models.Model):
    """How a person wants to hear from the portal; a person without a row takes the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS, when a phone number is known"), default=True)
    frequency = models.CharField(
        _("e-mails"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    language = models.CharField(_("language"), max_length=5, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    @property
    def digest(self) -> bool:
        return self.frequency == Frequency.DAILY
