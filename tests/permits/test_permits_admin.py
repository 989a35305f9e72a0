"""The admin shows the audit trail of applications (constraint overrides, boundary change
requests) read-only, to staff of the application's municipality only. Neighbour comments are
engagement's comments now: tests/engagement/test_admin.py."""

import json

import pytest

from cases.catalogue import catalogue_sync
from cases.services import case_document_add
from core.models import Role
from permits.models import BoundaryChangeRequest, ConstraintOverride
from permits.services import (
    boundary_change_request,
    permit_application_start,
    permit_application_submit,
    permit_application_update,
    permit_constraint_override,
)
from tests.cases.factories import applicant, pdf_file, staff
from tests.conftest import RUSTAVI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, rect
from tests.permits.factories import ZoneFactory

MODELS = ("constraintoverride", "boundarychangerequest")


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True


def _trail(municipality, code, x, y, reason):
    """A submitted application with one row of each kind, the reason text marking them."""
    ZoneFactory(municipality=municipality)
    ParcelFactory(municipality=municipality, cadastral_code=code, geom=multi(square(x, y, 20)))
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=[code]
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    planner = staff(municipality, Role.PLANNER)
    permit_constraint_override(
        application=application, constraint=reason, action="add", reason=reason, by=planner
    )
    boundary_change_request(
        application=application,
        proposed_site=json.dumps(geojson(rect(x, y, x + 30, y + 20))),
        reason=reason,
        by=planner,
    )
    return application


def _admin(municipality):
    user = staff(municipality, Role.PLANNER)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def trails(batumi, rustavi):
    x, y = RUSTAVI_ORIGIN
    return (
        _trail(batumi, "05.24.11.005", X, Y, "Batumi-row"),
        _trail(rustavi, "02.07.03.001", x + 1000, y + 1000, "Rustavi-row"),
    )


def test_a_rustavi_planner_sees_rustavi_rows_and_no_batumi_rows(client, rustavi, trails):
    batumi_application, rustavi_application = trails
    client.force_login(_admin(rustavi))
    for model in MODELS:
        listing = client.get(f"/en/admin/permits/{model}/")
        assert listing.status_code == 200, model
        assert rustavi_application.case.reference in listing.text, model
        assert batumi_application.case.reference not in listing.text, model
    batumi_rows = {
        "constraintoverride": ConstraintOverride.objects.get(reason="Batumi-row"),
        "boundarychangerequest": BoundaryChangeRequest.objects.get(reason="Batumi-row"),
    }
    for model, row in batumi_rows.items():
        assert client.get(f"/en/admin/permits/{model}/{row.pk}/change/").status_code == 404, model


def test_the_rows_are_read_only_for_their_own_planner(client, batumi, trails):
    batumi_application, rustavi_application = trails
    client.force_login(_admin(batumi))
    row = ConstraintOverride.objects.get(reason="Batumi-row")
    listing = client.get("/en/admin/permits/constraintoverride/")
    assert batumi_application.case.reference in listing.text
    assert rustavi_application.case.reference not in listing.text
    page = client.get(f"/en/admin/permits/constraintoverride/{row.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    for model in MODELS:
        assert client.get(f"/en/admin/permits/{model}/add/").status_code == 403, model
    change = BoundaryChangeRequest.objects.get(reason="Batumi-row")
    page = client.get(f"/en/admin/permits/boundarychangerequest/{change.pk}/change/")
    assert page.status_code == 200
    response = client.post(
        f"/en/admin/permits/boundarychangerequest/{change.pk}/change/", {"reason": "changed"}
    )
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.reason == "Batumi-row"


def test_an_applicant_without_a_role_sees_none_of_it(client, trails):
    person = applicant()
    person.is_staff = True
    person.save()
    client.force_login(person)
    for model in MODELS:
        assert client.get(f"/en/admin/permits/{model}/").status_code == 403, model
