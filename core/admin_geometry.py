"""Geometry in the admin, offline: a map preview over GeoJSON or WKT text checked by parse_geometry.

GeoDjango's own admin widgets load OpenLayers from a CDN and draw OpenStreetMap tiles, neither
of which is reachable here. This widget draws the geometry with the vendored MapLibre on a
plain background and lets staff edit it as text; every value goes through
`core.geometry.parse_geometry`, whose messages say what is wrong and where.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib.admin.views.main import ChangeList
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.forms.widgets import Script
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.geometry import GeometryError, parse_geometry

# GeoDjango's upper-case OGC names to the GeoJSON type names that parse_geometry checks.
GEOJSON_TYPE = {
    "POINT": "Point",
    "MULTIPOINT": "MultiPoint",
    "LINESTRING": "LineString",
    "MULTILINESTRING": "MultiLineString",
    "POLYGON": "Polygon",
    "MULTIPOLYGON": "MultiPolygon",
    "GEOMETRYCOLLECTION": "GeometryCollection",
}
# Eight decimals of a degree are about a millimetre: finer than any survey behind the data.
DECIMALS = 8
# Text other than the stored geometry's own that draws it within this many metres is no change.
UNCHANGED_TOLERANCE = 0.01
# Where the map looks when there is nothing to show: Georgia as a whole.
GEORGIA_VIEW = (43.4, 42.2, 6.0)


def _rounded(coords):
    if isinstance(coords, float | int):
        return round(float(coords), DECIMALS)
    return [_rounded(c) for c in coords]


def geojson_text(geom: GEOSGeometry | None) -> str:
    """GeoJSON of a geometry in EPSG:4326 (RFC 7946), rounded to a millimetre."""
    if geom is None:
        return ""
    if geom.srid and geom.srid != settings.SRID_API:
        geom = geom.transform(settings.SRID_API, clone=True)
    data = json.loads(geom.json)
    if geom.geom_type == "GeometryCollection":
        for part in data["geometries"]:
            part["coordinates"] = _rounded(part["coordinates"])
    else:
        data["coordinates"] = _rounded(data["coordinates"])
    return json.dumps(data)


class GeometryWidget(forms.Textarea):
    """A MapLibre preview above a text area; disabled, the map with the text folded away."""

    template_name = "core/admin/geometry_widget.html"

    class Media:
        css = {"all": ("vendor/maplibre-gl/maplibre-gl.css", "core/admin/geometry_widget.css")}
        js = (
            "vendor/maplibre-gl/maplibre-gl.js",
            "vendor/terra-draw/terra-draw.umd.js",
            "vendor/terra-draw/terra-draw-maplibre-gl-adapter.umd.js",
            Script("core/admin/geometry_widget.js", type="module"),
        )

    def __init__(self, attrs=None):
        defaults = {"rows": 6, "cols": 80, "spellcheck": "false", "class": "geometry-widget-text"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, GEOSGeometry):
            return geojson_text(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        lon, lat, zoom = self.attrs.get("data-view", GEORGIA_VIEW)
        context["widget"]["view"] = {"lon": lon, "lat": lat, "zoom": zoom}
        context["widget"]["attrs"].pop("data-view", None)
        context["widget"]["disabled"] = bool(context["widget"]["attrs"].get("disabled"))
        return context


class GeometryTextField(forms.Field):
    """A geometry typed or pasted as GeoJSON (EPSG:4326 unless it names a crs) or EWKT."""

    widget = GeometryWidget
    default_error_messages = {"required": _("Give the geometry.")}
    stored: GEOSGeometry | None = None
    stored_text = ""

    def __init__(self, *, geom_type: str = "GEOMETRY", srid: int | None = None, **kwargs):
        self.geom_type = GEOJSON_TYPE.get(geom_type.upper())
        self.srid = srid or settings.SRID_STORAGE
        kwargs.setdefault(
            "help_text",
            _(
                "GeoJSON in longitude and latitude (EPSG:4326), or WKT that names its grid, "
                "e.g. SRID=32638;MULTIPOLYGON(((…)))."
            ),
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # The map offers the drawing tools of this kind of geometry only.
        return {**super().widget_attrs(widget), "data-geom-type": self.geom_type or ""}

    def keep(self, stored: GEOSGeometry | None) -> None:
        """The stored geometry, returned as it is when the form sends its own text back."""
        self.stored, self.stored_text = stored, geojson_text(stored)

    def _is_stored_text(self, value) -> bool:
        return (
            bool(self.stored_text) and isinstance(value, str) and value.strip() == self.stored_text
        )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, GEOSGeometry):
            return value
        if self._is_stored_text(value):
            return self.stored
        try:
            return parse_geometry(
                value,
                allowed_types={self.geom_type} if self.geom_type else None,
                target_srid=self.srid,
            )
        except GeometryError as exc:
            raise ValidationError(exc.message, code=exc.code) from None

    def has_changed(self, initial, data):
        if self.disabled or self._is_stored_text(data):
            return False
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        if initial is None or new is None:
            return (initial is None) != (new is None)
        if initial.srid != new.srid:
            initial = initial.transform(new.srid, clone=True)
        return not initial.equals_exact(new, UNCHANGED_TOLERANCE)


class GeometryFormMixin:
    """Tells each geometry field the stored value, which it keeps when its text comes back
    untouched: no round trip through EPSG:4326, no check that a stored value might now fail
    (a boundary over the vertex limit must not block saving a municipality's name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, GeometryTextField):
                field.keep(self.get_initial_for_field(field, name))


def geometry_fields_to_defer(model, related, shown=()) -> list[str]:
    """The geometry columns of a model and of its select_related models, except those shown."""
    names = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, GeometryField) and f.name not in shown
    ]
    if isinstance(related, dict):
        for name, deeper in related.items():
            related_model = model._meta.get_field(name).related_model
            names += [f"{name}__{n}" for n in geometry_fields_to_defer(related_model, deeper)]
    return names


