"""Admin of the publishing services: API keys for other systems, and export jobs."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from layers.access import api_key_create
from layers.models import ApiKey, ExportJob
from layers.registry import registry


def _layer_choices():
    return [(layer.name, f"{layer.name} — {layer.title}") for layer in registry.all()]


class ApiKeyForm(forms.ModelForm):
    layers = forms.MultipleChoiceField(
        label=_("layers granted"),
        choices=_layer_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The non-public layers this system may read. Public layers need no key."),
    )

    class Meta:
        model = ApiKey
        fields = ["name", "layers"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Only superusers issue keys: a key opens layers across municipalities."""

    form = ApiKeyForm
    list_display = ["name", "prefix", "granted", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead, so the record of who had access stays

    @admin.display(description=_("layers granted"))
    def granted(self, obj: ApiKey) -> str:
        return ", ".join(obj.layers)

    def save_model(self, request, obj, form, change):
        if change:
            obj.layers = sorted(set(form.cleaned_data["layers"]))
            obj.save(update_fields=["name", "layers"])
            return
        key, raw = api_key_create(
            name=obj.name, layers=form.cleaned_data["layers"], created_by=request.user
        )
        obj.pk = key.pk
        messages.warning(
            request,
            _(
                "The key of %(name)s is shown only now; give it to the system and keep it secret: %(key)s"
            )
            % {"name": key.name, "key": raw},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "layer", "status", "created_at"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
