"""A hidden comment is published as the moderator's reason: its text is in no page, card or API
answer (its author and moderators are told or see it elsewhere)."""

from engagement import services
from tests.engagement.conftest import LAYER, write

SECRET = "Words nobody should read again."


def test_a_hidden_comment_text_is_in_no_page_card_or_api_answer(
    client, place, author, neighbour, moderator
):
    comment = write(place, author, SECRET)
    reply = write(place, neighbour, "A reply that stays.", parent=comment)
    services.comment_hide(comment=comment, by=moderator, reason="Off topic.")

    api = client.get("/api/v1/comments/", {"layer": LAYER, "feature": place.pk})
    assert SECRET not in api.content.decode()
    hidden = next(row for row in api.json()["results"] if row["id"] == comment.pk)
    assert hidden["hidden"] is True and hidden["text"] is None
    assert hidden["hidden_reason"] == "Off topic."

    for url in (
        f"/en/comments/?layer={LAYER}&feature={place.pk}",
        f"/en/layers/{LAYER}/card/?id={place.pk}",
        f"/en/layers/{LAYER}/{place.pk}/",
    ):
        page = client.get(url).text
        assert SECRET not in page, url
        assert "Hidden by the moderator: Off topic." in page, url
    assert "A reply that stays." in client.get(f"/en/layers/{LAYER}/{place.pk}/").text
    assert reply.pk


def test_a_hidden_comment_takes_no_replies(place, author, neighbour, moderator):
    import pytest
    from django.core.exceptions import ValidationError

    comment = write(place, author, SECRET)
    services.comment_hide(comment=comment, by=moderator, reason="Off topic.")
    with pytest.raises(ValidationError) as refused:
        write(place, neighbour, "Answer.", parent=comment)
    assert "parent" in refused.value.message_dict
