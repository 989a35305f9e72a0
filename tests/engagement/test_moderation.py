"""Reports and moderation: anyone signed in reports a comment once; moderators of its
municipality (municipal administrators, petitions moderators, and for a module's layer its
handling role) hide it with a reason that is published in its place, or restore it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.services import case_transition
from core.models import Role
from engagement import services
from engagement.models import CommentReport, Notification
from permits.services import consultation_start
from tests.cases.factories import staff
from tests.engagement.conftest import LAYER, person, write


def test_a_person_reports_a_comment_once(place, author, neighbour):
    comment = write(place, author, "Buy cheap watches!")
    services.comment_report(comment=comment, reporter=neighbour, reason="spam")
    with pytest.raises(ValidationError) as refused:
        services.comment_report(comment=comment, reporter=neighbour, reason="offensive")
    assert refused.value.code == "already_reported"
    with pytest.raises(ValidationError):
        services.comment_report(comment=comment, reporter=author, reason="spam")
    assert CommentReport.objects.count() == 1


def test_reporting_on_the_page_without_javascript(client, place, author, neighbour):
    comment = write(place, author, "Buy cheap watches!")
    client.force_login(neighbour)
    back = f"/en/comments/?layer={LAYER}&feature={place.pk}"
    assert client.get(f"/en/comments/{comment.pk}/report/").status_code == 200
    response = client.post(
        f"/en/comments/{comment.pk}/report/", {"reason": "spam", "details": "", "next": back}
    )
    assert response.status_code == 302 and response["Location"].startswith(back)
    assert "You reported it" in client.get(back).text
    again = client.post(f"/en/comments/{comment.pk}/report/", {"reason": "spam", "details": "x"})
    assert again.status_code == 400 and "reported this comment already" in again.text


def test_a_moderator_hides_it_with_a_reason_published_in_its_place(
    client, place, author, neighbour, moderator
):
    comment = write(place, author, "Something rude.")
    services.comment_report(comment=comment, reporter=neighbour, reason="offensive")
    client.force_login(moderator)
    listing = client.get("/en/comments/moderation/").text
    assert f'data-comment="{comment.pk}"' in listing
    response = client.post(
        f"/en/comments/{comment.pk}/moderate/", {"action": "hide", "reason": "Insults a neighbour."}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_by == moderator
    assert not CommentReport.objects.filter(resolved_at__isnull=True).exists()

    thread = client.get("/en/comments/", {"layer": LAYER, "feature": place.pk}).text
    assert "Hidden by the moderator: Insults a neighbour." in thread
    assert "Something rude." not in thread
    told = Notification.objects.about(comment).get(recipient=author)
    assert told.kind == "moderation" and "Insults a neighbour." in told.body

    services.comment_restore(comment=comment, by=moderator)
    comment.refresh_from_db()
    assert not comment.is_hidden
    assert (
        "Something rude." in client.get("/en/comments/", {"layer": LAYER, "feature": place.pk}).text
    )


def test_hiding_needs_a_reason(place, author, moderator):
    comment = write(place, author, "Hm.")
    with pytest.raises(ValidationError) as refused:
        services.comment_hide(comment=comment, by=moderator, reason=" ")
    assert "reason" in refused.value.message_dict


def test_staff_of_another_municipality_or_role_do_not_moderate(
    client, place, author, rustavi_moderator, batumi
):
    comment = write(place, author, "Hm.")
    gis_officer = staff(batumi, Role.GIS_OFFICER)
    for outsider in (rustavi_moderator, gis_officer, person("Plain", "Citizen")):
        with pytest.raises(PermissionDenied):
            services.comment_hide(comment=comment, by=outsider, reason="No.")
        client.force_login(outsider)
        assert client.get(f"/en/comments/{comment.pk}/moderate/").status_code == 404
    client.force_login(rustavi_moderator)
    assert f'data-comment="{comment.pk}"' not in client.get("/en/comments/moderation/").text


def test_planners_moderate_the_comments_of_permit_applications(application, batumi, neighbour):
    planner = staff(batumi, Role.PLANNER)
    case_transition(case=application.case, to="in_review", by=planner)
    consultation_start(application=application, by=planner)
    comment = services.comment_create(
        layer="permit-applications",
        feature_id=application.pk,
        author=neighbour,
        stance="against",
        body="Rude words.",
    )
    services.comment_hide(comment=comment, by=planner, reason="Rude.")
    assert comment.__class__.objects.get(pk=comment.pk).is_hidden
    # A planner moderates no comment of a layer that no module of theirs owns.
    with pytest.raises(PermissionDenied):
        services.comment_hide(comment=comment, by=staff(batumi, Role.GIS_OFFICER), reason="x")


def test_the_moderation_link_shows_the_reported_count(client, place, author, neighbour, moderator):
    comment = write(place, author, "Spam.")
    services.comment_report(comment=comment, reporter=neighbour, reason="spam")
    client.force_login(moderator)
    page = client.get("/en/notifications/").text
    assert "Comment moderation" in page
    client.force_login(neighbour)
    assert "Comment moderation" not in client.get("/en/notifications/").text
