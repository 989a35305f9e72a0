"""Forms of the estate's applications through the one window; each parses input for one service
of estate/requests.py. The documents a service asks for are file fields of the form, built from
the catalogue, so that the whole application is one page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from estate.models import LotKind
from estate.requests import MAX_LEASE_MONTHS

DOCUMENT_PREFIX = "doc_"

WANTED_CHOICES = (
    (LotKind.LEASE, _("Lease it")),
    (LotKind.SALE, _("Buy it")),
    (LotKind.USUFRUCT, _("Use it free of rent (usufruct)")),
)


class DocumentFields(forms.Form):
    """A file field for every document type of the service, required as the catalogue says."""

    def __init__(self, *args, document_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.document_types = list(document_types)
        for kind in self.document_types:
            self.fields[DOCUMENT_PREFIX + kind.code] = forms.FileField(
                label=kind.name,
                required=kind.required,
                help_text=_("%(kinds)s, at most %(size)s MB.")
                % {"kinds": kind.accepted_kinds, "size": kind.max_size_mb},
            )

    def documents(self) -> dict:
        """The files chosen, by document type code."""
        return {
            kind.code: self.cleaned_data.get(DOCUMENT_PREFIX + kind.code)
            for kind in self.document_types
            if self.cleaned_data.get(DOCUMENT_PREFIX + kind.code)
        }

    def file_fields(self):
        return [self[DOCUMENT_PREFIX + kind.code] for kind in self.document_types]

    def other_fields(self):
        return [field for field in self if not field.name.startswith(DOCUMENT_PREFIX)]


def _term_field(required: bool) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Lease term, months"),
        min_value=1,
        max_value=MAX_LEASE_MONTHS,
        required=required,
        help_text=None
        if required
        else _("Needed for a lease or usufruct; leave it empty for a purchase."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _statement_field(label, help_text) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class OfferRequestForm(DocumentFields):
    asset = forms.ChoiceField(label=_("Which asset"), widget=forms.RadioSelect)
    wanted = forms.ChoiceField(
        label=_("What you want"),
        choices=WANTED_CHOICES,
        initial=LotKind.LEASE,
        widget=forms.RadioSelect,
    )
    lease_months = _term_field(required=False)
    purpose = _statement_field(
        _("What you want to use it for"),
        _("The use you plan, for how long and anything the municipality should know."),
    )

    def __init__(self, *args, assets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assets = {asset.reference: asset for asset in assets}
        if self.assets:
            self.fields["asset"].choices = [
                (asset.reference, f"{asset.reference} · {asset.name} ({asset.get_kind_display()})")
                for asset in assets
            ]
            if len(self.assets) == 1:
                # The one asset is shown above the form: nothing to choose.
                field = self.fields["asset"]
                field.required = False
                field.widget = forms.HiddenInput()
                field.initial = next(iter(self.assets))
        else:
            # A municipal parcel not yet in the register: asked about by its cadastral code.
            del self.fields["asset"]
        # The fields the applicant types first, then the files.
        self.order_fields(["asset", "wanted", "lease_months", "purpose"])

    def clean(self):
        data = super().clean()
        if data.get("wanted") in (LotKind.LEASE, LotKind.USUFRUCT) and not data.get("lease_months"):
            self.add_error("lease_months", _("Say for how many months you want it."))
        return data

    def chosen_asset(self):
        chosen = self.cleaned_data.get("asset")
        if not chosen and len(self.assets) == 1:
            return next(iter(self.assets.values()))
        return self.assets.get(chosen)


class DirectLeaseForm(DocumentFields):
    lease_months = _term_field(required=True)
    purpose = _statement_field(
        _("What you will use it for"),
        _(
            "The purpose, and the council's decision or rule that allows a lease without an auction."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["lease_months", "purpose"])


class ObjectionForm(DocumentFields):
    grounds = _statement_field(
        _("Grounds of the objection"),
        _("What was wrong in the auction or its result, and what you ask the municipality to do."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["grounds"])
