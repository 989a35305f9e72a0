"""A planner adds or removes an application's constraints, always with a reason, and the review
page shows the constraints as corrected with who did it, when and why."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cases.catalogue import catalogue_sync
from cases.services import case_document_add
from core.models import Role
from permits.models import ConstraintKind, ConstraintOverride
from permits.services import (
    application_constraints,
    permit_application_start,
    permit_application_submit,
    permit_application_update,
    permit_constraint_override,
)
from tests.cases.factories import applicant, pdf_file, staff
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, rect
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
def flood(batumi):
    return ConstraintFactory(
        municipality=batumi,
        name_en="River flood area",
        geom=multi(rect(X - 5, Y - 5, X + 5, Y + 5)),
    )


@pytest.fixture
def red_line(batumi):
    return ConstraintFactory(
        municipality=batumi,
        kind=ConstraintKind.RED_LINE,
        name_en="Rustaveli street red line",
        geom=multi(rect(X + 500, Y + 500, X + 510, Y + 510)),
    )


@pytest.fixture
def submitted(batumi, flood):
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


def _ids(application):
    return [c["id"] for c in application_constraints(application)]


def test_the_constraints_start_as_the_compliance_report_found_them(submitted, flood):
    assert _ids(submitted) == [flood.pk]


def test_a_planner_removes_a_constraint_with_a_reason(submitted, flood, batumi):
    planner = staff(batumi, Role.PLANNER)
    override = permit_constraint_override(
        application=submitted,
        constraint=flood,
        action="remove",
        reason="The flood map was corrected in 2025.",
        by=planner,
    )
    assert override.by == planner and override.at is not None
    assert _ids(submitted) == []


def test_a_planner_adds_a_layer_constraint_and_a_free_text_one(submitted, flood, red_line, batumi):
    planner = staff(batumi, Role.PLANNER)
    permit_constraint_override(
        application=submitted, constraint=red_line, action="add", reason="Access road.", by=planner
    )
    permit_constraint_override(
        application=submitted,
        constraint="Old well under the site",
        action="add",
        reason="Seen on the visit.",
        by=planner,
    )
    found = application_constraints(submitted)
    assert [c["id"] for c in found] == [flood.pk, red_line.pk, None]
    assert found[2]["name"] == "Old well under the site"
    assert found[1]["override"].reason == "Access road."


def test_the_reason_is_required_and_nothing_is_saved_without_it(submitted, flood, batumi):
    with pytest.raises(ValidationError) as caught:
        permit_constraint_override(
            application=submitted,
            constraint=flood,
            action="remove",
            reason="  ",
            by=staff(batumi, Role.PLANNER),
        )
    assert "Say why" in " ".join(caught.value.message_dict["reason"])
    assert not ConstraintOverride.objects.exists()


def test_removing_a_constraint_the_application_lacks_or_adding_one_it_has_is_refused(
    submitted, flood, red_line, batumi
):
    planner = staff(batumi, Role.PLANNER)
    with pytest.raises(ValidationError, match="does not have this constraint"):
        permit_constraint_override(
            application=submitted, constraint=red_line, action="remove", reason="x", by=planner
        )
    with pytest.raises(ValidationError, match="already has this constraint"):
        permit_constraint_override(
            application=submitted, constraint=flood, action="add", reason="x", by=planner
        )


def test_a_constraint_of_another_municipality_is_refused(submitted, batumi, rustavi):
    other = ConstraintFactory(municipality=rustavi)
    with pytest.raises(ValidationError, match="application's municipality"):
        permit_constraint_override(
            application=submitted,
            constraint=other,
            action="add",
            reason="x",
            by=staff(batumi, Role.PLANNER),
        )


@pytest.mark.parametrize("who", ["other_planner", "citizen", "applicant", "gis_officer"])
def test_only_a_planner_of_the_municipality_overrides(submitted, flood, batumi, rustavi, who):
    user = {
        "other_planner": lambda: staff(rustavi, Role.PLANNER),
        "citizen": applicant,
        "applicant": lambda: submitted.case.applicant,
        "gis_officer": lambda: staff(batumi, Role.GIS_OFFICER),
    }[who]()
    with pytest.raises(PermissionDenied):
        permit_constraint_override(
            application=submitted, constraint=flood, action="remove", reason="x", by=user
        )
    assert not ConstraintOverride.objects.exists()


def test_the_review_page_shows_the_overrides_with_reasons_who_and_when(
    client, submitted, flood, red_line, batumi
):
    planner = staff(batumi, Role.PLANNER)
    client.force_login(planner)
    review = f"/en/permits/review/{submitted.case.reference}/"
    response = client.post(review, {"action": "override_remove", "constraint": flood.pk})
    assert response.status_code == 400 and "This field is required" in response.text
    response = client.post(
        review,
        {"action": "override_remove", "constraint": flood.pk, "reason": "Flood map corrected."},
    )
    assert response.status_code == 302
    response = client.post(
        review,
        {"action": "override_add", "text": "Old well", "reason": "Seen on the visit."},
    )
    assert response.status_code == 302
    page = client.get(review).text
    assert "Flood map corrected." in page and "Seen on the visit." in page
    assert "Old well" in page and planner.get_username() in page
    assert f'data-constraint="{flood.pk}"' not in page


def test_another_municipalitys_planner_gets_404_on_the_review_actions(
    client, submitted, flood, rustavi
):
    client.force_login(staff(rustavi, Role.PLANNER))
    response = client.post(
        f"/en/permits/review/{submitted.case.reference}/",
        {"action": "override_remove", "constraint": flood.pk, "reason": "x"},
    )
    assert response.status_code == 404
    assert not ConstraintOverride.objects.exists()
