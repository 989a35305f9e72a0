"""Every application page answers 404 to whoever may not see the application."""

import pytest

from cases.catalogue import catalogue_sync
from cases.services import case_document_add
from core.models import Role
from permits.services import (
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.cases.factories import applicant, pdf_file, staff
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y
from tests.permits.factories import ZoneFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    # The catalogue comes from a data migration, which a transactional test elsewhere may have
    # flushed from a reused test database; its loader is idempotent.
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True


@pytest.fixture
def submitted(batumi):
    ZoneFactory(municipality=batumi)
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20)))
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    return application


def _urls(reference):
    return [
        *(f"/en/permits/apply/{reference}/{step}/" for step in range(1, 6)),
        f"/en/permits/apply/{reference}/done/",
        f"/en/permits/review/{reference}/",
    ]


def test_staff_of_another_municipality_get_404_on_every_page(client, submitted, rustavi):
    client.force_login(staff(rustavi, Role.PLANNER))
    for url in _urls(submitted.case.reference):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "decide", "outcome": "approved"}).status_code == 404


def test_another_citizen_gets_404_on_every_page(client, submitted):
    client.force_login(applicant())
    for url in _urls(submitted.case.reference):
        assert client.get(url).status_code == 404, url


def test_the_applicant_does_not_see_the_review_page(client, submitted):
    client.force_login(submitted.case.applicant)
    assert client.get(f"/en/permits/review/{submitted.case.reference}/").status_code == 404
    assert client.get(f"/en/permits/apply/{submitted.case.reference}/done/").status_code == 200


def test_the_planner_of_the_municipality_sees_the_review_but_not_drafts(client, batumi, submitted):
    planner = staff(batumi, Role.PLANNER)
    client.force_login(planner)
    assert client.get(f"/en/permits/review/{submitted.case.reference}/").status_code == 200
    draft = permit_application_start(
        applicant=applicant(), stage="merged", building_class="II", municipality=batumi
    )
    assert client.get(f"/en/permits/review/{draft.case.reference}/").status_code == 404
    assert client.get(f"/en/permits/apply/{draft.case.reference}/2/").status_code == 404
