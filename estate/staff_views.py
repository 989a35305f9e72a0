"""The property officer's pages: the register of municipal property, an asset entered from the
cadastre and kept with its history, and lots prepared, published and followed.

Anyone signed out is sent to sign in. A signed-in person with no property officer's role
anywhere is refused the lists (403, as the work queue refuses them); an asset or lot of a
municipality where the person keeps no register answers 404, as one that does not exist.
Staff reach these pages only after their second factor (core.mfa's middleware).
"""

from __future__ import annotations

import importlib
import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.models import Municipality
from estate import assets as asset_services
from estate import lots as lot_services
from estate.forms import (
    AssetCreateForm,
    AssetEditForm,
    LotCreateForm,
    LotTermsForm,
    NextAttemptForm,
    RegisterFilterForm,
)
from estate.models import (
    MAX_ATTEMPTS,
    Asset,
    AssetState,
    Bid,
    BidderRegistration,
    Contract,
    Deposit,
    Lot,
    LotAsset,
    LotStatus,
    RegistrationStatus,
)
from estate.rules import can_manage_asset, can_manage_lot, officer_municipality_ids

PAGE_SIZE = 50
SEARCH_RESULTS = 50
# Fields of the history that say nothing to a reader.
HISTORY_SKIPPED = {"id", "updated_at", "created_at", "geom", "municipality", "parcel", "parent"}
# Lots whose bidders may be named: the bidding is over.
CLOSED_STATUSES = (LotStatus.AWARDED, LotStatus.FAILED, LotStatus.CANCELLED)


def officer_required(view):
    """Signed in, and a property officer somewhere (or a superuser)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if officer_municipality_ids(request.user) == []:
            raise PermissionDenied(_("These pages are for the property officers."))
        return view(request, *args, **kwargs)

    return wrapper


def signed_in(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def _scoped(queryset, user):
    ids = officer_municipality_ids(user)
    return queryset if ids is None else queryset.filter(municipality_id__in=ids)


def _asset_for(user, reference: str) -> Asset:
    asset = (
        Asset.objects.select_related("municipality", "parcel", "parent")
        .filter(reference=reference)
        .first()
    )
    if asset is None or not can_manage_asset.test(user, asset):
        raise Http404("No such asset.")
    return asset


def _lot_for(user, reference: str) -> Lot:
    lot = Lot.objects.select_related("municipality", "previous").filter(reference=reference).first()
    if lot is None or not can_manage_lot.test(user, lot):
        raise Http404("No such lot.")
    return lot


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _engine():
    """The auction engine (estate/auctions.py), or None where it is not installed."""
    try:
        return importlib.import_module("estate.auctions")
    except ImportError:
        return None


def _auction_errors() -> tuple[type[Exception], ...]:
    """The engine's refusal (AuctionError, with .message, .code and .status), if installed."""
    engine = _engine()
    error = getattr(engine, "AuctionError", None) if engine is not None else None
    return (error,) if error is not None else ()


def _map_config(user) -> dict | None:
    """The register's layers of the officer's municipalities on a small map, if published."""
    try:
        from estate.layers import register_layer_name
        from layers.registry import registry
    except ImportError:
        return None
    municipalities = Municipality.objects.order_by("code").defer("boundary")
    ids = officer_municipality_ids(user)
    if ids is not None:
        municipalities = municipalities.filter(pk__in=ids)
    municipalities = list(municipalities)
    names = [
        register_layer_name(m.code)
        for m in municipalities
        if registry.get(register_layer_name(m.code)) is not None
    ]
    if not names or not municipalities:
        return None
    language = translation.get_language()
    first = municipalities[0]
    extent = (
        _scoped(Asset.objects.all(), user)
        .aggregate(extent=Extent(Transform("geom", settings.SRID_API)))
        .get("extent")
    )
    return {
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "layers": names,
        "center": [first.center_lon, first.center_lat],
        "zoom": first.default_zoom,
        "bounds": list(extent) if extent else None,
    }


# --- The register ---------------------------------------------------------------------------


def _search(queryset, text: str):
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(reference__icontains=text)
        | Q(cadastral_code__icontains=text)
        | Q(name_ka__icontains=text)
        | Q(name_en__icontains=text)
        | Q(address_ka__icontains=text)
        | Q(address_en__icontains=text)
    )


