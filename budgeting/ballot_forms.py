"""The forms of the ballot pages: the resident's verification against the voter list, and the
choice of projects (plain checkboxes, so that the ballot works without JavaScript)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgeting import voters


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Personal number"),
        max_length=20,
        help_text=_("11 digits, as on your ID card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        min_value=1900,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def clean_number(self) -> str:
        number = voters.normalise(self.cleaned_data["number"])
        if not voters.is_personal_number(number):
            raise forms.ValidationError(voters.PERSONAL_NUMBER_ERROR)
        return number

    def clean_birth_year(self) -> int:
        year = self.cleaned_data["birth_year"]
        if year > timezone.now().year:
            raise forms.ValidationError(_("A year of birth cannot be in the future."))
        return year


class ChoiceForm(forms.Form):
    """The projects chosen, by id; the service checks them against the ballot's rules."""

    projects = forms.TypedMultipleChoiceField(
        label=_("Projects"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [(p.pk, p.title) for p in projects]
