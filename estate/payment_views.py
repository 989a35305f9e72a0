"""The demo payment provider's page (estate/payments.py): it shows the deposit and reports it
paid when its button is pressed. No money moves; a real provider has its own page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from estate.auctions import AuctionError, deposit_confirm, lot_url
from estate.models import Deposit, DepositStatus
from estate.payments import DemoProvider


@login_required
@require_http_methods(["GET", "POST"])
def demo_pay(request: HttpRequest, reference: str) -> HttpResponse:
    provider = DemoProvider()
    if not provider.available():
        raise Http404
    deposit = (
        Deposit.objects.select_related("registration__lot")
        .filter(
            provider=provider.name,
            provider_reference=reference,
            registration__user=request.user,
        )
        .first()
    )
    if deposit is None:
        raise Http404
    lot = deposit.registration.lot
    if request.method == "POST":
        try:
            deposit_confirm(provider=provider.name, provider_reference=reference)
        except AuctionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The deposit is paid: you may bid."))
        return redirect(lot_url(lot))
    return render(
        request,
        "estate/payments/demo_pay.html",
        {
            "deposit": deposit,
            "lot": lot,
            "registration": deposit.registration,
            "pending": deposit.status == DepositStatus.PENDING,
            "lot_url": lot_url(lot),
        },
    )
