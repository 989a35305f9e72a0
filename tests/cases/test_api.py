"""The REST API: one's own applications, the staff queue with ?queue=1, one case with history."""

from cases import services
from cases.models import Status
from tests.cases.factories import submitted_case


def test_the_list_gives_the_persons_own_cases(client, service, batumi):
    case = submitted_case(service=service, municipality=batumi)
    client.force_login(case.applicant)
    data = client.get("/api/v1/cases/").json()
    assert [row["reference"] for row in data["results"]] == [case.reference]
    assert data["results"][0]["status"] == "submitted"


def test_the_queue_gives_staff_their_cases_filtered(client, service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    client.force_login(planner)
    assert client.get("/api/v1/cases/").json()["results"] == []  # a planner applied for nothing
    rows = client.get("/api/v1/cases/", {"queue": "1"}).json()["results"]
    assert [row["reference"] for row in rows] == [case.reference]
    rows = client.get("/api/v1/cases/", {"queue": "1", "status": "in_review"}).json()["results"]
    assert rows == []


def test_a_bad_status_answers_400_naming_the_parameter(client, service, batumi, planner):
    client.force_login(planner)
    response = client.get("/api/v1/cases/", {"status": "nonsense"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "status"


def test_the_detail_has_the_status_history_and_location_in_wgs84(client, service, batumi, planner):
    case = submitted_case(service=service, municipality=batumi)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    client.force_login(case.applicant)
    data = client.get(f"/api/v1/cases/{case.reference}/").json()
    assert [h["to_status"] for h in data["history"]] == ["draft", "submitted", "in_review"]
    lon, lat = data["location"]["coordinates"]
    assert 41 < lon < 42 and 41 < lat < 42


def test_anonymous_callers_are_refused(client, db):
    assert client.get("/api/v1/cases/").status_code == 403
