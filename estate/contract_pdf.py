"""The contract document: a bilingual PDF drawn by WeasyPrint from a template, like the
decision document (cases/pdf.py).

It names the municipality, the contract number, the parties (the municipality and the holder,
by name), the assets with their cadastral codes, the price, the term, the indexation, the
schedule, the conditions of the lot, and the verification code with the address of the public
page where anyone can check it. Nothing is fetched while it is drawn.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from weasyprint import HTML

from engagement.notifications import public_url
from estate.contracts import TERMINATION_NOTICE_DAYS
from estate.models import Contract, Frequency, LotKind

KIND_KA = {LotKind.LEASE: "იჯარა", LotKind.SALE: "ნასყიდობა", LotKind.USUFRUCT: "უზუფრუქტი"}
FREQUENCY_KA = {
    Frequency.MONTHLY: "ყოველთვიურად",
    Frequency.YEARLY: "ყოველწლიურად",
    Frequency.ONCE: "ერთიანად",
}


def verification_url(contract: Contract, language: str) -> str:
    with translation.override(language):
        return public_url(
            reverse("estate:contract-verify", kwargs={"code": contract.verification_code})
        )


def verify_page(language: str) -> str:
    with translation.override(language):
        return public_url(reverse("estate:contract-verify-form"))


def contract_pdf(contract: Contract) -> bytes:
    with translation.override("en"):
        kind_en = str(LotKind(contract.kind).label)
        frequency_en = str(Frequency(contract.frequency).label)
    lot = contract.lot
    context = {
        "contract": contract,
        "municipality": contract.municipality,
        "assets": list(contract.assets.order_by("reference")),
        "instalments": list(contract.instalments.order_by("number")),
        "kind_ka": KIND_KA.get(contract.kind, contract.kind),
        "kind_en": kind_en,
        "frequency_ka": FREQUENCY_KA.get(contract.frequency, contract.frequency),
        "frequency_en": frequency_en,
        "is_sale": contract.kind == LotKind.SALE,
        "lot": lot,
        "verify_url_ka": verification_url(contract, "ka"),
        "verify_url_en": verification_url(contract, "en"),
        "verify_page_en": verify_page("en"),
        "total": sum((i.amount for i in contract.instalments.all()), Decimal("0.00")),
        "notice_days": TERMINATION_NOTICE_DAYS,
        "demo": settings.GISPORTAL_DEMO,
    }
    # Bilingual: the template writes its labels in both languages itself.
    with translation.override("en"):
        html = render_to_string("estate/contracts/contract_pdf.html", context)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"The contract template may not load {url}.")
