"""The decision document: a bilingual PDF drawn by WeasyPrint from a template.

It names the municipality, the reference, the applicant (name only), the service and its
variant, what the case's module says about the case (for a permit: the parcels, the address,
the class, the stage, the building's figures and a site plan, through core.modules), the
outcome with its conditions or reasons, the date and the officer, and the verification code
with the address of the public page where anyone can check it. Every link is on the portal's
public address (GISPORTAL_PUBLIC_URL); nothing is fetched while it is drawn.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint import HTML

from cases.models import Decision
from cases.notifications import public_url
from core.modules import registry


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def verification_url(decision: Decision, language: str) -> str:
    with translation.override(language):
        return public_url(reverse("cases:verify-code", kwargs={"code": decision.verification_code}))


def _content(case, language: str) -> dict:
    """The module's content of the case with every text put into words in `language`."""
    with translation.override(language):
        content = registry.decision_content(case)
        return {
            "place": str(content["place"]),
            "facts": [(str(label), str(value)) for label, value in content["facts"]],
            "variant": registry.variant_label(case),
            "plan_svg": content["plan_svg"],
            "legend": [(str(label), fill, line) for label, fill, line in content["plan_legend"]],
        }


def decision_facts(case) -> tuple[list[dict], dict, dict]:
    """The module's facts in both languages, row by row, and its content in each language."""
    ka, en = _content(case, "ka"), _content(case, "en")
    rows = [
        {"label_ka": label_ka, "label_en": label_en, "value_ka": value_ka, "value_en": value_en}
        for (label_ka, value_ka), (label_en, value_en) in zip(ka["facts"], en["facts"], strict=True)
    ]
    return rows, ka, en


def plan_legend(ka: dict, en: dict) -> list[dict]:
    """The plan's legend in both languages, item by item."""
    return [
        {"ka": label_ka, "en": label_en, "fill": fill, "line": line}
        for (label_ka, fill, line), (label_en, _fill, _line) in zip(
            ka["legend"], en["legend"], strict=True
        )
    ]


def decision_pdf(decision: Decision) -> bytes:
    case = decision.case
    facts, ka, en = decision_facts(case)
    context = {
        "decision": decision,
        "case": case,
        "service": case.service,
        "municipality": case.municipality,
        "applicant_name": person_name(case.applicant),
        "officer_name": person_name(decision.decided_by),
        "facts": facts,
        "place_ka": ka["place"],
        "place_en": en["place"],
        "variant_ka": ka["variant"],
        "variant_en": en["variant"],
        # Drawn by the module from its own geometries; it holds no text that people entered.
        "plan_svg": mark_safe(str(ka["plan_svg"])) if ka["plan_svg"] else "",
        "plan_legend": plan_legend(ka, en),
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
