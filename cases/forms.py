"""Forms of the application pages; each parses input for one service function."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Outcome, Status


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal = forms.BooleanField(label=_("Internal note (staff only)"), required=False)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"))
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, document_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = [(t.code, t.name) for t in document_types]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason (optional)"), max_length=2000, required=False)


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("Officer"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(value, Status(value).label) for value in targets]


class InformationRequestForm(forms.Form):
    text = forms.CharField(
        label=_("What is needed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    working_days = forms.IntegerField(
        label=_("Working days to answer"), min_value=1, max_value=120, initial=15
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    conditions = forms.CharField(
        label=_("Conditions (one per line)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def condition_list(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("conditions", "").splitlines()
            if line.strip()
        ]


class QueueFilterForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services"))] + [
            (s.code, s.name) for s in services
        ]
        self.fields["status"].choices = [("", _("All open"))] + [
            (value, label) for value, label in Status.choices if value != Status.DRAFT
        ]


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40)
