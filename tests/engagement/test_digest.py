"""The daily digest job sends each person one e-mail with the notifications held for it."""

from django.core import mail

from engagement import notifications, services
from engagement.jobs import send_digests
from engagement.models import DeliveryStatus, NotificationDelivery
from tests.engagement.conftest import LAYER, write


def test_the_digest_job_sends_one_email_with_every_held_notification(
    place, parcels, author, neighbour
):
    notifications.preference_update(user=neighbour, email=True, sms=True, frequency="daily")
    services.follow_feature(user=neighbour, layer=LAYER, feature_id=place.pk)
    write(place, author, "One.")
    write(place, author, "Two.")
    assert mail.outbox == []
    held = NotificationDelivery.objects.filter(status=DeliveryStatus.HELD)
    assert held.count() == 2

    send_digests(timestamp=0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [neighbour.email]
    assert "2" in message.subject
    assert message.body.count("http://portal.test/en/layers/test-places/") == 2
    assert "http://portal.test/en/notifications/" in message.body
    assert not held.exists()

    send_digests(timestamp=0)  # nothing held any more: nothing sent
    assert len(mail.outbox) == 1