@officer_required
def register(request):
    """GET /{lang}/estate/staff/register/: the officer's register, searched and filtered."""
    user = request.user
    assets = _scoped(Asset.objects.all(), user)
    form = RegisterFilterForm(request.GET or None)
    found = assets
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        found = _search(found, data["q"])
        if data["state"]:
            found = found.filter(state=data["state"])
        if data["kind"]:
            found = found.filter(kind=data["kind"])
    found = found.select_related("municipality").order_by("reference")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(assets.order_by().values_list("state").annotate(n=Count("pk")))
    query = request.GET.copy()
    query.pop("page", None)
    by_state = request.GET.copy()
    by_state.pop("page", None)
    by_state.pop("state", None)
    return render(
        request,
        "estate/staff/register.html",
        {
            "form": form,
            "page_obj": page,
            "assets": page.object_list,
            "counts": [
                {"state": state, "label": state.label, "count": counts.get(state.value, 0)}
                for state in AssetState
            ],
            "total": sum(counts.values()),
            "query": query.urlencode(),
            "state_query": by_state.urlencode(),
            "offerable_states": (AssetState.AVAILABLE, AssetState.LISTED),
            "map_config": _map_config(user),
            "page": "estate-register",
        },
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def asset_new(request):
    """An asset entered from a municipal parcel of the cadastre."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    code = (request.POST or request.GET).get("cadastral_code", "").strip()
    parcel, lookup_error, buildings, registered = None, None, [], []
    if code:
        try:
            parcel = asset_services.parcel_for_asset(cadastral_code=code, by=user)
        except ValidationError as error:
            lookup_error = " ".join(error.messages)
        else:
            buildings = list(asset_services.buildings_on(parcel))
            registered = list(Asset.objects.filter(parcel=parcel).order_by("reference"))
    form = AssetCreateForm(data, buildings=buildings, initial={"cadastral_code": code})
    status = 200
    if data is not None:
        if form.is_valid():
            values = dict(form.cleaned_data)
            building_id = values.pop("building")
            building = next((b for b in buildings if b.pk == building_id), None)
            try:
                asset = asset_services.asset_create(by=user, building=building, **values)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(reference)s is entered into the register.")
                    % {"reference": asset.reference},
                )
                return redirect("estate:staff-asset", asset.reference)
        status = 400
    return render(
        request,
        "estate/staff/asset_new.html",
        {
            "form": form,
            "parcel": parcel,
            "lookup_error": lookup_error,
            "buildings": buildings,
            "registered": registered,
            "code": code,
            "page": "estate-register",
        },
        status=status,
    )


def _display(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def asset_history(asset: Asset) -> list[dict]:
    """The asset's events, newest first: when, who, and what changed from the event before."""
    events = list(asset.events.select_related("pgh_context").order_by("pgh_id"))
    fields = [
        f
        for f in Asset._meta.concrete_fields
        if f.name not in HISTORY_SKIPPED and not f.name.endswith("_id")
    ]
    user_ids = set()
    for event in events:
        context = event.pgh_context.metadata if event.pgh_context else {}
        if context.get("user"):
            user_ids.add(context["user"])
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)}
    rows, before = [], None
    for event in events:
        context = event.pgh_context.metadata if event.pgh_context else {}
        who = users.get(context.get("user"))
        changes = []
        for field in fields:
            new = getattr(event, field.attname, None)
            if before is None:
                continue
            old = getattr(before, field.attname, None)
            if old != new:
                changes.append(
                    {
                        "field": field.verbose_name,
                        "before": _display(field, old),
                        "after": _display(field, new),
                    }
                )
        if before is not None and getattr(before, "geom", None) != getattr(event, "geom", None):
            changes.append({"field": _("geometry"), "before": "", "after": _("changed")})
        rows.append(
            {
                "at": event.pgh_created_at,
                "who": (who.get_full_name() or who.get_username()) if who else "",
                "label": event.pgh_label,
                "created": before is None,
                "changes": changes,
            }
        )
        before = event
    rows.reverse()
    return rows


