"""Only the applicant changes the site: a planner asks for a redrawn red line, the applicant
accepts or rejects, and a request left unanswered for 5 working days counts as accepted."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cases.calendar import add_working_days, today
from cases.catalogue import catalogue_sync
from cases.services import case_document_add
from core.models import Role
from permits.models import BoundaryChangeRequest
from permits.services import (
    boundary_change_answer,
    boundary_change_request,
    boundary_changes_expire,
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.cases.factories import applicant, pdf_file, staff
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, rect
from tests.permits.factories import ConstraintFactory, ZoneFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    # The catalogue comes from a data migration, which a transactional test elsewhere may have
    # flushed from a reused test database; its loader is idempotent.
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True
    with translation.override("en"):
        yield


@pytest.fixture
def submitted(batumi):
    """A 20 m × 20 m site at (X, Y); a flood area lies just east of it, outside."""
    ZoneFactory(municipality=batumi)
    ConstraintFactory(
        municipality=batumi, name_en="East flood area", geom=multi(rect(X + 25, Y, X + 40, Y + 20))
    )
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


# The proposed site reaches 10 m further east, into the flood area.
PROPOSED = rect(X, Y, X + 30, Y + 20)


def _ask(application, by, proposed=None, reason="The fence stands 10 m further east."):
    return boundary_change_request(
        application=application,
        proposed_site=json.dumps(geojson(proposed or PROPOSED)),
        reason=reason,
        by=by,
    )


def test_a_planner_asks_and_both_sites_are_kept_with_a_five_working_day_due_date(submitted, batumi):
    change = _ask(submitted, staff(batumi, Role.PLANNER))
    assert abs(change.old_site.area - 400) < 0.01
    assert abs(change.proposed_site.area - 600) < 0.5
    assert change.due_date == add_working_days(today(), 5)
    assert change.accepted is None and change.answered_at is None
    submitted.refresh_from_db()
    assert abs(submitted.site.area - 400) < 0.01  # nothing changes until the applicant answers


def test_a_bad_geometry_or_no_reason_is_refused_and_nothing_is_saved(submitted, batumi):
    planner = staff(batumi, Role.PLANNER)
    with pytest.raises(ValidationError) as caught:
        boundary_change_request(
            application=submitted, proposed_site="not a shape", reason="", by=planner
        )
    assert set(caught.value.message_dict) == {"proposed_site", "reason"}
    with pytest.raises(ValidationError, match="same as the current"):
        _ask(submitted, planner, proposed=rect(X, Y, X + 20, Y + 20))
    assert not BoundaryChangeRequest.objects.exists()


def test_only_one_request_waits_at_a_time(submitted, batumi):
    planner = staff(batumi, Role.PLANNER)
    _ask(submitted, planner)
    with pytest.raises(ValidationError, match="already waiting"):
        _ask(submitted, planner, proposed=rect(X, Y, X + 25, Y + 20))


@pytest.mark.parametrize("who", ["other_planner", "citizen", "applicant"])
def test_only_a_planner_of_the_municipality_asks(submitted, rustavi, who):
    user = {
        "other_planner": lambda: staff(rustavi, Role.PLANNER),
        "citizen": applicant,
        "applicant": lambda: submitted.case.applicant,
    }[who]()
    with pytest.raises(PermissionDenied):
        _ask(submitted, user)
    assert not BoundaryChangeRequest.objects.exists()


def test_acceptance_changes_the_site_and_the_compliance(submitted, batumi):
    assert submitted.compliance["constraints"] == []
    change = _ask(submitted, staff(batumi, Role.PLANNER))
    boundary_change_answer(request=change, accept=True, comment="", by=submitted.case.applicant)
    submitted.refresh_from_db()
    change.refresh_from_db()
    assert change.accepted is True and change.answered_at is not None
    assert abs(submitted.site.area - 600) < 0.5
    assert submitted.site.equals_exact(change.proposed_site, tolerance=0.001)
    assert [c["name"] for c in submitted.compliance["constraints"]] == ["East flood area"]
    assert abs(change.old_site.area - 400) < 0.01
    assert list(submitted.parcels.values_list("cadastral_code", flat=True)) == ["05.24.11.005"]


def test_rejection_keeps_the_site_and_needs_a_comment(submitted, batumi):
    change = _ask(submitted, staff(batumi, Role.PLANNER))
    person = submitted.case.applicant
    with pytest.raises(ValidationError, match="Say why"):
        boundary_change_answer(request=change, accept=False, comment="", by=person)
    boundary_change_answer(request=change, accept=False, comment="The fence is mine.", by=person)
    change.refresh_from_db()
    submitted.refresh_from_db()
    assert change.accepted is False and change.applicant_comment == "The fence is mine."
    assert abs(submitted.site.area - 400) < 0.01
    with pytest.raises(ValidationError, match="already been answered"):
        boundary_change_answer(request=change, accept=True, comment="", by=person)


@pytest.mark.parametrize("who", ["planner", "other_planner", "citizen"])
def test_only_the_applicant_answers(submitted, batumi, rustavi, who):
    change = _ask(submitted, staff(batumi, Role.PLANNER))
    user = {
        "planner": lambda: staff(batumi, Role.PLANNER),
        "other_planner": lambda: staff(rustavi, Role.PLANNER),
        "citizen": applicant,
    }[who]()
    with pytest.raises(PermissionDenied):
        boundary_change_answer(request=change, accept=True, comment="", by=user)
    change.refresh_from_db()
    assert change.answered_at is None


def test_unanswered_after_five_working_days_counts_as_accepted(submitted, batumi):
    change = _ask(submitted, staff(batumi, Role.PLANNER))
    assert boundary_changes_expire(today=change.due_date) == 0
    assert boundary_changes_expire(today=change.due_date + datetime.timedelta(days=1)) == 1
    change.refresh_from_db()
    submitted.refresh_from_db()
    assert change.accepted is True and change.accepted_by_expiry
    assert abs(submitted.site.area - 600) < 0.5
    assert [c["name"] for c in submitted.compliance["constraints"]] == ["East flood area"]
    assert boundary_changes_expire(today=change.due_date + datetime.timedelta(days=30)) == 0


def test_the_planner_asks_on_the_review_page_and_errors_keep_what_was_typed(
    client, submitted, batumi
):
    client.force_login(staff(batumi, Role.PLANNER))
    review = f"/en/permits/review/{submitted.case.reference}/"
    response = client.post(
        review, {"action": "boundary", "proposed_site": "{bad", "reason": "Fence"}
    )
    assert response.status_code == 400 and "{bad" in response.text
    response = client.post(
        review,
        {"action": "boundary", "proposed_site": json.dumps(geojson(PROPOSED)), "reason": "Fence"},
    )
    assert response.status_code == 302
    assert BoundaryChangeRequest.objects.count() == 1
    assert "waiting for the applicant" in client.get(review).text


def test_another_municipalitys_planner_gets_404_on_the_review_form(client, submitted, rustavi):
    client.force_login(staff(rustavi, Role.PLANNER))
    response = client.post(
        f"/en/permits/review/{submitted.case.reference}/",
        {"action": "boundary", "proposed_site": json.dumps(geojson(PROPOSED)), "reason": "x"},
    )
    assert response.status_code == 404
    assert not BoundaryChangeRequest.objects.exists()


def test_the_applicant_answers_on_the_boundary_page_and_no_one_else_sees_it(
    client, submitted, batumi, rustavi
):
    planner = staff(batumi, Role.PLANNER)
    change = _ask(submitted, planner)
    url = f"/en/permits/boundary/{change.pk}/"
    for user in (planner, staff(rustavi, Role.PLANNER), applicant()):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"accept": "yes"}).status_code == 404
    client.force_login(submitted.case.applicant)
    page = client.get(url)
    assert page.status_code == 200 and "The fence stands 10 m further east." in page.text
    response = client.post(url, {"accept": "no", "comment": ""})
    assert response.status_code == 400 and "Say why" in response.text
    response = client.post(url, {"accept": "yes", "comment": "Agreed."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert abs(submitted.site.area - 600) < 0.5
    assert "You accepted the new boundary." in client.get(url).text
