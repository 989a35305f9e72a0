"""Forms of the permit application steps and the planner's review actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Outcome
from core.models import Municipality
from parcels.models import LandUse
from permits.models import BuildingClass, Stage, Stance


class StartForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("code").defer("boundary")
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    building_class = forms.ChoiceField(label=_("Building class"), choices=BuildingClass.choices)


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


class CommentForm(forms.Form):
    stance = forms.ChoiceField(label=_("Your view"), choices=Stance.choices)
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
