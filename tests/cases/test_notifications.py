"""Notifications of the one window (sent through engagement): e-mail on submission and decision
in the case's language, SMS through the configured backend, each delivery's status recorded, and
the real procrastinate worker sending them."""

import pytest
from django.core import mail
from procrastinate.contrib.django import app

from cases import services
from engagement.models import Channel, DeliveryStatus, Notification
from tests.cases import sms_backends
from tests.cases.factories import draft_case, pdf_file, submitted_case


def test_submitting_sends_the_applicant_an_email_with_the_due_date(service, batumi):
    case = submitted_case(service=service, municipality=batumi, language="en")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [case.applicant.email]
    assert case.reference in message.subject
    assert case.due_date.strftime("%Y") in message.body
    assert f"http://portal.test/en/cases/{case.reference}/" in message.body
    row = Notification.objects.about(case).get()
    delivery = row.deliveries.get()
    assert (row.kind, delivery.channel, delivery.status) == (
        "submitted",
        Channel.EMAIL,
        DeliveryStatus.SENT,
    )
    assert row.recipient == case.applicant and row.url.endswith(f"/en/cases/{case.reference}/")


def test_a_phone_number_adds_an_sms_through_the_configured_backend(settings, service, batumi):
    settings.SMS_BACKEND = "tests.cases.sms_backends.KeepingSmsBackend"
    sms_backends.SENT.clear()
    case = submitted_case(service=service, municipality=batumi, contact_phone="+995555000111")
    assert sms_backends.SENT and sms_backends.SENT[0][0] == "+995555000111"
    assert case.reference in sms_backends.SENT[0][1]


def test_a_failed_delivery_is_recorded_with_its_error(settings, service, batumi):
    settings.SMS_BACKEND = "tests.cases.sms_backends.BrokenSmsBackend"
    case = submitted_case(service=service, municipality=batumi, contact_phone="+995555000111")
    deliveries = Notification.objects.about(case).get().deliveries
    sms = deliveries.get(channel=Channel.SMS)
    assert sms.status == DeliveryStatus.FAILED
    assert "did not answer" in sms.error
    assert deliveries.get(channel=Channel.EMAIL).status == DeliveryStatus.SENT


def run_worker() -> None:
    """The real worker in this process until the notifications queue is empty."""
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["notifications"], wait=False, install_signal_handlers=False, listen_notify=False
        )


@pytest.mark.django_db(transaction=True)
def test_without_sync_sending_the_worker_sends_the_queued_email(settings, batumi):
    from tests.cases.factories import service_with_documents

    settings.CASES_NOTIFY_SYNC = False
    service = service_with_documents()
    case = draft_case(service=service, municipality=batumi)
    services.case_document_add(case=case, doc_type="plan", file=pdf_file(), by=case.applicant)
    services.case_submit(case=case, by=case.applicant)
    row = Notification.objects.about(case).get().deliveries.get()
    assert row.status == DeliveryStatus.QUEUED
    assert mail.outbox == []
    run_worker()
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1
