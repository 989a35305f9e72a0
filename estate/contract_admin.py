"""The admin of the contracts: read-only (they change only through estate/contracts.py, which
keeps the schedule, the arrears and the assets' states together). Imported by estate/admin.py.
"""

from __future__ import annotations

import rules
from django.contrib import admin

from core.admin_scoping import MunicipalityScopedAdmin
from estate.models import Contract, ContractAsset, Instalment, Payment, Reminder
from estate.rules import can_manage_lot

for _model in ("contract", "contractasset", "instalment", "payment", "reminder"):
    rules.add_perm(f"estate.view_{_model}", can_manage_lot)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContractAssetInline(ReadOnly, admin.TabularInline):
    model = ContractAsset
    extra = 0
    fields = ["asset"]


class InstalmentInline(ReadOnly, admin.TabularInline):
    model = Instalment
    extra = 0
    fields = ["number", "due_on", "amount"]


class PaymentInline(ReadOnly, admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["paid_on", "amount", "source", "bank_reference", "note", "recorded_by"]


class ReminderInline(ReadOnly, admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ["level", "arrears", "sent_on"]


@admin.register(Contract)
class ContractAdmin(ReadOnly, MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["reference", "kind", "holder_name", "municipality", "status", "arrears"]
    list_filter = ["status", "kind", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reference", "holder_name", "verification_code"]
    list_select_related = ["municipality"]
    inlines = [ContractAssetInline, InstalmentInline, PaymentInline, ReminderInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnly, MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["contract", "paid_on", "amount", "source", "bank_reference"]
    list_filter = ["source", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["contract__reference", "bank_reference", "note"]
    list_select_related = ["contract"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnly, MunicipalityScopedAdmin, admin.ModelAdmin):
    list_display = ["contract", "level", "arrears", "sent_on"]
    list_select_related = ["contract"]
