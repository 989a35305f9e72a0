"""The one way the portal tells people things: a notification is rendered in its reader's
language, kept for the inbox, and sent by the worker on each channel the reader takes.

A notification is a row first, with a delivery per channel (queued, or held for the daily
digest), then sent by the job queue (`engagement/jobs.py`). The sending job is deferred in the
same transaction as the change it reports, so neither exists without the other. With the
setting NOTIFY_SYNC (CASES_NOTIFY_SYNC, its old name, works too) it is sent at once instead
(tests, small set-ups).

The reader's preferences decide the channels: e-mail on or off, SMS on or off (when a phone
is known), and e-mails at once or in one daily digest. Essential kinds (a decision, a request
with a deadline, a receipt; `NotificationKind.essential`) go by e-mail at once whatever the
preferences say.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils import timezone, translation

from core.modules import NotificationKind, registry
from engagement.channels import SENDERS, send_email
from engagement.models import (
    Channel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationPreference,
)

logger = logging.getLogger(__name__)

SMS_TEMPLATE = "engagement/notifications/sms.txt"


def notify_sync() -> bool:
    """Whether notifications are sent within the request instead of by the worker."""
    return bool(
        getattr(settings, "NOTIFY_SYNC", False) or getattr(settings, "CASES_NOTIFY_SYNC", False)
    )


def public_url(path: str) -> str:
    """An absolute address of the portal for a path (links in e-mails, SMS and PDFs)."""
    if path.startswith(("http://", "https://")):
        return path
    base = getattr(settings, "GISPORTAL_PUBLIC_URL", "http://localhost:8000").rstrip("/")
    return f"{base}{path}"


def url_in(path: str, language: str) -> str:
    """A portal path in another language (/ka/... for /en/...), absolute."""
    return public_url(translate_url(path, language))


def notification_kind(name: str) -> NotificationKind:
    """A kind some module declared (core.modules); an undeclared kind is a programming error."""
    try:
        return registry.notification_kinds()[name]
    except KeyError:
        raise ValueError(f"No module declares the notification kind {name!r}.") from None


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


def notification_render(*, kind: str, context: dict, language: str) -> Rendered:
    """The kind's subject and body templates, and the SMS text, rendered in a language."""
    template = notification_kind(kind).template
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context).strip() + "\n"
        sms = render_to_string(SMS_TEMPLATE, {**context, "subject": subject})
    return Rendered(subject=subject, body=body, sms=" ".join(sms.split()))


def preference_for(user) -> NotificationPreference:
    found = NotificationPreference.objects.filter(user=user).first() if user else None
    return found or NotificationPreference(user=user)


def language_of(user) -> str:
    """The language a person reads notifications in: their choice, else the portal's."""
    return preference_for(user).language or settings.LANGUAGE_CODE


def _targets(*, kind: NotificationKind, recipient, email: str, phone: str) -> list[tuple]:
    """(channel, address, status) of each delivery, by the reader's preferences."""
    targets = []
    preference = preference_for(recipient) if recipient is not None else None
    if email:
        if preference is None or kind.essential:
            targets.append((Channel.EMAIL, email, DeliveryStatus.QUEUED))
        elif preference.email:
            status = DeliveryStatus.HELD if preference.digest else DeliveryStatus.QUEUED
            targets.append((Channel.EMAIL, email, status))
    if phone and kind.sms and (preference is None or preference.sms):
        targets.append((Channel.SMS, phone, DeliveryStatus.QUEUED))
    return targets


