"""A boundary-change request reaches the applicant: a notification with the link to the page
where they answer, and a link on their case page until they do (permits/portal.py)."""

import json

import pytest
from django.utils import translation

from cases.catalogue import catalogue_sync
from cases.services import case_document_add
from core.models import Role
from core.modules import registry
from engagement.models import Notification
from permits.services import (
    boundary_change_answer,
    boundary_change_request,
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.cases.factories import applicant, pdf_file, staff
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, rect
from tests.permits.factories import ZoneFactory

LABEL = "Answer the boundary-change request"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True
    with translation.override("en"):
        yield


@pytest.fixture
def change(batumi):
    ZoneFactory(municipality=batumi)
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20)))
    person = applicant()
    application = permit_application_start(
        applicant=person,
        stage="merged",
        building_class="II",
        parcel_codes=["05.24.11.005"],
        language="en",
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    return boundary_change_request(
        application=application,
        proposed_site=json.dumps(geojson(rect(X, Y, X + 30, Y + 20))),
        reason="The fence stands 10 m further east.",
        by=staff(batumi, Role.PLANNER),
    )


def test_the_applicant_is_told_with_the_link_to_the_boundary_page(change):
    case = change.application.case
    told = Notification.objects.about(case).get(kind="boundary_change")
    assert told.recipient_id == case.applicant_id
    assert told.deliveries.get(channel="email").address == case.applicant.email
    assert f"/en/permits/boundary/{change.pk}/" in told.body
    assert "The fence stands 10 m further east." in told.body
    assert change.due_date.strftime("%Y") in told.body


def test_the_applicant_sees_the_action_on_the_case_page_until_answering(client, change):
    case = change.application.case
    client.force_login(case.applicant)
    page = client.get(f"/en/cases/{case.reference}/").text
    assert LABEL in page
    assert f'href="/en/permits/boundary/{change.pk}/"' in page
    assert client.get(f"/en/permits/boundary/{change.pk}/").status_code == 200

    boundary_change_answer(request=change, accept=True, by=case.applicant)
    assert LABEL not in client.get(f"/en/cases/{case.reference}/").text


def test_nobody_else_gets_the_action(client, change, batumi):
    case = change.application.case
    stranger = applicant()
    assert registry.case_links(case, stranger, staff=False) == []
    client.force_login(stranger)
    assert client.get(f"/en/cases/{case.reference}/").status_code == 404
    assert client.get(f"/en/permits/boundary/{change.pk}/").status_code == 404
    planner = staff(batumi, Role.PLANNER)
    client.force_login(planner)
    page = client.get(f"/en/cases/{case.reference}/")
    assert page.status_code == 200 and LABEL not in page.text
    assert not Notification.objects.filter(kind="boundary_change", recipient=planner).exists()
