"""Background work of the ballots: reminding residents whose ballot is still a draft.

A draft counts for nothing, and a fifth of the people who start a ballot never check it out.
While the voting is open, a draft left unchanged for a day gets one reminder, and every draft
gets one more on the last day before the close.
"""

from __future__ import annotations

import datetime
import logging

from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)

QUEUE = "notifications"
# A draft left this long since its last change is reminded once.
IDLE = datetime.timedelta(hours=24)
# The last reminder goes out within this time before the close.
LAST_CALL = datetime.timedelta(hours=24)


def _remind(ballot, phase) -> None:
    from django.urls import reverse

    from engagement.notifications import notify_user

    cycle = ballot.cycle
    notify_user(
        recipient=ballot.user,
        kind="budgeting_ballot_reminder",
        context={
            "ballot": ballot,
            "budget": ballot.budget,
            "cycle": cycle,
            "closes": phase.ends_at,
        },
        url=reverse(
            "budgeting:ballot", args=[cycle.municipality.code, cycle.slug, ballot.budget_id]
        ),
        about=ballot,
        municipality=ballot.budget.municipality,
        dedupe_key=f"budgeting_ballot_reminder:{ballot.pk}:{ballot.reminded_at or 'first'}",
    )


def drafts_remind(now: datetime.datetime | None = None) -> int:
    """Remind the owners of draft ballots, in every cycle whose voting is open: a draft idle
    for a day (once), and any draft not yet reminded on the last day. Returns how many."""
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from budgeting.models import Ballot, BallotStatus, CyclePhase, Phase

    now = now or timezone.now()
    sent = 0
    open_phases = CyclePhase.objects.filter(
        kind=Phase.BALLOTING, enabled=True, starts_at__lte=now, ends_at__gt=now
    ).select_related("cycle__municipality")
    for phase in open_phases:
        last_call = phase.ends_at - LAST_CALL
        due = Q(reminded_at__isnull=True, updated_at__lte=now - IDLE)
        if now >= last_call:
            due |= Q(reminded_at__isnull=True) | Q(reminded_at__lt=last_call)
        drafts = (
            Ballot.objects.filter(cycle=phase.cycle, status=BallotStatus.DRAFT, user__isnull=False)
            .filter(due)
            .select_related("budget__municipality", "user", "cycle__municipality")
        )
        for ballot in drafts.iterator(chunk_size=500):
            with transaction.atomic():
                # A queryset update leaves updated_at (the resident's last change) as it is.
                claimed = Ballot.objects.filter(
                    pk=ballot.pk, status=BallotStatus.DRAFT, reminded_at=ballot.reminded_at
                ).update(reminded_at=now)
                if not claimed:
                    continue
                ballot.cycle = phase.cycle
                _remind(ballot, phase)
                sent += 1
    return sent


@app.periodic(cron="17 * * * *", periodic_id="budgeting_remind_drafts")
@app.task(queue=QUEUE, name="budgeting.remind_drafts", queueing_lock="budgeting_remind_drafts")
def remind_drafts(timestamp: int) -> None:
    """Every hour: remind residents of the ballots they have not checked out."""
    sent = drafts_remind()
    if sent:
        logger.info("Reminded %s residents of their draft ballots.", sent)


@app.task(queue=QUEUE, name="budgeting.confirm_ballot", retry=3)
def confirm_ballot(ballot_id: int) -> None:
    """The confirmation e-mail of a checkout (budgeting.ballots.ballot_confirm)."""
    from budgeting.ballots import ballot_confirm

    ballot_confirm(ballot_id=ballot_id)
