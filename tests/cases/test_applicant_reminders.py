"""The daily job reminds the applicant of an open request for information whose answer period ends
within 2 working days or has passed: once per request and day, with a link to the case."""

import datetime

from django.core import mail

from cases import services
from cases.jobs import applicant_remind
from engagement.models import Notification
from tests.cases.factories import on_day, submitted_case

D = datetime.date


def _asked(monkeypatch, service, batumi, planner, *, working_days=5):
    on_day(monkeypatch, D(2026, 3, 2))  # a Monday
    # In English, so that the texts compared below are the source texts.
    case = submitted_case(service=service, municipality=batumi, language="en")
    request = services.information_request_open(
        case=case, text="The roof plan, please.", by=planner, working_days=working_days
    )
    mail.outbox.clear()
    return case, request


def test_no_reminder_while_the_due_date_is_further_than_two_working_days(
    monkeypatch, service, batumi, planner
):
    case, request = _asked(monkeypatch, service, batumi, planner)
    # Five working days after Monday 2 March; 3 March (Mother's Day) is a public holiday.
    assert request.due_date == D(2026, 3, 10)
    assert applicant_remind(today=D(2026, 3, 5)) == 0  # Thursday: three working days left
    assert mail.outbox == []


def test_two_working_days_before_the_due_date_the_applicant_is_reminded_once_a_day(
    monkeypatch, service, batumi, planner
):
    case, request = _asked(monkeypatch, service, batumi, planner)
    assert request.due_date == D(2026, 3, 10)
    assert applicant_remind(today=D(2026, 3, 6)) == 1  # Friday: Monday and Tuesday left
    assert applicant_remind(today=D(2026, 3, 6)) == 0  # the same day again: nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [case.applicant.email]
    assert case.reference in message.subject
    assert "The roof plan, please." in message.body
    assert "2 working days left" in message.body
    assert f"/cases/{case.reference}/" in message.body
    assert applicant_remind(today=D(2026, 3, 9)) == 1  # Monday: one left
    assert "1 working day left" in mail.outbox[-1].body
    assert applicant_remind(today=D(2026, 3, 10)) == 1  # Tuesday: the last day
    assert "answer today" in mail.outbox[-1].body
    rows = Notification.objects.about(case).filter(kind="information_reminder")
    assert rows.count() == 3
    assert {n.recipient_id for n in rows} == {case.applicant_id}


def test_a_request_past_its_due_date_is_reminded_as_overdue(monkeypatch, service, batumi, planner):
    case, request = _asked(monkeypatch, service, batumi, planner)
    assert applicant_remind(today=D(2026, 3, 11)) == 1
    assert "overdue" in mail.outbox[-1].subject
    assert "was due on" in mail.outbox[-1].body


def test_an_answered_request_is_not_reminded(monkeypatch, service, batumi, planner):
    case, request = _asked(monkeypatch, service, batumi, planner)
    services.information_request_answer(request=request, answer="Attached.", by=case.applicant)
    assert applicant_remind(today=D(2026, 3, 9)) == 0


def test_a_withdrawn_case_is_not_reminded(monkeypatch, service, batumi, planner):
    case, request = _asked(monkeypatch, service, batumi, planner)
    services.case_withdraw(case=case, by=case.applicant, note="No longer needed.")
    assert applicant_remind(today=D(2026, 3, 9)) == 0
