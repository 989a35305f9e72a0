"""The citizen's applications about the estate: ask for an asset to be offered (from a
municipal parcel's card), apply for a direct lease, object to an auction's result.

Each page is for signed-in people (anyone else is sent to sign in and back); each creates and
submits a case and lands on it. What may not be asked is explained on the page, with where to
go instead; a refused form is shown again with what was typed and why (status 400).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import selectors as case_selectors
from cases.models import Service
from estate import requests as services
from estate.models import Asset, Lot, LotAsset, LotStatus
from estate.request_forms import DirectLeaseForm, ObjectionForm, OfferRequestForm
from parcels.models import Parcel


def lot_url(reference: str) -> str | None:
    """The public page of a lot, if the portal has it."""
    try:
        return reverse("estate:lot", args=[reference])
    except NoReverseMatch:
        return None


def _document_types(code: str, municipality):
    try:
        service = case_selectors.service_get(code=code, municipality=municipality)
    except Service.DoesNotExist as error:
        raise Http404("This service is not offered.") from error
    return service, list(service.document_types.all())


def _apply_errors(form, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _submitted(request: HttpRequest, estate_request) -> HttpResponse:
    case = estate_request.case
    messages.success(
        request,
        _(
            "Your application %(reference)s was submitted. The answer is due by %(due)s; "
            "follow it here or in “My applications”."
        )
        % {"reference": case.reference, "due": case.due_date.strftime("%d.%m.%Y")},
    )
    return redirect("cases:detail", reference=case.reference)


def _published_lots(assets) -> dict[int, str]:
    """The open lot of each asset that is in one: asset id -> lot reference."""
    rows = LotAsset.objects.filter(
        asset__in=[a.pk for a in assets], lot__status=LotStatus.PUBLISHED
    ).values_list("asset_id", "lot__reference")
    return dict(rows)


# --- Ask for an asset to be offered ----------------------------------------------------------


def _ask_subject(query) -> tuple[Parcel | None, list[Asset]] | None:
    """What the page is about: (the parcel, its register assets), from ?asset= or ?parcel=;
    None when neither is given. An unknown one answers 404."""
    reference = (query.get("asset") or "").strip()
    if reference:
        asset = (
            Asset.objects.select_related("parcel", "municipality")
            .filter(reference=reference)
            .first()
        )
        if asset is None:
            raise Http404("No such asset.")
        return asset.parcel, [asset]
    code = (query.get("parcel") or "").strip()
    if code:
        parcel = (
            Parcel.objects.current()
            .select_related("municipality")
            .defer("municipality__boundary")
            .filter(cadastral_code=code)
            .first()
        )
        if parcel is None:
            raise Http404("No such parcel.")
        return parcel, list(services.assets_at_parcel(parcel))
    return None


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    """GET/POST /{lang}/estate/ask/?parcel=<cadastral code> or ?asset=<register number>."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    subject = _ask_subject(request.GET)
    context = {"page": "estate", "query": request.GET.urlencode()}
    if subject is None:
        return render(request, "estate/request_ask.html", context)
    parcel, assets = subject
    municipality = assets[0].municipality if assets else parcel.municipality
    service, document_types = _document_types(services.SERVICE_OFFER, municipality)
    askable = [a for a in assets if not services.offer_refusal(a)]
    lots = _published_lots(assets)
    refused = [
        {
            "asset": a,
            "reason": services.offer_refusal(a),
            "lot_url": lot_url(lots[a.pk]) if a.pk in lots else None,
        }
        for a in assets
        if a not in askable
    ]
    unregistered_parcel = not assets and parcel is not None and parcel.is_municipal_property
    context.update(
        parcel=parcel,
        assets=assets,
        refused=refused,
        service=service,
        unregistered_parcel=unregistered_parcel,
        not_municipal=not assets and parcel is not None and not parcel.is_municipal_property,
    )
    if not askable and not unregistered_parcel:
        return render(request, "estate/request_ask.html", context)
    form = OfferRequestForm(
        request.POST or None,
        request.FILES or None,
        assets=askable,
        document_types=document_types,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = services.offer_request_submit(
                    applicant=request.user,
                    parcel=parcel,
                    asset=form.chosen_asset(),
                    wanted=data["wanted"],
                    lease_months=data.get("lease_months"),
                    purpose=data["purpose"],
                    documents=form.documents(),
                )
            except (ValidationError, PermissionDenied) as error:
                _apply_errors(form, error)
            else:
                return _submitted(request, made)
        status = 400
    context.update(form=form, files_again=bool(request.FILES) and status == 400)
    return render(request, "estate/request_ask.html", context, status=status)


# --- Apply for a direct lease ----------------------------------------------------------------


def _asset_or_404(query) -> Asset:
    reference = (query.get("asset") or "").strip()
    asset = (
        Asset.objects.select_related("parcel", "municipality").filter(reference=reference).first()
        if reference
        else None
    )
    if asset is None:
        raise Http404("No such asset.")
    return asset


@require_http_methods(["GET", "POST"])
def direct_lease(request: HttpRequest) -> HttpResponse:
    """GET/POST /{lang}/estate/direct-lease/?asset=<register number>."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    asset = _asset_or_404(request.GET)
    service, document_types = _document_types(services.SERVICE_DIRECT_LEASE, asset.municipality)
    refusal = services.direct_lease_refusal(asset)
    ask_url = f"{reverse('estate:ask')}?{urlencode({'asset': asset.reference})}"
    context = {
        "page": "estate",
        "asset": asset,
        "service": service,
        "refusal": refusal,
        "ask_url": ask_url if not services.offer_refusal(asset) else None,
    }
    if refusal:
        status = 400 if request.method == "POST" else 200
        return render(request, "estate/request_direct_lease.html", context, status=status)
    form = DirectLeaseForm(
        request.POST or None, request.FILES or None, document_types=document_types
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.direct_lease_submit(
                    applicant=request.user,
                    asset=asset,
                    lease_months=form.cleaned_data["lease_months"],
                    purpose=form.cleaned_data["purpose"],
                    documents=form.documents(),
                )
            except (ValidationError, PermissionDenied) as error:
                _apply_errors(form, error)
            else:
                return _submitted(request, made)
        status = 400
    context.update(form=form, files_again=bool(request.FILES) and status == 400)
    return render(request, "estate/request_direct_lease.html", context, status=status)


# --- Object to an auction's result -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def object_to_result(request: HttpRequest) -> HttpResponse:
    """GET/POST /{lang}/estate/object/?lot=<lot number>: a lot being prepared answers 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    reference = (request.GET.get("lot") or "").strip()
    lot = (
        Lot.objects.select_related("municipality").filter(reference=reference).first()
        if reference
        else None
    )
    if lot is None or not lot.is_public:
        raise Http404("No such lot.")
    service, document_types = _document_types(services.SERVICE_OBJECTION, lot.municipality)
    refusal = services.objection_refusal(lot, request.user)
    context = {
        "page": "estate",
        "lot": lot,
        "lot_url": lot_url(lot.reference),
        "service": service,
        "refusal": refusal,
        "deadline": services.objection_deadline(lot),
    }
    if refusal:
        status = 400 if request.method == "POST" else 200
        return render(request, "estate/request_object.html", context, status=status)
    form = ObjectionForm(request.POST or None, request.FILES or None, document_types=document_types)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.objection_submit(
                    applicant=request.user,
                    lot=lot,
                    grounds=form.cleaned_data["grounds"],
                    documents=form.documents(),
                )
            except (ValidationError, PermissionDenied) as error:
                _apply_errors(form, error)
            else:
                return _submitted(request, made)
        status = 400
    context.update(form=form, files_again=bool(request.FILES) and status == 400)
    return render(request, "estate/request_object.html", context, status=status)
