"""Neighbour consultation: parcels within 50 m (configurable) listed for the planner, comments
(engagement's, in favour, neutral or against) taken only while the consultation is open."""

import pytest

from cases.catalogue import catalogue_sync
from cases.services import case_document_add, case_transition
from core.models import Role
from permits.consultation import neighbour_parcels
from permits.services import (
    consultation_start,
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
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True


@pytest.fixture
def submitted(batumi):
    ZoneFactory(municipality=batumi)
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20)))
    ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.006", geom=multi(square(X + 40, Y, 20))
    )
    ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.007", geom=multi(square(X + 100, Y, 20))
    )
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    return application


def test_neighbours_are_the_parcels_within_the_configured_radius(submitted, settings):
    assert [p.cadastral_code for p in neighbour_parcels(submitted)] == ["05.24.11.006"]
    settings.PERMITS_NEIGHBOUR_RADIUS_M = 100
    codes = [p.cadastral_code for p in neighbour_parcels(submitted)]
    assert codes == ["05.24.11.006", "05.24.11.007"]


def test_comments_are_taken_only_while_the_consultation_is_open(client, batumi, submitted):
    url = f"/en/permits/register/{submitted.case.reference}/"
    neighbour = applicant(first_name="Secret", last_name="Neighbour")
    client.force_login(neighbour)
    response = client.post(url, {"stance": "against", "body": "Too tall."})
    assert response.status_code == 400 and "only while the consultation is open" in response.text
    planner = staff(batumi, Role.PLANNER)
    case_transition(case=submitted.case, to="in_review", by=planner)
    consultation_start(application=submitted, by=planner)
    assert client.post(url, {"stance": "against", "body": "Too tall."}).status_code == 302
    assert client.post(url, {"stance": "bad", "body": "x"}).status_code == 400
    client.logout()
    page = client.get(url).text
    # Authors are shown by their first name and initial only.
    assert "Against" in page and "Too tall." in page
    assert "Secret N." in page and "Secret Neighbour" not in page and neighbour.email not in page
    client.force_login(planner)
    review = client.get(f"/en/permits/review/{submitted.case.reference}/").text
    assert "05.24.11.006" in review and "Too tall." in review


def test_drafts_are_not_on_the_public_register(client, batumi):
    draft = permit_application_start(
        applicant=applicant(), stage="merged", building_class="II", municipality=batumi
    )
    assert client.get(f"/en/permits/register/{draft.case.reference}/").status_code == 404
