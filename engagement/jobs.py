"""Background work of engagement: sending notifications, telling followers of comments and
feature events, the daily digest, and taking up deliveries whose job was lost."""

from __future__ import annotations

import logging

from procrastinate.contrib.django import app

from engagement.models import Comment, Notification
from engagement.notifications import digests_send, notification_deliver, stale_send
from engagement.services import comment_followers_notify, feature_event_notify

logger = logging.getLogger(__name__)

QUEUE = "notifications"


@app.task(queue=QUEUE, name="engagement.send_notification")
def send_notification(notification_id: int) -> None:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is not None:
        notification_deliver(notification=notification)


@app.task(queue=QUEUE, name="engagement.comment_published")
def comment_published(comment_id: int) -> None:
    comment = Comment.objects.select_related("author", "parent").filter(pk=comment_id).first()
    if comment is not None:
        comment_followers_notify(comment=comment)


@app.task(queue=QUEUE, name="engagement.feature_event")
def feature_event(
    layer: str,
    feature_id: str,
    geometry: str,
    kind: str,
    title: str = "",
    url: str = "",
    actor_id: int | None = None,
    key: str = "",
) -> None:
    feature_event_notify(
        layer=layer,
        feature_id=feature_id,
        geometry=geometry,
        kind=kind,
        title=title,
        url=url,
        actor_id=actor_id,
        key=key,
    )


# 18:00 UTC is 22:00 in Tbilisi: the day's notifications in one e-mail, read the next morning.
@app.periodic(cron="0 18 * * *", periodic_id="engagement_daily_digest")
@app.task(queue=QUEUE, name="engagement.send_digests", queueing_lock="engagement_send_digests")
def send_digests(timestamp: int) -> None:
    sent = digests_send()
    if sent:
        logger.info("Sent %d daily digests.", sent)


@app.periodic(cron="*/10 * * * *", periodic_id="engagement_stale_deliveries")
@app.task(queue=QUEUE, name="engagement.send_stale", queueing_lock="engagement_send_stale")
def send_stale(timestamp: int) -> None:
    taken = stale_send()
    if taken:
        logger.info("Took up %d notifications still queued.", taken)
