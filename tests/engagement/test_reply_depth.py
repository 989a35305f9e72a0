"""Replies go two levels deep: a reply, and a reply to a reply; no deeper."""

import pytest
from django.core.exceptions import ValidationError

from tests.engagement.conftest import write


def test_a_reply_and_a_reply_to_it_are_taken(place, author, neighbour):
    first = write(place, author, "First.")
    reply = write(place, neighbour, "A reply.", parent=first)
    deeper = write(place, author, "A reply to the reply.", parent=reply)
    assert (first.depth, reply.depth, deeper.depth) == (0, 1, 2)
    assert deeper.path.startswith(reply.path) and reply.path.startswith(first.path)


def test_a_third_level_is_refused(place, author, neighbour):
    first = write(place, author, "First.")
    reply = write(place, neighbour, "A reply.", parent=first)
    deeper = write(place, author, "A reply to the reply.", parent=reply)
    with pytest.raises(ValidationError) as refused:
        write(place, neighbour, "Too deep.", parent=deeper)
    assert "parent" in refused.value.message_dict
    assert refused.value.error_dict["parent"][0].code == "too_deep"


def test_a_reply_must_answer_a_comment_of_the_same_feature(place, parcels, author):
    other = parcels["gorgiladze"]
    elsewhere = write(other, author, "Elsewhere.")
    with pytest.raises(ValidationError) as refused:
        write(place, author, "Lost.", parent=elsewhere)
    assert "parent" in refused.value.message_dict


def test_the_thread_lists_each_reply_under_the_comment_it_answers(client, place, author, neighbour):
    first = write(place, author, "First comment.")
    second = write(place, neighbour, "Second comment.")
    reply = write(place, neighbour, "Reply to the first.", parent=first)
    page = client.get("/en/comments/", {"layer": "test-places", "feature": place.pk}).text
    assert page.index("First comment.") < page.index("Reply to the first.")
    assert page.index("Reply to the first.") < page.index("Second comment.")
    assert f'id="comment-{reply.pk}"' in page and f'id="comment-{second.pk}"' in page
