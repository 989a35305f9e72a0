"""Copy every notification of the one window into engagement's inbox, with a delivery per
channel; cases.Notification is removed by the next migration.

The old table kept one row per channel: rows made together for one person (the same case,
recipient, kind and dedupe key, a few seconds apart, on different channels) become one
notification with their deliveries. The e-mail's text is the body, the SMS's the short text.
Old notifications count as read (they were delivered already), so nobody's inbox starts full.
"""

import datetime

from django.db import migrations

# Rows of one notification were written within the same request.
SAME_MOMENT = datetime.timedelta(seconds=5)


def _base_key(row):
    # Old dedupe keys carried the channel: "<key>:email", "<key>:sms".
    if not row.dedupe_key:
        return None
    head, _sep, tail = row.dedupe_key.rpartition(":")
    return head if tail in ("email", "sms") and head else row.dedupe_key


def _groups(rows):
    group = []
    for row in rows:
        if group:
            head = group[0]
            same = (
                row.case_id == head.case_id
                and row.recipient_id == head.recipient_id
                and row.kind == head.kind
                and row.language == head.language
                and _base_key(row) == _base_key(head)
                and abs(row.created_at - head.created_at) <= SAME_MOMENT
                and row.channel not in {r.channel for r in group}
            )
            if same:
                group.append(row)
                continue
            yield group
        group = [row]
    if group:
        yield group


def forward(apps, schema_editor):
    Old = apps.get_model("cases", "Notification")
    New = apps.get_model("engagement", "Notification")
    Delivery = apps.get_model("engagement", "NotificationDelivery")
    ContentType = apps.get_model("contenttypes", "ContentType")
    case_type, _created = ContentType.objects.get_or_create(app_label="cases", model="case")
    rows = Old.objects.select_related("case").order_by("pk")
    for group in _groups(rows.iterator(chunk_size=2000)):
        head = group[0]
        by_channel = {row.channel: row for row in group}
        email, sms = by_channel.get("email"), by_channel.get("sms")
        case = head.case
        url = ""
        if case is not None and head.recipient_id is not None:
            url = f"/{head.language or 'ka'}/cases/{case.reference}/"
        notification = New.objects.create(
            recipient_id=head.recipient_id,
            kind=head.kind,
            subject=head.subject,
            body=(email or head).body,
            sms_text=sms.body[:500] if sms is not None else "",
            url=url,
            language=head.language,
            municipality_id=case.municipality_id if case is not None else None,
            content_type=case_type if case is not None else None,
            object_id=str(case.pk) if case is not None else "",
            dedupe_key=_base_key(head),
        )
        New.objects.filter(pk=notification.pk).update(
            created_at=head.created_at, read_at=head.sent_at or head.created_at
        )
        for row in group:
            delivery = Delivery.objects.create(
                notification=notification,
                channel=row.channel,
                address=row.address,
                status=row.status,
                error=row.error,
                sent_at=row.sent_at,
            )
            Delivery.objects.filter(pk=delivery.pk).update(created_at=row.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_status_choices_from_modules"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engagement", "0001_add_engagement"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
