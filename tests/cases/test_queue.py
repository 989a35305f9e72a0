"""The work queue: the officer's municipality and modules only, filtered by service, status,
overdue and assignment, in a number of queries that does not grow with the list."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Status
from tests.cases.factories import on_day, service_with_documents, submitted_case

D = datetime.date


def queue_page(client, **params):
    response = client.get("/en/cases/queue/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_queue_filters_by_service_status_overdue_and_assignment(
    client, monkeypatch, service, batumi, planner
):
    other_service = service_with_documents()
    on_day(monkeypatch, D(2026, 3, 2))
    old = submitted_case(service=service, municipality=batumi)  # due 17 March
    on_day(monkeypatch, D(2026, 3, 20))
    fresh = submitted_case(service=other_service, municipality=batumi)
    services.case_transition(case=fresh, to=Status.IN_REVIEW, by=planner)
    services.case_assign(case=fresh, officer=planner, by=planner)
    client.force_login(planner)

    page = queue_page(client)
    assert old.reference in page and fresh.reference in page
    page = queue_page(client, service=other_service.code)
    assert fresh.reference in page and old.reference not in page
    page = queue_page(client, status="in_review")
    assert fresh.reference in page and old.reference not in page
    page = queue_page(client, overdue="on")
    assert old.reference in page and fresh.reference not in page
    page = queue_page(client, mine="on")
    assert fresh.reference in page and old.reference not in page


def test_the_queue_answers_in_the_same_number_of_queries_for_more_cases(
    client, service, batumi, planner
):
    client.force_login(planner)
    submitted_case(service=service, municipality=batumi)
    queue_page(client)  # warm the session and the user
    with CaptureQueriesContext(connection) as few:
        queue_page(client)
    for _ in range(4):
        submitted_case(service=service, municipality=batumi)
    with CaptureQueriesContext(connection) as many:
        page = queue_page(client)
    assert page.count("BTM-") >= 5
    assert len(many) == len(few)


def test_the_queue_is_for_staff(client, service, batumi):
    case = submitted_case(service=service, municipality=batumi)
    client.force_login(case.applicant)
    assert client.get("/en/cases/queue/").status_code == 403


def test_my_applications_list_every_service_of_the_person(client, service, batumi, rustavi):
    other_service = service_with_documents(module="petitions")
    first = submitted_case(service=service, municipality=batumi)
    second = submitted_case(service=other_service, municipality=rustavi, user=first.applicant)
    client.force_login(first.applicant)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/en/cases/mine/").content.decode()
    assert first.reference in page and second.reference in page
    assert len(queries) <= 6
