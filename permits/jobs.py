"""Periodic jobs of permits: boundary-change requests the applicant left unanswered, and
neighbour consultations past their last day."""

from procrastinate.contrib.django import app

from permits.services import boundary_changes_expire, consultations_close


@app.periodic(cron="15 0 * * *")
@app.task(queue="default")
def expire_boundary_changes(timestamp: int) -> int:
    """Accept requests past their due date, as BOPS does: silence is consent after 5 days."""
    return boundary_changes_expire()


@app.periodic(cron="20 0 * * *")
@app.task(queue="default")
def close_consultations(timestamp: int) -> int:
    """Close consultations whose period has ended; their cases go back to assessment."""
    return consultations_close()
