"""The admin of engagement, read-only and scoped to the staff's municipalities: comments with
their reports (moderators act on the moderation page, which tells the author), notifications
with their deliveries."""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import MunicipalityScopedAdmin
from engagement.models import Comment, CommentReport, Notification, NotificationDelivery


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportInline(ReadOnlyMixin, admin.TabularInline):
    model = CommentReport
    extra = 0
    fields = ["created_at", "reason", "details", "resolved_at"]
    readonly_fields = fields


@admin.register(Comment)
class CommentAdmin(ReadOnlyMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "text",
        "layer",
        "feature_id",
        "stance",
        "municipality",
        "hidden_at",
    ]
    list_filter = ["stance", "layer", ("municipality", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["municipality"]
    search_fields = ["body"]
    fields = [
        "layer",
        "feature_id",
        "municipality",
        "parent",
        "author",
        "stance",
        "body",
        "body_original",
        "redacted",
        "created_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]
    readonly_fields = fields
    inlines = [ReportInline]

    @admin.display(description=_("comment"))
    def text(self, comment: Comment) -> str:
        return Truncator(comment.body).chars(80)


class DeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = NotificationDelivery
    extra = 0
    fields = ["channel", "address", "status", "error", "sent_at"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "subject", "municipality", "read_at"]
    list_filter = ["kind", ("municipality", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["municipality"]
    fields = [
        "recipient",
        "recipient_name",
        "kind",
        "language",
        "subject",
        "body",
        "url",
        "municipality",
        "created_at",
        "read_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryInline]
