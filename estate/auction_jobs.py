"""Background work of the auctions: closing a lot at its end, the minute's sweep that closes
any lot whose job was lost, and telling outbid bidders."""

from __future__ import annotations

import logging

from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)

QUEUE = "auctions"
NOTIFICATIONS_QUEUE = "notifications"


@app.task(queue=QUEUE, name="estate.close_lot", retry=3)
def close_lot(lot_id: int) -> None:
    """Close the lot at its end (auctions.lot_close). A late bid moves the end: a job that
    wakes before it defers itself again for the new end."""
    from estate.auctions import db_now, lot_close, lot_close_schedule
    from estate.models import Lot, LotStatus

    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None or lot.status != LotStatus.PUBLISHED:
        return
    if lot.closes_at > db_now():
        lot_close_schedule(lot)
        return
    lot_close(lot_id=lot_id)


@app.periodic(cron="* * * * *", periodic_id="estate_close_due_lots")
@app.task(queue=QUEUE, name="estate.close_due_lots", queueing_lock="estate_close_due_lots")
def close_due_lots(timestamp: int) -> None:
    """Every minute: close any lot whose end passed without its job (a worker that was down)."""
    from estate.auctions import lots_close_due

    closed = lots_close_due()
    if closed:
        logger.info("Closed %s lots past their end.", closed)


@app.task(queue=NOTIFICATIONS_QUEUE, name="estate.notify_outbid")
def notify_outbid(registration_id: int) -> None:
    from estate.auctions import outbid_notify

    outbid_notify(registration_id=registration_id)
