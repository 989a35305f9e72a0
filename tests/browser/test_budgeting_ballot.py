"""In Chromium: a verified resident fills a knapsack ballot on the map and in the list beside
it, sees the money remaining change, and checks out."""

import os

import pytest
from django.test import Client

from budgeting import ballots
from budgeting.models import Ballot, BallotStatus
from tests.budgeting.ballot_factories import NINO, ballot_world, resident

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def sign_in(context, live_server, person) -> None:
    client = Client()
    client.force_login(person)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def wait_for_map(page) -> None:
    page.wait_for_function(
        """() => {
            const map = window.gisportalMap;
            return map && document.getElementById('ballot-map').dataset.state === 'idle'
                && map.loaded() && map.getSource('ballot-projects') && !map.isMoving();
        }"""
    )


def click_project_on_map(page, title: str) -> None:
    """A click on the project's marker, where the map draws it."""
    point = page.evaluate(
        """(title) => {
            const config = JSON.parse(document.getElementById('ballot-config').textContent);
            const feature = config.projects.features.find((f) => f.properties.title === title && f.geometry.type === 'Point');
            return gisportalMap.project(feature.geometry.coordinates);
        }""",
        title,
    )
    box = page.locator("#ballot-map canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_a_resident_fills_a_knapsack_ballot_on_the_map_and_checks_out(
    batumi, live_server, page, page_errors
):
    expect = pytest.importorskip("playwright.sync_api").expect
    world = ballot_world(batumi)
    nino = resident("nino@example.ge")
    ballots.voter_verify(cycle=world["cycle"], user=nino, number=NINO[0], birth_year=NINO[1])
    sign_in(page.context, live_server, nino)
    page.goto(f"/en/budgeting/BTM/pb-2027/vote/{world['budget'].pk}/")
    wait_for_map(page)
    remaining = page.locator("#ballot-remaining")
    expect(remaining).to_have_text("400,000")

    click_project_on_map(page, "Pocket park")
    expect(page.get_by_label("Pocket park")).to_be_checked()
    expect(remaining).to_have_text("250,000")
    assert page.evaluate(
        """(id) => gisportalMap.getFeatureState({source: 'ballot-projects', id}).chosen""",
        world["projects"]["park"].pk,
    )

    page.get_by_label("Street lights").check()
    expect(remaining).to_have_text("50,000")
    expect(page.locator("#ballot-count")).to_have_text("2")
    expect(page.locator("#ballot-status")).to_have_text("Draft saved.")
    draft = Ballot.objects.get()
    assert draft.status == BallotStatus.DRAFT and draft.total == 350_000

    # The playground too is over the budget: the bar says so; taking it out again on the map
    click_project_on_map(page, "Playground")
    expect(page.locator("#ballot-remaining-wrap")).to_have_class("ballot-bar__left is-over")
    click_project_on_map(page, "Playground")
    expect(remaining).to_have_text("50,000")

    page.get_by_role("button", name="Check out").click()
    page.wait_for_url("**/done")
    ballot = Ballot.objects.get()
    assert ballot.status == BallotStatus.CHECKED_OUT
    assert ballot.projects == [world["projects"]["park"].pk, world["projects"]["lights"].pk]
    expect(page.locator(".ballot-done__code")).to_have_text(ballot.code)
    assert not page_errors
