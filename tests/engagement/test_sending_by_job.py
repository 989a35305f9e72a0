"""Notifications are made and sent by the job queue, never in the request: a comment defers the
job that tells its followers, which defers the sending; the real worker then runs them."""

import pytest
from django.core import mail
from procrastinate.contrib.django import app

from engagement import services
from engagement.models import DeliveryStatus, Notification
from tests.engagement.conftest import LAYER, write


def run_worker() -> None:
    """The real worker in this process until the notifications queue is empty."""
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["notifications"], wait=False, install_signal_handlers=False, listen_notify=False
        )


@pytest.mark.django_db(transaction=True)
def test_a_reply_is_told_by_the_worker_not_in_the_request(
    client, settings, place, author, neighbour
):
    settings.NOTIFY_SYNC = False
    first = write(place, author, "First.")
    services.follow_feature(user=author, layer=LAYER, feature_id=place.pk)
    client.force_login(neighbour)
    response = client.post(
        f"/en/comments/?layer={LAYER}&feature={place.pk}",
        {"stance": "against", "body": "A reply.", "parent": first.pk},
    )
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=author).exists()
    assert mail.outbox == []

    run_worker()
    told = Notification.objects.get(recipient=author)
    assert told.kind == "comment_reply"
    assert told.deliveries.get().status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [[author.email]]


@pytest.mark.django_db(transaction=True)
def test_a_queued_notification_waits_for_the_worker(settings, db):
    from engagement import notifications
    from tests.engagement.conftest import person

    settings.NOTIFY_SYNC = False
    reader = person()
    made = notifications.notification_create(
        kind="comment_followed", subject="Hi", body="Text.", language="en", recipient=reader
    )
    delivery = made.deliveries.get()
    assert delivery.status == DeliveryStatus.QUEUED and mail.outbox == []
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(mail.outbox) == 1
