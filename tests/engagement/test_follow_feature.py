"""Following a feature: its followers hear of new comments on it, the author of a comment hears
of replies to it, and nobody hears of their own comment; once each."""

from django.core import mail

from engagement import services
from engagement.models import Follow, Notification
from tests.engagement.conftest import LAYER, person, write


def test_followers_of_a_feature_are_told_of_a_new_comment(place, author, neighbour):
    services.follow_feature(user=neighbour, layer=LAYER, feature_id=place.pk)
    services.follow_feature(user=author, layer=LAYER, feature_id=place.pk)
    comment = write(place, author, "A new shop would be good here.")
    told = Notification.objects.about(comment)
    assert list(told.values_list("recipient", "kind")) == [(neighbour.pk, "comment_followed")]
    notification = told.get()
    assert "A new shop would be good here." in notification.body
    assert (
        notification.url == f"http://portal.test/en/layers/{LAYER}/{place.pk}/#comment-{comment.pk}"
    )
    assert [m.to for m in mail.outbox] == [[neighbour.email]]


def test_the_author_of_a_comment_hears_of_replies_once(place, author, neighbour):
    services.follow_feature(user=author, layer=LAYER, feature_id=place.pk)
    first = write(place, author, "First.")
    reply = write(place, neighbour, "I disagree.", parent=first)
    told = Notification.objects.about(reply)
    assert list(told.values_list("recipient", "kind")) == [(author.pk, "comment_reply")]


def test_following_twice_is_one_follow_and_unfollowing_stops_it(client, place, neighbour, author):
    client.force_login(neighbour)
    back = f"/en/layers/{LAYER}/{place.pk}/"
    for _ in range(2):
        response = client.post(
            "/en/follows/feature/", {"layer": LAYER, "feature": place.pk, "next": back}
        )
        assert response.status_code == 302 and response["Location"] == back
    follow = Follow.objects.get(user=neighbour)
    assert "Following" in client.get(back).text
    assert client.post(f"/en/follows/{follow.pk}/delete/", {"next": back}).status_code == 302
    write(place, author, "Nobody follows now.")
    assert not Notification.objects.filter(recipient=neighbour).exists()


def test_htmx_gets_the_panel_back_in_place(client, place, neighbour):
    client.force_login(neighbour)
    response = client.post(
        "/en/follows/feature/",
        {"layer": LAYER, "feature": place.pk, "compact": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "data-engagement-panel" in response.text and "Following" in response.text


def test_nobody_follows_a_feature_that_does_not_exist(client, place):
    client.force_login(person())
    response = client.post("/en/follows/feature/", {"layer": LAYER, "feature": "999999"})
    assert response.status_code == 404
    assert not Follow.objects.exists()
