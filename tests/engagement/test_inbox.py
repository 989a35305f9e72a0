"""The inbox: every notification of a person, newest first, unread marked, 50 a page; one or
all marked read; the header's link shows the unread count."""

from engagement import notifications
from engagement.models import Notification
from tests.engagement.conftest import person


def _tell(recipient, count: int) -> None:
    for n in range(count):
        notifications.notification_create(
            kind="comment_followed",
            subject=f"Message {n:03d}",
            body="Text.",
            language="en",
            recipient=recipient,
            url="/en/notifications/",
        )


def test_the_inbox_pages_fifty_at_a_time_newest_first(client, db):
    reader = person()
    _tell(reader, 55)
    client.force_login(reader)
    first = client.get("/en/notifications/").text
    assert first.count("data-notification=") == 50
    assert first.index("Message 054") < first.index("Message 005")
    assert "Message 004" not in first and 'href="?page=2"' in first
    second = client.get("/en/notifications/?page=2").text
    assert second.count("data-notification=") == 5 and "Message 000" in second


def test_one_or_all_are_marked_read_and_the_count_follows(client, db):
    reader = person()
    _tell(reader, 3)
    other = person("Other", "Reader")
    _tell(other, 1)
    client.force_login(reader)
    page = client.get("/en/notifications/").text
    assert page.count("data-unread") == 3
    assert '<span class="nav-badge">3' in page

    one = Notification.objects.filter(recipient=reader).first()
    assert client.post(f"/en/notifications/{one.pk}/read/").status_code == 302
    assert Notification.objects.filter(recipient=reader, read_at__isnull=True).count() == 2
    assert client.post("/en/notifications/read/").status_code == 302
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
    # Nobody marks or opens another person's notification.
    theirs = Notification.objects.get(recipient=other)
    assert client.post(f"/en/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/en/notifications/{theirs.pk}/").status_code == 404


def test_opening_one_follows_its_link_and_marks_it_read(client, db):
    reader = person()
    _tell(reader, 1)
    notification = Notification.objects.get()
    client.force_login(reader)
    response = client.get(f"/en/notifications/{notification.pk}/")
    assert response.status_code == 302 and response["Location"] == "/en/notifications/"
    notification.refresh_from_db()
    assert notification.is_read


def test_the_inbox_needs_a_signed_in_person(client, db):
    response = client.get("/en/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
