"""A change made through a request is recorded with who made it and the address it came through."""

import pghistory
from django.apps import apps
from django.conf import settings
from django.db import connection

from cases.models import Case, Status
from tests.cases.factories import draft_case, service_with_documents
from tests.core.factories import UserFactory


def case_events(case):
    return apps.get_model("cases", "CaseEvent").objects.filter(pgh_obj=case).order_by("pgh_id")


def test_the_history_middleware_runs_after_the_user_is_known():
    middleware = settings.MIDDLEWARE
    assert middleware.index("pghistory.middleware.HistoryMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


def test_a_change_made_through_a_page_carries_the_person_and_the_address(client, batumi):
    case = draft_case(service=service_with_documents(), municipality=batumi)
    client.force_login(case.applicant)
    url = f"/en/cases/{case.reference}/withdraw/"
    response = client.post(url, {"note": "Applied by mistake."})
    assert response.status_code == 302
    last = case_events(case).last()
    assert last.status == Status.WITHDRAWN
    assert last.pgh_context.metadata == {"user": case.applicant.pk, "url": url}
    # The admin's list of all history reads the same context as a person and an address.
    listed = (
        apps.get_model("pghistory", "MiddlewareEvents").objects.tracks(case).get(pgh_id=last.pgh_id)
    )
    assert (listed.user, listed.url) == (case.applicant, url)


def test_raw_sql_and_bulk_updates_within_a_request_carry_its_context_too(batumi):
    case = draft_case(service=service_with_documents(), municipality=batumi)
    officer = UserFactory()
    # What HistoryMiddleware does around every request, here around two writes no model sees.
    with pghistory.context(user=officer.pk, url="/en/cases/queue/"):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_case SET summary = 'raw' WHERE id = %s", [case.pk])
        Case.objects.filter(pk=case.pk).update(assigned_to=officer)
    raw, bulk = list(case_events(case))[-2:]
    assert (raw.summary, bulk.assigned_to_id) == ("raw", officer.pk)
    for event in (raw, bulk):
        assert event.pgh_context.metadata == {"user": officer.pk, "url": "/en/cases/queue/"}
    assert raw.pgh_context_id == bulk.pgh_context_id


def test_a_change_outside_any_request_has_no_context(batumi):
    case = draft_case(service=service_with_documents(), municipality=batumi)
    Case.objects.filter(pk=case.pk).update(summary="by a job")
    assert case_events(case).last().pgh_context is None


def test_a_superuser_reads_an_object_s_history_in_the_admin_and_staff_may_not(
    admin_client, client, batumi
):
    case = draft_case(service=service_with_documents(), municipality=batumi)
    Case.objects.filter(pk=case.pk).update(summary="changed in psql")
    url = f"/en/admin/pghistory/middlewareevents/?obj=cases.case:{case.pk}"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "changed in psql" in response.content.decode()

    planner = UserFactory(is_staff=True)
    client.force_login(planner)
    assert client.get(url).status_code in (302, 403)
