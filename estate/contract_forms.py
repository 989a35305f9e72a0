"""Forms of the contract pages; each parses input for one service of estate/contracts.py."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from estate.models import Frequency


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ContractForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    frequency = forms.ChoiceField(label=_("Payments"), choices=Frequency.choices)
    months = forms.IntegerField(
        label=_("Instalments over, months"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("A sale in instalments only; a lease runs for the term of the lot."),
    )
    indexation_percent = forms.DecimalField(
        label=_("Yearly indexation, %"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=Decimal("0"),
        help_text=_("Applied, compounded, after each full contract year."),
    )
    grace_days = forms.IntegerField(
        label=_("Days of grace"),
        min_value=0,
        max_value=365,
        initial=10,
        help_text=_("Days after a due date before an unpaid amount is in arrears."),
    )

    def __init__(self, *args, direct: bool = False, sale: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()
        if direct:
            self.fields["price"] = forms.DecimalField(
                label=_("Yearly rent, GEL"), min_value=Decimal("1"), decimal_places=2
            )
            self.order_fields(["price"])
        if not sale:
            self.fields.pop("months")
            self.fields["frequency"].choices = [
                (value, label) for value, label in Frequency.choices if value != Frequency.ONCE
            ]
        else:
            self.fields.pop("indexation_percent")


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount, GEL"), min_value=Decimal("0.01"), decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class TerminationForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for termination"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImportForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=None)
    file = forms.FileField(label=_("Bank statement (CSV)"))

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        only = list(municipalities[:2]) if municipalities is not None else []
        if len(only) == 1:
            self.fields["municipality"].initial = only[0].pk
            self.fields["municipality"].widget = forms.HiddenInput()


class ContractFilterForm(forms.Form):
    SHOW = (
        ("", _("All")),
        ("arrears", _("In arrears")),
        ("proposed", _("Proposed for termination")),
        ("termination", _("Being terminated")),
    )
    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40)
