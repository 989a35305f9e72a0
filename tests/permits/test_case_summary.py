"""A permit case is summed up by its parcels' cadastral codes, in the lists and on its page."""

import pytest

from cases.catalogue import catalogue_sync
from permits.services import permit_application_start, permit_application_update
from tests.cases.factories import applicant
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y


@pytest.fixture
def parcels(batumi, db):
    catalogue_sync()
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.00{i}",
            geom=multi(square(X + 30 * i, Y, 20)),
        )
        for i in range(1, 6)
    ]


def test_the_summary_names_the_parcels_and_follows_them(parcels):
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.001"]
    )
    assert application.case.summary == "05.24.11.001"

    codes = [p.cadastral_code for p in parcels]
    permit_application_update(application=application, by=person, parcel_codes=codes)
    application.case.refresh_from_db()
    assert application.case.summary == "05.24.11.001, 05.24.11.002, 05.24.11.003 +2"


def test_the_case_page_shows_the_codes(client, parcels):
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.002"]
    )
    client.force_login(person)
    html = client.get(f"/en/cases/{application.case.reference}/").content.decode()
    assert "05.24.11.002" in html
