"""The forms of the public pages of proposals: proposing a project, and the list's filters."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting.models import Budget, Category, ProposalStatus
from budgeting.proposals import (
    MAX_ESTIMATED_COST,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MIN_ESTIMATED_COST,
)
from core.geometry import GeometryError, parse_geometry

GEOMETRY_MESSAGES = {
    "invalid_geometry": _("The area crosses itself or is not closed; draw it again."),
    "type": _("Mark a point or draw an area on the map."),
    "too_many_vertices": _("The area has too many corners; draw it more simply."),
    "outside_georgia": _("This place is not in Georgia."),
    "out_of_range": _("This place is not in Georgia."),
    "swapped": _("The coordinates look swapped: give the longitude first, then the latitude."),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one is checked by the service (budgeting/proposals.py)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


def parse_place(text: str):
    """The place typed or drawn (GeoJSON in longitude and latitude), in the storage SRID."""
    try:
        return parse_geometry(
            text,
            srid=4326,
            allowed_types=("Point", "Polygon", "MultiPolygon"),
            promote_multi=False,
        )
    except GeometryError as error:
        message = GEOMETRY_MESSAGES.get(
            error.code, _("The place on the map could not be read; mark it again.")
        )
        raise ValidationError(message, code=error.code) from None


class ProposeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("What should be done, where, and for whom."),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Choose a category"))] + list(Category.choices)
    )
    estimated_cost = forms.IntegerField(
        label=_("Estimated cost, GEL"),
        min_value=MIN_ESTIMATED_COST,
        max_value=MAX_ESTIMATED_COST,
        help_text=_("Your estimate in lari; the municipality sets the price after review."),
    )
    geometry = forms.CharField(
        label=_("Place on the map"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono", "spellcheck": "false"}),
        help_text=_(
            "Mark a point or draw an area on the map; without the map, give a cadastral code "
            "below, or a GeoJSON point or polygon in longitude and latitude here."
        ),
    )
    parcel = forms.CharField(
        label=_("Cadastral code of a parcel"),
        required=False,
        max_length=32,
        help_text=_("The proposal then covers the parcel, unless you mark another place."),
    )
    citywide = forms.BooleanField(
        label=_("For the whole city"),
        required=False,
        help_text=_("The project serves the whole city: it goes to the city-wide budget."),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
    )

    def __init__(self, *args, parcel_lookup=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parcel_lookup = parcel_lookup
        self.parcel_found = None
        self.fields["photos"].help_text = _(
            "Up to %(count)s photos: JPEG, PNG or WebP, each at most %(size)s MB."
        ) % {"count": MAX_PHOTOS, "size": MAX_PHOTO_BYTES // (1024 * 1024)}

    def clean_parcel(self):
        code = self.cleaned_data.get("parcel", "").strip()
        if code and self.parcel_lookup is not None:
            self.parcel_found = self.parcel_lookup(code)
            if self.parcel_found is None:
                raise ValidationError(_("There is no parcel with this cadastral code."))
        return code

    def clean(self):
        data = super().clean()
        text = (data.get("geometry") or "").strip()
        if text:
            try:
                data["place"] = parse_place(text)
            except ValidationError as error:
                self.add_error("geometry", error)
        elif self.parcel_found is not None:
            data["place"] = self.parcel_found.geom
        elif "parcel" in data and not self.has_error("parcel"):
            self.add_error(
                "geometry", _("Mark the place on the map, or give a parcel's cadastral code.")
            )
        return data


class ProposalFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Title, description or reference"),
    )
    budget = forms.ChoiceField(label=_("Budget or district"), required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category"))] + list(Category.choices),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (ProposalStatus.SUBMITTED.value, ProposalStatus.SUBMITTED.label),
            (ProposalStatus.FEASIBLE.value, ProposalStatus.FEASIBLE.label),
            (ProposalStatus.UNFEASIBLE.value, ProposalStatus.UNFEASIBLE.label),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("new", _("Newest first")),
            ("supports", _("Most supported")),
            ("cost", _("Lowest cost")),
            ("-cost", _("Highest cost")),
        ],
    )

    def __init__(self, *args, budgets: list[Budget] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget"].choices = [("", _("All budgets"))] + [
            (str(b.pk), b.name) for b in budgets
        ]
