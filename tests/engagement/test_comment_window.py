"""A layer's comment window: while it is closed, comments are refused with the layer's own
message (a permit application's: its neighbour consultation, with the day it closed)."""

import pytest
from django.core.exceptions import ValidationError

from cases.calendar import add_working_days
from cases.services import case_transition
from core.models import Role
from engagement import services
from engagement.models import Comment
from permits.services import consultation_start, consultations_close
from tests.cases.factories import on_day, staff
from tests.engagement.conftest import CLOSED, LAYER, write

REGISTER = "permit-applications"


def test_a_closed_window_refuses_with_its_message(client, place, author):
    CLOSED[place.cadastral_code] = "The hearing ended on 1 May."
    with pytest.raises(ValidationError) as refused:
        write(place, author, "Late.")
    assert refused.value.code == "closed" and refused.value.messages == [
        "The hearing ended on 1 May."
    ]

    client.force_login(author)
    url = f"/en/comments/?layer={LAYER}&feature={place.pk}"
    assert "The hearing ended on 1 May." in client.get(url).text
    response = client.post(url, {"stance": "against", "body": "Late."})
    assert response.status_code == 400 and "The hearing ended on 1 May." in response.text
    assert not Comment.objects.exists()


def _comment(application, person, body="Too tall."):
    return services.comment_create(
        layer=REGISTER, feature_id=application.pk, author=person, stance="against", body=body
    )


def test_permit_comments_are_taken_during_the_consultation_only(
    monkeypatch, application, neighbour, batumi
):
    with pytest.raises(ValidationError) as refused:
        _comment(application, neighbour)
    assert refused.value.messages == ["Comments are taken only while the consultation is open."]

    planner = staff(batumi, Role.PLANNER)
    case_transition(case=application.case, to="in_review", by=planner)
    consultation = consultation_start(application=application, by=planner, working_days=2)
    comment = _comment(application, neighbour)
    assert comment.municipality == batumi and comment.feature_id == str(application.pk)

    after = add_working_days(consultation.ends_on, 1)
    on_day(monkeypatch, after)
    with pytest.raises(ValidationError) as refused:
        _comment(application, neighbour, "Too late?")
    closed = consultation.ends_on.strftime("%d.%m.%Y")
    assert (
        f"The consultation closed on {closed}; comments are no longer taken."
        in (refused.value.messages[0])
    )
    consultations_close(today=after)
    with pytest.raises(ValidationError) as refused:
        _comment(application, neighbour, "Still too late?")
    assert refused.value.code == "closed"
