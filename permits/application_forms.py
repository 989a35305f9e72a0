"""Forms of the permit application steps and the planner's review actions, and what the apply
page carries over from the map and the pre-check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Outcome
from core.geometry import GeometryError, as_multipolygon, parse_geometry
from core.models import Municipality
from core.shell import display_value
from parcels.models import CADASTRAL_CODE, LandUse, Parcel
from permits.models import BuildingClass, Stage
from permits.selectors import MAX_SITE_PARCELS, UnknownParcels, site_from_parcels

_SEPARATORS = re.compile(r"[\s,;]+")


class StartForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("code").defer("boundary")
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    building_class = forms.ChoiceField(label=_("Building class"), choices=BuildingClass.choices)

    def __init__(self, *args, municipality: Municipality | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The municipality of the parcels carried from the map is not asked again.
        self.known_municipality = municipality
        if municipality is not None:
            del self.fields["municipality"]

    def clean(self):
        data = super().clean()
        if self.known_municipality is not None:
            data["municipality"] = self.known_municipality
        return data


class CarriedFigures(forms.Form):
    """The building's figures in the query of the apply page, each checked on its own."""

    footprint = forms.CharField(label=_("Footprint"), max_length=100_000, required=False)
    footprint_area_m2 = forms.FloatField(
        label=_("Footprint area, m²"), min_value=1, max_value=1_000_000, required=False
    )
    floors = forms.IntegerField(
        label=_("Floors above ground"), min_value=1, max_value=200, required=False
    )
    floor_area_m2 = forms.FloatField(
        label=_("Total floor area, m²"), min_value=0, max_value=100_000_000, required=False
    )
    green_area_m2 = forms.FloatField(
        label=_("Green area, m²"), min_value=0, max_value=100_000_000, required=False
    )
    height_m = forms.FloatField(label=_("Height, m"), min_value=0, max_value=1000, required=False)
    use = forms.ChoiceField(label=_("Use"), choices=LandUse.choices, required=False)
    building_class = forms.ChoiceField(
        label=_("Building class"), choices=BuildingClass.choices, required=False
    )

    def clean_footprint(self):
        text = self.cleaned_data["footprint"]
        if not text:
            return None
        try:
            return as_multipolygon(parse_geometry(text, allowed_types=("Polygon", "MultiPolygon")))
        except GeometryError as error:
            raise ValidationError(str(error)) from None


# The figures a draft keeps (permits.services.APPLICATION_FIELDS), in the order they are listed.
CARRIED_FIGURES = (
    "footprint",
    "footprint_area_m2",
    "floors",
    "floor_area_m2",
    "green_area_m2",
    "height_m",
    "use",
)


@dataclass
class Carried:
    """What the apply page was given: the site's parcels (or a drawn site), its municipality, the
    building's figures, and why anything given could not be used."""

    codes: list[str] = field(default_factory=list)
    site: GEOSGeometry | None = None
    municipality: Municipality | None = None
    building: dict[str, Any] = field(default_factory=dict)
    building_class: str = ""
    problems: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def given(self) -> bool:
        return bool(self.codes or self.site or self.building or self.problems)


def _carried_parcels(raw: str, carried: Carried) -> list[Parcel]:
    """The current parcels of the codes given; a bad or unknown code is left out and said."""
    codes = list(dict.fromkeys(c for c in _SEPARATORS.split(raw) if c))
    bad = [c for c in codes if not CADASTRAL_CODE.match(c)]
    if bad:
        carried.problems.append(
            gettext("%(codes)s is not a cadastral code: it was left out.")
            % {"codes": ", ".join(bad)}
        )
    codes = [c for c in codes if c not in bad][:MAX_SITE_PARCELS]
    if not codes:
        return []
    try:
        return site_from_parcels(codes).parcels
    except UnknownParcels as error:
        carried.problems.append(
            gettext(
                "No current parcel has the cadastral code %(codes)s: it was left out. Add the "
                "right parcel at step 2."
            )
            % {"codes": ", ".join(error.codes)}
        )
        known = [c for c in codes if c not in error.codes]
        return site_from_parcels(known).parcels if known else []


def _municipality_of(geom: GEOSGeometry) -> Municipality | None:
    found = list(Municipality.objects.filter(boundary__covers=geom).defer("boundary")[:2])
    return found[0] if len(found) == 1 else None


