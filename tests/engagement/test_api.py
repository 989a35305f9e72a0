"""The public comments API: a feature's thread, paged; writing a comment or a reply and
reporting one (signed in); errors in the house's shape; all described in the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from engagement import services
from engagement.models import Comment
from tests.engagement.conftest import CLOSED, LAYER, write

URL = "/api/v1/comments/"


@pytest.fixture
def api():
    return APIClient()


def test_the_thread_in_order_with_authors_by_first_name(api, place, author, neighbour):
    first = write(place, author, "First, call 555123456.", stance="in_favour")
    reply = write(place, neighbour, "Reply.", parent=first)
    response = api.get(URL, {"layer": LAYER, "feature": place.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2 and data["next"] is None
    rows = data["results"]
    assert [r["id"] for r in rows] == [first.pk, reply.pk]
    assert rows[0]["text"] == "First, call [removed]." and rows[0]["author"] == "Nino B."
    assert rows[0]["stance"] == "in_favour" and rows[0]["hidden"] is False
    assert rows[1]["parent"] == first.pk and rows[1]["depth"] == 1


def test_the_thread_is_paged(api, place, author):
    for n in range(3):
        write(place, author, f"Comment {n}.")
    data = api.get(URL, {"layer": LAYER, "feature": place.pk, "limit": 2}).json()
    assert len(data["results"]) == 2 and data["count"] == 3 and "offset=2" in data["next"]
    bad = api.get(URL, {"layer": LAYER, "feature": place.pk, "limit": 1000})
    assert bad.status_code == 400 and bad.json()["parameter"] == "limit"


def test_errors_of_the_list(api, place):
    missing = api.get(URL, {"feature": place.pk})
    assert missing.status_code == 400
    assert missing.json() == {
        "detail": "The parameter layer is required.",
        "parameter": "layer",
        "code": "required",
    }
    assert api.get(URL, {"layer": "parcels", "feature": place.pk}).status_code == 404
    unknown = api.get(URL, {"layer": LAYER, "feature": "999999"})
    assert unknown.status_code == 404 and "detail" in unknown.json()


def test_a_signed_in_person_writes_a_comment_and_a_reply(api, place, author, neighbour):
    body = {"layer": LAYER, "feature": str(place.pk), "stance": "against", "body": "Too tall."}
    assert api.post(URL, body, format="json").status_code == 403
    api.force_authenticate(author)
    created = api.post(URL, body, format="json")
    assert created.status_code == 201 and created.json()["text"] == "Too tall."
    api.force_authenticate(neighbour)
    reply = api.post(URL, {**body, "body": "No.", "parent": created.json()["id"]}, format="json")
    assert reply.status_code == 201 and reply.json()["depth"] == 1


def test_errors_of_writing(api, place, author):
    api.force_authenticate(author)
    base = {"layer": LAYER, "feature": str(place.pk), "stance": "against", "body": "Hm."}
    no_stance = api.post(URL, {**base, "stance": "maybe"}, format="json")
    assert no_stance.status_code == 400 and no_stance.json()["parameter"] == "stance"
    too_long = api.post(URL, {**base, "body": "x" * 1001}, format="json")
    assert too_long.status_code == 400 and too_long.json()["parameter"] == "body"
    no_layer = api.post(URL, {**base, "layer": "parcels"}, format="json")
    assert no_layer.status_code == 400 and no_layer.json()["parameter"] == "layer"
    CLOSED[place.cadastral_code] = "Closed until the plan is ready."
    closed = api.post(URL, base, format="json")
    assert closed.status_code == 409
    assert closed.json() == {"detail": "Closed until the plan is ready.", "code": "closed"}
    CLOSED.clear()
    first = write(place, author, "First.")
    second = write(place, author, "Second.", parent=first)
    third = write(place, author, "Third.", parent=second)
    deep = api.post(URL, {**base, "parent": third.pk}, format="json")
    assert deep.status_code == 400
    assert deep.json()["parameter"] == "parent" and deep.json()["code"] == "too_deep"
    assert Comment.objects.count() == 3


def test_reporting_through_the_api(api, place, author, neighbour):
    comment = write(place, author, "Spam.")
    url = f"{URL}{comment.pk}/report/"
    assert api.post(url, {"reason": "spam"}, format="json").status_code == 403
    api.force_authenticate(neighbour)
    assert api.post(url, {"reason": "nonsense"}, format="json").json()["parameter"] == "reason"
    created = api.post(url, {"reason": "spam"}, format="json")
    assert created.status_code == 201 and created.json()["comment"] == comment.pk
    again = api.post(url, {"reason": "spam"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_reported"
    assert api.post(f"{URL}999999/report/", {"reason": "spam"}, format="json").status_code == 404


def test_a_hidden_comment_is_listed_with_its_reason_only(api, place, author, moderator):
    comment = write(place, author, "Rude.")
    services.comment_hide(comment=comment, by=moderator, reason="Rude to neighbours.")
    row = api.get(URL, {"layer": LAYER, "feature": place.pk}).json()["results"][0]
    assert row["text"] is None and row["hidden_reason"] == "Rude to neighbours."
    assert "Rude." not in str(row)


def test_the_schema_describes_the_comments_api(api, db):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths[URL]) >= {"get", "post"}
    assert "409" in paths[URL]["post"]["responses"]
    assert "/api/v1/comments/{id}/report/" in paths
    names = [p["name"] for p in paths[URL]["get"]["parameters"]]
    assert {"layer", "feature", "limit", "offset"} <= set(names)
