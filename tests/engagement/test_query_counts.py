"""The thread, its card and the inbox cost a fixed number of queries, however many comments or
notifications there are."""

from engagement import notifications, services
from tests.engagement.conftest import LAYER, person, write


def _many(place, count):
    people = [person(f"P{n}", "X") for n in range(4)]
    parent = None
    for n in range(count):
        comment = write(place, people[n % 4], f"Comment {n}.", parent=parent if n % 3 else None)
        parent = comment if comment.depth < 2 else None
    return people


def test_the_thread_page_is_a_fixed_number_of_queries(
    client, place, author, django_assert_max_num_queries
):
    people = _many(place, 12)
    services.follow_feature(user=people[0], layer=LAYER, feature_id=place.pk)
    client.force_login(people[0])
    with django_assert_max_num_queries(10):
        page = client.get("/en/comments/", {"layer": LAYER, "feature": place.pk})
    assert page.text.count("data-comment=") == 12


def test_the_card_and_feature_page_are_a_fixed_number_of_queries(
    client, place, author, django_assert_max_num_queries
):
    _many(place, 12)
    client.force_login(author)
    with django_assert_max_num_queries(7):
        card = client.get(f"/en/layers/{LAYER}/card/", {"id": place.pk})
    assert card.text.count("comment--") >= 3
    with django_assert_max_num_queries(11):
        page = client.get(f"/en/layers/{LAYER}/{place.pk}/")
    assert page.text.count("data-comment=") == 12


def test_the_api_thread_is_a_fixed_number_of_queries(
    client, place, author, django_assert_max_num_queries
):
    _many(place, 12)
    with django_assert_max_num_queries(3):
        data = client.get("/api/v1/comments/", {"layer": LAYER, "feature": place.pk}).json()
    assert data["count"] == 12


def test_the_inbox_is_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    reader = person()
    for n in range(60):
        notifications.notification_create(
            kind="comment_followed", subject=f"M{n}", body="T.", language="en", recipient=reader
        )
    client.force_login(reader)
    with django_assert_max_num_queries(7):
        page = client.get("/en/notifications/")
    assert page.status_code == 200
