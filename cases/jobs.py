"""Background work of the one window: sending notifications, and the daily overdue reminders."""

from __future__ import annotations

import datetime
import logging

from procrastinate.contrib.django import app

from cases import calendar
from cases.models import Case, DeliveryStatus, Notification
from cases.notifications import notification_send, notify

logger = logging.getLogger(__name__)

QUEUE = "notifications"


@app.task(queue=QUEUE, name="cases.send_notification")
def send_notification(notification_id: int) -> None:
    notification = Notification.objects.filter(
        pk=notification_id, status=DeliveryStatus.QUEUED
    ).first()
    if notification is not None:
        notification_send(notification=notification)


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


@app.periodic(cron="0 8 * * 1-5", periodic_id="cases_overdue_reminders")
@app.task(queue=QUEUE, name="cases.remind_overdue", queueing_lock="cases_remind_overdue")
def remind_overdue(timestamp: int) -> None:
    made = overdue_remind()
    if made:
        logger.info("Sent %d overdue reminders.", made)
