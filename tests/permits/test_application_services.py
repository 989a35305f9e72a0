"""Permit applications through the services: start a draft, save it, submit it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.catalogue import catalogue_sync
from cases.models import Status
from permits.models import PermitApplication
from permits.services import (
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.cases.factories import applicant, pdf_file
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, rect
from tests.permits.factories import ZoneFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    # The catalogue comes from a data migration, which a transactional test elsewhere may have
    # flushed from a reused test database; its loader is idempotent.
    catalogue_sync()
    with translation.override("en"):
        yield
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True


@pytest.fixture
def parcel(batumi):
    ZoneFactory(municipality=batumi)
    return ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20))
    )


def test_class_i_is_answered_no_permit_needed_and_nothing_is_created(batumi):
    with pytest.raises(ValidationError) as caught:
        permit_application_start(
            applicant=applicant(),
            stage="construction_permit",
            building_class="I",
            municipality=batumi,
        )
    message = " ".join(caught.value.message_dict["building_class"])
    assert "no construction permit" in message and "Resolution" in message and "255" in message
    assert not PermitApplication.objects.exists()


def test_class_v_is_referred_to_the_national_agency_and_nothing_is_created(batumi):
    with pytest.raises(ValidationError) as caught:
        permit_application_start(
            applicant=applicant(), stage="merged", building_class="V", municipality=batumi
        )
    assert "Technical and Construction Supervision Agency" in str(caught.value)
    assert not PermitApplication.objects.exists()


def test_a_draft_starts_from_parcel_codes_with_the_catalogue_service(parcel, batumi):
    application = permit_application_start(
        applicant=applicant(),
        stage="construction_permit",
        building_class="III",
        parcel_codes="05.24.11.005",
    )
    assert application.case.status == Status.DRAFT
    assert application.case.service.code == "permit_construction_permit"
    assert application.case.municipality == batumi
    assert application.case.variant == "III"
    assert abs(application.site.area - 400) < 0.01
    assert list(application.parcels.all()) == [parcel]


def test_a_bad_footprint_is_refused_with_a_clear_message_and_nothing_saved(parcel):
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[41.65, 41.65], [41.66, 41.66], [41.66, 41.65], [41.65, 41.66], [41.65, 41.65]]
        ],
    }
    with pytest.raises(ValidationError) as caught:
        permit_application_update(application=application, by=person, footprint=bowtie, floors=3)
    assert "footprint" in caught.value.message_dict
    application.refresh_from_db()
    assert application.footprint is None and application.floors is None


def test_an_unknown_cadastral_code_is_named(parcel):
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    with pytest.raises(ValidationError) as caught:
        permit_application_update(application=application, by=person, parcel_codes="99.99.99.999")
    assert "99.99.99.999" in caught.value.message_dict["parcel_codes"][0]


def test_saving_a_draft_computes_the_compliance_and_submit_gives_the_clock(parcel):
    person = applicant()
    application = permit_application_start(
        applicant=person,
        stage="construction_permit",
        building_class="III",
        parcel_codes=["05.24.11.005"],
    )
    application = permit_application_update(
        application=application,
        by=person,
        footprint=geojson(rect(X + 2, Y + 2, X + 12, Y + 12)),
        floors=2,
    )
    assert abs(application.footprint.area - 100) < 0.5
    assert application.compliance["outcome"]
    with pytest.raises(ValidationError):
        permit_application_submit(application=application, by=person)  # documents missing
    from cases.services import case_document_add

    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    application.refresh_from_db()
    case = application.case
    assert case.status == Status.SUBMITTED
    assert case.due_date is not None and case.period_days == case.service.period_for("III")
    assert application.compliance["rules"]


def test_submitting_without_a_footprint_is_refused(parcel):
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    with pytest.raises(ValidationError) as caught:
        permit_application_submit(application=application, by=person)
    assert "footprint" in str(caught.value)
