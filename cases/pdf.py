"""The decision document: a bilingual PDF drawn by WeasyPrint from a template.

It names the municipality, the reference, the applicant (name only), the service, the outcome
with its conditions or reasons, the date and the officer, and the verification code with the
address of the public page where anyone can check it.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from weasyprint import HTML

from cases.models import Decision
from cases.notifications import public_url


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def verification_url(decision: Decision, language: str) -> str:
    with translation.override(language):
        return public_url(reverse("cases:verify-code", kwargs={"code": decision.verification_code}))


def decision_pdf(decision: Decision) -> bytes:
    case = decision.case
    context = {
        "decision": decision,
        "case": case,
        "service": case.service,
        "municipality": case.municipality,
        "applicant_name": person_name(case.applicant),
        "officer_name": person_name(decision.decided_by),
        "verify_url_ka": verification_url(decision, "ka"),
        "verify_url_en": verification_url(decision, "en"),
        "verify_page_en": public_url(reverse_verify("en")),
        "demo": settings.GISPORTAL_DEMO,
    }
    # The document is bilingual; labels are written in both languages in the template itself.
    with translation.override("en"):
        html = render_to_string("cases/decision_pdf.html", context)
    # The template embeds everything; the renderer is not allowed to fetch anything.
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"The decision template may not load {url}.")


def reverse_verify(language: str) -> str:
    with translation.override(language):
        return reverse("cases:verify")
