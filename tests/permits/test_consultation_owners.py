"""Neighbour consultation with the owners: a planner starts it with a period in working days,
the owners of the parcels within 50 m (configurable) are written to with the link to the public
page, once, and comments are refused once it has closed. Owners are personal data: staff of the
parcel's municipality only, never on a public page or layer."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from cases.calendar import add_working_days, today
from cases.catalogue import catalogue_sync
from cases.models import Status
from cases.services import case_document_add, case_transition
from core.models import Role
from engagement.models import Comment, Notification, NotificationDelivery
from parcels.models import ParcelOwner
from permits.models import CONSULTATION, Consultation, ConsultedNeighbour
from permits.services import (
    consultation_start,
    consultations_close,
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.cases.factories import applicant, on_day, pdf_file, staff
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y
from tests.permits.factories import ZoneFactory

NEAR_NAME = "Tamar Neighbouradze"
FAR_NAME = "Zurab Farawayshvili"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True
    settings.SMS_BACKEND = "tests.cases.sms_backends.KeepingSmsBackend"
    with translation.override("en"):
        yield


@pytest.fixture
def owners(batumi):
    """The site's parcel at (X, Y), a neighbour 20 m east of it and another 80 m east."""
    ZoneFactory(municipality=batumi)
    site = ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20))
    )
    near = ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.006", geom=multi(square(X + 40, Y, 20))
    )
    far = ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.007", geom=multi(square(X + 100, Y, 20))
    )
    return {
        "site": ParcelOwner.objects.create(parcel=site, name="Site Owner", email="s@example.ge"),
        "near": ParcelOwner.objects.create(
            parcel=near, name=NEAR_NAME, email="tamar@example.ge", phone="+995 555 000 001"
        ),
        "far": ParcelOwner.objects.create(parcel=far, name=FAR_NAME, email="zurab@example.ge"),
    }


@pytest.fixture
def submitted(owners):
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    return application


@pytest.fixture
def planner(batumi):
    return staff(batumi, Role.PLANNER)


@pytest.fixture
def in_review(submitted, planner):
    case_transition(case=submitted.case, to=Status.IN_REVIEW, by=planner)
    return submitted


def _consultation_notifications(application):
    """The deliveries (one per channel) of the consultation's notifications."""
    told = Notification.objects.about(application.case).filter(kind="consultation")
    return NotificationDelivery.objects.filter(notification__in=told)


def test_the_planner_starts_it_and_the_owners_within_50_m_are_written_to(
    client, in_review, planner, owners
):
    reference = in_review.case.reference
    client.force_login(planner)
    response = client.post(
        f"/en/permits/review/{reference}/", {"action": "consult", "working_days": "10"}
    )
    assert response.status_code == 302
    in_review.case.refresh_from_db()
    assert in_review.case.status == CONSULTATION
    consultation = Consultation.objects.get(application=in_review)
    assert consultation.ends_on == add_working_days(today(), 10)
    assert consultation.radius_m == 50

    sent = _consultation_notifications(in_review)
    assert {(n.channel, n.address) for n in sent} == {
        ("email", "tamar@example.ge"),
        ("sms", "+995 555 000 001"),
    }
    assert all(n.notification.recipient is None and n.status == "sent" for n in sent)
    email = next(n for n in sent if n.channel == "email")
    # The link to the public page, in the portal's language (the neighbour is no user).
    assert f"/ka/permits/register/{reference}/" in email.notification.body
    assert NEAR_NAME in email.notification.body
    assert [m.to for m in mail.outbox if "tamar@example.ge" in m.to] == [["tamar@example.ge"]]
    assert not any("zurab@example.ge" in m.to or "s@example.ge" in m.to for m in mail.outbox)

    review = client.get(f"/en/permits/review/{reference}/").text
    assert NEAR_NAME in review and FAR_NAME not in review
    assert "1 owner notified." in review
    assert 'data-consultation="open"' in review


def test_starting_again_writes_to_nobody_twice(in_review, planner, owners):
    consultation_start(application=in_review, by=planner, working_days=10)
    first = _consultation_notifications(in_review).count()
    again = consultation_start(application=in_review, by=planner, working_days=20)
    assert _consultation_notifications(in_review).count() == first == 2
    assert ConsultedNeighbour.objects.filter(application=in_review).count() == 1
    assert again.ends_on == add_working_days(today(), 20)
    # The first period was replaced: only the new one is open.
    assert Consultation.objects.filter(application=in_review, closed_at__isnull=True).get() == again


def test_the_radius_is_a_setting(in_review, planner, owners, settings):
    settings.PERMITS_NEIGHBOUR_RADIUS_M = 100
    consultation = consultation_start(application=in_review, by=planner, working_days=10)
    assert consultation.radius_m == 100
    names = set(ConsultedNeighbour.objects.values_list("name", flat=True))
    assert names == {NEAR_NAME, FAR_NAME}
    assert _consultation_notifications(in_review).filter(address="zurab@example.ge").exists()


