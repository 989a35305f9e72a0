"""The forms of the budget officers' review pages and of the entry of paper ballots."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from budgeting import voters
from budgeting.models import Budget, Category, ProposalStatus
from budgeting.paper import NOTE_MAX, SHEET_MAX
from budgeting.review import REASON_MAX

# The largest price a form accepts before the service compares it with the budget's money.
COST_MAX = 10**12
SEARCH_MAX = 100


def _budget_label(budget: Budget) -> str:
    return budget.name


class QueueFilterForm(forms.Form):
    """The filters of a cycle's queue of proposals (GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX)
    status = forms.ChoiceField(label=_("Status"), required=False)
    budget = forms.ModelChoiceField(
        label=_("Budget"), queryset=Budget.objects.none(), required=False, empty_label=_("All")
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *ProposalStatus.choices]
        self.fields["category"].choices = [("", _("All")), *Category.choices]
        budget = self.fields["budget"]
        budget.queryset = Budget.objects.filter(cycle=cycle).select_related("district")
        budget.label_from_instance = _budget_label
        self.fields["q"].widget.attrs["placeholder"] = _("Reference, title or description")


class Decision:
    FEASIBLE = "feasible"
    UNFEASIBLE = "unfeasible"
    CHOICES = (
        (FEASIBLE, _("Feasible: it goes on the ballot at the price below")),
        (UNFEASIBLE, _("Not feasible: say why")),
    )


class ReviewForm(forms.Form):
    """Feasible with a price, or not feasible with a reason; the budget it belongs to."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.CHOICES, widget=forms.RadioSelect
    )
    cost = forms.IntegerField(
        label=_("Price, GEL"),
        required=False,
        min_value=1,
        max_value=COST_MAX,
        help_text=_("Whole lari, more than 0 and at most the budget's money."),
    )
    reason_ka = forms.CharField(
        label=_("Reason in Georgian"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the proposal is not feasible; shown to the public."),
    )
    reason_en = forms.CharField(
        label=_("Reason in English"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    budget = forms.ModelChoiceField(
        label=_("Budget"),
        queryset=Budget.objects.none(),
        empty_label=None,
        help_text=_("Move the proposal to another district's budget, or to the city-wide one."),
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        budget = self.fields["budget"]
        budget.queryset = Budget.objects.filter(cycle_id=proposal.cycle_id).select_related(
            "district"
        )
        budget.label_from_instance = _budget_label

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == Decision.FEASIBLE and data.get("cost") is None and "cost" not in self.errors:
            self.add_error("cost", _("A feasible project needs its price."))
        if decision == Decision.UNFEASIBLE and not (data.get("reason_ka") or "").strip():
            if "reason_ka" not in self.errors:
                self.add_error("reason_ka", _("Say in Georgian why the proposal is not feasible."))
        return data


class MergeForm(forms.Form):
    """The proposal to keep, of the same cycle and budget, and a note to both authors."""

    keep = forms.ChoiceField(label=_("Keep this proposal"))
    note_ka = forms.CharField(
        label=_("Note in Georgian"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the two proposals are the same; sent to both authors."),
    )
    note_en = forms.CharField(
        label=_("Note in English"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {p.reference: p for p in candidates}
        self.fields["keep"].choices = [("", "—")] + [
            (p.reference, f"{p.reference} — {p.title}") for p in candidates
        ]

    def clean_keep(self):
        reference = self.cleaned_data["keep"]
        return self.candidates[reference]


class PaperEntryForm(forms.Form):
    """One officer's entry of a paper sheet of one budget."""

    sheet = forms.CharField(label=_("Sheet number"), max_length=SHEET_MAX)
    personal_number = forms.CharField(
        label=_("Personal number"),
        max_length=20,
        help_text=_("11 digits, as written on the sheet. It is kept only as a keyed hash."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    projects = forms.MultipleChoiceField(
        label=_("Projects marked on the sheet"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [(str(p.pk), p.reference) for p in projects]

    def clean_personal_number(self):
        number = voters.normalise(self.cleaned_data["personal_number"])
        if not voters.is_personal_number(number):
            raise forms.ValidationError(voters.PERSONAL_NUMBER_ERROR)
        return number

    def clean_projects(self):
        return [int(pk) for pk in self.cleaned_data["projects"]]


class ResolveForm(forms.Form):
    """The third look at a sheet whose entries disagree."""

    REFUSE = "refuse"

    choice = forms.ChoiceField(label=_("What the sheet shows"), widget=forms.RadioSelect)
    personal_number = forms.CharField(
        label=_("Personal number as on the sheet"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you found on the sheet; kept with both entries."),
    )

    def __init__(self, *args, entries, persons_differ: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {str(e.pk): e for e in entries}
        choices = [
            (
                str(e.pk),
                _("Entry %(number)s is right") % {"number": index},
            )
            for index, e in enumerate(entries, start=1)
        ]
        choices.append((self.REFUSE, _("Refuse the sheet: it cannot be counted")))
        self.fields["choice"].choices = choices
        if persons_differ:
            self.fields["personal_number"].help_text = _(
                "The entries name different persons: type the number the sheet shows."
            )
        else:
            del self.fields["personal_number"]

    def chosen(self):
        value = self.cleaned_data["choice"]
        return None if value == self.REFUSE else self.entries[value]
