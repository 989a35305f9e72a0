"""Following an application: staff who handle it may follow it and hear of its status changes;
its applicant is told by the services themselves, and nobody else may follow it."""

import pytest
from django.core.exceptions import PermissionDenied

from cases.services import case_transition
from core.models import Role
from engagement import services
from engagement.models import Follow, Notification
from tests.cases.factories import service_with_documents, staff, submitted_case
from tests.engagement.conftest import person


@pytest.fixture
def case(batumi):
    return submitted_case(service=service_with_documents(), municipality=batumi)


def test_a_planner_who_follows_a_case_hears_of_its_status_changes(case, batumi):
    follower = staff(batumi, Role.PLANNER)
    changer = staff(batumi, Role.PLANNER)
    services.follow_object(user=follower, obj=case)
    case_transition(case=case, to="in_review", by=changer)
    told = Notification.objects.about(case).filter(recipient=follower)
    assert list(told.values_list("kind", flat=True)) == ["followed_case"]
    assert case.reference in told.get().subject
    # Whoever made the change is not told of it, nor the applicant twice.
    services.follow_object(user=changer, obj=case)
    case_transition(case=case, to="awaiting_decision", by=changer)
    assert not Notification.objects.filter(recipient=changer, kind="followed_case").exists()
    assert not Notification.objects.filter(recipient=case.applicant, kind="followed_case").exists()


def test_others_may_not_follow_a_case(case, rustavi):
    for outsider in (person(), staff(rustavi, Role.PLANNER)):
        with pytest.raises(PermissionDenied):
            services.follow_object(user=outsider, obj=case)
    assert not Follow.objects.exists()


def test_the_case_page_has_the_follow_button_for_staff(client, case, batumi):
    planner = staff(batumi, Role.PLANNER)
    client.force_login(planner)
    page = client.get(f"/en/cases/{case.reference}/").text
    assert 'action="/en/follows/object/"' in page
    response = client.post(
        "/en/follows/object/",
        {"object": "cases.case", "id": case.pk, "next": f"/en/cases/{case.reference}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/en/cases/{case.reference}/"
    assert Follow.objects.of_object(case).filter(user=planner).exists()
    assert "Following" in client.get(f"/en/cases/{case.reference}/").text

    client.force_login(case.applicant)
    page = client.get(f"/en/cases/{case.reference}/").text
    assert "As its applicant you are told of every change." in page
    stranger = person()
    client.force_login(stranger)
    response = client.post("/en/follows/object/", {"object": "cases.case", "id": case.pk})
    assert response.status_code == 404
