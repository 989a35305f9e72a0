"""A staff member's session ends after a set idle time; a citizen's keeps Django's default."""

import datetime

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Membership, Role


def test_a_staff_session_lasts_the_idle_time_from_each_request(
    client, batumi, django_user_model, settings
):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    user = django_user_model.objects.create_user("planner@example.ge", password="x", is_staff=True)
    Membership.objects.create(user=user, municipality=batumi, role=Role.PLANNER)
    client.force_login(user)
    client.get("/en/")
    assert client.session.get_expiry_age() == 600
    expires = Session.objects.get(session_key=client.session.session_key).expire_date
    assert expires - timezone.now() < datetime.timedelta(seconds=601)


def test_an_idle_staff_session_is_ended(client, batumi, django_user_model, settings):
    user = django_user_model.objects.create_user("gis@example.ge", password="x", is_staff=True)
    client.force_login(user)
    client.get("/en/")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/en/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_citizens_session_keeps_the_default(client, db, django_user_model, settings):
    user = django_user_model.objects.create_user("nino@example.ge", password="x")
    client.force_login(user)
    client.get("/en/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_requests_within_a_minute_write_no_session(client, db, django_user_model):
    user = django_user_model.objects.create_user("admin@example.ge", password="x", is_staff=True)
    client.force_login(user)
    client.get("/api/v1/layers/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/layers/")
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))
    ]
    assert not [sql for sql in writes if "django_session" in sql]
