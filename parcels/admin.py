"""Admin of the cadastre: each municipality's staff keep their own parcels, zones and streets."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import MunicipalityScopedAdmin, MunicipalityScopedGeoAdmin
from parcels.models import Block, Building, LandUse, Parcel, ParcelOwner, Street, Zone

MUNICIPALITY_FILTER = ("municipality", admin.RelatedOnlyFieldListFilter)


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return (("current", _("Current")), ("retired", _("Retired")))

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "retired":
            return queryset.filter(valid_to__isnull=False)
        return queryset


class ParcelAdminForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        geom = cleaned_data.get("geom")
        if geom is not None:
            # The area is the geometry's, in square metres of the metric storage grid; it is
            # not an input, so it is set here and never typed.
            self.instance.area_m2 = geom.area
        return cleaned_data


@admin.register(Parcel)
class ParcelAdmin(MunicipalityScopedGeoAdmin):
    form = ParcelAdminForm
    list_display = (
        "cadastral_code",
        "municipality",
        "land_use",
        "area_m2",
        "zone",
        "is_municipal_property",
        "valid_from",
        "valid_to",
    )
    list_filter = (MUNICIPALITY_FILTER, "land_use", "is_municipal_property", ValidityFilter)
    list_select_related = ("municipality", "zone")
    # A prefix LIKE on the code uses parcel_code_prefix_idx (varchar_pattern_ops).
    search_fields = ("cadastral_code__startswith", "address_ka", "address_en")
    # Counting every parcel of the country twice per page is not worth the number.
    show_full_result_count = False
    autocomplete_fields = ("zone", "derived_from")
    readonly_fields = ("area_m2",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "cadastral_code",
                    "municipality",
                    "land_use",
                    "zone",
                    "is_municipal_property",
                )
            },
        ),
        (_("Address"), {"fields": ("address_ka", "address_en")}),
        (_("Geometry"), {"fields": ("geom", "area_m2")}),
        (_("History"), {"fields": ("valid_from", "valid_to", "derived_from", "source")}),
    )


@admin.register(Zone)
class ZoneAdmin(MunicipalityScopedGeoAdmin):
    list_display = ("code", "name_ka", "name_en", "municipality", "k1", "k2", "k3", "max_height_m")
    list_filter = (MUNICIPALITY_FILTER,)
    list_select_related = ("municipality",)
    search_fields = ("code", "name_ka", "name_en")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "allowed_uses":
            return forms.TypedMultipleChoiceField(
                label=_("allowed uses"),
                choices=LandUse.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Street)
class StreetAdmin(MunicipalityScopedGeoAdmin):
    list_display = ("name_ka", "name_en", "kind", "municipality")
    list_filter = (MUNICIPALITY_FILTER, "kind")
    list_select_related = ("municipality",)
    search_fields = ("name_ka", "name_en")


@admin.register(Building)
class BuildingAdmin(MunicipalityScopedGeoAdmin):
    list_display = ("__str__", "municipality", "floors", "height_m")
    list_filter = (MUNICIPALITY_FILTER,)
    list_select_related = ("municipality",)


@admin.register(Block)
class BlockAdmin(MunicipalityScopedGeoAdmin):
    list_display = ("code", "municipality")
    list_filter = (MUNICIPALITY_FILTER,)
    list_select_related = ("municipality",)
    search_fields = ("code__startswith",)


@admin.register(ParcelOwner)
class ParcelOwnerAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """Owners are personal data: listed only for staff of the parcel's municipality."""

    list_display = ("name", "parcel", "share", "email", "phone", "user")
    list_filter = (("parcel__municipality", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("parcel", "user")
    search_fields = ("name", "parcel__cadastral_code__startswith", "email")
    show_full_result_count = False
    autocomplete_fields = ("parcel",)
    raw_id_fields = ("user",)
