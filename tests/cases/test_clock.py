"""The clock: due dates in working days, stopped while the applicant is asked for something and
extended by the working days it stood still."""

import datetime

from cases import services
from cases.models import Case, Status
from tests.cases.factories import draft_case, on_day, pdf_file, submitted_case

D = datetime.date


def test_submitting_sets_the_due_date_from_the_service_period(monkeypatch, service, batumi):
    on_day(monkeypatch, D(2026, 3, 2))  # Monday; 3 March is Mother's Day
    case = submitted_case(service=service, municipality=batumi)
    assert case.status == Status.SUBMITTED
    assert case.period_days == 10
    assert case.due_date == D(2026, 3, 17)


def test_the_period_of_the_variant_wins_over_the_service_period(monkeypatch, service, batumi):
    on_day(monkeypatch, D(2026, 3, 2))
    case = submitted_case(service=service, municipality=batumi, variant="III")
    assert case.period_days == 20


def test_a_request_for_information_stops_the_clock_and_the_answer_extends_the_due_date(
    monkeypatch, service, batumi, planner
):
    on_day(monkeypatch, D(2026, 3, 2))
    case = submitted_case(service=service, municipality=batumi)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)

    on_day(monkeypatch, D(2026, 3, 4))
    request = services.information_request_open(case=case, text="Send the survey.", by=planner)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_APPLICANT
    assert case.paused_since == D(2026, 3, 4)
    assert request.due_date == D(2026, 3, 25)  # 15 working days
    assert not case.is_overdue(D(2026, 3, 30))  # a stopped clock is never overdue
    assert not Case.objects.overdue(D(2026, 3, 30)).exists()

    on_day(monkeypatch, D(2026, 3, 9))  # 5, 6 and 9 March stood still
    services.information_request_answer(request=request, answer="Attached.", by=case.applicant)
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW
    assert case.paused_since is None
    assert case.paused_days == 3
    assert case.due_date == D(2026, 3, 20)
    steps = list(case.status_changes.values_list("to_status", flat=True))
    assert steps == ["draft", "submitted", "in_review", "awaiting_applicant", "in_review"]


def test_the_clock_runs_again_only_when_every_request_is_answered(
    monkeypatch, service, batumi, planner
):
    on_day(monkeypatch, D(2026, 3, 2))
    case = submitted_case(service=service, municipality=batumi)
    first = services.information_request_open(case=case, text="One.", by=planner)
    second = services.information_request_open(case=case, text="Two.", by=planner)
    services.information_request_answer(request=first, answer="a", by=case.applicant)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_APPLICANT
    services.information_request_answer(request=second, answer="b", by=case.applicant)
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW


def test_a_draft_has_no_due_date(service, batumi):
    case = draft_case(service=service, municipality=batumi)
    services.case_document_add(case=case, doc_type="plan", file=pdf_file(), by=case.applicant)
    assert case.due_date is None
