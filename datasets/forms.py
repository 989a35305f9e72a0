"""Forms of the staff pages: upload, metadata, schema and style."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from datasets.models import PROPERTY_TYPES, Dataset, UploadMode
from datasets.services import FileChoices

GEOMETRY_KINDS = [
    ("", _("Refuse a file that mixes kinds")),
    ("point", _("Keep points")),
    ("line", _("Keep lines")),
    ("polygon", _("Keep polygons")),
]


class FileChoicesForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("GeoPackage (.gpkg), zipped Shapefile (.zip), GeoJSON or CSV."),
    )
    layer = forms.CharField(label=_("Layer of the file"), required=False)
    srid = forms.TypedChoiceField(
        label=_("Coordinate system, for a file that names none"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("As the file says"))] + [(s, f"EPSG:{s}") for s in settings.SRID_ALLOWED],
    )
    lon_column = forms.CharField(label=_("CSV: longitude (x) column"), required=False)
    lat_column = forms.CharField(label=_("CSV: latitude (y) column"), required=False)
    wkt_column = forms.CharField(label=_("CSV: WKT column"), required=False)
    repair = forms.BooleanField(label=_("Repair invalid geometries (MakeValid)"), required=False)
    geometry_kind = forms.ChoiceField(
        label=_("If the file mixes points, lines and polygons"),
        choices=GEOMETRY_KINDS,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def offer(self, field: str, choices: list[str]) -> None:
        """After a refusal that asks for a choice, show the choices as a list."""
        if field in ("layer", "lon_column", "lat_column", "wkt_column"):
            options = [("", "—")] + [(c, c) for c in choices]
            targets = [field] if field == "layer" else ["lon_column", "lat_column", "wkt_column"]
            for name in targets:
                self.fields[name] = forms.ChoiceField(
                    label=self.fields[name].label, choices=options, required=False
                )
                # The form drew its fields once already, when it was validated.
                self._bound_fields_cache.pop(name, None)

    def choices(self) -> FileChoices:
        data = self.cleaned_data
        return FileChoices(
            layer=data.get("layer") or None,
            srid=data.get("srid"),
            lon_column=data.get("lon_column") or None,
            lat_column=data.get("lat_column") or None,
            wkt_column=data.get("wkt_column") or None,
            repair=bool(data.get("repair")),
            geometry_kind=data.get("geometry_kind") or None,
        )


class UploadForm(FileChoicesForm):
    name = forms.SlugField(
        label=_("Layer name"),
        max_length=100,
        help_text=_("Lower-case letters, digits, - and _; used in the service addresses."),
    )
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=None)

    field_order = ["name", "title_ka", "title_en", "municipality", "file"]

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        from core.models import Municipality

        self.fields["municipality"].queryset = Municipality.objects.filter(
            pk__in=[m.pk for m in municipalities]
        )
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0].pk


class VersionUploadForm(FileChoicesForm):
    mode = forms.ChoiceField(
        label=_("What the file does"),
        choices=[
            (UploadMode.REPLACE, _("Replace every feature")),
            (UploadMode.APPEND, _("Append to the active version")),
        ],
    )
    activate = forms.BooleanField(label=_("Serve it at once"), required=False)
    field_order = ["mode", "file"]


class RetryForm(FileChoicesForm):
    """Other choices for reading a refused upload's kept file again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["file"]
        del self.fields["notes"]


class MetadataForm(forms.ModelForm):
    keywords = forms.CharField(
        label=_("Keywords"), required=False, help_text=_("Separated by commas.")
    )

    class Meta:
        model = Dataset
        fields = [
            "title_ka",
            "title_en",
            "abstract_ka",
            "abstract_en",
            "keywords",
            "licence",
            "contact_name",
            "contact_email",
            "visibility",
            "downloadable",
        ]
        widgets = {
            "abstract_ka": forms.Textarea(attrs={"rows": 4, "lang": "ka"}),
            "abstract_en": forms.Textarea(attrs={"rows": 4, "lang": "en"}),
            "title_ka": forms.TextInput(attrs={"lang": "ka"}),
            "title_en": forms.TextInput(attrs={"lang": "en"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.initial["keywords"] = ", ".join(self.instance.keywords)

    def clean_keywords(self) -> list[str]:
        raw = self.cleaned_data.get("keywords") or ""
        return [word.strip() for word in raw.split(",") if word.strip()][:50]


class SchemaEntryForm(forms.Form):
    source = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=63)
    type = forms.ChoiceField(label=_("Type"), choices=[(t, t) for t in PROPERTY_TYPES])
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)


SchemaFormSet = forms.formset_factory(SchemaEntryForm, extra=0, max_num=500)


class StyleForm(forms.Form):
    fill_color = forms.CharField(
        label=_("Fill colour"), widget=forms.TextInput(attrs={"type": "color"})
    )
    line_color = forms.CharField(
        label=_("Line colour"), widget=forms.TextInput(attrs={"type": "color"})
    )
    line_width = forms.FloatField(label=_("Line width"), min_value=0, max_value=20)
    fill_opacity = forms.FloatField(label=_("Fill opacity"), min_value=0, max_value=1)
    opacity = forms.FloatField(label=_("Opacity"), min_value=0, max_value=1)
    circle_radius = forms.FloatField(label=_("Point radius"), min_value=1, max_value=30)
