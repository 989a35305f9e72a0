"""The daily overdue job tells the assigned officer once a day about each case past due."""

import datetime

from django.core import mail

from cases import services
from cases.jobs import overdue_remind
from engagement.models import Notification
from tests.cases.factories import on_day, submitted_case

D = datetime.date


def test_the_assigned_officer_is_reminded_once_a_day(monkeypatch, service, batumi, planner):
    on_day(monkeypatch, D(2026, 3, 2))
    case = submitted_case(service=service, municipality=batumi)  # due 17 March
    services.case_assign(case=case, officer=planner, by=planner)
    mail.outbox.clear()

    assert overdue_remind(today=D(2026, 3, 17)) == 0  # due today is not late
    assert overdue_remind(today=D(2026, 3, 18)) == 1
    assert overdue_remind(today=D(2026, 3, 18)) == 0  # the same day again: nothing
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [planner.email]
    assert "Overdue" in mail.outbox[0].subject
    assert overdue_remind(today=D(2026, 3, 19)) == 1
    assert Notification.objects.filter(kind="overdue").count() == 2


def test_a_case_waiting_for_the_applicant_is_not_reminded(monkeypatch, service, batumi, planner):
    on_day(monkeypatch, D(2026, 3, 2))
    case = submitted_case(service=service, municipality=batumi)
    services.case_assign(case=case, officer=planner, by=planner)
    services.information_request_open(case=case, text="More?", by=planner)
    assert overdue_remind(today=D(2026, 4, 30)) == 0