@signed_in
def staff_asset(request, reference: str):
    """The asset as its officers see it: particulars, lots and history."""
    asset = _asset_for(request.user, reference)
    asset_lots = Lot.objects.filter(lot_assets__asset=asset).order_by("-created_at")
    geometry = json.loads(asset.geom.transform(settings.SRID_API, clone=True).json)
    return render(
        request,
        "estate/staff/asset.html",
        {
            "asset": asset,
            "lots": asset_lots,
            "history": asset_history(asset),
            "holding_lot": asset_services.holding_lot(asset),
            "map_config": {
                "styleUrl": f"{reverse('layers:style')}?lang={translation.get_language()}",
                "geometry": geometry,
            },
            "page": "estate-register",
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def asset_edit(request, reference: str):
    asset = _asset_for(request.user, reference)
    form = AssetEditForm(request.POST or None, instance=asset)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {
                name: form.cleaned_data[name]
                for name in AssetEditForm.Meta.fields
                if name in form.cleaned_data and not form.fields[name].disabled
            }
            try:
                asset_services.asset_update(asset=asset, by=request.user, **values)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The asset is saved."))
                return redirect("estate:staff-asset", asset.reference)
        status = 400
    asset.refresh_from_db()
    return render(
        request,
        "estate/staff/asset_edit.html",
        {"asset": asset, "form": form, "page": "estate-register"},
        status=status,
    )


# --- Lots -----------------------------------------------------------------------------------


@officer_required
def staff_lots(request):
    """The officer's lots by status."""
    lots = _scoped(Lot.objects.all(), request.user)
    status = request.GET.get("status", "")
    if status not in LotStatus.values:
        status = ""
    counts = dict(lots.order_by().values_list("status").annotate(n=Count("pk")))
    shown = lots.filter(status=status) if status else lots
    shown = shown.select_related("municipality").order_by("-created_at", "reference")
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "estate/staff/lots.html",
        {
            "page_obj": page,
            "lots": page.object_list,
            "status": status,
            "counts": [
                {"status": s, "label": s.label, "count": counts.get(s.value, 0)} for s in LotStatus
            ],
            "total": sum(counts.values()),
            "query": f"status={status}" if status else "",
            "page": "estate-lots",
        },
    )


def offerable_assets(user):
    """Assets that may go into a new lot: available or listed, in no draft or open lot."""
    held = LotAsset.objects.filter(
        asset=OuterRef("pk"), lot__status__in=lot_services.HOLDING_STATUSES
    )
    return (
        _scoped(Asset.objects.all(), user)
        .filter(state__in=lot_services.OFFERABLE_STATES)
        .exclude(Exists(held))
        .select_related("municipality")
        .order_by("reference")
    )


@officer_required
@require_http_methods(["GET", "POST"])
def lot_new(request):
    """A new draft lot: its assets and its terms."""
    user = request.user
    offerable = offerable_assets(user)
    data = request.POST if request.method == "POST" else None
    chosen = (request.POST if data is not None else request.GET).getlist("assets")
    chosen = [c for c in chosen if c][:200]
    q = request.GET.get("q", "").strip()[:100]
    form = LotCreateForm(data, offerable=offerable, initial={"assets": chosen})
    status = 200
    if data is not None:
        if form.is_valid():
            assets = list(form.cleaned_data["assets"])
            terms = form.terms()
            try:
                lot = lot_services.lot_create(
                    municipality=assets[0].municipality, assets=assets, by=user, **terms
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Lot %(reference)s is prepared as a draft.") % {"reference": lot.reference},
                )
                return redirect("estate:staff-lot", lot.reference)
        status = 400
    selected = list(offerable.filter(reference__in=chosen))
    results = list(_search(offerable, q).exclude(reference__in=chosen)[:SEARCH_RESULTS])
    return render(
        request,
        "estate/staff/lot_new.html",
        {
            "form": form,
            "selected": selected,
            "results": results,
            "q": q,
            "chosen": set(chosen),
            "offerable_count": offerable.count(),
            "min_days": lot_services.min_bidding_days(),
            "page": "estate-lots",
        },
        status=status,
    )


def _contract_new_url(lot: Lot) -> str | None:
    try:
        return f"{reverse('estate:contract-new')}?lot={lot.reference}"
    except NoReverseMatch:
        return None


def terms_frozen_at(lot: Lot):
    from datetime import timedelta

    return lot.closes_at - timedelta(hours=lot.edit_cutoff_hours)


def _lot_context(request, lot: Lot, **extra) -> dict:
    closed = lot.status in CLOSED_STATUSES
    registrations = BidderRegistration.objects.filter(lot=lot)
    paid = (RegistrationStatus.PAID, RegistrationStatus.RETAINED)
    bids = list(Bid.objects.filter(lot=lot).select_related("registration").order_by("-sequence"))
    has_contract = Contract.objects.filter(lot=lot).exists()
    now = timezone.now()
    frozen_at = terms_frozen_at(lot)
    context = {
        "lot": lot,
        "assets": list(Asset.objects.filter(lot_assets__lot=lot).order_by("reference")),
        "closed": closed,
        "registration_count": registrations.count(),
        "paid_count": registrations.filter(status__in=paid).count(),
        "bids": bids,
        "frozen_at": frozen_at,
        "terms_editable": lot.status == LotStatus.DRAFT
        or (lot.status == LotStatus.PUBLISHED and now < frozen_at),
        "can_publish": lot.status == LotStatus.DRAFT,
        "can_cancel": lot_services.cancellable(lot),
        "can_retry": lot.status == LotStatus.FAILED
        and lot.attempt < MAX_ATTEMPTS
        and not Lot.objects.filter(previous=lot).exists(),
        "next_attempt": Lot.objects.filter(previous=lot).first(),
        "contract_url": _contract_new_url(lot)
        if lot.status == LotStatus.AWARDED and not has_contract
        else None,
        "retry_form": extra.pop("retry_form", None) or NextAttemptForm(),
        "errors": extra.pop("errors", []),
        "page": "estate-lots",
    }
    if closed:
        # The bidding is over: the bidders may be named, with their deposits.
        context["registrations"] = list(registrations.order_by("alias"))
        context["deposits"] = list(
            Deposit.objects.filter(registration__lot=lot)
            .select_related("registration")
            .order_by("registration__alias", "created_at")
        )
    context.update(extra)
    return context


@signed_in
@require_http_methods(["GET", "POST"])
def staff_lot(request, reference: str):
    """A lot as its officers see it, and what may be done with it now."""
    user = request.user
    lot = _lot_for(user, reference)
    if request.method == "GET":
        return render(request, "estate/staff/lot.html", _lot_context(request, lot))
    action = request.POST.get("action", "")
    engine = _engine()
    retry_form = NextAttemptForm(request.POST if action == "next_attempt" else None)
    errors: list[str] = []
    try:
        if action == "cancel":
            lot_services.lot_cancel(lot=lot, by=user)
            messages.success(request, _("The lot is cancelled; its assets are available again."))
            return redirect("estate:staff-lot", lot.reference)
        if action in ("publish", "next_attempt") and engine is None:
            errors.append(_("The auction engine is not installed."))
        elif action == "publish":
            engine.lot_publish(lot=lot, by=user)
            messages.success(request, _("The lot is published."))
            return redirect("estate:staff-lot", lot.reference)
        elif action == "next_attempt":
            if retry_form.is_valid():
                following = engine.lot_next_attempt(
                    lot=lot, by=user, start_price=retry_form.cleaned_data["start_price"]
                )
                messages.success(
                    request,
                    _("Attempt %(attempt)s is prepared as lot %(reference)s.")
                    % {"attempt": following.attempt, "reference": following.reference},
                )
                return redirect("estate:staff-lot", following.reference)
        else:
            errors.append(_("Nothing to do."))
    except ValidationError as error:
        errors.extend(error.messages)
    except _auction_errors() as error:
        errors.append(str(getattr(error, "message", error)))
        status = getattr(error, "status", 409)
        lot.refresh_from_db()
        return render(
            request,
            "estate/staff/lot.html",
            _lot_context(request, lot, errors=errors, retry_form=retry_form),
            status=status,
        )
    lot.refresh_from_db()
    return render(
        request,
        "estate/staff/lot.html",
        _lot_context(request, lot, errors=errors, retry_form=retry_form),
        status=400 if errors or retry_form.errors else 409,
    )


def _initial_terms(lot: Lot) -> dict:
    terms = {name: getattr(lot, name) for name in lot_services.TERM_FIELDS}
    for name in ("starts_at", "ends_at"):
        # The form takes times to the minute: a time with seconds is the same time there.
        terms[name] = terms[name].replace(second=0, microsecond=0)
    return terms


@signed_in
@require_http_methods(["GET", "POST"])
def lot_edit(request, reference: str):
    """The terms of a draft, or of an open lot before its cut-off (which cancels its bids)."""
    user = request.user
    lot = _lot_for(user, reference)
    if lot.status not in (LotStatus.DRAFT, LotStatus.PUBLISHED):
        raise Http404("The terms of this lot can no longer be changed.")
    initial = _initial_terms(lot)
    form = LotTermsForm(request.POST or None, initial=initial)
    status = 200
    frozen_at = terms_frozen_at(lot)
    if request.method == "POST":
        if form.is_valid():
            terms = form.terms()
            try:
                if lot.status == LotStatus.DRAFT:
                    lot_services.lot_draft_update(lot=lot, by=user, **terms)
                else:
                    engine = _engine()
                    if engine is None:
                        raise ValidationError(_("The auction engine is not installed."))
                    changed = {k: v for k, v in terms.items() if initial.get(k) != v}
                    if not changed:
                        # Saving the same terms would still cancel the standing bids.
                        messages.info(request, _("Nothing changed; the bids stand."))
                        return redirect("estate:staff-lot", lot.reference)
                    engine.lot_update_terms(lot=lot, by=user, **changed)
            except ValidationError as error:
                _add_errors(form, error)
                status = 400
            except _auction_errors() as error:
                form.add_error(None, str(getattr(error, "message", error)))
                status = getattr(error, "status", 409)
            else:
                messages.success(request, _("The terms are saved."))
                return redirect("estate:staff-lot", lot.reference)
        else:
            status = 400
    lot.refresh_from_db()
    return render(
        request,
        "estate/staff/lot_edit.html",
        {
            "lot": lot,
            "form": form,
            "frozen_at": frozen_at,
            "frozen": lot.status == LotStatus.PUBLISHED and timezone.now() >= frozen_at,
            "min_days": lot_services.min_bidding_days(),
            "page": "estate-lots",
        },
        status=status,
    )