def carried_from(query) -> Carried:
    """Read what the map or the pre-check put in the apply page's query: `parcels` (codes
    separated by commas) or `site` (GeoJSON), `footprint` (GeoJSON in EPSG:4326) and the
    figures of the pre-check. What cannot be used is left out with a message; the rest is kept."""
    carried = Carried()
    parcels = _carried_parcels(query.get("parcels", ""), carried) if query.get("parcels") else []
    if parcels:
        municipalities = {p.municipality_id for p in parcels}
        if len(municipalities) > 1:
            carried.problems.append(
                gettext(
                    "The parcels %(codes)s lie in more than one municipality: choose the "
                    "parcels of one site at step 2."
                )
                % {"codes": ", ".join(p.cadastral_code for p in parcels)}
            )
            parcels = []
        else:
            carried.codes = [p.cadastral_code for p in parcels]
            carried.municipality = Municipality.objects.defer("boundary").get(
                pk=municipalities.pop()
            )
    elif query.get("site"):
        try:
            site = as_multipolygon(
                parse_geometry(query["site"], allowed_types=("Polygon", "MultiPolygon"))
            )
        except GeometryError as error:
            carried.problems.append(
                gettext("The site drawn on the map could not be used: %(error)s") % {"error": error}
            )
        else:
            carried.municipality = _municipality_of(site)
            if carried.municipality is None:
                carried.problems.append(
                    gettext("The site drawn on the map lies in no municipality the portal serves.")
                )
            else:
                carried.site = site

    figures = CarriedFigures({name: query.get(name, "") for name in CarriedFigures.base_fields})
    figures.is_valid()
    for name, errors in figures.errors.items():
        carried.problems.append(
            gettext("%(field)s could not be used: %(error)s")
            % {"field": figures.fields[name].label, "error": " ".join(errors)}
        )
    data = {k: v for k, v in figures.cleaned_data.items() if v not in (None, "")}
    carried.building_class = data.pop("building_class", "")
    carried.building = {name: data[name] for name in CARRIED_FIGURES if name in data}
    if carried.municipality is None and carried.building.get("footprint") is not None:
        carried.municipality = _municipality_of(carried.building["footprint"])
    carried.facts = _carried_facts(carried, parcels)
    return carried


def _carried_facts(carried: Carried, parcels: list[Parcel]) -> list[tuple[str, str]]:
    """What was carried, as the applicant reads it."""
    facts: list[tuple[str, str]] = []
    if carried.municipality is not None:
        facts.append((gettext("Municipality"), carried.municipality.name))
    if parcels:
        facts.append((gettext("Parcels"), ", ".join(carried.codes)))
        area = sum(float(p.area_m2) for p in parcels)
        facts.append((gettext("Site area, m²"), display_value(round(area, 1), "number")))
    elif carried.site is not None:
        facts.append(
            (
                gettext("Site drawn on the map, m²"),
                display_value(round(carried.site.area, 1), "number"),
            )
        )
    building = carried.building
    if building.get("footprint") is not None:
        area = display_value(round(building["footprint"].area, 1), "number")
        facts.append((gettext("Footprint drawn on the map, m²"), area))
    labels = {
        "footprint_area_m2": gettext("Footprint area, m²"),
        "floors": gettext("Floors above ground"),
        "floor_area_m2": gettext("Total floor area, m²"),
        "green_area_m2": gettext("Green area, m²"),
        "height_m": gettext("Height, m"),
    }
    for name, label in labels.items():
        if building.get(name) is not None:
            facts.append((label, display_value(building[name], "number")))
    if building.get("use"):
        facts.append((gettext("Use"), str(LandUse(building["use"]).label)))
    return facts


class SiteForm(forms.Form):
    parcel_codes = forms.CharField(
        label=_("Cadastral codes of the site"),
        help_text=_("Click parcels on the map, or type one or more codes separated by commas."),
        max_length=2000,
        required=False,
    )
    site = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("parcel_codes") and not data.get("site"):
            raise forms.ValidationError(_("Pick the parcels of the site or draw it."))
        return data


class BuildingForm(forms.Form):
    footprint = forms.CharField(widget=forms.HiddenInput, required=False)
    footprint_area_m2 = forms.FloatField(
        label=_("Footprint area, m²"),
        help_text=_("Not needed when you draw the footprint on the map."),
        min_value=1,
        max_value=1_000_000,
        required=False,
    )
    floors = forms.IntegerField(label=_("Floors above ground"), min_value=1, max_value=200)
    floor_area_m2 = forms.FloatField(label=_("Total floor area, m²"), min_value=0, required=False)
    green_area_m2 = forms.FloatField(label=_("Green area, m²"), min_value=0, required=False)
    height_m = forms.FloatField(label=_("Height, m"), min_value=0, max_value=1000, required=False)
    use = forms.ChoiceField(
        label=_("Use"), choices=[("", "—")] + list(LandUse.choices), required=False
    )
    public_description = forms.CharField(
        label=_("Public description"),
        help_text=_("Shown on the public register. Do not write names or personal data."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not data.get("footprint") and not data.get("footprint_area_m2"):
            self.add_error(
                "footprint_area_m2", _("Draw the footprint on the map or type its area.")
            )
        return data


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, document_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [(t.code, t.name) for t in document_types]


class InformationRequestForm(forms.Form):
    text = forms.CharField(label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 3}))
    working_days = forms.IntegerField(
        label=_("Working days to answer"), min_value=1, max_value=90, initial=15
    )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = list(targets)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    conditions = forms.CharField(
        label=_("Conditions (one a line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
