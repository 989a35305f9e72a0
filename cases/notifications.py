"""Notifications about applications: the case's templates rendered in the case's language, and
handed to engagement, which keeps them in the reader's inbox and sends them by the job queue.

`notify` writes to a person, `notify_address` to someone who is no account (a consulted
neighbour), `notify_followers` to the staff who follow an application when its status changes
(its applicant is told by the service that changed it). The channels, preferences, digests and
sending are engagement's (engagement/notifications.py).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cases.models import Case
from engagement.channels import LoggingSmsBackend  # noqa: F401  (the old SMS_BACKEND path)
from engagement.models import NotificationDelivery
from engagement.notifications import notification_create, notification_render, public_url
from engagement.selectors import object_followers

__all__ = ["case_url", "notify", "notify_address", "notify_followers", "public_url"]


def case_url(case: Case, language: str) -> str:
    with translation.override(language):
        return public_url(reverse("cases:detail", kwargs={"reference": case.reference}))


def _deliveries(notification) -> list[NotificationDelivery]:
    return list(notification.deliveries.all()) if notification is not None else []


def notify(
    *,
    case: Case,
    recipient,
    kind: str,
    context: dict | None = None,
    dedupe_key: str | None = None,
) -> list[NotificationDelivery]:
    """Queue a notification of this kind to one person about a case; its deliveries.

    With a dedupe_key, a notification already made under that key is not made again. The
    context may give its own "url" (a page other than the case's). An SMS goes to the case's
    phone when the person is its applicant and the kind is sent by SMS.
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
    rendered = notification_render(kind=kind, context=full_context, language=language)
    phone = case.contact_phone if recipient.pk == case.applicant_id else ""
    notification = notification_create(
        kind=kind,
        subject=rendered.subject,
        body=rendered.body,
        sms_text=rendered.sms,
        url=full_context["url"],
        language=language,
        recipient=recipient,
        phone=phone,
        municipality=case.municipality,
        about=case,
        dedupe_key=dedupe_key,
    )
    return _deliveries(notification)


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
) -> list[NotificationDelivery]:
    """Queue a notification to someone who is not (or need not be) a user: by e-mail when an
    address is given and by SMS when a phone is; its deliveries.

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
    rendered = notification_render(kind=kind, context=full_context, language=language)
    notification = notification_create(
        kind=kind,
        subject=rendered.subject,
        body=rendered.body,
        sms_text=rendered.sms,
        url=full_context["url"],
        language=language,
        recipient_name=name,
        email=email,
        phone=phone,
        municipality=case.municipality,
        about=case,
        dedupe_key=dedupe_key,
    )
    return _deliveries(notification)


def notify_followers(*, case: Case, change) -> int:
    """Tell the people who follow an application (staff who handle it) of its new status; not
    its applicant, whom the service that changed it tells, nor whoever made the change."""
    followers = object_followers(case).exclude(pk__in=[case.applicant_id, change.by_id or 0])
    told = 0
    for follower in followers:
        notify(
            case=case,
            recipient=follower,
            kind="followed_case",
            context={"change": change},
            dedupe_key=f"cases:followed:{change.pk}:{follower.pk}",
        )
        told += 1
    return told
