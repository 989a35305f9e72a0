"""Participatory budgeting in the admin: for corrections by a superuser; the work is done on
the staff pages."""

# --- Cycles, their phases and budgets ---------------------------------------------------------
from django import forms as _cycle_forms  # noqa: E402
from django.contrib import admin as _cycle_admin  # noqa: E402
from django.core.exceptions import ValidationError as _CycleValidationError  # noqa: E402

from budgeting.cycles import RULE_FIELDS, check_chain  # noqa: E402
from budgeting.models import Budget, Cycle, CyclePhase  # noqa: E402
from core.admin_scoping import is_active_superuser  # noqa: E402


class _SuperuserOnly:
    """Seen and changed by a superuser only: officers work on the staff pages."""

    def has_module_permission(self, request):
        return is_active_superuser(request.user)

    def has_view_permission(self, request, obj=None):
        return is_active_superuser(request.user)

    def has_change_permission(self, request, obj=None):
        return is_active_superuser(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _PhaseFormSet(_cycle_forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        phases = [form.instance for form in self.forms if form.cleaned_data]
        for form in self.forms:
            if form.cleaned_data:
                for name in ("enabled", "starts_at", "ends_at"):
                    setattr(form.instance, name, form.cleaned_data.get(name))
        try:
            check_chain(phases)
        except _CycleValidationError as error:
            raise _CycleValidationError(error.messages) from None


class _PhaseInline(_SuperuserOnly, _cycle_admin.TabularInline):
    model = CyclePhase
    formset = _PhaseFormSet
    fields = ("kind", "enabled", "starts_at", "ends_at")
    readonly_fields = ("kind",)
    extra = 0


class _BudgetInline(_SuperuserOnly, _cycle_admin.TabularInline):
    model = Budget
    fields = ("district", "name_ka", "name_en", "amount", "population")
    readonly_fields = ("district",)
    extra = 0


@_cycle_admin.register(Cycle)
class CycleAdmin(_SuperuserOnly, _cycle_admin.ModelAdmin):
    list_display = ("name_ka", "name_en", "municipality", "slug", "ballot_kind", "rules_locked_at")
    list_filter = ("municipality",)
    inlines = (_PhaseInline, _BudgetInline)
    readonly_fields = ("municipality", "rules_locked_at")

    def get_readonly_fields(self, request, obj=None):
        # Once the first ballot exists the voting rules are locked (budgeting.cycles).
        if obj is not None and obj.rules_locked_at is not None:
            return (*self.readonly_fields, *RULE_FIELDS)
        return self.readonly_fields
