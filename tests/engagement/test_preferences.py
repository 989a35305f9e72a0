"""Preferences: e-mail on or off, SMS on or off, at once or in a daily digest; essential kinds
(receipts, decisions, requests, boundary changes) go by e-mail at once whatever is chosen."""

from django.core import mail

from engagement import notifications, services
from engagement.models import DeliveryStatus, Notification
from tests.cases import sms_backends
from tests.cases.factories import service_with_documents, submitted_case
from tests.engagement.conftest import LAYER, write


def test_no_email_when_it_is_off(place, author, neighbour):
    notifications.preference_update(user=neighbour, email=False, sms=True, frequency="immediate")
    services.follow_feature(user=neighbour, layer=LAYER, feature_id=place.pk)
    comment = write(place, author, "Hello.")
    told = Notification.objects.about(comment).get(recipient=neighbour)
    assert not told.deliveries.exists()  # the inbox only
    assert mail.outbox == []


def test_the_digest_holds_what_is_not_essential(place, author, neighbour):
    notifications.preference_update(user=neighbour, email=True, sms=True, frequency="daily")
    services.follow_feature(user=neighbour, layer=LAYER, feature_id=place.pk)
    comment = write(place, author, "Hello.")
    delivery = Notification.objects.about(comment).get(recipient=neighbour).deliveries.get()
    assert delivery.status == DeliveryStatus.HELD
    assert mail.outbox == []


def test_essential_kinds_go_at_once_even_to_digest_and_email_off(settings, batumi):
    settings.SMS_BACKEND = "tests.cases.sms_backends.KeepingSmsBackend"
    sms_backends.SENT.clear()
    from tests.cases.factories import applicant

    person = applicant()
    notifications.preference_update(user=person, email=False, sms=True, frequency="daily")
    case = submitted_case(
        service=service_with_documents(),
        municipality=batumi,
        user=person,
        contact_phone="+995555000111",
    )
    receipt = Notification.objects.about(case).get(kind="submitted")
    assert {(d.channel, d.status) for d in receipt.deliveries.all()} == {
        ("email", DeliveryStatus.SENT),
        ("sms", DeliveryStatus.SENT),
    }
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_sms_off_sends_no_sms(settings, batumi):
    settings.SMS_BACKEND = "tests.cases.sms_backends.KeepingSmsBackend"
    sms_backends.SENT.clear()
    from tests.cases.factories import applicant

    person = applicant()
    notifications.preference_update(user=person, email=True, sms=False, frequency="immediate")
    submitted_case(
        service=service_with_documents(),
        municipality=batumi,
        user=person,
        contact_phone="+995555000111",
    )
    assert sms_backends.SENT == []


def test_the_preferences_page_saves_them(client, neighbour):
    client.force_login(neighbour)
    assert client.get("/en/notifications/preferences/").status_code == 200
    response = client.post(
        "/en/notifications/preferences/", {"email": "on", "frequency": "daily", "language": "ka"}
    )
    assert response.status_code == 302
    preference = neighbour.notification_preference
    assert preference.email and not preference.sms and preference.digest
    assert preference.language == "ka"
    response = client.post("/en/notifications/preferences/", {"frequency": "weekly"})
    assert response.status_code == 400
