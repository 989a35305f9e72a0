"""The admin shows comments and notifications read-only, to staff of their municipality only
(neighbour comments of permit applications are comments of the register layer now)."""

import pytest

from core.models import Role
from engagement.models import Comment, Notification
from tests.cases.factories import staff
from tests.engagement.conftest import write


def _admin(municipality, role=Role.MUNICIPAL_ADMIN):
    user = staff(municipality, role)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def comments(place, rustavi_place, author):
    return write(place, author, "Batumi-row"), write(rustavi_place, author, "Rustavi-row")


def test_a_moderator_sees_their_municipality_comments_only_read_only(client, batumi, comments):
    ours, theirs = comments
    client.force_login(_admin(batumi, Role.PETITIONS_MODERATOR))
    listing = client.get("/en/admin/engagement/comment/")
    assert listing.status_code == 200
    assert "Batumi-row" in listing.text and "Rustavi-row" not in listing.text
    assert client.get(f"/en/admin/engagement/comment/{theirs.pk}/change/").status_code == 404
    page = client.get(f"/en/admin/engagement/comment/{ours.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.get("/en/admin/engagement/comment/add/").status_code == 403
    response = client.post(f"/en/admin/engagement/comment/{ours.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Comment.objects.filter(pk=ours.pk).exists()


def test_notifications_are_seen_by_the_municipality_administrators(client, batumi, rustavi):
    from tests.cases.factories import service_with_documents, submitted_case

    case = submitted_case(service=service_with_documents(), municipality=rustavi)
    notification = Notification.objects.about(case).get()
    client.force_login(_admin(batumi))
    assert client.get("/en/admin/engagement/notification/").status_code == 200
    response = client.get(f"/en/admin/engagement/notification/{notification.pk}/change/")
    assert response.status_code == 404
    client.force_login(_admin(rustavi))
    response = client.get(f"/en/admin/engagement/notification/{notification.pk}/change/")
    assert response.status_code == 200


def test_a_person_without_a_role_sees_none_of_it(client, comments):
    from tests.engagement.conftest import person

    someone = person()
    someone.is_staff = True
    someone.save()
    client.force_login(someone)
    assert client.get("/en/admin/engagement/comment/").status_code == 403