def test_a_wider_radius_later_reaches_only_the_new_owners(in_review, planner, owners, settings):
    consultation_start(application=in_review, by=planner, working_days=10)
    settings.PERMITS_NEIGHBOUR_RADIUS_M = 100
    consultation_start(application=in_review, by=planner, working_days=10)
    addresses = list(
        _consultation_notifications(in_review)
        .filter(channel="email")
        .values_list("address", flat=True)
    )
    assert sorted(addresses) == ["tamar@example.ge", "zurab@example.ge"]


def test_an_owner_with_an_account_is_written_to_at_its_address(in_review, planner, owners):
    near = owners["near"]
    near.email = ""
    near.phone = ""
    near.user = applicant(email="tamar.account@example.ge")
    near.save()
    consultation_start(application=in_review, by=planner, working_days=10)
    assert list(_consultation_notifications(in_review).values_list("address", flat=True)) == [
        "tamar.account@example.ge"
    ]


def test_a_consultation_is_started_from_assessment_with_a_sane_period(submitted, planner):
    with pytest.raises(Exception, match="from assessment"):
        consultation_start(application=submitted, by=planner, working_days=10)
    case_transition(case=submitted.case, to=Status.IN_REVIEW, by=planner)
    with pytest.raises(Exception, match="1 to 60 working days"):
        consultation_start(application=submitted, by=planner, working_days=0)
    assert not Notification.objects.filter(kind="consultation").exists()


def test_only_a_planner_of_the_municipality_starts_it(in_review, rustavi):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        consultation_start(application=in_review, by=staff(rustavi, Role.PLANNER))
    with pytest.raises(PermissionDenied):
        consultation_start(application=in_review, by=in_review.case.applicant)


def test_comments_are_refused_once_the_consultation_has_closed(
    client, in_review, planner, monkeypatch
):
    consultation = consultation_start(application=in_review, by=planner, working_days=2)
    url = f"/en/permits/register/{in_review.case.reference}/"
    client.force_login(applicant())
    page = client.get(url).text
    assert "comments are taken until" in page
    assert client.post(url, {"stance": "in_favour", "body": "Fine by me."}).status_code == 302

    after = add_working_days(consultation.ends_on, 1)
    on_day(monkeypatch, after)
    response = client.post(url, {"stance": "against", "body": "Too late?"})
    closed = consultation.ends_on.strftime("%d.%m.%Y")
    assert response.status_code == 400
    assert f"The consultation closed on {closed}; comments are no longer taken." in response.text

    assert consultations_close(today=after) == 1
    in_review.case.refresh_from_db()
    assert in_review.case.status == Status.IN_REVIEW
    assert in_review.case.status_changes.last().by == planner
    page = client.get(url).text
    assert 'data-comments="closed"' in page and "comments are no longer taken" in page
    assert Comment.objects.on_feature("permit-applications", in_review.pk).count() == 1


def test_owners_are_on_no_public_page_or_layer(client, in_review, planner, owners):
    consultation_start(application=in_review, by=planner, working_days=10)
    reference = in_review.case.reference
    client.logout()
    public = [
        client.get(f"/en/permits/register/{reference}/"),
        client.get(
            "/ogcapi/collections/permit-applications/items", HTTP_ACCEPT="application/geo+json"
        ),
        client.get("/ogcapi/collections/parcels/items", HTTP_ACCEPT="application/geo+json"),
        client.get("/api/v1/parcels/05.24.11.006/"),
    ]
    for response in public:
        assert response.status_code == 200, response.request["PATH_INFO"]
        text = response.content.decode()
        for secret in (NEAR_NAME, "tamar@example.ge", "555 000 001", "Site Owner"):
            assert secret not in text
    review = client.get(f"/en/permits/review/{reference}/")
    assert review.status_code == 302  # to sign in


def test_staff_of_another_municipality_never_see_the_owners(client, in_review, planner, rustavi):
    consultation_start(application=in_review, by=planner, working_days=10)
    reference = in_review.case.reference
    owner = ParcelOwner.objects.get(name=NEAR_NAME)
    change = reverse("admin:parcels_parcelowner_change", args=[owner.pk])
    changelist = reverse("admin:parcels_parcelowner_changelist")

    client.force_login(staff(rustavi, Role.PLANNER))
    assert client.get(f"/en/permits/review/{reference}/").status_code == 404
    client.force_login(staff(rustavi, Role.GIS_OFFICER))
    assert client.get(change).status_code == 404
    listing = client.get(changelist)
    assert listing.status_code == 200 and NEAR_NAME not in listing.text

    batumi_gis = staff(in_review.case.municipality, Role.GIS_OFFICER)
    client.force_login(batumi_gis)
    assert client.get(change).status_code == 200
    assert NEAR_NAME in client.get(changelist).text
    # A citizen has no way in at all.
    client.force_login(applicant())
    assert client.get(change).status_code in (302, 403, 404)
