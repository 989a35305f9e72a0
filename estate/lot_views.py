"""The public lot page, /{lang}/estate/lots/<reference>/: the lot, its assets on a small map,
the live price, and the bidding panel (register, pay the deposit, bid) that works as plain forms
and, with JavaScript, bids through the REST API without a reload (estate/static/estate/lot.js).

The live state comes from `auctions.lot_state`, the same JSON the stream (estate/live.py) and
the state endpoint send; the page shows it as it is at load, and lot.js keeps it current.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.models import Role
from core.rules import is_superuser, roles_in
from estate.models import (
    PUBLIC_LOT_STATUSES,
    BidderRegistration,
    Lot,
    LotStatus,
    RegistrationStatus,
)

MAX_PATH_ROWS = 50
CONTRACT_SUMMARY = "estate/_contract_summary.html"


class RegistrationForm(forms.Form):
    legal_name = forms.CharField(
        label=gettext_lazy("Name of the bidder"),
        max_length=200,
        help_text=gettext_lazy("Your full name, or the company's registered name."),
    )
    id_number = forms.CharField(
        label=gettext_lazy("Personal or company number"),
        max_length=20,
        help_text=gettext_lazy("11 digits for a person, 9 for a company."),
    )
    is_company = forms.BooleanField(label=gettext_lazy("I bid for a company"), required=False)


class BidForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Your bid, GEL"), max_digits=14, decimal_places=2, min_value=1
    )
    key = forms.UUIDField(widget=forms.HiddenInput)


def _may_see(user, lot: Lot) -> bool:
    if lot.is_public:
        return True
    if not user.is_authenticated:
        return False
    return is_superuser(user) or Role.PROPERTY_OFFICER in roles_in(user, lot.municipality)


def _lot_or_404(request, reference: str) -> Lot:
    lot = get_object_or_404(
        Lot.objects.select_related("municipality", "previous", "winner"), reference=reference
    )
    if not _may_see(request.user, lot):
        raise Http404
    return lot


def _assets(lot: Lot) -> list:
    return list(
        lot.assets.select_related("parcel", "parcel__zone").order_by("reference") if lot.pk else []
    )


def _assets_geojson(assets) -> dict:
    features = []
    for asset in assets:
        geom = asset.geom.transform(settings.SRID_API, clone=True)
        features.append(
            {
                "type": "Feature",
                "properties": {"reference": asset.reference, "name": asset.name},
                "geometry": json.loads(geom.geojson),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _price_path(lot: Lot) -> list[dict]:
    """The standing bids, newest first: sequence, amount, time; the bidder's number only once
    the auction is closed."""
    closed = lot.status != LotStatus.PUBLISHED
    bids = lot.bids.filter(cancelled_at__isnull=True).select_related("registration")
    rows = []
    for bid in bids.order_by("-sequence")[:MAX_PATH_ROWS]:
        rows.append(
            {
                "sequence": bid.sequence,
                "amount": bid.amount,
                "placed_at": bid.placed_at,
                "alias": bid.registration.alias if closed else None,
            }
        )
    return rows


def _contract(lot: Lot):
    """The lot's contract, when it has one and its summary can be shown."""
    try:
        contract = lot.contract
        get_template(CONTRACT_SUMMARY)
    except (ObjectDoesNotExist, TemplateDoesNotExist):
        return None
    return contract


def _bidder(request, lot: Lot) -> dict:
    """The signed-in person's side of the panel: registration, and leading or outbid."""
    if not request.user.is_authenticated:
        return {}
    registration = (
        BidderRegistration.objects.filter(lot=lot, user=request.user).order_by("pk").first()
    )
    if registration is None:
        return {"registration": None}
    my_top = registration.bids.filter(cancelled_at__isnull=True).aggregate(top=Max("amount"))["top"]
    leading = my_top is not None and lot.current_price is not None and my_top == lot.current_price
    return {
        "registration": registration,
        "paid": registration.status == RegistrationStatus.PAID,
        "my_top": my_top,
        "leading": leading,
        "outbid": my_top is not None and not leading,
    }


