"""How a bidder pays a lot's deposit: a payment provider takes the bidder to its page, and
tells the portal back that the deposit was paid (`auctions.deposit_confirm`).

A provider is a class with a `name` and `start(deposit) -> url`; the setting
ESTATE_PAYMENT_PROVIDERS maps names to dotted paths of provider classes (default: the demo
provider only). The demo provider takes no money: its page has a button that reports the
deposit paid. It is offered only in a demonstration portal (GISPORTAL_DEMO), with DEBUG, or
where ESTATE_DEMO_PAYMENTS allows it.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from estate.models import Deposit

DEFAULT_PROVIDERS = {"demo": "estate.payments.DemoProvider"}


class PaymentProvider(Protocol):
    name: str

    def available(self) -> bool:
        """Whether this portal may offer the provider."""

    def start(self, deposit: Deposit) -> str:
        """The address where the bidder pays the deposit."""


class DemoProvider:
    """A stand-in for a bank: its page reports the deposit paid when asked. No money moves."""

    name = "demo"

    def available(self) -> bool:
        return bool(
            getattr(settings, "GISPORTAL_DEMO", False)
            or settings.DEBUG
            or getattr(settings, "ESTATE_DEMO_PAYMENTS", False)
        )

    def start(self, deposit: Deposit) -> str:
        return reverse("estate:demo-pay", args=[deposit.provider_reference])


@cache
def _providers(paths: tuple[tuple[str, str], ...]) -> dict[str, PaymentProvider]:
    return {name: import_string(path)() for name, path in paths}


def providers() -> dict[str, PaymentProvider]:
    configured = getattr(settings, "ESTATE_PAYMENT_PROVIDERS", None) or DEFAULT_PROVIDERS
    return _providers(tuple(sorted(configured.items())))


def get_provider(name: str) -> PaymentProvider:
    """The provider of this name, if the portal offers it; else AuctionError 400."""
    from estate.auctions import AuctionError

    provider = providers().get(name)
    if provider is None or not provider.available():
        raise AuctionError(_("Deposits cannot be paid that way here."), "unknown_provider", 400)
    return provider
