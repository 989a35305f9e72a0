"""The Content-Security-Policy: one policy in every profile, without 'unsafe-inline' or
'unsafe-eval'; the inline scripts and styles that remain carry the answer's nonce, and no
template of the portal holds an inline script, style or event handler the policy would refuse.
The browser tests (tests/browser/test_csp_pages.py) load every main page under it."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from gisportal.csp import source_hash
from tests.cases.factories import service_with_documents, submitted_case

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b([^>]*)>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)
# Not executed, so not the policy's concern: data for the page's scripts.
DATA_SCRIPT = re.compile(r"""type=["']application/(ld\+)?json["']""")
# Rendered to PDF by WeasyPrint, never served to a browser.
NOT_FOR_BROWSERS = {"cases/decision_pdf.html", "estate/contracts/contract_pdf.html"}


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_the_policy_allows_nothing_inline_and_no_eval(client):
    directives = policy(client.get("/en/accounts/login/"))

    for name in ("script-src", "style-src"):
        assert directives[name][0] == "'self'"
        assert "'unsafe-inline'" not in directives[name]
        assert "'unsafe-eval'" not in directives[name]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # What MapLibre needs: its worker from a blob:, images decoded from data: and blob: URLs.
    assert directives["worker-src"] == ["'self'", "blob:"]
    assert directives["img-src"] == ["'self'", "data:", "blob:"]
    assert directives["connect-src"] == ["'self'"]


def test_a_page_s_inline_script_and_style_carry_the_answer_s_nonce(client):
    response = client.get("/api/v1/docs/")

    html = response.content.decode()
    nonces = set(NONCE.findall(response["Content-Security-Policy"]))
    assert len(nonces) == 1
    nonce = nonces.pop()
    inline = INLINE_SCRIPT.findall(html) + INLINE_STYLE.findall(html)
    assert len(inline) == 2
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)


def test_every_answer_gets_a_nonce_of_its_own(client):
    first = client.get("/api/v1/docs/")["Content-Security-Policy"]
    second = client.get("/api/v1/docs/")["Content-Security-Policy"]

    assert NONCE.findall(first) != NONCE.findall(second)


def test_the_browsable_api_allows_drf_s_own_style_attributes_by_their_hashes(client, batumi):
    response = client.get("/api/v1/parcels/?bbox=41.60,41.60,41.61,41.61", HTTP_ACCEPT="text/html")

    assert response["Content-Type"].startswith("text/html")
    directives = policy(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert directives["style-src-attr"][0] == "'unsafe-hashes'"
    assert source_hash("float: right; margin-right: 10px") in directives["style-src-attr"]
    assert source_hash("color: red") not in directives["style-src-attr"]
    nonce = NONCE.search(response["Content-Security-Policy"])[1]
    assert f'<style nonce="{nonce}">' in response.content.decode()  # Pygments' colours


def test_answers_that_are_not_html_carry_no_policy(client, batumi):
    response = client.get("/api/v1/parcels/?bbox=41.60,41.60,41.61,41.61")

    assert response["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in response


def test_a_document_opened_in_the_browser_carries_no_policy(client, batumi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = submitted_case(service=service_with_documents(), municipality=batumi)
    client.force_login(case.applicant)

    response = client.get(f"/en/cases/{case.reference}/documents/{case.documents.get().pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response  # Chrome's PDF viewer would be refused


def portal_templates() -> dict[str, Path]:
    found = {}
    for config in apps.get_app_configs():
        root = Path(config.path) / "templates"
        if not root.is_relative_to(settings.BASE_DIR) or ".venv" in root.parts:
            continue
        for path in sorted(root.rglob("*.html")):
            name = path.relative_to(root).as_posix()
            if name not in NOT_FOR_BROWSERS:
                found[name] = path
    return found


TEMPLATES = portal_templates()


def test_the_portal_s_templates_are_found():
    assert {"core/base.html", "gisportal/map.html", "permits/apply.html"} <= set(TEMPLATES)


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_no_template_holds_inline_code_without_the_nonce(name):
    text = COMMENT.sub("", TEMPLATES[name].read_text())
    for attributes in INLINE_SCRIPT.findall(text):
        assert DATA_SCRIPT.search(attributes) or "csp_nonce" in attributes, name
    for attributes in INLINE_STYLE.findall(text):
        assert "csp_nonce" in attributes, name
    assert not STYLE_ATTRIBUTE.search(text), f"{name}: a style attribute (use a class)"
    assert not HANDLER_ATTRIBUTE.search(text), f"{name}: an on* handler (use addEventListener)"
