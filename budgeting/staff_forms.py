"""The budget officer's forms: a new cycle, its phases, its voting rules, its budgets and its
voter list."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting.cycle_admin import default_start
from budgeting.models import BallotKind, Cycle, Rule
from budgeting.voter_list import MAX_UPLOAD_BYTES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class RulesForm(forms.Form):
    """The voting rules of a cycle: the kind of ballot, its limits and the winner rule."""

    ballot_kind = forms.ChoiceField(
        label=_("Kind of ballot"), choices=BallotKind.choices, widget=forms.RadioSelect
    )
    min_share_percent = forms.IntegerField(
        label=_("Minimum share of the budget to spend, %"),
        min_value=0,
        max_value=100,
        initial=70,
        help_text=_("For a knapsack ballot: a ballot spends at least this share of its budget."),
    )
    min_projects = forms.IntegerField(
        label=_("Minimum number of projects"),
        min_value=0,
        max_value=1000,
        initial=1,
        help_text=_("For a knapsack ballot by number of projects, and for approval."),
    )
    max_projects = forms.IntegerField(
        label=_("Maximum number of projects"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("For approval; empty: no maximum."),
    )
    winner_rule = forms.ChoiceField(
        label=_("Rule that decides the winners"),
        choices=Rule.choices,
        widget=forms.RadioSelect,
        initial=Rule.EQUAL_SHARES,
        help_text=_("Both rules are computed and shown side by side; this one decides."),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_projects"), data.get("max_projects")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_projects", _("The maximum cannot be smaller than the minimum number.")
            )
        if data.get("ballot_kind") == BallotKind.KNAPSACK_COUNT and low == 0:
            self.add_error(
                "min_projects", _("A ballot by number of projects needs at least one project.")
            )
        return data


class DetailsForm(forms.Form):
    """A cycle's names and descriptions in Georgian and English."""

    name_ka = forms.CharField(label=_("Name (Georgian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    description_ka = forms.CharField(
        label=_("Description (Georgian)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class CycleCreateForm(DetailsForm, RulesForm):
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=None, empty_label=None)
    slug = forms.SlugField(
        label=_("Short name in addresses"),
        max_length=40,
        help_text=_("Latin letters, digits and dashes, e.g. 2027."),
    )
    starts_at = forms.DateTimeField(
        label=_("The first phase starts"),
        widget=DateTimeLocal(),
        input_formats=[DATETIME_FORMAT],
        help_text=_("The ten phases follow each other on default dates; edit them afterwards."),
    )

    field_order = [
        "municipality",
        "slug",
        "name_ka",
        "name_en",
        "description_ka",
        "description_en",
        "starts_at",
        "ballot_kind",
        "min_share_percent",
        "min_projects",
        "max_projects",
        "winner_rule",
    ]

    def __init__(self, *args, municipalities, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "ballot_kind": BallotKind.KNAPSACK,
                "min_share_percent": 70,
                "min_projects": 1,
                "winner_rule": Rule.EQUAL_SHARES,
                "starts_at": default_start(),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        ids = list(municipalities.values_list("pk", flat=True))
        if len(ids) == 1:
            self.fields["municipality"].initial = ids[0]

    def clean(self):
        data = super().clean()
        municipality, slug = data.get("municipality"), data.get("slug")
        if (
            municipality
            and slug
            and Cycle.objects.filter(municipality=municipality, slug=slug).exists()
        ):
            self.add_error("slug", _("This municipality already has a cycle with this short name."))
        return data


class PhaseForm(forms.Form):
    """One phase of the cycle: on or off, and its dates."""

    kind = forms.CharField(widget=forms.HiddenInput)
    enabled = forms.BooleanField(label=_("On"), required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeLocal(), input_formats=[DATETIME_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=DateTimeLocal(), input_formats=[DATETIME_FORMAT]
    )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


PhaseFormSet = forms.formset_factory(PhaseForm, extra=0, min_num=10, max_num=10, validate_max=True)


class BudgetForm(forms.Form):
    """A budget's names, money and population; its district is fixed."""

    pk = forms.IntegerField(widget=forms.HiddenInput)
    name_ka = forms.CharField(label=_("Name (Georgian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    amount = forms.IntegerField(label=_("Money, GEL"), min_value=0, max_value=10**12)
    population = forms.IntegerField(
        label=_("Population"), min_value=0, max_value=10**8, required=False
    )


BudgetFormSet = forms.formset_factory(BudgetForm, extra=0, max_num=500, validate_max=True)


class VoterListForm(forms.Form):
    file = forms.FileField(
        label=_("Voter list (CSV)"),
        help_text=_(
            "UTF-8 CSV with the header line personal_number,birth_year,district; the district "
            "by its code or its name in Georgian or English."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        return upload


class VoterLookupForm(forms.Form):
    number = forms.CharField(label=_("Personal number"), max_length=20)
