"""A hidden comment is its moderators' alone: to anyone else, on the page and in the API, there
is nothing to report (found by the isolation matrix, tests/gisportal/test_isolation_matrix.py)."""

import json

from engagement import services
from engagement.models import CommentReport
from tests.engagement.conftest import write


def test_a_hidden_comment_cannot_be_reported_on_the_page_or_in_the_api(
    client, place, author, neighbour, moderator
):
    comment = write(place, author, "Buy cheap watches!")
    services.comment_hide(comment=comment, by=moderator, reason="Advertising.")
    client.force_login(neighbour)
    assert client.get(f"/en/comments/{comment.pk}/report/").status_code == 404
    assert client.post(f"/en/comments/{comment.pk}/report/", {"reason": "spam"}).status_code == 404
    answer = client.post(
        f"/api/v1/comments/{comment.pk}/report/",
        json.dumps({"reason": "spam"}),
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert not CommentReport.objects.exists()
