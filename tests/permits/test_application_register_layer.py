"""The public register of permit applications: submitted ones, no personal data, no drafts."""

import pytest

from cases.catalogue import catalogue_sync
from permits.services import (
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.cases.factories import applicant, pdf_file
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


def _application(code, x, *, submit):
    from cases.services import case_document_add

    ParcelFactory(cadastral_code=code, geom=multi(square(x, Y, 20)))
    person = applicant(first_name="Nino", last_name="Beridze", email=f"nino{code}@example.test")
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=[code]
    )
    application = permit_application_update(
        application=application,
        by=person,
        footprint_area_m2=80,
        floors=2,
        public_description="A two-storey house",
    )
    if submit:
        for kind in application.case.service.document_types.filter(required=True):
            case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
        permit_application_submit(application=application, by=person)
    return application


def test_the_register_shows_submitted_applications_without_personal_data(client, batumi):
    ZoneFactory(municipality=batumi)
    submitted = _application("05.24.11.001", X, submit=True)
    draft = _application("05.24.11.002", X + 100, submit=False)
    response = client.get(
        "/ogcapi/collections/permit-applications/items", HTTP_ACCEPT="application/geo+json"
    )
    assert response.status_code == 200
    features = response.json()["features"]
    references = [f["properties"]["reference"] for f in features]
    assert references == [submitted.case.reference]
    assert draft.case.reference not in response.text
    properties = features[0]["properties"]
    assert properties["status"] == "submitted"
    assert properties["building_class"] == "II"
    assert properties["stage"] == "merged"
    for personal in ("Nino", "Beridze", "example.test", "applicant"):
        assert personal not in response.text


def test_the_map_card_of_an_application_leads_to_its_public_page(client, batumi):
    ZoneFactory(municipality=batumi)
    submitted = _application("05.24.11.003", X, submit=True)
    reference = submitted.case.reference

    card = client.get("/en/layers/permit-applications/card/", {"id": submitted.pk})
    page = client.get(f"/en/layers/permit-applications/{submitted.pk}/")

    entry = f'href="/en/permits/register/{reference}/"'
    assert card.status_code == 200 and entry in card.content.decode()
    assert "The application and comments" in card.content.decode()
    assert page.status_code == 200 and entry in page.content.decode()
    assert client.get(f"/en/permits/register/{reference}/").status_code == 200
