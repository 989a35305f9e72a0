"""Notifications about applications: rendered in the case's language, stored with their delivery
status, and sent by a procrastinate worker through one interface for e-mail and SMS.

A notification is a row first (queued), then sent (sent or failed with the error). The sending
job is deferred in the same transaction as the change it reports, so neither exists without the
other. With the setting CASES_NOTIFY_SYNC the row is sent at once instead (tests, small setups).

SMS goes through the class named by the setting SMS_BACKEND, by default one that only logs.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from cases.models import Case, Channel, DeliveryStatus, Notification
from core.modules import NotificationKind, registry

logger = logging.getLogger(__name__)


class Sender(Protocol):
    """Delivers one notification or raises; the caller records the outcome."""

    def send(self, notification: Notification) -> None: ...


class EmailSender:
    def send(self, notification: Notification) -> None:
        send_mail(
            subject=notification.subject,
            message=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.address],
            fail_silently=False,
        )


class LoggingSmsBackend:
    """The default SMS backend: writes the message to the log. A deployment names its gateway's
    backend (any class with `send_sms(to, text)`) in SMS_BACKEND."""

    def send_sms(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


class SmsSender:
    def send(self, notification: Notification) -> None:
        backend_path = getattr(settings, "SMS_BACKEND", "cases.notifications.LoggingSmsBackend")
        backend = import_string(backend_path)()
        backend.send_sms(notification.address, notification.body)


SENDERS: dict[str, Sender] = {Channel.EMAIL: EmailSender(), Channel.SMS: SmsSender()}


def public_url(path: str) -> str:
    base = getattr(settings, "GISPORTAL_PUBLIC_URL", "http://localhost:8000").rstrip("/")
    return f"{base}{path}"


def case_url(case: Case, language: str) -> str:
    with translation.override(language):
        return public_url(reverse("cases:detail", kwargs={"reference": case.reference}))


def notification_kind(name: str) -> NotificationKind:
    """A kind some module declared (core.modules); an undeclared kind is a programming error."""
    try:
        return registry.notification_kinds()[name]
    except KeyError:
        raise ValueError(f"No module declares the notification kind {name!r}.") from None


def _render(kind: str, context: dict, language: str) -> tuple[str, str, str]:
    template = notification_kind(kind).template
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
        sms = render_to_string("cases/notifications/sms.txt", {**context, "subject": subject})
    return " ".join(subject.split()), body.strip() + "\n", " ".join(sms.split())


def notify(
    *,
    case: Case,
    recipient,
    kind: str,
    context: dict | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Queue a notification of this kind to one person about a case; the rows made.

    With a dedupe_key, a notification already made under that key is not made again. The
    context may give its own "url" (a page other than the case's).
    """
    if recipient is None or not recipient.is_active:
        return []
    language = case.language or settings.LANGUAGE_CODE
    full_context = {
        "case": case,
        "recipient": recipient,
        "url": case_url(case, language),
        **(context or {}),
    }
    subject, body, sms = _render(kind, full_context, language)
    targets = []
    if recipient.email:
        targets.append((Channel.EMAIL, recipient.email, body))
    if notification_kind(kind).sms and recipient.pk == case.applicant_id and case.contact_phone:
        targets.append((Channel.SMS, case.contact_phone, sms))
    return _queue(
        case=case,
        recipient=recipient,
        kind=kind,
        language=language,
        subject=subject,
        targets=targets,
        dedupe_key=dedupe_key,
    )


def notify_address(
    *,
    case: Case,
    kind: str,
    name: str = "",
    email: str = "",
    phone: str = "",
    context: dict | None = None,
    language: str | None = None,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Queue a notification to someone who is not (or need not be) a user: by e-mail when an
    address is given and by SMS when a phone is; the rows made (recipient empty).

    Used for people the case concerns without an account, such as neighbours consulted about
    it. The context should give the "url" they are sent to; the default is the case's page,
    which only its applicant and staff may open. The language defaults to the portal's.
    """
    language = language or settings.LANGUAGE_CODE
    full_context = {
        "case": case,
        "recipient": None,
        "recipient_name": name,
        "url": case_url(case, language),
        **(context or {}),
    }
    subject, body, sms = _render(kind, full_context, language)
    targets = []
    if email:
        targets.append((Channel.EMAIL, email, body))
    if phone:
        targets.append((Channel.SMS, phone, sms))
    return _queue(
        case=case,
        recipient=None,
        kind=kind,
        language=language,
        subject=subject,
        targets=targets,
        dedupe_key=dedupe_key,
    )


def _queue(*, case, recipient, kind, language, subject, targets, dedupe_key) -> list[Notification]:
    made = []
    for channel, address, text in targets:
        notification = Notification(
            case=case,
            recipient=recipient,
            channel=channel,
            address=address,
            kind=kind,
            language=language,
            subject=subject,
            body=text,
            dedupe_key=f"{dedupe_key}:{channel}" if dedupe_key else None,
        )
        if dedupe_key:
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue
        else:
            notification.save()
        made.append(notification)
        _dispatch(notification)
    return made


def _dispatch(notification: Notification) -> None:
    if getattr(settings, "CASES_NOTIFY_SYNC", False):
        notification_send(notification=notification)
        return
    from cases.jobs import send_notification

    send_notification.defer(notification_id=notification.pk)


def notification_send(*, notification: Notification) -> Notification:
    """Deliver a queued notification through its channel's sender and record the outcome."""
    if notification.status == DeliveryStatus.SENT:
        return notification
    try:
        SENDERS[notification.channel].send(notification)
    except Exception as exc:  # a sender's failure is recorded, never lost
        logger.warning("Notification %s failed: %s", notification.pk, exc)
        notification.status = DeliveryStatus.FAILED
        notification.error = str(exc)[:500]
    else:
        notification.status = DeliveryStatus.SENT
        notification.error = ""
        notification.sent_at = timezone.now()
    notification.save(update_fields=["status", "error", "sent_at"])
    return notification
