"""The comment thread at a feature: on its card the counts, the latest three and a link; on its
page the whole thread with the form; a follow button for signed-in people. engagement declares
its notification kinds and the inbox link through its portal.py."""

from core.modules import registry as modules
from tests.engagement.conftest import LAYER, write


def test_the_card_shows_the_counts_the_latest_three_and_a_link(client, place, author, neighbour):
    for n, stance in enumerate(["in_favour", "in_favour", "against", "neutral"]):
        write(place, author if n % 2 else neighbour, f"Comment number {n}.", stance=stance)
    card = client.get(f"/en/layers/{LAYER}/card/", {"id": place.pk}).text
    assert 'data-comment-count="4"' in card
    assert "2 in favour" in card and "1 neutral" in card and "1 against" in card
    assert "Comment number 3." in card and "Comment number 1." in card
    assert "Comment number 0." not in card  # only the latest three
    assert f'href="/en/layers/{LAYER}/{place.pk}/#comments"' in card
    assert "Sign in to follow" in card and "<textarea" not in card


def test_the_page_shows_the_whole_thread_and_the_form(client, place, author):
    for n in range(4):
        write(place, author, f"Comment number {n}.")
    page = client.get(f"/en/layers/{LAYER}/{place.pk}/").text
    assert all(f"Comment number {n}." in page for n in range(4))
    assert "Sign in to comment." in page
    client.force_login(author)
    page = client.get(f"/en/layers/{LAYER}/{place.pk}/").text
    assert 'action="/en/comments/?layer=test-places' in page and "<textarea" in page
    assert f'name="next" value="/en/layers/{LAYER}/{place.pk}/"' in page
    assert 'action="/en/follows/feature/"' in page


def test_a_reply_link_opens_the_form_under_its_comment(client, place, author, neighbour):
    first = write(place, author, "First.")
    client.force_login(neighbour)
    url = f"/en/comments/?layer={LAYER}&feature={place.pk}&reply_to={first.pk}"
    page = client.get(url).text
    assert f'id="reply-{first.pk}"' in page and f'name="parent" value="{first.pk}"' in page


def test_layers_without_comments_show_no_thread(client, parcels):
    card = client.get("/en/layers/zones/card/", {"id": parcels["rustaveli"].zone_id}).text
    assert "data-engagement-panel" not in card


def test_the_register_page_and_the_review_show_the_engagement_thread(client, application, batumi):
    from cases.services import case_transition
    from core.models import Role
    from permits.services import consultation_start
    from tests.cases.factories import staff
    from tests.engagement.conftest import person

    planner = staff(batumi, Role.PLANNER)
    case_transition(case=application.case, to="in_review", by=planner)
    consultation_start(application=application, by=planner)
    reference = application.case.reference
    client.force_login(person("Lela", "Neighbour"))
    url = f"/en/permits/register/{reference}/"
    response = client.post(url, {"stance": "against", "body": "Too tall for the street."})
    assert response.status_code == 302 and response["Location"].startswith(url)
    page = client.get(url).text
    assert "Too tall for the street." in page and "Lela N." in page
    card = client.get("/en/layers/permit-applications/card/", {"id": application.pk}).text
    assert "Too tall for the street." in card and 'data-comment-count="1"' in card
    client.force_login(planner)
    review = client.get(f"/en/permits/review/{reference}/").text
    assert "Too tall for the street." in review and "Moderate" in review


def test_engagement_declares_its_kinds_and_the_inbox_link(client, author):
    kinds = modules.notification_kinds()
    for name in ("comment_reply", "comment_followed", "area_feature", "moderation"):
        assert name in kinds and not kinds[name].essential
    assert kinds["decided"].essential  # cases/portal.py declares the common ones
    client.force_login(author)
    page = client.get("/en/layers/").text
    assert 'href="/en/notifications/"' in page
