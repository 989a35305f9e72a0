"""GET /api/v1/permits/applications/: an applicant reads their own applications, planners those of
their municipality; everyone else is answered 404, as for a reference that does not exist."""

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
from tests.conftest import RUSTAVI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y
from tests.permits.factories import ZoneFactory

URL = "/api/v1/permits/applications/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True


def _submitted(municipality, code, x, y, person=None):
    ZoneFactory(municipality=municipality)
    ParcelFactory(municipality=municipality, cadastral_code=code, geom=multi(square(x, y, 20)))
    person = person or applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=[code]
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    return application


@pytest.fixture
def batumi_application(batumi):
    return _submitted(batumi, "05.24.11.005", X, Y)


@pytest.fixture
def rustavi_application(rustavi):
    x, y = RUSTAVI_ORIGIN
    return _submitted(rustavi, "02.07.03.001", x + 1000, y + 1000)


def _references(response):
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


def test_the_applicant_sees_their_own_application_only(client, batumi_application, rustavi):
    other = _submitted(batumi_application.case.municipality, "05.24.11.006", X + 40, Y)
    client.force_login(batumi_application.case.applicant)
    assert _references(client.get(URL)) == [batumi_application.case.reference]
    assert client.get(f"{URL}{other.case.reference}/").status_code == 404


def test_the_detail_has_the_fields_with_geometries_in_wgs84(client, batumi_application):
    client.force_login(batumi_application.case.applicant)
    data = client.get(f"{URL}{batumi_application.case.reference}/").json()
    assert data["reference"] == batumi_application.case.reference
    assert data["stage"] == "merged" and data["building_class"] == "II"
    assert data["status"] == "submitted" and data["municipality"] == "BTM"
    assert data["parcels"] == ["05.24.11.005"]
    assert data["site"]["type"] == "MultiPolygon"
    lon, lat = data["site"]["coordinates"][0][0][0]
    assert 41 < lon < 42 and 41 < lat < 42
    assert data["footprint"] is None and data["built_area_m2"] == 80
    assert data["floors"] == 2
    assert data["compliance"]["outcome"] == batumi_application.compliance["outcome"]
    assert sum(data["compliance"]["rules"].values()) == len(batumi_application.compliance["rules"])
    assert data["due_date"] and data["submitted_at"]


def test_planners_see_their_municipalitys_applications(
    client, batumi, batumi_application, rustavi_application
):
    client.force_login(staff(batumi, Role.PLANNER))
    assert _references(client.get(URL)) == [batumi_application.case.reference]
    response = client.get(f"{URL}{batumi_application.case.reference}/")
    assert response.status_code == 200


def test_staff_of_another_municipality_get_404(client, rustavi, batumi_application):
    client.force_login(staff(rustavi, Role.PLANNER))
    assert _references(client.get(URL)) == []
    assert client.get(f"{URL}{batumi_application.case.reference}/").status_code == 404


def test_staff_of_another_module_see_nothing(client, batumi, batumi_application):
    client.force_login(staff(batumi, Role.PROPERTY_OFFICER))
    assert _references(client.get(URL)) == []
    assert client.get(f"{URL}{batumi_application.case.reference}/").status_code == 404


def test_a_draft_stays_the_applicants_own(client, batumi):
    ZoneFactory(municipality=batumi)
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.007", geom=multi(square(X, Y, 20)))
    person = applicant()
    draft = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.007"]
    )
    client.force_login(staff(batumi, Role.PLANNER))
    assert client.get(f"{URL}{draft.case.reference}/").status_code == 404
    client.force_login(person)
    assert _references(client.get(URL, {"status": "draft"})) == [draft.case.reference]


def test_an_unknown_reference_answers_404(client, batumi_application):
    client.force_login(batumi_application.case.applicant)
    assert client.get(f"{URL}BTM-2000-999999/").status_code == 404


def test_anonymous_callers_are_refused(client, batumi_application):
    assert client.get(URL).status_code in (401, 403)
    assert client.get(f"{URL}{batumi_application.case.reference}/").status_code in (401, 403)


def test_the_status_filter_and_its_errors(client, batumi, batumi_application):
    client.force_login(staff(batumi, Role.PLANNER))
    assert _references(client.get(URL, {"status": "submitted"})) == [
        batumi_application.case.reference
    ]
    assert _references(client.get(URL, {"status": "in_review"})) == []
    response = client.get(URL, {"status": "nonsense"})
    assert response.status_code == 400 and response.json()["parameter"] == "status"
    response = client.get(URL, {"limit": "100000"})
    assert response.status_code == 400 and response.json()["parameter"] == "limit"


def test_pages_follow_limit_and_offset(client, batumi):
    person = applicant()
    made = [
        _submitted(batumi, f"05.24.11.0{n:02d}", X + 40 * n, Y, person=person) for n in range(3)
    ]
    client.force_login(person)
    first = client.get(URL, {"limit": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    seen = [row["reference"] for row in first["results"] + second["results"]]
    assert sorted(seen) == sorted(a.case.reference for a in made)


def test_the_openapi_schema_lists_the_applications(client, db):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/permits/applications/" in schema["paths"]
    assert "/api/v1/permits/applications/{reference}/" in schema["paths"]
