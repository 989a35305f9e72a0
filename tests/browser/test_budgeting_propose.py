"""In Chromium: a resident marks a point on the map of the proposal form, and proposes."""

import os
import re

import pytest
from django.test import Client

from budgeting.models import Proposal
from tests.budgeting.proposal_factories import lonlat, make_cycle

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def sign_in(context, live_server, person) -> None:
    client = Client()
    client.force_login(person)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_resident_marks_a_point_on_the_map_and_proposes(rustavi, live_server, page, page_errors):
    from tests.core.factories import UserFactory

    expect = pytest.importorskip("playwright.sync_api").expect
    cycle = make_cycle(rustavi)
    person = UserFactory()
    sign_in(page.context, live_server, person)
    page.goto(f"/en/budgeting/RST/{cycle.slug}/propose/")
    page.wait_for_function(
        "() => document.getElementById('pb-propose-map').dataset.state === 'idle'"
        " && window.gisportalMap && window.gisportalMap.loaded()"
    )
    page.get_by_role("button", name="Mark a point").click()
    # The middle of the west district (the map opens on the municipality).
    point = page.evaluate("(lonlat) => gisportalMap.project(lonlat)", list(lonlat(1000, 1000)))
    box = page.locator("#pb-propose-map canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(page.locator("textarea[name=geometry]")).to_have_value(re.compile(r'"type":\s*"Point"'))
    page.get_by_label("Title").fill("A fountain")
    page.get_by_label("Description").fill("A drinking fountain by the bus stop.")
    page.get_by_label("Category").select_option("public_space")
    page.get_by_label("Estimated cost, GEL").fill("8000")
    page.get_by_role("button", name="Submit the proposal").click()
    expect(page.locator("h1")).to_have_text("A fountain")
    proposal = Proposal.objects.get()
    assert proposal.author == person
    assert proposal.budget.district.code == "west"
    assert not page_errors
