"""Admin of the tenancy layer: municipalities, districts, and the staff roles held in each."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import MunicipalityScopedAdmin, MunicipalityScopedGeoAdmin
from core.models import District, Membership, Municipality
from core.services import membership_grant, membership_revoke


@admin.register(Municipality)
class MunicipalityAdmin(MunicipalityScopedGeoAdmin):
    municipality_field = "pk"
    list_display = ("code", "name_ka", "name_en", "ocha_code")
    search_fields = ("code", "name_ka", "name_en")
    fieldsets = (
        (None, {"fields": ("code", "ocha_code", "name_ka", "name_en")}),
        (_("Map"), {"fields": ("center_lon", "center_lat", "default_zoom", "boundary")}),
    )

    def geometry_editable(self, request, obj) -> bool:
        # The boundary and the codes come from the national registers, not from the city.
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ("code", "ocha_code")
        return readonly


@admin.register(District)
class DistrictAdmin(MunicipalityScopedGeoAdmin):
    list_display = ("code", "name_ka", "name_en", "municipality", "population")
    list_filter = (("municipality", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("municipality",)
    search_fields = ("code", "name_ka", "name_en")
    fields = ("municipality", "code", "name_ka", "name_en", "population", "boundary")


class MembershipGrantForm(forms.ModelForm):
    """A role for a person named by e-mail: municipal administrators do not browse accounts."""

    email = forms.EmailField(
        label=_("e-mail"),
        help_text=_("The address the person signed up with."),
    )

    class Meta:
        model = Membership
        fields = ("municipality", "role")

    def clean_email(self):
        email = self.cleaned_data["email"]
        users = list(
            get_user_model()
            .objects.filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email))
            .distinct()[:2]
        )
        if not users:
            raise ValidationError(
                _("No account uses this address; the person signs up first."), code="no_account"
            )
        if len(users) > 1:
            raise ValidationError(
                _("Several accounts use this address; ask a superuser."), code="ambiguous"
            )
        return users[0]

    def clean(self):
        cleaned_data = super().clean()
        user = cleaned_data.get("email")
        if user is not None:
            self.instance.user = user
            if {"municipality", "role"} <= cleaned_data.keys():
                # The form has no user field, so ModelForm would not check this constraint.
                Membership(
                    user=user,
                    municipality=cleaned_data["municipality"],
                    role=cleaned_data["role"],
                ).validate_constraints()
        return cleaned_data


@admin.register(Membership)
class MembershipAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
    """Roles are granted and revoked, never edited: a new role is a new row with its date."""

    list_display = ("user__email", "municipality", "role", "created_at")
    list_filter = (("municipality", admin.RelatedOnlyFieldListFilter), "role")
    list_select_related = ("user", "municipality")
    search_fields = ("user__email", "user__username")
    readonly_fields = ("created_at",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("email", "municipality", "role")
        return ("user", "municipality", "role", "created_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipGrantForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        granted = membership_grant(user=obj.user, municipality=obj.municipality, role=obj.role)
        obj.pk, obj.created_at = granted.pk, granted.created_at

    def delete_model(self, request, obj):
        membership_revoke(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            membership_revoke(membership=membership)
