"""The officer's pages of the review and of paper ballots: the queue, a proposal's review form,
the merge, the entry of sheets and the third look; 404 for another municipality's officer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from budgeting.models import Ballot, PaperEntry, PaperEntryStatus, Phase, ProposalStatus
from engagement.models import Notification
from tests.budgeting.review_factories import *  # noqa: F403  (its fixtures)
from tests.budgeting.review_factories import WEST_RESIDENT, make_feasible, set_phase
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def notify_at_once(settings):
    settings.NOTIFY_SYNC = True


def urls(world) -> dict[str, str]:
    cycle = world["cycle"]
    return {
        "queue": reverse("budgeting:staff-proposals", args=[cycle.pk]),
        "proposal": reverse("budgeting:staff-proposal", args=[world["park"].reference]),
        "merge": reverse("budgeting:staff-proposal-merge", args=[world["park_again"].reference]),
        "paper": reverse("budgeting:staff-paper", args=[cycle.pk]),
    }


def test_the_queue_lists_the_cycles_proposals_with_counts_and_a_map(client, world):
    client.force_login(world["officer"])
    response = client.get(urls(world)["queue"])
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("park", "park_again", "lights", "square"):
        assert world[name].reference in html
    assert 'id="queue-map"' in html
    assert 'id="queue-map-config"' in html
    submitted = next(r for r in response.context["counts"] if r["status"] == "submitted")
    assert submitted["count"] == 4


def test_the_queue_filters_by_status_budget_category_and_text(client, world):
    make_feasible(world["lights"], 10_000)
    client.force_login(world["officer"])
    queue = urls(world)["queue"]
    by_status = client.get(queue, {"status": "feasible"})
    assert [p.reference for p in by_status.context["proposals"]] == [world["lights"].reference]
    by_budget = client.get(queue, {"budget": world["east"].pk})
    assert [p.reference for p in by_budget.context["proposals"]] == [world["square"].reference]
    by_text = client.get(queue, {"q": "school"})
    assert [p.reference for p in by_text.context["proposals"]] == [world["park_again"].reference]
    by_category = client.get(queue, {"category": "sport"})
    assert list(by_category.context["proposals"]) == []
    bad = client.get(queue, {"status": "nonsense"})
    assert bad.status_code == 400


def test_a_feasible_review_is_saved_from_the_form(client, world):
    client.force_login(world["officer"])
    response = client.post(
        urls(world)["proposal"],
        {"decision": "feasible", "cost": "125000", "budget": world["west"].pk},
    )
    assert response.status_code == 302
    park = world["park"]
    park.refresh_from_db()
    assert (park.status, park.cost) == (ProposalStatus.FEASIBLE, 125_000)
    assert Notification.objects.filter(
        kind="budgeting_reviewed", recipient=world["author"]
    ).exists()


def test_a_review_without_its_reason_keeps_what_was_typed(client, world, english_messages):
    client.force_login(world["officer"])
    response = client.post(
        urls(world)["proposal"],
        {"decision": "unfeasible", "reason_en": "Private land", "budget": world["west"].pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say in Georgian why the proposal is not feasible." in html
    assert "Private land" in html


def test_a_price_over_the_budget_is_refused_on_the_form(client, world, english_messages):
    client.force_login(world["officer"])
    response = client.post(
        urls(world)["proposal"],
        {"decision": "feasible", "cost": "999999", "budget": world["west"].pk},
    )
    assert response.status_code == 400
    assert "no ballot could choose it" in response.content.decode()


def test_once_the_voting_opens_the_form_gives_way_to_the_reason(client, world, english_messages):
    make_feasible(world["park"], 100_000)
    set_phase(world["cycle"], Phase.BALLOTING)
    client.force_login(world["officer"])
    page = client.get(urls(world)["proposal"])
    assert "fixed once voting opens" in page.content.decode()
    assert 'name="decision"' not in page.content.decode()
    posted = client.post(
        urls(world)["proposal"], {"decision": "feasible", "cost": "1", "budget": world["west"].pk}
    )
    assert posted.status_code == 400
    world["park"].refresh_from_db()
    assert world["park"].cost == 100_000


def test_a_duplicate_is_merged_from_its_page(client, world):
    client.force_login(world["officer"])
    response = client.post(
        urls(world)["merge"], {"keep": world["park"].reference, "note_ka": "იგივე"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{world['park'].reference}/")
    world["park_again"].refresh_from_db()
    assert world["park_again"].status == ProposalStatus.MERGED
    assert Notification.objects.filter(kind="budgeting_merged").count() == 2


def test_a_merge_into_another_budget_is_not_offered(client, world):
    client.force_login(world["officer"])
    response = client.post(urls(world)["merge"], {"keep": world["square"].reference})
    assert response.status_code == 400
    world["park_again"].refresh_from_db()
    assert world["park_again"].status == ProposalStatus.SUBMITTED


@pytest.fixture
def voting(world):
    make_feasible(world["park"], 150_000)
    make_feasible(world["lights"], 80_000)
    set_phase(world["cycle"], Phase.BALLOTING)
    return world


def sheet(world, *projects, number=WEST_RESIDENT, sheet="S-1"):
    return {
        "budget": world["west"].pk,
        "sheet": sheet,
        "personal_number": number,
        "projects": [world[name].pk for name in projects],
    }


def test_two_officers_enter_a_sheet_and_it_is_counted(client, voting):
    paper = urls(voting)["paper"]
    client.force_login(voting["officer"])
    page = client.get(paper, {"budget": voting["west"].pk})
    assert page.status_code == 200
    assert voting["park"].reference in page.content.decode()
    assert client.post(paper, sheet(voting, "park")).status_code == 302

    client.force_login(voting["second"])
    listed = client.get(paper).content.decode()
    assert "01•••••••01" not in listed  # the first reading is hidden from the second officer
    assert client.post(paper, sheet(voting, "park")).status_code == 302

    assert Ballot.objects.get().channel == "paper"
    listed = client.get(paper).content.decode()
    assert "01•••••••01" in listed
    assert WEST_RESIDENT not in listed


def test_the_same_officer_entering_twice_is_told_on_the_form(client, voting, english_messages):
    paper = urls(voting)["paper"]
    client.force_login(voting["officer"])
    client.post(paper, sheet(voting, "park"))
    again = client.post(paper, sheet(voting, "park"))
    assert again.status_code == 400
    assert "You have already entered sheet S-1" in again.content.decode()


def test_a_person_not_on_the_list_is_told_on_the_form(client, voting, english_messages):
    client.force_login(voting["officer"])
    response = client.post(urls(voting)["paper"], sheet(voting, "park", number="01005559999"))
    assert response.status_code == 400
    assert "not on the cycle&#x27;s voter list" in response.content.decode()
    assert not PaperEntry.objects.exists()


def test_a_mismatch_is_resolved_by_a_third_officer(client, voting):
    paper = urls(voting)["paper"]
    client.force_login(voting["officer"])
    client.post(paper, sheet(voting, "park"))
    client.force_login(voting["second"])
    client.post(paper, sheet(voting, "lights"))
    first, second = PaperEntry.objects.order_by("pk")
    assert first.status == PaperEntryStatus.MISMATCH
    resolve = reverse("budgeting:staff-paper-resolve", args=[voting["cycle"].pk, first.pk])

    assert 'name="choice"' not in client.get(resolve).content.decode()  # the second officer
    client.force_login(voting["third"])
    page = client.get(resolve)
    assert page.status_code == 200
    assert voting["lights"].reference in page.content.decode()
    missing_note = client.post(resolve, {"choice": str(second.pk), "note": ""})
    assert missing_note.status_code == 400
    done = client.post(resolve, {"choice": str(second.pk), "note": "Lights are marked"})
    assert done.status_code == 302
    assert Ballot.objects.get().projects == [voting["lights"].pk]


@pytest.mark.parametrize("name", ["queue", "proposal", "merge", "paper"])
def test_another_municipalitys_officer_is_answered_404(client, voting, name):
    client.force_login(voting["batumi_officer"])
    assert client.get(urls(voting)[name]).status_code == 404
    assert client.post(urls(voting)[name], {}).status_code in (404, 405)


def test_a_resident_is_answered_404_and_a_visitor_is_sent_to_sign_in(client, voting):
    entry_url = reverse("budgeting:staff-paper-resolve", args=[voting["cycle"].pk, 1])
    client.force_login(UserFactory())
    for url in [*urls(voting).values(), entry_url]:
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(urls(voting)["queue"])
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("language", ["ka", "en"])
def test_the_pages_speak_both_languages(client, voting, language):
    client.force_login(voting["officer"])
    for url in urls(voting).values():
        response = client.get(f"/{language}{url[3:]}")
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()


def test_another_municipalitys_officer_cannot_look_at_a_sheet(client, voting):
    paper = urls(voting)["paper"]
    client.force_login(voting["officer"])
    client.post(paper, sheet(voting, "park"))
    client.force_login(voting["second"])
    client.post(paper, sheet(voting, "lights"))
    entry = PaperEntry.objects.order_by("pk").first()
    resolve = reverse("budgeting:staff-paper-resolve", args=[voting["cycle"].pk, entry.pk])
    client.force_login(voting["batumi_officer"])
    assert client.get(resolve).status_code == 404
    assert client.post(resolve, {"choice": "refuse", "note": "x"}).status_code == 404
    entry.refresh_from_db()
    assert entry.status == PaperEntryStatus.MISMATCH


def test_the_queue_costs_the_same_queries_for_more_proposals(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.budgeting.review_factories import make_proposal

    client.force_login(world["officer"])
    queue = urls(world)["queue"]
    client.get(queue)
    with CaptureQueriesContext(connection) as few:
        client.get(queue)
    for number in range(12):
        make_proposal(world["east"], f"Bench {number}", dx=2000 + number * 10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(queue).status_code == 200
    assert len(many) == len(few)