def _render(request, lot: Lot, *, register_form=None, bid_form=None, status: int = 200):
    from estate.auctions import lot_state

    state = lot_state(lot)
    assets = _assets(lot)
    bidder = _bidder(request, lot)
    is_open = lot.status == LotStatus.PUBLISHED
    if bid_form is None:
        bid_form = BidForm(initial={"amount": lot.minimum_bid})
    config = {
        "reference": lot.reference,
        "state": state,
        "stream": reverse("estate-api:lot-events", args=[lot.reference]),
        "stateUrl": reverse("estate-api:lot-state", args=[lot.reference]),
        "bidUrl": reverse("estate-api:lot-bids", args=[lot.reference]),
        "myTop": str(bidder["my_top"]) if bidder.get("my_top") is not None else None,
        "language": request.LANGUAGE_CODE,
        "timeZone": settings.TIME_ZONE,
        "strings": {
            "lead": _("You lead."),
            "outbid": _("You were outbid."),
            "accepted": _("Your bid of %(amount)s GEL was accepted."),
            "failed": _("The bid could not be sent. Try again."),
            "closed": _("Bidding has closed."),
            "notStarted": _("Bidding has not started."),
            "days": _("%(days)s d"),
            "live": _("Live"),
            "polling": _("Updated every few seconds"),
        },
    }
    context = {
        "page": "estate",
        "lot": lot,
        "state": state,
        "assets": assets,
        "assets_geojson": _assets_geojson(assets),
        "path": _price_path(lot),
        "is_open": is_open,
        "bidder": bidder,
        "register_form": register_form or RegistrationForm(),
        "bid_form": bid_form,
        # Each rendered form is one bid: sent twice, it is still one (a refused one may be
        # sent again with the amount kept).
        "bid_key": uuid.uuid4(),
        "contract": _contract(lot),
        "next_attempt": Lot.objects.filter(previous=lot, status__in=PUBLIC_LOT_STATUSES).first(),
        "config": json.loads(json.dumps(config, cls=DjangoJSONEncoder)),
        "login_url": f"{reverse('account_login')}?next={request.path}",
    }
    return render(request, "estate/lot.html", context, status=status)


def lot_page(request, reference: str):
    return _render(request, _lot_or_404(request, reference))


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return error.message


def _signed_in_or_login(request):
    if request.user.is_authenticated:
        return None
    return redirect_to_login(request.path.rsplit("/", 1)[0] + "/")


@require_POST
def lot_register(request, reference: str):
    """Register the signed-in person to bid (auctions.bidder_register)."""
    from estate.auctions import AuctionError, bidder_register

    lot = _lot_or_404(request, reference)
    if (login := _signed_in_or_login(request)) is not None:
        return login
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return _render(request, lot, register_form=form, status=400)
    try:
        bidder_register(lot=lot, user=request.user, **form.cleaned_data)
    except (AuctionError, ValidationError) as e:
        form.add_error(None, _error_text(e))
        return _render(request, lot, register_form=form, status=getattr(e, "status", 400))
    messages.success(request, _("You are registered. Pay the deposit to bid."))
    return redirect("estate:lot", reference=lot.reference)


@require_POST
def lot_deposit(request, reference: str):
    """Start the deposit's payment and send the bidder to the provider's page."""
    from estate.auctions import AuctionError, deposit_start

    lot = _lot_or_404(request, reference)
    if (login := _signed_in_or_login(request)) is not None:
        return login
    registration = BidderRegistration.objects.filter(lot=lot, user=request.user).first()
    if registration is None:
        messages.error(request, _("Register to bid first."))
        return redirect("estate:lot", reference=lot.reference)
    try:
        _deposit, url = deposit_start(registration=registration)
    except (AuctionError, ValidationError) as e:
        messages.error(request, _error_text(e))
        return redirect("estate:lot", reference=lot.reference)
    return redirect(url)


@require_POST
def lot_bid(request, reference: str):
    """A bid from the plain form: accepted, back to the page with a message (the form's key
    makes a resubmitted form the same bid); refused, the page again with the amount kept."""
    from estate.auctions import AuctionError, bid_place

    lot = _lot_or_404(request, reference)
    if (login := _signed_in_or_login(request)) is not None:
        return login
    form = BidForm(request.POST)
    if not form.is_valid():
        return _render(request, lot, bid_form=form, status=400)
    amount: Decimal = form.cleaned_data["amount"]
    try:
        bid = bid_place(
            lot_id=lot.pk, user=request.user, amount=amount, key=form.cleaned_data["key"]
        )
    except (AuctionError, ValidationError) as e:
        form.add_error(None, _error_text(e))
        lot.refresh_from_db()
        return _render(request, lot, bid_form=form, status=getattr(e, "status", 400))
    messages.success(
        request, _("Your bid of %(amount)s GEL was accepted.") % {"amount": bid.amount}
    )
    return redirect("estate:lot", reference=lot.reference)
