"""The mail of a permit application reaches people and says what they need: the applicant on
submission, on a request for information, on a boundary change and on the decision; staff on
the answers. Each names the service, the reference, the parcels and address, what happens next
and the link. The demo applicant has an address, so a demo installation's mail goes somewhere."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from cases import services as case_services
from cases.catalogue import catalogue_sync
from cases.models import Outcome, Status
from core.models import Role
from fixtures.accounts import DEMO_PASSWORD, demo_accounts_load
from fixtures.demo import load_demo
from permits.demo import DEMO_APPLICANT_EMAIL, LEGACY_USERNAME, load_demo_applications
from permits.services import (
    boundary_change_answer,
    boundary_change_request,
    boundary_changes_expire,
    permit_application_start,
    permit_application_submit,
)
from tests.cases.factories import applicant, pdf_file, run_document_jobs, staff
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, rect
from tests.permits.factories import ZoneFactory

LINK = "http://portal.test/en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True
    settings.GISPORTAL_PUBLIC_URL = "http://portal.test"


@pytest.fixture
def planner(batumi):
    return staff(batumi, Role.PLANNER)


@pytest.fixture
def submitted(batumi, planner):
    ZoneFactory(municipality=batumi)
    ParcelFactory(
        municipality=batumi,
        cadastral_code="05.24.11.005",
        geom=multi(square(X, Y, 20)),
        address_en="5 Rustaveli Avenue, Batumi",
    )
    person = applicant(first_name="Nino", last_name="Beridze")
    application = permit_application_start(
        applicant=person,
        stage="merged",
        building_class="II",
        parcel_codes=["05.24.11.005"],
        language="en",
        building={"footprint_area_m2": 80, "floors": 2},
    )
    for kind in application.case.service.document_types.filter(required=True):
        case_services.case_document_add(
            case=application.case, doc_type=kind.code, file=pdf_file(), by=person
        )
    permit_application_submit(application=application, by=person)
    case_services.case_transition(case=application.case, to=Status.IN_REVIEW, by=planner)
    return application


def mails_to(address: str, word: str = ""):
    return [m for m in mail.outbox if m.to == [address] and word in m.subject]


def assert_names_the_application(body: str, case) -> None:
    assert case.service.name_en in body and "Class II (low risk)" in body
    assert f"Reference: {case.reference}" in body
    assert "Site: 05.24.11.005 — 5 Rustaveli Avenue, Batumi" in body
    assert "Municipality: Batumi" in body


def test_the_applicant_is_told_of_the_submission_with_what_happens_next(submitted):
    case = submitted.case
    [message] = mails_to(case.applicant.email, "received")

    assert message.subject == f"Application {case.reference} received: {case.service.name_en}"
    body = message.body
    assert body.startswith("Dear Nino Beridze,")
    assert_names_the_application(body, case)
    assert "What happens next" in body
    due = case.due_date.strftime("%-d %B %Y")
    assert f"A decision is due by {due}, {case.period_days} working days from submission." in body
    assert f"{LINK}/cases/{case.reference}/" in body
    assert "example.com" not in body and "{%" not in body and "%(" not in body


def test_a_request_tells_the_applicant_and_the_answer_tells_the_planner(submitted, planner):
    case = submitted.case
    request = case_services.information_request_open(
        case=case, text="Attach the survey.", by=planner, working_days=10
    )
    [asked] = mails_to(case.applicant.email, "More information")
    assert "Attach the survey." in asked.body
    assert request.due_date.strftime("%-d %B %Y") in asked.body
    assert_names_the_application(asked.body, case)
    assert f"{LINK}/cases/{case.reference}/" in asked.body

    case_services.information_request_answer(
        request=request, answer="The survey is attached.", by=case.applicant
    )
    [answered] = mails_to(planner.email, "answered")
    assert "Attach the survey." in answered.body and "The survey is attached." in answered.body
    assert_names_the_application(answered.body, case)
    assert f"{LINK}/cases/{case.reference}/" in answered.body


@pytest.mark.parametrize(
    ("accept", "comment", "said"),
    [(True, "", "The applicant accepted"), (False, "The fence is ours.", "did not accept")],
)
def test_the_planner_hears_how_a_boundary_change_was_answered(
    submitted, planner, accept, comment, said
):
    case = submitted.case
    change = boundary_change_request(
        application=submitted,
        proposed_site=json.dumps(geojson(rect(X, Y, X + 25, Y + 20))),
        reason="The fence stands further east.",
        by=planner,
    )
    [asked] = mails_to(case.applicant.email, "new site boundary")
    assert "The fence stands further east." in asked.body
    assert_names_the_application(asked.body, case)
    assert f"{LINK}/permits/boundary/{change.pk}/" in asked.body

    boundary_change_answer(request=change, accept=accept, comment=comment, by=case.applicant)

    [told] = mails_to(planner.email, "Boundary change")
    assert said in told.body
    assert (comment or "The proposed boundary is now the site") in told.body
    assert f"{LINK}/permits/review/{case.reference}/" in told.body


def test_the_planner_hears_when_a_boundary_change_was_not_answered_in_time(submitted, planner):
    change = boundary_change_request(
        application=submitted,
        proposed_site=json.dumps(geojson(rect(X, Y, X + 25, Y + 20))),
        reason="The fence stands further east.",
        by=planner,
    )

    boundary_changes_expire(today=change.due_date + datetime.timedelta(days=1))

    [told] = mails_to(planner.email, "not answered in time")
    assert "counts as accepted" in told.body


def test_the_decision_mail_goes_with_the_document(submitted, planner):
    case = submitted.case
    case_services.decision_issue(
        case=case, outcome=Outcome.APPROVED, conditions=["Keep the tree."], by=planner
    )
    assert mails_to(case.applicant.email, "Decision") == []

    run_document_jobs()

    [message] = mails_to(case.applicant.email, "Decision")
    assert f"Your application {case.reference} has been approved." in message.body
    assert "1. Keep the tree." in message.body
    assert f"{LINK}/cases/{case.reference}/decision.pdf" in message.body
    assert_names_the_application(message.body, case)


def test_the_demo_applications_mail_reaches_the_demo_applicant(db):
    load_demo(parcels_per_city=5, seed=42)
    demo_accounts_load()

    assert load_demo_applications() >= 1

    received = mails_to(DEMO_APPLICANT_EMAIL, "received")
    assert len(received) >= 1
    person = get_user_model().objects.get(email=DEMO_APPLICANT_EMAIL)
    assert person.check_password(DEMO_PASSWORD)


def test_a_demo_applicant_made_without_an_address_is_given_one(db):
    get_user_model().objects.create(username=LEGACY_USERNAME, first_name="Demo")

    made = demo_accounts_load()

    person = get_user_model().objects.get(email=DEMO_APPLICANT_EMAIL)
    assert person.username == DEMO_APPLICANT_EMAIL and person.first_name == "Demo"
    assert person.check_password(DEMO_PASSWORD)
    assert DEMO_APPLICANT_EMAIL in made
    assert not get_user_model().objects.filter(username=LEGACY_USERNAME).exists()
