"""Pages of the contracts: the property officer's list, contract page, new contract and bank
import; the holder's contracts; and the public verification of a contract document.

A contract the person may not see answers 404, as one that does not exist: staff pages are the
property officers' of the contract's municipality, a contract page its holder's and theirs.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Municipality
from core.rules import is_superuser
from estate import contracts as services
from estate.contract_forms import (
    ContractFilterForm,
    ContractForm,
    ImportForm,
    PaymentForm,
    TerminationForm,
    VerifyForm,
)
from estate.models import (
    Contract,
    ContractStatus,
    EstateRequest,
    Lot,
    LotKind,
    LotStatus,
    RequestKind,
)
from estate.rules import is_property_officer_of, officer_municipality_ids


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def is_officer(user, municipality) -> bool:
    return is_superuser.test(user) or is_property_officer_of(user, municipality)


def officer_only(user) -> None:
    """404 for anyone who keeps no municipality's estate."""
    if not (is_superuser.test(user) or officer_municipality_ids(user)):
        raise Http404("No such page.")


def contracts_for_officer(user):
    ids = officer_municipality_ids(user)
    found = Contract.objects.select_related("municipality")
    return found if ids is None else found.filter(municipality_id__in=ids)


def contract_for(user, reference: str, *, staff_only: bool = False) -> Contract:
    contract = (
        Contract.objects.select_related("municipality", "holder", "lot")
        .filter(reference=reference)
        .first()
    )
    if contract is None:
        raise Http404("No such contract.")
    staff = is_officer(user, contract.municipality)
    if not staff and (staff_only or contract.holder_id != user.pk):
        raise Http404("No such contract.")
    contract.is_staff_view = staff
    return contract


def _contract_context(request, contract: Contract, **forms) -> dict:
    today = timezone.localdate()
    return {
        "contract": contract,
        "assets": list(contract.assets.order_by("reference")),
        "states": services.instalment_states(contract, today),
        "payments": list(contract.payments.order_by("paid_on", "pk")),
        "reminders": list(contract.reminders.order_by("level")),
        "paid_total": services.paid_total(contract),
        "proposed": services.termination_proposed(contract),
        "today": today,
        "notice_days": services.TERMINATION_NOTICE_DAYS,
        "payment_form": forms.get("payment_form") or PaymentForm(),
        "termination_form": forms.get("termination_form") or TerminationForm(),
        "errors": forms.get("errors"),
        "page": "estate",
    }


# --- Staff ----------------------------------------------------------------------------------


@signed_in
def staff_contracts(request):
    officer_only(request.user)
    form = ContractFilterForm(request.GET or None)
    show = form.cleaned_data["show"] if form.is_bound and form.is_valid() else ""
    found = contracts_for_officer(request.user).annotate(last_reminder=Max("reminders__level"))
    if show == "arrears":
        found = found.filter(status=ContractStatus.IN_ARREARS)
    elif show == "proposed":
        found = found.filter(
            status=ContractStatus.IN_ARREARS, last_reminder__gte=services.LAST_REMINDER
        )
    elif show == "termination":
        found = found.filter(status=ContractStatus.TERMINATION)
    found = found.order_by("-arrears", "reference")[:500]
    return render(
        request,
        "estate/contracts/staff_list.html",
        {
            "form": form,
            "contracts": found,
            "show": show,
            "last_level": services.LAST_REMINDER,
            "page": "estate",
        },
    )


