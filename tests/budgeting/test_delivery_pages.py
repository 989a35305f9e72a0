# ruff: noqa: F811
"""The delivery pages: the public map and list of the winners with filters that work without
JavaScript, a project's page with its history, and the budget officer's page, which answers
404 to another municipality's officer and keeps what was typed when it refuses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from budgeting.models import Milestone, Photo, ProgressUpdate
from layers.registry import registry
from tests.budgeting.delivery_factories import (  # noqa: F401 - fixtures
    batumi_officer,
    image,
    officer,
    resident,
    world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_SYNC = True


def test_the_list_shows_the_winners_with_their_progress(client, world, english_messages):
    response = client.get("/en/budgeting/delivery/")

    assert response.status_code == 200
    html = response.content.decode()
    assert world["park"].reference in html and world["playground"].reference in html
    assert world["lost"].reference not in html
    assert '<progress max="100" value="40"' in html
    assert "Next: Handover" in html
    assert 'id="pb-delivery-map"' in html
    assert "Projects being delivered" in html


def test_the_list_filters_without_javascript(client, world, english_messages):
    response = client.get("/en/budgeting/delivery/", {"status": "in_progress"})
    html = response.content.decode()
    assert world["park"].reference in html and world["playground"].reference not in html

    response = client.get("/en/budgeting/delivery/", {"municipality": "BTM"})
    assert world["park"].reference not in response.content.decode()

    response = client.get("/en/budgeting/delivery/", {"status": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_list_is_in_georgian_too(client, world):
    response = client.get("/ka/budgeting/delivery/")

    assert response.status_code == 200
    assert response.content.decode().count('lang="ka"') >= 1


def test_a_project_page_shows_its_milestones_photos_and_history(client, world, officer):
    from budgeting import delivery

    park = world["park"]
    delivery.report(
        proposal=park, by=officer, delivery_status="procuring", progress=20, note_en="Tender out"
    )
    delivery.report(
        proposal=park, by=officer, delivery_status="in_progress", progress=55, note_en="Started"
    )
    photo = delivery.photo_add(proposal=park, by=officer, file=image(), caption="The yard")

    response = client.get(f"/en/budgeting/delivery/{park.reference}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Started") < html.index("Tender out")  # newest first
    assert "Handover" in html and "Tender" in html
    assert reverse("budgeting:proposal-photo", args=[park.reference, photo.pk]) in html
    assert f"/en/budgeting/proposals/{park.reference}/" in html
    assert "Report on the delivery" not in html  # not for the public
    photo_response = client.get(
        reverse("budgeting:proposal-photo", args=[park.reference, photo.pk])
    )
    assert photo_response.status_code == 200


def test_a_proposal_that_did_not_win_has_no_project_page(client, world):
    for proposal in (world["lost"], world["submitted"]):
        response = client.get(f"/en/budgeting/delivery/{proposal.reference}/")
        assert response.status_code == 404
    assert client.get("/en/budgeting/delivery/PB-NONE-0001/").status_code == 404


def test_the_officer_reports_on_a_winner(client, world, officer, english_messages):
    park = world["park"]
    client.force_login(officer)
    url = f"/en/budgeting/staff/proposals/{park.reference}/delivery"

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "report",
            "delivery_status": "in_progress",
            "progress": "70",
            "note_ka": "მიმდინარეობს",
            "note_en": "Going on",
        },
    )

    assert response.status_code == 303 and response["Location"].endswith(url)
    park.refresh_from_db()
    assert park.progress == 70
    assert ProgressUpdate.objects.get(proposal=park).note_en == "Going on"


def test_a_refused_report_keeps_what_was_typed(client, world, officer, english_messages):
    park = world["park"]
    client.force_login(officer)
    url = f"/en/budgeting/staff/proposals/{park.reference}/delivery"

    response = client.post(
        url,
        {
            "action": "report",
            "delivery_status": "in_progress",
            "progress": "100",
            "note_en": "Almost done, keep me",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "A project at 100 percent is delivered" in html
    assert "Almost done, keep me" in html
    assert not ProgressUpdate.objects.exists()


def test_the_officer_plans_and_ticks_milestones_and_adds_photos(client, world, officer):
    park = world["park"]
    client.force_login(officer)
    url = f"/en/budgeting/staff/proposals/{park.reference}/delivery"

    response = client.post(
        url, {"action": "milestone", "title_ka": "დიზაინი", "title_en": "Design", "due_on": ""}
    )
    assert response.status_code == 303
    milestone = Milestone.objects.get(title_en="Design")
    response = client.post(url, {"action": "done", "milestone": milestone.pk, "done_on": ""})
    assert response.status_code == 303
    milestone.refresh_from_db()
    assert milestone.done_on is not None
    response = client.post(url, {"action": "photo", "photo": image(), "caption": "ეზო"})
    assert response.status_code == 303
    photo = Photo.objects.get(proposal=park)
    response = client.post(url, {"action": "photo-remove", "photo": photo.pk})
    assert response.status_code == 303
    assert not Photo.objects.exists()


def test_a_photo_that_is_no_photo_is_refused_on_the_page(client, world, officer, english_messages):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    url = f"/en/budgeting/staff/proposals/{world['park'].reference}/delivery"
    fake = SimpleUploadedFile("works.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")

    response = client.post(url, {"action": "photo", "photo": fake, "caption": "keep"})

    assert response.status_code == 400
    assert "is not a JPEG, PNG or WebP photo" in response.content.decode()
    assert not Photo.objects.exists()


def test_another_municipality_officer_gets_404(client, world, batumi_officer, resident):
    url = f"/en/budgeting/staff/proposals/{world['park'].reference}/delivery"
    for user in (batumi_officer, resident):
        client.force_login(user)
        assert client.get(url).status_code == 404
        response = client.post(
            url, {"action": "report", "delivery_status": "delivered", "progress": "100"}
        )
        assert response.status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_signed_out_the_staff_page_asks_to_sign_in(client, world):
    response = client.get(f"/en/budgeting/staff/proposals/{world['park'].reference}/delivery")

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_staff_page_of_a_proposal_that_lost_says_so(client, world, officer):
    client.force_login(officer)
    url = f"/en/budgeting/staff/proposals/{world['lost'].reference}/delivery"

    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "report", "delivery_status": "designing"})
    assert response.status_code == 302
    assert not ProgressUpdate.objects.exists()


def test_the_winners_layer_is_public_with_the_delivery(world):
    layer = registry.get("budgeting-winners")

    assert layer is not None and layer.can_view(None)
    rows = {p.reference: p for p in layer.get_queryset()}
    assert set(rows) == {world["park"].reference, world["playground"].reference}
    park = rows[world["park"].reference]
    assert park.delivery_status == "in_progress" and park.progress == 40
    assert park.next_milestone_en == "Handover"
    assert park.cycle_en == "Rustavi 2026" and park.budget_en == "Old Rustavi"
    assert layer.page_for({"reference": park.reference}).endswith(
        f"/budgeting/delivery/{park.reference}/"
    )
    assert {"delivery_status", "progress", "cost", "next_milestone_en"} <= set(layer.properties)


def test_the_footer_links_the_delivery(client, world, english_messages):
    html = client.get("/en/budgeting/delivery/").content.decode()

    assert 'href="/en/budgeting/delivery/"' in html


def test_a_winner_card_on_the_map_links_its_page(client, world, english_messages):
    park = world["park"]
    response = client.get(
        reverse("layer-pages:card", args=["budgeting-winners"]), {"id": str(park.pk)}
    )

    assert response.status_code == 200
    assert f"/en/budgeting/delivery/{park.reference}/" in response.content.decode()


def test_the_list_links_the_officer_to_the_reports(client, world, officer, batumi_officer):
    url = f"/en/budgeting/staff/proposals/{world['park'].reference}/delivery"
    client.force_login(officer)
    assert url in client.get("/en/budgeting/delivery/").content.decode()
    client.force_login(batumi_officer)
    assert url not in client.get("/en/budgeting/delivery/").content.decode()
