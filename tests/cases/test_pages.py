"""The case page: the applicant answers, uploads and withdraws; staff request information and
decide; a refused form is shown again with what was entered and why."""

from cases.models import Status
from tests.cases.factories import draft_case, pdf_file, png_file, submitted_case


def test_a_refused_upload_is_shown_again_with_the_reason(client, service, batumi):
    case = draft_case(service=service, municipality=batumi)
    client.force_login(case.applicant)
    response = client.post(
        f"/en/cases/{case.reference}/documents/", {"doc_type": "plan", "file": png_file()}
    )
    assert response.status_code == 400
    assert "accepts PDF; this file is PNG" in response.content.decode()


def test_the_applicant_uploads_and_submits_from_the_page(client, service, batumi):
    case = draft_case(service=service, municipality=batumi)
    client.force_login(case.applicant)
    page = client.get(f"/en/cases/{case.reference}/").content.decode()
    assert "Site plan" in page  # the missing required document is named
    response = client.post(
        f"/en/cases/{case.reference}/documents/", {"doc_type": "plan", "file": pdf_file()}
    )
    assert response.status_code == 302
    response = client.post(f"/en/cases/{case.reference}/submit/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_staff_request_information_and_the_applicant_answers(client, service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    client.force_login(planner)
    response = client.post(f"/en/cases/{case.reference}/request/", {"text": "", "working_days": 15})
    assert response.status_code == 400
    response = client.post(
        f"/en/cases/{case.reference}/request/", {"text": "Send the survey.", "working_days": 15}
    )
    assert response.status_code == 302
    request = case.information_requests.get()
    client.force_login(case.applicant)
    page = client.get(f"/en/cases/{case.reference}/").content.decode()
    assert "Send the survey." in page
    response = client.post(
        f"/en/cases/{case.reference}/requests/{request.pk}/answer/", {"answer": "Attached."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW


def test_internal_notes_are_hidden_from_the_applicant(client, service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    client.force_login(planner)
    client.post(
        f"/en/cases/{case.reference}/messages/", {"body": "Staff only note", "internal": "on"}
    )
    client.post(f"/en/cases/{case.reference}/messages/", {"body": "Hello applicant"})
    client.force_login(case.applicant)
    page = client.get(f"/en/cases/{case.reference}/").content.decode()
    assert "Hello applicant" in page
    assert "Staff only note" not in page


def test_staff_decide_from_the_page_with_conditions(client, service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    client.force_login(planner)
    client.post(f"/en/cases/{case.reference}/transition/", {"to": "in_review"})
    response = client.post(
        f"/en/cases/{case.reference}/decide/", {"outcome": "refused", "reasons": ""}
    )
    assert response.status_code == 400
    assert "A refusal must give its reasons." in response.content.decode()
    response = client.post(
        f"/en/cases/{case.reference}/decide/",
        {"outcome": "approved", "conditions": "Keep the trees.\nFence the site."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DECIDED_APPROVED
    assert case.decision.conditions == ["Keep the trees.", "Fence the site."]
    page = client.get(f"/en/cases/{case.reference}/").content.decode()
    assert case.decision.verification_code in page


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/en/cases/mine/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