@signed_in
def staff_contract(request, reference: str):
    contract = contract_for(request.user, reference, staff_only=True)
    if request.method != "POST":
        return render(
            request, "estate/contracts/staff_detail.html", _contract_context(request, contract)
        )
    action = request.POST.get("action")
    if action == "payment":
        form = PaymentForm(request.POST)
        if form.is_valid():
            try:
                services.payment_record(
                    contract=contract,
                    amount=form.cleaned_data["amount"],
                    paid_on=form.cleaned_data["paid_on"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The payment was recorded."))
                return redirect("estate:staff-contract", reference=contract.reference)
        forms = {"payment_form": form}
    elif action == "termination":
        form = TerminationForm(request.POST)
        if form.is_valid():
            try:
                services.contract_termination_start(
                    contract=contract, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Notice of termination was given to the holder."))
                return redirect("estate:staff-contract", reference=contract.reference)
        forms = {"termination_form": form}
    elif action == "terminate":
        try:
            services.contract_terminate(contract=contract, by=request.user)
        except ValidationError as exc:
            forms = {"errors": exc.messages}
        else:
            messages.success(request, _("The contract was terminated."))
            return redirect("estate:staff-contract", reference=contract.reference)
    else:
        forms = {"errors": [_("Unknown action.")]}
    contract.refresh_from_db()
    contract.is_staff_view = True
    return render(
        request,
        "estate/contracts/staff_detail.html",
        _contract_context(request, contract, **forms),
        status=400,
    )


def _source(request):
    """The awarded lot or approved direct lease a new contract is for, or 404."""
    user = request.user
    lot_ref = request.GET.get("lot", "").strip()
    case_ref = request.GET.get("request", "").strip()
    if lot_ref:
        lot = Lot.objects.select_related("municipality").filter(reference=lot_ref).first()
        if lot is None or not is_officer(user, lot.municipality):
            raise Http404("No such lot.")
        return lot, None
    if case_ref:
        estate_request = (
            EstateRequest.objects.select_related("case", "case__municipality", "asset")
            .filter(case__reference=case_ref, kind=RequestKind.DIRECT_LEASE)
            .first()
        )
        if estate_request is None or not is_officer(user, estate_request.case.municipality):
            raise Http404("No such application.")
        return None, estate_request
    raise Http404("Name the lot or the application.")


@signed_in
def contract_new(request):
    officer_only(request.user)
    lot, estate_request = _source(request)
    sale = lot is not None and lot.kind == LotKind.SALE
    form = ContractForm(request.POST or None, direct=estate_request is not None, sale=sale)
    existing = Contract.objects.filter(lot=lot).first() if lot is not None else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        terms = {
            "by": request.user,
            "starts_on": data["starts_on"],
            "frequency": data["frequency"],
            "indexation_percent": data.get("indexation_percent") or 0,
            "grace_days": data["grace_days"],
        }
        try:
            if lot is not None:
                contract = services.contract_from_lot(lot=lot, months=data.get("months"), **terms)
            else:
                contract = services.contract_direct(
                    request=estate_request, price=data["price"], **terms
                )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Contract %(reference)s was made; its document is being prepared.")
                % {"reference": contract.reference},
            )
            return redirect("estate:staff-contract", reference=contract.reference)
    return render(
        request,
        "estate/contracts/new.html",
        {
            "form": form,
            "lot": lot,
            "estate_request": estate_request,
            "existing": existing,
            "awarded": lot is None or lot.status == LotStatus.AWARDED,
            "page": "estate",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@signed_in
def payments_import(request):
    officer_only(request.user)
    ids = officer_municipality_ids(request.user)
    municipalities = Municipality.objects.order_by("name_en")
    if ids is not None:
        municipalities = municipalities.filter(pk__in=ids)
    form = ImportForm(request.POST or None, request.FILES or None, municipalities=municipalities)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.bank_csv_import(
                    municipality=form.cleaned_data["municipality"],
                    file=form.cleaned_data["file"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_errors(form, exc)
                status = 400
        else:
            status = 400
    return render(
        request,
        "estate/contracts/import.html",
        {"form": form, "result": result, "page": "estate"},
        status=status,
    )


# --- The holder -----------------------------------------------------------------------------


@signed_in
def my_contracts(request):
    found = (
        Contract.objects.filter(holder=request.user)
        .select_related("municipality")
        .order_by("-starts_on", "reference")
    )
    return render(request, "estate/contracts/mine.html", {"contracts": found, "page": "estate"})


@signed_in
def contract_detail(request, reference: str):
    contract = contract_for(request.user, reference)
    return render(request, "estate/contracts/detail.html", _contract_context(request, contract))


@signed_in
def contract_pdf(request, reference: str):
    contract = contract_for(request.user, reference)
    if not contract.pdf:
        raise Http404("No contract document yet.")
    return FileResponse(
        contract.pdf.open("rb"),
        filename=f"{contract.reference}.pdf",
        content_type="application/pdf",
    )


# --- Public ---------------------------------------------------------------------------------


def contract_by_code(code: str) -> Contract | None:
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    if not code or len(code) > 32:
        return None
    return (
        Contract.objects.select_related("municipality", "lot", "lot__winner")
        .filter(verification_code=code)
        .first()
    )


def verify(request):
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"].strip().upper().replace(" ", "").replace("-", "")
        if code:
            return redirect(reverse("estate:contract-verify", kwargs={"code": code}))
    return render(request, "estate/contracts/verify.html", {"form": form, "page": "estate"})


def verify_code(request, code: str):
    contract = contract_by_code(code)
    return render(
        request,
        "estate/contracts/verify.html",
        {
            "form": VerifyForm(initial={"code": code}),
            "contract": contract,
            "assets": list(contract.assets.order_by("reference")) if contract else [],
            "code": code,
            "searched": True,
            "page": "estate",
        },
        status=200 if contract else 404,
    )
