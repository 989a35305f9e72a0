"""Forms of the property officer's pages: the register's filters, an asset entered from the
cadastre and its particulars, and a lot's terms. The rules themselves are the services'
(estate/assets.py, estate/lots.py); these forms parse input and show their refusals."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from estate.assets import HAND_STATES
from estate.lots import lot_terms_errors
from estate.models import (
    DEFAULT_EDIT_CUTOFF_HOURS,
    DEFAULT_EXTENSION_S,
    DEFAULT_EXTENSION_WINDOW_S,
    DEFAULT_MIN_BIDDERS,
    Asset,
    AssetKind,
    AssetState,
    LotKind,
)

MAX_SEARCH = 100
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        help_text=_("Register number, cadastral code, name or address"),
        max_length=MAX_SEARCH,
        required=False,
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any state"))] + list(AssetState.choices), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind"))] + list(AssetKind.choices), required=False
    )


class AssetCreateForm(forms.Form):
    cadastral_code = forms.CharField(
        label=_("Cadastral code"),
        help_text=_("The municipal parcel the asset lies on, e.g. 05.24.11.005"),
        max_length=32,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    building = forms.TypedChoiceField(
        label=_("Building of the cadastre"),
        help_text=_("For a building or a unit: its outline; otherwise the parcel's."),
        coerce=int,
        empty_value=None,
        required=False,
    )
    name_ka = forms.CharField(label=_("Name (Georgian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    address_ka = forms.CharField(
        label=_("Address (Georgian)"),
        help_text=_("Leave empty to take the parcel's address."),
        max_length=300,
        required=False,
    )
    address_en = forms.CharField(
        label=_("Address (English)"),
        help_text=_("Leave empty to take the parcel's address."),
        max_length=300,
        required=False,
    )
    area_m2 = forms.FloatField(
        label=_("Area, m²"),
        help_text=_("Leave empty to take the area of the parcel or the building."),
        min_value=0,
        required=False,
    )
    ownership_basis = forms.ChoiceField(
        label=_("Ownership basis"), choices=Asset._meta.get_field("ownership_basis").choices
    )
    ownership_document = forms.CharField(
        label=_("Ownership document"),
        help_text=_("The registry extract or act by which the municipality owns it."),
        max_length=200,
    )
    current_use_ka = forms.CharField(
        label=_("Current use (Georgian)"), max_length=300, required=False
    )
    current_use_en = forms.CharField(
        label=_("Current use (English)"), max_length=300, required=False
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            (s.value, s.label)
            for s in (AssetState.AVAILABLE, AssetState.IN_USE, AssetState.WITHDRAWN)
        ],
    )
    direct_lease_allowed = forms.BooleanField(
        label=_("May be leased directly, without an auction"), required=False
    )

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", _("The parcel's outline"))] + [
            (
                b.pk,
                _("Building %(number)s: %(floors)s floors, %(area)s m²")
                % {"number": b.pk, "floors": b.floors, "area": f"{b.geom.area:.0f}"},
            )
            for b in buildings
        ]


class AssetEditForm(forms.ModelForm):
    class Meta:
        model = Asset
        fields = (
            "name_ka",
            "name_en",
            "address_ka",
            "address_en",
            "ownership_basis",
            "ownership_document",
            "current_use_ka",
            "current_use_en",
            "state",
            "direct_lease_allowed",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        if self.instance.state in HAND_STATES:
            state.choices = [(s.value, s.label) for s in HAND_STATES]
            state.help_text = _(
                "In auction, leased and sold are set by the auctions and the contracts."
            )
        else:
            state.disabled = True
            state.help_text = _("The state follows the asset's auction or contract.")

    def _post_clean(self):
        # The service checks the asset as a whole (estate.register.asset_update).
        pass


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class LotTermsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Offered for"), choices=LotKind.choices)
    title_ka = forms.CharField(label=_("Title (Georgian)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    description_ka = forms.CharField(
        label=_("Description (Georgian)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    conditions_ka = forms.CharField(
        label=_("Conditions (Georgian)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    conditions_en = forms.CharField(
        label=_("Conditions (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    start_price = forms.DecimalField(
        label=_("Start price, GEL"),
        help_text=_("For a lease or usufruct, the yearly rent."),
        min_value=Decimal("1"),
        max_digits=14,
        decimal_places=2,
    )
    bid_step = forms.DecimalField(label=_("Bid step, GEL"), max_digits=14, decimal_places=2)
    deposit_amount = forms.DecimalField(
        label=_("Deposit, GEL"),
        help_text=_("Either an amount or a percentage of the start price."),
        max_digits=14,
        decimal_places=2,
        required=False,
    )
    deposit_percent = forms.DecimalField(
        label=_("Deposit, per cent of the start price"),
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    lease_months = forms.IntegerField(
        label=_("Lease term, months"),
        help_text=_("For a lease or usufruct."),
        min_value=1,
        max_value=1200,
        required=False,
    )
    starts_at = forms.DateTimeField(
        label=_("Bidding starts"), widget=DateTimeLocal(), input_formats=[DATETIME_FORMAT]
    )
    ends_at = forms.DateTimeField(
        label=_("Bidding ends"), widget=DateTimeLocal(), input_formats=[DATETIME_FORMAT]
    )
    min_bidders = forms.IntegerField(
        label=_("Minimum bidders"), min_value=1, max_value=100, initial=DEFAULT_MIN_BIDDERS
    )
    extension_window_s = forms.IntegerField(
        label=_("Late-bid window, seconds"),
        help_text=_("A bid this close to the end moves the end."),
        min_value=0,
        max_value=3600,
        initial=DEFAULT_EXTENSION_WINDOW_S,
    )
    extension_s = forms.IntegerField(
        label=_("Extension, seconds"),
        help_text=_("The end moves to this long after such a bid."),
        min_value=0,
        max_value=3600,
        initial=DEFAULT_EXTENSION_S,
    )
    edit_cutoff_hours = forms.IntegerField(
        label=_("Terms frozen, hours before the end"),
        help_text=_("Until then the terms may be changed; a change cancels the standing bids."),
        min_value=0,
        max_value=24 * 60,
        initial=DEFAULT_EDIT_CUTOFF_HOURS,
    )

    def clean(self):
        data = super().clean()
        for field, messages in lot_terms_errors(data).items():
            if field not in self.errors:
                for message in messages:
                    self.add_error(field, message)
        return data

    def terms(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "assets"}


class LotCreateForm(LotTermsForm):
    assets = forms.ModelMultipleChoiceField(
        label=_("Assets"),
        queryset=Asset.objects.none(),
        to_field_name="reference",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one asset.")},
    )

    field_order = ("assets",)

    def __init__(self, *args, offerable=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offerable is not None:
            self.fields["assets"].queryset = offerable

    def clean_assets(self):
        assets = self.cleaned_data["assets"]
        if len({a.municipality_id for a in assets}) > 1:
            raise forms.ValidationError(_("The assets of one lot belong to one municipality."))
        return assets


class NextAttemptForm(forms.Form):
    start_price = forms.DecimalField(
        label=_("Start price of the next attempt, GEL"),
        help_text=_("Leave empty for the usual reduction."),
        min_value=Decimal("1"),
        max_digits=14,
        decimal_places=2,
        required=False,
    )
