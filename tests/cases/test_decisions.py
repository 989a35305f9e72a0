"""A decision makes a PDF with a verification code that anyone can check on a public page."""

import re
import zlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Outcome, Status
from tests.cases.factories import run_document_jobs, submitted_case


def pdf_text(data: bytes) -> bytes:
    """The PDF's bytes with every compressed stream inflated.

    Neither pdftotext nor pypdf is installed here, so the test looks for the code in the
    document's metadata (its title) and link annotations, which inflate to plain text; the
    glyphs of the page itself are subset font codes that only a PDF text extractor reads.
    """
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        # A stream may end in a byte that looks like the line end before "endstream": a
        # decompressor object inflates what it can and ignores the trailing bytes.
        try:
            parts.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            pass
    return b"\n".join(parts)


@pytest.fixture
def decided(service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    decision = services.decision_issue(
        case=case,
        outcome=Outcome.APPROVED,
        conditions=["Keep the street trees.", "Start within 2 years."],
        by=planner,
    )
    assert run_document_jobs() == 1
    decision.refresh_from_db()
    return decision


def test_a_decision_makes_a_pdf_that_carries_its_verification_code(decided):
    data = decided.pdf.read()
    assert data.startswith(b"%PDF")
    assert len(data) > 1000
    assert len(decided.verification_code) >= 12
    text = pdf_text(data)
    assert decided.verification_code.encode() in text
    assert f"/cases/verify/{decided.verification_code}/".encode() in text
    decided.case.refresh_from_db()
    assert decided.case.status == Status.DECIDED_APPROVED
    assert decided.case.decided_at is not None


def test_the_public_page_confirms_the_decision_without_personal_data(client, decided):
    response = client.get(f"/en/cases/verify/{decided.verification_code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert decided.case.reference in page
    assert "Approved" in page
    assert decided.case.applicant.email not in page
    assert decided.case.applicant.username not in page


def test_the_verify_form_leads_to_the_code_page(client, decided):
    code = decided.verification_code.lower()
    response = client.get("/en/cases/verify/", {"code": f" {code} "})
    assert response.status_code == 302
    assert response["Location"] == f"/en/cases/verify/{decided.verification_code}/"


def test_a_wrong_code_is_not_found(client, db):
    response = client.get("/en/cases/verify/NOSUCHCODE12345/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_a_refusal_needs_reasons(service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    with pytest.raises(ValidationError, match="reasons"):
        services.decision_issue(case=case, outcome=Outcome.REFUSED, by=planner)
    decision = services.decision_issue(
        case=case, outcome=Outcome.REFUSED, reasons="K-1 exceeded.", by=planner
    )
    run_document_jobs()
    decision.refresh_from_db()
    case.refresh_from_db()
    assert case.status == Status.DECIDED_REFUSED
    assert decision.pdf.name.endswith(".pdf")


def test_a_case_is_decided_once_and_only_from_assessment(service, batumi, planner, decided):
    with pytest.raises(ValidationError):
        services.decision_issue(case=decided.case, outcome=Outcome.APPROVED, by=planner)
    fresh = submitted_case(service=service, municipality=batumi)
    with pytest.raises(ValidationError, match="move it to assessment"):
        services.decision_issue(case=fresh, outcome=Outcome.APPROVED, by=planner)


def test_the_applicant_gets_the_decision_by_email(decided):
    subjects = [m.subject for m in mail.outbox]
    assert any(decided.case.reference in s and "Decision" in s for s in subjects)
    message = next(m for m in mail.outbox if "Decision" in m.subject)
    assert message.to == [decided.case.applicant.email]
    assert decided.verification_code in message.body
    assert "Keep the street trees." in message.body


def test_the_applicant_downloads_the_pdf(client, decided):
    client.force_login(decided.case.applicant)
    response = client.get(f"/en/cases/{decided.case.reference}/decision.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
