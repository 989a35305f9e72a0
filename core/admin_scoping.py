"""The admin of every app, scoped to the municipalities in which the signed-in person works.

    class PermitAdmin(MunicipalityScopedAdmin, admin.ModelAdmin):
        municipality_field = "case__municipality"

What it does for a ModelAdmin:

- lists and finds only objects of the municipalities where the user may view this model, so a
  Batumi officer asking for a Rustavi object's page gets 404, as for an object that never
  existed (a superuser sees everything);
- asks the object rules of core/rules.py (`user.has_perm(perm, obj)`) as well as the
  model-level permission before it shows, changes, adds or deletes anything;
- offers as municipality only those where the user may write this model, and as any other
  related object only those that the related model's scoped admin would list;
- refuses a save that moves an object to another municipality, or adds one to a municipality
  where the user may not add it.

Rules are asked with a `Municipality` as the object to mean "anywhere in that municipality".
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from core.admin_geometry import GEORGIA_VIEW, GeometryAdminMixin
from core.models import Municipality
from core.rules import follow_path as municipality_of_path


def is_active_superuser(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def permission_name(opts, action: str) -> str:
    return f"{opts.app_label}.{get_permission_codename(action, opts)}"


def municipalities_where(user, perms: tuple[str, ...]) -> list[Municipality]:
    """The municipalities of the user's memberships in which they hold one of these perms."""
    return [
        m
        for m in Municipality.objects.for_user(user)
        if any(user.has_perm(perm, m) for perm in perms)
    ]


class MunicipalityScopedForm:
    """Mixed into the admin's form: the municipality an object ends up in must be allowed.

    The admin sets `scope_user`, `scope_path` and `scope_opts` on the class it builds for
    each request.
    """

    scope_user = None
    scope_path = "municipality"
    scope_opts = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        adding = self.instance._state.adding
        self._municipality_before = None if adding else self._municipality_of_instance()

    def _municipality_of_instance(self):
        if self.scope_path == "pk":
            return self.instance
        return municipality_of_path(self.instance, self.scope_path)

    def _municipality_after(self, cleaned_data):
        """The municipality the object will belong to, or None while its field has errors."""
        if self.scope_path == "pk":
            return self.instance
        head, _sep, rest = self.scope_path.partition("__")
        if head not in self.fields:
            return self._municipality_of_instance()
        value = cleaned_data.get(head)
        return municipality_of_path(value, rest) if (value is not None and rest) else value

    def clean(self):
        cleaned_data = super().clean()
        user = self.scope_user
        if user is None or is_active_superuser(user) or self.scope_path == "pk":
            return cleaned_data
        after = self._municipality_after(cleaned_data)
        if after is None:
            return cleaned_data
        field = self.scope_path.partition("__")[0]
        field = field if field in self.fields else None
        before = self._municipality_before
        if before is not None and before.pk != after.pk:
            self.add_error(
                field,
                ValidationError(
                    _(
                        "This belongs to %(before)s and cannot be moved to another "
                        "municipality; ask an administrator of both."
                    ),
                    params={"before": before},
                    code="municipality_move",
                ),
            )
            return cleaned_data
        action = "add" if self.instance._state.adding else "change"
        if not user.has_perm(permission_name(self.scope_opts, action), after):
            self.add_error(
                field,
                ValidationError(
                    _("You may not do this in %(municipality)s."),
                    params={"municipality": after},
                    code="municipality_forbidden",
                ),
            )
        return cleaned_data


class MunicipalityScopedAdmin:
    """Put first among a ModelAdmin's bases.

    `municipality_field` is the path from the model to its Municipality: by default the
    model's `municipality_path` (which the rules follow too) or "municipality"; "pk" for the
    Municipality admin itself. A changelist filter by municipality should use Django's
    RelatedOnlyFieldListFilter, which offers only the municipalities of the scoped rows.
    """

    municipality_field: str | None = None

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if self.municipality_field is None:
            self.municipality_field = getattr(model, "municipality_path", "municipality")

    # Permissions: the model-level permission, then the object rule.

    def _allowed(self, request, action: str, obj=None) -> bool:
        user = request.user
        perm = permission_name(self.opts, action)
        if not user.has_perm(perm):
            return False
        return obj is None or user.has_perm(perm, obj)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view", obj) or self._allowed(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete", obj)

    def has_add_permission(self, request):
        return self._allowed(request, "add")

    def has_module_permission(self, request):
        # rules has no app-wide rule for each app; the app shows when any of its models does.
        return any(self.get_model_perms(request).values())

    # Scoping: what the user may see, and what they may choose.

    def _municipality_ids(self, request, actions: tuple[str, ...]) -> list[int]:
        cache = request.__dict__.setdefault("_gisportal_scope", {})
        key = (self.opts.label, actions)
        if key not in cache:
            perms = tuple(permission_name(self.opts, action) for action in actions)
            cache[key] = [m.pk for m in municipalities_where(request.user, perms)]
        return cache[key]

    def visible_municipality_ids(self, request) -> list[int]:
        return self._municipality_ids(request, ("view", "change"))

    def writable_municipality_ids(self, request) -> list[int]:
        return self._municipality_ids(request, ("add", "change"))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_active_superuser(request.user):
            return queryset
        ids = self.visible_municipality_ids(request)
        return queryset.filter(**{f"{self.municipality_field}__in": ids})

    def get_object(self, request, object_id, from_field=None):
        # Django's admin answers a missing object with a redirect and a message naming the id;
        # an object of another municipality must look exactly like one that does not exist.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("Not found."))
        return obj

    def _scoped_choices(self, db_field, request):
        related = db_field.remote_field.model
        if related is Municipality:
            if is_active_superuser(request.user):
                return None
            return Municipality.objects.filter(pk__in=self.writable_municipality_ids(request))
        related_admin = self.admin_site._registry.get(related)
        if isinstance(related_admin, MunicipalityScopedAdmin):
            return related_admin.get_queryset(request)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = self._scoped_choices(db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = self._scoped_choices(db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.pop("form", self.form)
        attrs = {
            "scope_user": request.user,
            "scope_path": self.municipality_field,
            "scope_opts": self.opts,
            # What ModelAdmin.get_form does to self.form, done here to the form it will get.
            **dict.fromkeys(
                f for f in self.get_readonly_fields(request, obj) if f in base.declared_fields
            ),
        }
        form = type(base.__name__, (MunicipalityScopedForm, base), attrs)
        return super().get_form(request, obj, change, form=form, **kwargs)


class MunicipalityScopedGeoAdmin(MunicipalityScopedAdmin, GeometryAdminMixin, admin.ModelAdmin):
    """The usual base of an app's admin: scoped, with its geometries on the offline map."""

    def geometry_view(self, request, obj):
        # An object's own geometry frames the map; a new one starts at the user's municipality.
        if obj is not None:
            return GEORGIA_VIEW
        found = Municipality.objects.order_by("code").only(
            "center_lon", "center_lat", "default_zoom"
        )
        if not is_active_superuser(request.user):
            found = found.filter(pk__in=self.writable_municipality_ids(request))
        municipality = found.first()
        if municipality is None:
            return GEORGIA_VIEW
        return (municipality.center_lon, municipality.center_lat, municipality.default_zoom)