class GeometryFreeChangeList(ChangeList):
    """A page of rows shows no geometry, so it reads none: a municipality's boundary joined
    to each of a hundred parcels would be most of the bytes of the page."""

    def apply_select_related(self, qs):
        qs = super().apply_select_related(qs)
        return qs.defer(
            *geometry_fields_to_defer(self.model, qs.query.select_related, self.list_display)
        )


class GeometryAdminMixin:
    """For a ModelAdmin: geometry fields through GeometryTextField and its offline map.

    Where the geometry may not be edited (a view-only page, or `geometry_editable` says no),
    the field is swapped for a read-only map of the stored value.
    """

    @property
    def media(self):
        # Read-only maps are not form fields, so the form's media would not bring their scripts.
        return super().media + GeometryWidget().media

    def get_changelist(self, request, **kwargs):
        return GeometryFreeChangeList

    def geometry_editable(self, request, obj) -> bool:
        """Whether this user may edit the geometry of this object (when they may change it)."""
        return True

    def geometry_view(self, request, obj) -> tuple[float, float, float]:
        """Longitude, latitude and zoom of the map when the object has no geometry yet."""
        return GEORGIA_VIEW

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, GeometryField):
            return GeometryTextField(
                geom_type=db_field.geom_type,
                srid=db_field.srid,
                required=not db_field.blank,
                label=capfirst(db_field.verbose_name),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.pop("form", self.form)
        if not issubclass(base, GeometryFormMixin):
            # What ModelAdmin.get_form does to self.form, done here to the form it will get.
            readonly = self.get_readonly_fields(request, obj)
            attrs = dict.fromkeys(f for f in readonly if f in base.declared_fields)
            base = type(base.__name__, (GeometryFormMixin, base), attrs)
        form = super().get_form(request, obj, change, form=base, **kwargs)
        view = self.geometry_view(request, obj)
        for field in form.base_fields.values():
            if isinstance(field, GeometryTextField):
                field.widget.attrs["data-view"] = view
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._geometry_read_only(request, obj):
            return fieldsets
        swap = self._geometry_displays()

        seen = set()

        def swapped(names):
            # Django's get_fields may already list the display among the read-only fields.
            out = []
            for name in names:
                if isinstance(name, list | tuple):
                    out.append(swapped(name))
                    continue
                name = swap.get(name, name) if isinstance(name, str) else name
                if name not in seen:
                    seen.add(name)
                    out.append(name)
            return out

        return [(title, {**opts, "fields": swapped(opts["fields"])}) for title, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if self._geometry_read_only(request, obj):
            readonly += tuple(self._geometry_displays().values())
        return readonly

    def _geometry_read_only(self, request, obj) -> bool:
        if obj is not None and not self.has_change_permission(request, obj):
            return True
        return not self.geometry_editable(request, obj)

    def _geometry_displays(self) -> dict:
        """One read-only display per geometry field, made once: the admin finds read-only
        fields by identity, so the fieldsets and the read-only list must share them."""
        displays = getattr(self, "_geometry_display_cache", None)
        if displays is None:
            displays = {}
            for field in self.model._meta.get_fields():
                if isinstance(field, GeometryField):
                    displays[field.name] = _geometry_display(field)
            self._geometry_display_cache = displays
        return displays


def _geometry_display(field: GeometryField):
    def display(obj):
        value = getattr(obj, field.name) if obj is not None else None
        return GeometryWidget(attrs={"disabled": True}).render(field.name, value)

    display.__name__ = field.name
    display.short_description = capfirst(field.verbose_name)
    return display
