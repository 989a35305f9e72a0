"""The admin of the one window: the service catalogue (edited by municipal administrators),
and applications read-only (they change only through the services, which keep the history)."""

from django import forms
from django.contrib import admin
from django.db.models import Q

from cases.models import (
    Case,
    CaseDocument,
    CaseStatusChange,
    Decision,
    DocumentType,
    Service,
    ServicePeriod,
)
from core.admin_scoping import MunicipalityScopedAdmin, is_active_superuser
from core.modules import registry as modules


class ServicePeriodInline(admin.TabularInline):
    model = ServicePeriod
    extra = 0
    fields = ["variant", "working_days", "is_default", "note"]


class DocumentTypeInline(admin.TabularInline):
    model = DocumentType
    extra = 0
    fields = ["order", "code", "name_ka", "name_en", "required", "content_types", "max_size_mb"]


@admin.register(Service)
class ServiceAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = [
        "code",
        "name_en",
        "module",
        "municipality",
        "working_days",
        "fee_gel",
        "active",
    ]
    list_filter = ["module", "active"]
    search_fields = ["code", "name_ka", "name_en"]
    inlines = [ServicePeriodInline, DocumentTypeInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "module":
            # A service belongs to one of the installed modules, chosen by its title.
            choices = [(m.code, f"{m.title} ({m.code})") for m in modules.services()]
            return forms.ChoiceField(
                label=db_field.verbose_name, help_text=db_field.help_text, choices=choices
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Services offered everywhere are shown to all staff (read-only unless superuser).
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if is_active_superuser(request.user):
            return queryset
        ids = self.visible_municipality_ids(request)
        return queryset.filter(Q(municipality__in=ids) | Q(municipality__isnull=True))


class StatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = CaseDocument
    extra = 0
    can_delete = False
    fields = ["doc_type", "version", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["reference", "service", "municipality", "status", "due_date", "assigned_to"]
    list_filter = ["status", "service__module", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reference", "summary"]
    list_select_related = ["service", "municipality", "assigned_to"]
    exclude = ["location"]
    readonly_fields = [
        "reference",
        "service",
        "variant",
        "applicant",
        "municipality",
        "summary",
        "payload",
        "status",
        "language",
        "assigned_to",
        "submitted_at",
        "period_days",
        "due_date",
        "paused_since",
        "paused_days",
        "decided_at",
    ]
    inlines = [StatusChangeInline, DocumentInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["case", "outcome", "decided_at", "verification_code"]
    search_fields = ["case__reference", "verification_code"]
    list_select_related = ["case"]
    readonly_fields = [
        "case",
        "outcome",
        "conditions",
        "reasons",
        "decided_by",
        "decided_at",
        "verification_code",
        "pdf",
    ]
