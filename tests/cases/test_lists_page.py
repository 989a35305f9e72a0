"""My applications and the work queue page past 50 applications, and the queue's pages keep
its filter."""

import re

from cases.models import Case, Status
from tests.cases.factories import applicant, draft_case


def references(html: str) -> set[str]:
    return set(re.findall(r">([A-Z]{3}-\d{4}-\d{6})</a>", html))


def test_my_applications_show_50_a_page(client, service, batumi):
    person = applicant()
    made = {
        draft_case(service=service, municipality=batumi, user=person).reference for _ in range(55)
    }
    client.force_login(person)

    first = client.get("/en/cases/mine/").text
    second = client.get("/en/cases/mine/", {"page": "2"}).text

    assert len(references(first)) == 50 and len(references(second)) == 5
    assert references(first) | references(second) == made
    assert "Page 1 of 2" in first and "page=2" in first


def test_the_queue_shows_50_a_page_and_keeps_its_filter(client, service, batumi, planner):
    for _ in range(55):
        draft_case(service=service, municipality=batumi)
    Case.objects.update(status=Status.SUBMITTED)
    client.force_login(planner)

    first = client.get("/en/cases/queue/", {"status": Status.SUBMITTED}).text
    second = client.get("/en/cases/queue/", {"status": Status.SUBMITTED, "page": "2"}).text

    assert len(references(first)) == 50 and len(references(second)) == 5
    assert f"status={Status.SUBMITTED}&amp;page=2" in first
