"""The scope of requests and jobs (core/tenancy.py): staff see their municipalities, everyone else
all of them, and a kept connection is back in the public scope after each request and job."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cases.models import ReferenceCounter
from core.db.base import ALL_MUNICIPALITIES, SCOPE_SETTING
from core.mfa import STAFF_ROLE_SESSION_KEY
from core.models import Role
from core.tenancy import MunicipalityScopeMiddleware, job_scope, scope_for, scope_of
from tests.core.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def database_scope() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [SCOPE_SETTING])
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def counters(batumi, rustavi):
    """A row of each municipality in a table that is not public."""
    for municipality in (batumi, rustavi):
        ReferenceCounter.objects.create(municipality=municipality, year=2026)


def rustavi_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_referencecounter r JOIN core_municipality m "
            "ON m.id = r.municipality_id WHERE m.code = 'RST'"
        )
        return cursor.fetchone()[0]


def request_by(user, seen: list, response_class=HttpResponse):
    """Run a request by `user` through the middleware; the view notes what it could see."""

    def view(request):
        seen.append((database_scope(), rustavi_rows()))
        return response_class()

    request = RequestFactory().get("/")
    request.user = user
    return MunicipalityScopeMiddleware(view)(request)


def test_a_staff_member_of_batumi_sees_no_rustavi_row_during_a_request(parcels, batumi):
    planner = MembershipFactory(municipality=batumi, role=Role.PLANNER).user
    seen = []
    request_by(planner, seen)
    assert seen == [(str(batumi.pk), 0)]
    assert database_scope() == ALL_MUNICIPALITIES  # nothing is left for the next request
    assert rustavi_rows() == 1


def test_a_staff_member_of_both_sees_both(parcels, batumi, rustavi):
    officer = MembershipFactory(municipality=batumi, role=Role.GIS_OFFICER).user
    MembershipFactory(user=officer, municipality=rustavi, role=Role.PLANNER)
    assert scope_for(officer) == scope_of([batumi.pk, rustavi.pk])


@pytest.mark.parametrize("who", ["anonymous", "citizen", "superuser", "deactivated staff"])
def test_everyone_else_sees_every_municipality(parcels, batumi, who):
    if who == "anonymous":
        user = AnonymousUser()
    elif who == "citizen":
        user = UserFactory()
    elif who == "superuser":
        user = UserFactory(is_superuser=True)
    else:
        user = MembershipFactory(municipality=batumi, role=Role.PLANNER).user
        user.is_active = False
    seen = []
    request_by(user, seen)
    assert seen == [(ALL_MUNICIPALITIES, 1)]


class CountingConnection:
    """The driver's connection, counting the cursors opened on it."""

    def __init__(self, raw):
        self.raw = raw
        self.cursors = 0

    def cursor(self, *args, **kwargs):
        self.cursors += 1
        return self.raw.cursor(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.raw, name)


def test_an_anonymous_request_sends_nothing_to_set_its_scope(parcels, batumi, monkeypatch):
    connection.set_municipality_scope(ALL_MUNICIPALITIES)
    counting = CountingConnection(connection.connection)
    monkeypatch.setattr(connection, "connection", counting)
    request = RequestFactory().get("/tiles/parcels/16/1/1.mvt")
    request.user = AnonymousUser()
    counting.cursors = 0
    MunicipalityScopeMiddleware(lambda request: HttpResponse())(request)
    assert counting.cursors == 0
    planner = MembershipFactory(municipality=batumi, role=Role.PLANNER).user
    request.user = planner
    scope_for(planner)  # its roles, read once per request and kept for the rules
    counting.cursors = 0
    MunicipalityScopeMiddleware(lambda request: HttpResponse())(request)
    assert counting.cursors == 2  # narrowed, then the public scope again
    monkeypatch.setattr(connection, "connection", counting.raw)


@pytest.mark.django_db(transaction=True)
def test_a_streamed_answer_keeps_its_scope_until_django_tidies_the_connection(parcels, batumi):
    planner = MembershipFactory(municipality=batumi, role=Role.PLANNER).user
    response = request_by(planner, [], response_class=lambda: StreamingHttpResponse(iter([b""])))
    assert connection.municipality_scope == str(batumi.pk)
    list(response)
    connection.close_if_unusable_or_obsolete()  # request_finished, at the end of the answer
    assert database_scope() == ALL_MUNICIPALITIES


def test_a_job_runs_in_the_public_scope_whatever_ran_before_it(parcels, batumi):
    connection.set_municipality_scope(scope_of([batumi.pk]))
    seen = []
    job_scope(lambda: seen.append((database_scope(), rustavi_rows())), context=None, worker=None)
    assert seen == [(ALL_MUNICIPALITIES, 1)]
    assert database_scope() == ALL_MUNICIPALITIES


def test_a_rolled_back_scope_is_set_again(parcels, batumi):
    from django.db import transaction

    with transaction.atomic():
        connection.set_municipality_scope(scope_of([batumi.pk]))
        transaction.set_rollback(True)
    assert connection.municipality_scope is None  # the database may hold either value now
    connection.set_municipality_scope(ALL_MUNICIPALITIES)
    assert database_scope() == ALL_MUNICIPALITIES
    assert rustavi_rows() == 1


def test_the_job_worker_runs_every_task_inside_the_job_scope():
    from procrastinate.contrib.django import app

    assert job_scope in app.worker_defaults["task_middleware"]


def test_a_citizen_s_signed_in_request_costs_no_query_for_its_scope(parcels, batumi):
    citizen = UserFactory()
    planner = MembershipFactory(municipality=batumi, role=Role.PLANNER).user
    with CaptureQueriesContext(connection) as queries:
        assert scope_for(citizen, session={}) == ALL_MUNICIPALITIES
    assert len(queries) == 0
    # A staff member's session is marked at sign-in (core.mfa): their roles are read.
    assert scope_for(planner, session={STAFF_ROLE_SESSION_KEY: True}) == str(batumi.pk)
