"""Every page and API of a case answers 404 to anyone but its applicant and its staff: another
applicant, a planner of the other municipality, staff of the right place in another role."""

import pytest

from cases import services
from cases.models import Outcome, Status
from core.models import Role
from tests.cases.factories import applicant, run_document_jobs, staff, submitted_case


@pytest.fixture
def decided_case(service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    request = services.information_request_open(case=case, text="More?", by=planner)
    services.information_request_answer(request=request, answer="Here.", by=case.applicant)
    services.decision_issue(case=case, outcome=Outcome.APPROVED, by=planner)
    run_document_jobs()
    return case, request


def urls(case, request):
    ref = case.reference
    document = case.documents.first()
    gets = [
        f"/en/cases/{ref}/",
        f"/ka/cases/{ref}/",
        f"/en/cases/{ref}/documents/{document.pk}/",
        f"/en/cases/{ref}/decision.pdf",
        f"/api/v1/cases/{ref}/",
    ]
    posts = [
        f"/en/cases/{ref}/submit/",
        f"/en/cases/{ref}/withdraw/",
        f"/en/cases/{ref}/messages/",
        f"/en/cases/{ref}/documents/",
        f"/en/cases/{ref}/requests/{request.pk}/answer/",
        f"/en/cases/{ref}/assign/",
        f"/en/cases/{ref}/transition/",
        f"/en/cases/{ref}/request/",
        f"/en/cases/{ref}/decide/",
    ]
    return gets, posts


def test_outsiders_get_404_on_every_case_url_and_api(
    client, decided_case, batumi, rustavi, rustavi_planner
):
    case, request = decided_case
    gets, posts = urls(case, request)
    outsiders = [
        applicant(),
        rustavi_planner,
        staff(rustavi, Role.MUNICIPAL_ADMIN),
        staff(batumi, Role.PROPERTY_OFFICER),
    ]
    for person in outsiders:
        client.force_login(person)
        for url in gets:
            assert client.get(url).status_code == 404, (person, url)
        for url in posts:
            assert client.post(url, {"body": "x", "text": "x", "answer": "x"}).status_code == 404, (
                person,
                url,
            )


def test_the_applicant_and_the_planner_see_the_case(client, decided_case, planner):
    case, request = decided_case
    gets, _posts = urls(case, request)
    for person in (case.applicant, planner):
        client.force_login(person)
        for url in gets:
            assert client.get(url).status_code == 200, (person, url)


def test_other_municipalities_cases_are_not_in_lists(client, decided_case, rustavi_planner):
    case, _request = decided_case
    client.force_login(rustavi_planner)
    assert case.reference not in client.get("/en/cases/queue/").content.decode()
    data = client.get("/api/v1/cases/", {"queue": "1"}).json()
    assert data["results"] == []
    stranger = applicant()
    client.force_login(stranger)
    assert client.get("/api/v1/cases/").json()["results"] == []


def test_staff_see_another_persons_draft_as_not_found(client, service, batumi, planner):
    from tests.cases.factories import draft_case

    case = draft_case(service=service, municipality=batumi)
    client.force_login(planner)
    assert client.get(f"/en/cases/{case.reference}/").status_code == 404
