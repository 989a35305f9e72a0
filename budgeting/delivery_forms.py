"""Forms of the delivery pages: the public filter of the winning projects, and the budget
officer's report, milestone and photo forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting.delivery import NOTE_MAX
from budgeting.models import DeliveryStatus
from core.models import Municipality


class DeliveryFilterForm(forms.Form):
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    cycle = forms.ChoiceField(label=_("Budget cycle"), required=False)
    status = forms.ChoiceField(
        label=_("Delivery"),
        required=False,
        choices=[("", _("Any status"))] + list(DeliveryStatus.choices),
    )

    def __init__(self, *args, cycles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("All municipalities"))] + [
            (m.code, m.name) for m in Municipality.objects.defer("boundary").order_by("code")
        ]
        self.fields["cycle"].choices = [("", _("All cycles"))] + [
            (str(c.pk), c.name) for c in cycles
        ]


class ReportForm(forms.Form):
    delivery_status = forms.ChoiceField(label=_("Status"), choices=DeliveryStatus.choices)
    progress = forms.IntegerField(
        label=_("Progress, %"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("From 0 to 100; a delivered project is at 100%."),
    )
    note_ka = forms.CharField(
        label=_("Note in Georgian"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note_en = forms.CharField(
        label=_("Note in English"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MilestoneForm(forms.Form):
    title_ka = forms.CharField(label=_("Milestone in Georgian"), max_length=200)
    title_en = forms.CharField(label=_("Milestone in English"), max_length=200, required=False)
    due_on = forms.DateField(
        label=_("Planned for"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MilestoneDoneForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    done_on = forms.DateField(
        label=_("Done on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo of the works"),
        help_text=_("JPEG, PNG or WebP, at most 8 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
