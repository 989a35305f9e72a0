"""Admin of the constraint layers: each municipality's planners and GIS officers keep their own.

A monument is saved through `monument_save`, so that its heritage protection zone is redrawn
with it; the derived zones are read-only here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import MunicipalityScopedGeoAdmin
from permits.models import (
    BoundaryChangeRequest,
    Constraint,
    ConstraintOverride,
    Monument,
    PermitApplication,
)
from permits.services import monument_save

MUNICIPALITY_FILTER = ("municipality", admin.RelatedOnlyFieldListFilter)


@admin.register(Constraint)
class ConstraintAdmin(MunicipalityScopedGeoAdmin):
    list_display = ("name_en", "name_ka", "kind", "municipality", "consultee_en", "valid_from")
    list_filter = (MUNICIPALITY_FILTER, "kind")
    list_select_related = ("municipality",)
    search_fields = ("name_ka", "name_en")
    readonly_fields = ("monument",)
    fieldsets = (
        (None, {"fields": ("municipality", "kind", "name_ka", "name_en", "monument")}),
        (_("Consultation"), {"fields": ("consultee_ka", "consultee_en")}),
        (_("Geometry"), {"fields": ("geom",)}),
        (_("Source"), {"fields": ("source", "valid_from")}),
    )

    def has_change_permission(self, request, obj=None):
        # A monument's zone follows the monument: change the monument instead.
        if obj is not None and obj.monument_id is not None:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Monument)
class MonumentAdmin(MunicipalityScopedGeoAdmin):
    list_display = ("name_en", "name_ka", "height_m", "municipality")
    list_filter = (MUNICIPALITY_FILTER,)
    list_select_related = ("municipality",)
    search_fields = ("name_ka", "name_en")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = monument_save(
            monument=obj if change else None,
            municipality=data["municipality"],
            name_ka=data["name_ka"],
            name_en=data["name_en"],
            height_m=data["height_m"],
            geom=data["geom"],
            source=data.get("source", ""),
        )
        obj.pk = saved.pk


@admin.register(PermitApplication)
class PermitApplicationAdmin(MunicipalityScopedGeoAdmin):
    """Read-only: applications change through the services (the portal pages), never here."""

    list_display = ("case", "stage", "building_class", "floors", "footprint_area_m2")
    list_filter = ("stage", "building_class")
    list_select_related = ("case",)
    search_fields = ("case__reference",)
    readonly_fields = (
        "case",
        "stage",
        "building_class",
        "parcels",
        "footprint_area_m2",
        "floors",
        "floor_area_m2",
        "green_area_m2",
        "height_m",
        "use",
        "compliance",
        "public_description",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditTrailAdmin(MunicipalityScopedGeoAdmin):
    """Read-only rows of an application's audit trail, each of the staff's municipalities only.

    They are made by the planners' and applicants' pages through permits.services; the admin
    only shows them, so nothing can be added, changed or deleted here.
    """

    list_select_related = ("application__case",)
    search_fields = ("application__case__reference",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("application"), ordering="application__case__reference")
    def reference(self, obj):
        return obj.application.case.reference


@admin.register(ConstraintOverride)
class ConstraintOverrideAdmin(AuditTrailAdmin):
    list_display = ("reference", "action", "label", "reason", "by", "at")
    list_filter = ("action",)
    list_select_related = ("application__case", "constraint", "by")


@admin.register(BoundaryChangeRequest)
class BoundaryChangeRequestAdmin(AuditTrailAdmin):
    list_display = (
        "reference",
        "requested_at",
        "requested_by",
        "due_date",
        "answered_at",
        "accepted",
        "accepted_by_expiry",
    )
    list_filter = ("accepted", "accepted_by_expiry")
    list_select_related = ("application__case", "requested_by")
