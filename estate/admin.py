"""The admin of the estate, each municipality's property officers seeing their own (a superuser
all): the register, the lots, and read-only what the auction engine writes.

Assets are entered and lots prepared on the officer's pages (estate/staff_views.py), which
number them from the cadastre and keep their assets' states; here an asset's particulars and a
draft lot's terms may be corrected through the same services. Bids, deposits and a lot's price,
leading bid, version, winner and final price are the engine's (estate/auctions.py): read-only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_scoping import MunicipalityScopedGeoAdmin, is_active_superuser
from estate.assets import EDITABLE_FIELDS, asset_update, check_state_change
from estate.lots import TERM_FIELDS, lot_draft_update, lot_terms_errors
from estate.models import (
    Asset,
    Bid,
    BidderRegistration,
    Deposit,
    Lot,
    LotAsset,
    LotStatus,
)

MUNICIPALITY_FILTER = ("municipality", admin.RelatedOnlyFieldListFilter)
# Lots whose bidders are not named yet: the bidding is not over.
UNNAMED_STATUSES = (LotStatus.DRAFT, LotStatus.PUBLISHED)


class ReadOnlyAdmin(MunicipalityScopedGeoAdmin):
    """Rows the engine writes: seen, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The register ---------------------------------------------------------------------------


class AssetForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if self.instance.pk and "state" in data:
            try:
                check_state_change(Asset.objects.get(pk=self.instance.pk), data["state"])
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(Asset)
class AssetAdmin(MunicipalityScopedGeoAdmin):
    form = AssetForm
    list_display = ("reference", "name_en", "name_ka", "kind", "state", "cadastral_code", "area_m2")
    list_filter = (MUNICIPALITY_FILTER, "state", "kind", "direct_lease_allowed")
    list_select_related = ("municipality",)
    search_fields = (
        "reference",
        "cadastral_code",
        "name_ka",
        "name_en",
        "address_ka",
        "address_en",
    )
    fieldsets = (
        (
            None,
            {"fields": ("reference", "municipality", "kind", "cadastral_code", "parcel", "parent")},
        ),
        (_("Name and address"), {"fields": ("name_ka", "name_en", "address_ka", "address_en")}),
        (_("Ownership"), {"fields": ("ownership_basis", "ownership_document")}),
        (
            _("Use and state"),
            {"fields": ("current_use_ka", "current_use_en", "state", "direct_lease_allowed")},
        ),
        (_("Geometry"), {"fields": ("geom", "area_m2")}),
        (_("Recorded"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "reference",
        "municipality",
        "kind",
        "cadastral_code",
        "parcel",
        "parent",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not is_active_superuser(request.user):
            # The outline and area come from the cadastre when the asset is entered.
            fields += ("area_m2",)
        return fields

    def geometry_editable(self, request, obj) -> bool:
        return is_active_superuser(request.user)

    def has_add_permission(self, request):
        # Entered from the cadastre on the officer's page, which numbers it.
        return False

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.cleaned_data
        }
        asset_update(asset=obj, by=request.user, **values)
        if is_active_superuser(request.user):
            outline = {
                n: form.cleaned_data[n] for n in ("geom", "area_m2") if n in form.changed_data
            }
            if outline:
                Asset.objects.filter(pk=obj.pk).update(**outline)


# --- Lots -----------------------------------------------------------------------------------


class LotAssetInline(admin.TabularInline):
    model = LotAsset
    extra = 0
    can_delete = False
    fields = ("asset",)
    readonly_fields = ("asset",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LotForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        terms = {name: data.get(name, getattr(self.instance, name)) for name in TERM_FIELDS}
        for field, messages in lot_terms_errors(terms).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)
        return data


# What the engine keeps: never edited by hand.
ENGINE_FIELDS = (
    "status",
    "closes_at",
    "current_price",
    "leading_bid",
    "bid_count",
    "version",
    "winner",
    "final_price",
    "published_at",
    "closed_at",
)


@admin.register(Lot)
class LotAdmin(MunicipalityScopedGeoAdmin):
    form = LotForm
    inlines = (LotAssetInline,)
    list_display = (
        "reference",
        "title_en",
        "kind",
        "status",
        "starts_at",
        "closes_at",
        "current_price",
        "bid_count",
    )
    list_filter = (MUNICIPALITY_FILTER, "status", "kind")
    list_select_related = ("municipality",)
    search_fields = ("reference", "title_ka", "title_en")
    date_hierarchy = "starts_at"
    fieldsets = (
        (None, {"fields": ("reference", "municipality", "attempt", "previous", "created_by")}),
        (
            _("The offer"),
            {
                "fields": (
                    "kind",
                    "title_ka",
                    "title_en",
                    "description_ka",
                    "description_en",
                    "conditions_ka",
                    "conditions_en",
                )
            },
        ),
        (
            _("Price"),
            {
                "fields": (
                    "start_price",
                    "bid_step",
                    "deposit_amount",
                    "deposit_percent",
                    "lease_months",
                )
            },
        ),
        (
            _("Bidding"),
            {
                "fields": (
                    "starts_at",
                    "ends_at",
                    "min_bidders",
                    "extension_window_s",
                    "extension_s",
                    "edit_cutoff_hours",
                )
            },
        ),
        (_("Auction"), {"fields": ENGINE_FIELDS}),
    )
    readonly_fields = (
        "reference",
        "municipality",
        "attempt",
        "previous",
        "created_by",
        *ENGINE_FIELDS,
    )

    def has_add_permission(self, request):
        # Prepared on the officer's page, which numbers the lot and lists its assets.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A draft only: an open lot's terms change through the engine, which tells the bidders.
        if obj is not None and obj.status != LotStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        terms = {name: form.cleaned_data[name] for name in TERM_FIELDS if name in form.cleaned_data}
        lot_draft_update(lot=obj, by=request.user, **terms)

    def save_related(self, request, form, formsets, change):
        # The assets of a lot are chosen on the officer's page.
        pass


# --- What the auction engine writes ---------------------------------------------------------


@admin.register(BidderRegistration)
class BidderRegistrationAdmin(ReadOnlyAdmin):
    """Bidders are named only after the close: registrations of a lot still being prepared or
    open are not listed here."""

    list_display = ("lot", "alias", "legal_name", "id_number_masked", "status", "deposit")
    list_filter = (MUNICIPALITY_FILTER, "status")
    list_select_related = ("lot",)
    search_fields = ("lot__reference", "legal_name")
    exclude = ("id_number_hash", "user")

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(lot__status__in=UNNAMED_STATUSES)


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdmin):
    list_display = ("registration", "amount", "status", "provider", "provider_reference", "paid_at")
    list_filter = (MUNICIPALITY_FILTER, "status", "provider")
    list_select_related = ("registration__lot",)
    search_fields = ("registration__lot__reference", "provider_reference")


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ("lot", "sequence", "bidder", "amount", "placed_at", "cancelled_at")
    list_filter = (MUNICIPALITY_FILTER,)
    list_select_related = ("lot", "registration")
    search_fields = ("lot__reference",)
    fields = ("lot", "sequence", "bidder", "amount", "placed_at", "cancelled_at")
    readonly_fields = fields

    @admin.display(description=_("bidder number"), ordering="registration__alias")
    def bidder(self, obj):
        return f"#{obj.registration.alias}"


# --- Contracts, instalments, payments and reminders -----------------------------------------
# (their admin classes follow here)
from estate import contract_admin  # noqa: E402, F401
