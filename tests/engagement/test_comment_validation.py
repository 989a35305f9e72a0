"""A comment needs a signed-in author, a stance and a text of at most 1,000 characters."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from engagement import services
from engagement.models import Comment
from tests.engagement.conftest import LAYER, write


def test_the_stance_is_required(place, author):
    with pytest.raises(ValidationError) as refused:
        write(place, author, "No view given.", stance="")
    assert "stance" in refused.value.message_dict
    with pytest.raises(ValidationError):
        write(place, author, "Unknown view.", stance="supportive")


def test_the_text_is_required(place, author):
    with pytest.raises(ValidationError) as refused:
        write(place, author, "   ")
    assert "body" in refused.value.message_dict


def test_a_thousand_characters_are_taken_and_one_more_is_refused(place, author):
    assert write(place, author, "a" * 1000).body == "a" * 1000
    with pytest.raises(ValidationError) as refused:
        write(place, author, "a" * 1001)
    assert "1001" in refused.value.message_dict["body"][0]


def test_the_page_form_refuses_with_what_was_typed(client, place, author):
    client.force_login(author)
    url = f"/en/comments/?layer={LAYER}&feature={place.pk}"
    response = client.post(url, {"body": "My view is missing."})
    assert response.status_code == 400
    assert "My view is missing." in response.text
    assert "Say whether you are in favour, neutral or against." in response.text
    response = client.post(url, {"stance": "against", "body": "x" * 1001})
    assert response.status_code == 400 and "x" * 1001 in response.text
    assert not Comment.objects.exists()


def test_only_signed_in_people_comment(client, place):
    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            layer=LAYER, feature_id=place.pk, author=AnonymousUser(), stance="neutral", body="Hi"
        )
    assert refused.value.code == "sign_in"
    response = client.post(
        f"/en/comments/?layer={LAYER}&feature={place.pk}", {"stance": "neutral", "body": "Hi"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_a_layer_without_comments_takes_none(parcels, author):
    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            layer="parcels",
            feature_id=parcels["rustaveli"].pk,
            author=author,
            stance="neutral",
            body="Hi",
        )
    assert refused.value.code == "no_comments"


def test_without_javascript_a_comment_posts_and_goes_back(client, place, author):
    client.force_login(author)
    back = f"/en/layers/{LAYER}/{place.pk}/"
    response = client.post(
        f"/en/comments/?layer={LAYER}&feature={place.pk}",
        {"stance": "in_favour", "body": "Good.", "next": back},
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{back}#comment-{comment.pk}"
    # Another site is never where one goes back to.
    response = client.post(
        f"/en/comments/?layer={LAYER}&feature={place.pk}",
        {"stance": "in_favour", "body": "Again.", "next": "https://evil.example/"},
    )
    assert response["Location"].startswith(f"/en/comments/?layer={LAYER}")
