"""Background work of the one window: the daily overdue reminders to officers, and the daily
reminders to applicants of requests for information about to run out. The notifications they
make are sent by engagement's jobs."""

from __future__ import annotations

import datetime
import logging

from procrastinate.contrib.django import app

from cases import calendar
from cases.models import Case, InformationRequest
from cases.notifications import notify
from cases.statuses import open_statuses

logger = logging.getLogger(__name__)

QUEUE = "notifications"


def overdue_remind(*, today: datetime.date | None = None) -> int:
    """Tell each assigned officer about their cases past due; once per case and day.

    A case with nobody assigned is seen in the queue's overdue filter. Returns the number of
    reminders made.
    """
    today = today or calendar.today()
    made = 0
    overdue = (
        Case.objects.overdue(today)
        .filter(assigned_to__isnull=False)
        .select_related("service", "assigned_to")
    )
    for case in overdue:
        rows = notify(
            case=case,
            recipient=case.assigned_to,
            kind="overdue",
            context={
                "today": today,
                "days_late": calendar.working_days_between(case.due_date, today),
            },
            dedupe_key=f"overdue:{case.pk}:{case.assigned_to_id}:{today.isoformat()}",
        )
        made += bool(rows)
    return made


# An applicant is reminded of an open request for information this many working days before its
# answer is due, and every working day after that until they answer.
APPLICANT_REMINDER_WORKING_DAYS = 2


def applicant_remind(*, today: datetime.date | None = None) -> int:
    """Remind applicants of open requests for information whose answer period ends within
    APPLICANT_REMINDER_WORKING_DAYS working days or has passed; once per request and day.

    The e-mail links to the case, where the answer is given. Returns the reminders made.
    """
    today = today or calendar.today()
    horizon = calendar.add_working_days(today, APPLICANT_REMINDER_WORKING_DAYS)
    due = (
        InformationRequest.objects.filter(
            answered_at__isnull=True,
            due_date__lte=horizon,
            case__status__in=open_statuses(),
        )
        .select_related("case", "case__service", "case__applicant")
        .order_by("due_date", "pk")
    )
    made = 0
    for request in due:
        case = request.case
        passed = request.due_date < today
        rows = notify(
            case=case,
            recipient=case.applicant,
            kind="information_reminder",
            context={
                "request": request,
                "today": today,
                "passed": passed,
                "days_left": 0
                if passed
                else calendar.working_days_between(today, request.due_date),
            },
            dedupe_key=f"information_reminder:{request.pk}:{today.isoformat()}",
        )
        made += bool(rows)
    return made


# Decision documents are drawn here, not in the request that decides (a PDF takes a second).
DOCUMENTS_QUEUE = "documents"


@app.task(queue=DOCUMENTS_QUEUE, name="cases.make_decision_document", retry=3)
def make_decision_document(decision_id: int) -> None:
    """Draw a decision's PDF and tell the applicant (cases.services.decision_document_make)."""
    from cases.models import Decision
    from cases.services import decision_document_make

    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is not None:
        decision_document_make(decision=decision)


@app.periodic(cron="0 8 * * 1-5", periodic_id="cases_overdue_reminders")
@app.task(queue=QUEUE, name="cases.remind_overdue", queueing_lock="cases_remind_overdue")
def remind_overdue(timestamp: int) -> None:
    made = overdue_remind()
    if made:
        logger.info("Sent %d overdue reminders.", made)


@app.periodic(cron="0 9 * * 1-5", periodic_id="cases_applicant_reminders")
@app.task(queue=QUEUE, name="cases.remind_applicants", queueing_lock="cases_remind_applicants")
def remind_applicants(timestamp: int) -> None:
    made = applicant_remind()
    if made:
        logger.info("Sent %d reminders to applicants.", made)
