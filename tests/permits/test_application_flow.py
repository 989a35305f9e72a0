"""The whole flow through the pages: apply step by step, the planner reviews, asks, decides,
and the decision's PDF is verified on the public page."""

import json

import pytest

from cases.catalogue import catalogue_sync
from cases.models import Case, Status
from core.models import Role
from tests.cases.factories import applicant, pdf_file, run_document_jobs, staff
from tests.conftest import multi, square
from tests.parcels.factories import ParcelFactory
from tests.permits.api_helpers import X, Y, geojson, rect
from tests.permits.factories import ZoneFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path, db):
    # The catalogue comes from a data migration, which a transactional test elsewhere may have
    # flushed from a reused test database; its loader is idempotent.
    catalogue_sync()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True
    settings.GISPORTAL_PUBLIC_URL = "http://portal.test"


@pytest.fixture
def parcel(batumi):
    ZoneFactory(municipality=batumi)
    return ParcelFactory(
        municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20))
    )


def _start(client, batumi, building_class="III"):
    return client.post(
        "/en/permits/apply/",
        {
            "municipality": batumi.pk,
            "stage": "construction_permit",
            "building_class": building_class,
        },
    )


def test_the_apply_page_needs_sign_in(client, batumi):
    response = client.get("/en/permits/apply/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_class_i_and_v_are_answered_on_the_form_and_nothing_is_created(client, batumi):
    client.force_login(applicant())
    response = _start(client, batumi, "I")
    assert response.status_code == 200
    assert "needs no construction permit" in response.text and "255" in response.text
    response = _start(client, batumi, "V")
    assert "Technical and Construction Supervision Agency" in response.text
    assert not Case.objects.exists()


def test_an_applicant_applies_and_a_planner_decides(client, batumi, parcel):
    person = applicant()
    client.force_login(person)
    response = _start(client, batumi)
    case = Case.objects.get()
    assert response["Location"] == f"/en/permits/apply/{case.reference}/2/"

    # Step 2: an unknown code is named and what was typed stays.
    response = client.post(response["Location"], {"parcel_codes": "05.24.11.005, 99.99.99.999"})
    assert response.status_code == 400
    assert "99.99.99.999" in response.text and 'value="05.24.11.005, 99.99.99.999"' in response.text
    response = client.post(
        f"/en/permits/apply/{case.reference}/2/", {"parcel_codes": "05.24.11.005"}
    )
    assert response["Location"] == f"/en/permits/apply/{case.reference}/3/"

    # Step 3: a bad footprint is refused with a clear message; the numbers typed stay.
    step3 = f"/en/permits/apply/{case.reference}/3/"
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[41.65, 41.65], [41.66, 41.66], [41.66, 41.65], [41.65, 41.66], [41.65, 41.65]]
        ],
    }
    response = client.post(step3, {"footprint": json.dumps(bowtie), "floors": "7"})
    assert response.status_code == 400
    assert "intersect" in response.text.lower() or "invalid" in response.text.lower()
    assert 'value="7"' in response.text
    footprint = json.dumps(geojson(rect(X + 2, Y + 2, X + 12, Y + 12)))
    response = client.post(step3, {"footprint": footprint, "floors": "2", "use": "residential"})
    assert response["Location"] == f"/en/permits/apply/{case.reference}/4/"
    assert "Compliance report" in client.get(step3).text

    # Step 4: documents of the service; step 5 submits.
    step4 = f"/en/permits/apply/{case.reference}/4/"
    for kind in case.service.document_types.filter(required=True):
        response = client.post(step4, {"doc_type": kind.code, "file": pdf_file()})
        assert response.status_code == 302
    assert client.post(step4, {"next": "1"})["Location"].endswith("/5/")
    response = client.post(f"/en/permits/apply/{case.reference}/5/")
    assert response["Location"] == f"/en/permits/apply/{case.reference}/done/"
    done = client.get(response["Location"]).text
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert case.reference in done and "What happens next" in done
    assert case.due_date.strftime("%d.%m.%Y") in done
    assert f"{case.period_days} working days" in done
    assert case.reference in client.get("/en/cases/mine/").text

    # The planner sees it in the queue, reviews, asks for information.
    planner = staff(batumi, Role.PLANNER)
    client.force_login(planner)
    assert case.reference in client.get("/en/cases/queue/").text
    review = f"/en/permits/review/{case.reference}/"
    page = client.get(review)
    assert page.status_code == 200 and "Compliance report" in page.text
    assert (
        client.post(review, {"action": "request", "text": "", "working_days": "10"}).status_code
        == 400
    )
    response = client.post(
        review, {"action": "request", "text": "Show the fence.", "working_days": "10"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.AWAITING_APPLICANT

    # The applicant answers on the case page.
    client.force_login(person)
    request = case.information_requests.get()
    response = client.post(
        f"/en/cases/{case.reference}/requests/{request.pk}/answer/", {"answer": "Attached."}
    )
    assert response.status_code in (302, 200)
    case.refresh_from_db()
    assert case.status == Status.IN_REVIEW

    # The planner decides with conditions; the PDF is verified publicly.
    client.force_login(planner)
    response = client.post(
        review,
        {"action": "decide", "outcome": "approved", "conditions": "Keep the tree.\nFence 2 m."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DECIDED_APPROVED
    decision = case.decision
    assert decision.conditions == ["Keep the tree.", "Fence 2 m."]
    assert "The decision document is being prepared" in client.get(review).text
    assert run_document_jobs() == 1
    decision.refresh_from_db()
    assert decision.pdf.read().startswith(b"%PDF")
    assert "decision.pdf" in client.get(review).text
    client.logout()
    verified = client.get(f"/en/cases/verify/{decision.verification_code}/")
    assert verified.status_code == 200 and case.reference in verified.text
