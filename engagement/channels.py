"""The channels a notification goes out by: e-mail through Django's mail, SMS through the class
named by the setting SMS_BACKEND (by default one that only logs)."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from engagement.models import Channel, NotificationDelivery

logger = logging.getLogger(__name__)


class Sender(Protocol):
    """Delivers one delivery or raises; the caller records the outcome."""

    def send(self, delivery: NotificationDelivery) -> None: ...


class EmailSender:
    def send(self, delivery: NotificationDelivery) -> None:
        notification = delivery.notification
        send_mail(
            subject=notification.subject,
            message=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[delivery.address],
            fail_silently=False,
        )


class LoggingSmsBackend:
    """The default SMS backend: writes the message to the log. A deployment names its gateway's
    backend (any class with `send_sms(to, text)`) in SMS_BACKEND."""

    def send_sms(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


class SmsSender:
    def send(self, delivery: NotificationDelivery) -> None:
        backend_path = getattr(settings, "SMS_BACKEND", "engagement.channels.LoggingSmsBackend")
        backend = import_string(backend_path)()
        notification = delivery.notification
        backend.send_sms(delivery.address, notification.sms_text or notification.subject)


SENDERS: dict[str, Sender] = {Channel.EMAIL: EmailSender(), Channel.SMS: SmsSender()}


def send_email(*, to: str, subject: str, body: str) -> None:
    """One e-mail that is no single notification (the daily digest)."""
    send_mail(
        subject=subject,
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[to],
        fail_silently=False,
    )
