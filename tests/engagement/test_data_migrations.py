"""The data migrations: every cases.Notification becomes an engagement notification with its
deliveries, and every permits.NeighbourComment an engagement comment on the register layer,
with its stance, text (personal data removed from what is published), author and time."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# Migrations run as the owner of the tables (core/db/owner.py).
pytestmark = pytest.mark.usefixtures("table_owner")

BEFORE = [
    ("cases", "0003_status_choices_from_modules"),
    ("permits", "0004_add_neighbour_consultations"),
    ("engagement", "0001_add_engagement"),
]
WRITTEN = timezone.make_aware(datetime.datetime(2025, 5, 1, 10, 0))


def _old_rows(apps):
    from tests.conftest import BATUMI_ORIGIN, multi, square

    Municipality = apps.get_model("core", "Municipality")
    User = apps.get_model("auth", "User")
    Service = apps.get_model("cases", "Service")
    Case = apps.get_model("cases", "Case")
    Notification = apps.get_model("cases", "Notification")
    PermitApplication = apps.get_model("permits", "PermitApplication")
    NeighbourComment = apps.get_model("permits", "NeighbourComment")
    x, y = BATUMI_ORIGIN
    batumi = Municipality.objects.create(
        code="BTM",
        name_ka="ბათუმი",
        name_en="Batumi",
        ocha_code="GE1511",
        boundary=multi(square(x, y, 4000)),
        center_lon=41.64,
        center_lat=41.64,
    )
    applicant = User.objects.create(username="ana", email="ana@example.ge")
    neighbour = User.objects.create(username="lela", email="lela@example.ge", first_name="Lela")
    service = Service.objects.create(
        code="migration_test", name_ka="ტ", name_en="T", module="permits", working_days=10
    )
    case = Case.objects.create(
        reference="BTM-2025-000001",
        service=service,
        applicant=applicant,
        municipality=batumi,
        status="consultation",
    )
    application = PermitApplication.objects.create(case=case, stage="merged", building_class="II")
    for stance, body in (("supportive", "Fine."), ("objection", "Call me: 555123456.")):
        comment = NeighbourComment.objects.create(
            application=application, author=neighbour, stance=stance, body=body
        )
        NeighbourComment.objects.filter(pk=comment.pk).update(created_at=WRITTEN)
    for channel, address, body in (
        ("email", "ana@example.ge", "Your application was received."),
        ("sms", "+995555000111", "gisportal: received."),
    ):
        Notification.objects.create(
            case=case,
            recipient=applicant,
            channel=channel,
            address=address,
            kind="submitted",
            language="en",
            subject="BTM-2025-000001 received",
            body=body,
            status="sent",
            dedupe_key=f"receipt:{case.pk}:{channel}",
        )
    Notification.objects.create(
        case=case,
        recipient=None,
        channel="email",
        address="zurab@example.ge",
        kind="consultation",
        language="ka",
        subject="Consultation",
        body="Comment on the plan.",
        status="queued",
    )
    return case, application, neighbour


@pytest.mark.django_db(transaction=True)
def test_old_notifications_and_neighbour_comments_are_copied():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        case, application, neighbour = _old_rows(old_apps)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from cases.models import Case
    from engagement.models import Comment, Notification

    comments = list(Comment.objects.on_feature("permit-applications", application.pk))
    assert [(c.stance, c.body, c.author_id) for c in comments] == [
        ("in_favour", "Fine.", neighbour.pk),
        ("against", "Call me: [removed].", neighbour.pk),
    ]
    assert comments[1].body_original == "Call me: 555123456." and comments[1].redacted
    assert all(
        c.created_at == WRITTEN and c.municipality_id == case.municipality_id for c in comments
    )

    told = Notification.objects.about(Case.objects.get(pk=case.pk)).order_by("pk")
    receipt, consultation = told
    assert receipt.kind == "submitted" and receipt.dedupe_key == f"receipt:{case.pk}"
    assert {d.channel for d in receipt.deliveries.all()} == {"email", "sms"}
    assert receipt.body == "Your application was received."
    assert receipt.sms_text == "gisportal: received." and receipt.is_read
    assert consultation.recipient is None
    assert consultation.deliveries.get().status == "queued"