def notification_create(
    *,
    kind: str,
    subject: str,
    body: str,
    language: str,
    sms_text: str = "",
    url: str = "",
    recipient=None,
    recipient_name: str = "",
    email: str = "",
    phone: str = "",
    municipality=None,
    about=None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Keep a rendered notification and queue its deliveries; None when one was already made
    under this dedupe_key, or when there is no one to tell.

    To a person (`recipient`): the inbox, and e-mail to their address and SMS to `phone` as
    their preferences allow. To someone who is no account: `email` and `phone` only.
    """
    spec = notification_kind(kind)
    if recipient is not None:
        if not recipient.is_active:
            return None
        email = recipient.email or ""
    elif not (email or phone):
        return None
    notification = Notification(
        recipient=recipient,
        recipient_name=recipient_name[:200],
        kind=kind,
        subject=subject[:300],
        body=body,
        sms_text=sms_text[:500],
        url=url[:500],
        language=language,
        municipality=municipality,
        dedupe_key=dedupe_key,
    )
    if about is not None:
        notification.about = about
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    deliveries = [
        NotificationDelivery(notification=notification, channel=c, address=a, status=s)
        for c, a, s in _targets(kind=spec, recipient=recipient, email=email, phone=phone)
    ]
    NotificationDelivery.objects.bulk_create(deliveries)
    if any(d.status == DeliveryStatus.QUEUED for d in deliveries):
        _dispatch(notification)
    return notification


def notify_user(
    *,
    recipient,
    kind: str,
    context: dict,
    url: str,
    about=None,
    municipality=None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Render a kind for one person in their language and queue it. `url` is a portal path in
    any language; the notification links to it in the reader's."""
    if recipient is None or not recipient.is_active:
        return None
    language = language_of(recipient)
    link = url_in(url, language)
    rendered = notification_render(
        kind=kind, context={**context, "recipient": recipient, "url": link}, language=language
    )
    return notification_create(
        kind=kind,
        subject=rendered.subject,
        body=rendered.body,
        sms_text=rendered.sms,
        url=link,
        language=language,
        recipient=recipient,
        municipality=municipality,
        about=about,
        dedupe_key=dedupe_key,
    )


def _dispatch(notification: Notification) -> None:
    if notify_sync():
        notification_deliver(notification=notification)
        return
    from engagement.jobs import send_notification

    send_notification.defer(notification_id=notification.pk)


def _deliver(delivery: NotificationDelivery) -> None:
    try:
        SENDERS[delivery.channel].send(delivery)
    except Exception as exc:  # a sender's failure is recorded, never lost
        logger.warning("Delivery %s failed: %s", delivery.pk, exc)
        delivery.status = DeliveryStatus.FAILED
        delivery.error = str(exc)[:500]
    else:
        delivery.status = DeliveryStatus.SENT
        delivery.error = ""
        delivery.sent_at = timezone.now()
    delivery.save(update_fields=["status", "error", "sent_at"])


@transaction.atomic
def notification_deliver(*, notification: Notification) -> Notification:
    """Send a notification's queued deliveries through their channels and record each outcome.

    The rows are locked while they are sent, so two workers never send one twice.
    """
    queued = (
        notification.deliveries.select_for_update(skip_locked=True)
        .filter(status=DeliveryStatus.QUEUED)
        .order_by("channel")
    )
    for delivery in queued:
        delivery.notification = notification
        _deliver(delivery)
    return notification


@transaction.atomic
def notifications_mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one of a person's notifications read, or all of them; how many changed."""
    unread = Notification.objects.for_user(user).unread()
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preference_update(
    *, user, email: bool, sms: bool, frequency: str, language: str = ""
) -> NotificationPreference:
    preference = NotificationPreference.objects.filter(user=user).first()
    preference = preference or NotificationPreference(user=user)
    preference.email = bool(email)
    preference.sms = bool(sms)
    preference.frequency = frequency
    preference.language = language
    preference.full_clean()
    preference.save()
    return preference


def digests_send() -> int:
    """Send each person one e-mail with their notifications held for the digest; how many
    e-mails went. A digest that fails stays held, with its error, for the next day."""
    held = (
        NotificationDelivery.objects.filter(status=DeliveryStatus.HELD, channel=Channel.EMAIL)
        .select_related("notification__recipient")
        .order_by("notification__created_at", "pk")
    )
    by_person: dict[tuple, list[NotificationDelivery]] = defaultdict(list)
    for delivery in held:
        by_person[(delivery.notification.recipient_id, delivery.address)].append(delivery)
    sent = 0
    for (_recipient_id, address), deliveries in by_person.items():
        sent += _digest_send(address=address, pks=[d.pk for d in deliveries])
    return sent


@transaction.atomic
def _digest_send(*, address: str, pks: list[int]) -> int:
    deliveries = list(
        NotificationDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=pks, status=DeliveryStatus.HELD)
        .select_related("notification__recipient")
        .order_by("notification__created_at", "pk")
    )
    if not deliveries:
        return 0
    recipient = deliveries[0].notification.recipient
    language = language_of(recipient) if recipient is not None else settings.LANGUAGE_CODE
    notifications = [d.notification for d in deliveries]
    with translation.override(language):
        context = {
            "recipient": recipient,
            "notifications": notifications,
            "count": len(notifications),
            "inbox_url": public_url(reverse("engagement:inbox")),
            "preferences_url": public_url(reverse("engagement:preferences")),
        }
        subject = " ".join(
            render_to_string("engagement/notifications/digest_subject.txt", context).split()
        )
        body = render_to_string("engagement/notifications/digest_body.txt", context).strip()
    try:
        send_email(to=address, subject=subject, body=body + "\n")
    except Exception as exc:  # kept held and retried with the next digest
        logger.warning("Digest to recipient %s failed: %s", recipient and recipient.pk, exc)
        NotificationDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            error=str(exc)[:500]
        )
        return 0
    NotificationDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        status=DeliveryStatus.SENT, error="", sent_at=timezone.now()
    )
    return 1


def stale_send(*, older_than_minutes: int = 10) -> int:
    """Send deliveries still queued after some minutes: a job lost with a worker, or rows made
    before the job queue existed. How many notifications were taken up."""
    since = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    ids = (
        NotificationDelivery.objects.filter(status=DeliveryStatus.QUEUED, created_at__lt=since)
        .values_list("notification_id", flat=True)
        .distinct()
    )
    count = 0
    for notification in Notification.objects.filter(pk__in=list(ids[:1000])):
        notification_deliver(notification=notification)
        count += 1
    return count
