# ruff: noqa: F811
"""In Chromium: the winning projects on the delivery map, coloured by status; a click on one
opens its card, which leads to the project's page with its history."""

import os

import pytest

from tests.budgeting.delivery_factories import (  # noqa: F401 - fixtures
    batumi_officer,
    officer,
    resident,
    world,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def test_a_winner_on_the_map_opens_its_card_and_page(
    world, officer, live_server, page, page_errors
):
    from budgeting import delivery

    expect = pytest.importorskip("playwright.sync_api").expect
    park = world["park"]
    delivery.report(
        proposal=park, by=officer, delivery_status="in_progress", progress=45, note_en="Started"
    )
    page.goto("/en/budgeting/delivery/")
    page.wait_for_function(
        "() => document.getElementById('pb-delivery-map').dataset.state === 'idle'"
        " && window.gisportalMap && gisportalMap.loaded() && gisportalMap.areTilesLoaded()"
    )
    location = park.location.transform(4326, clone=True)
    page.wait_for_function(
        """(lonlat) => {
            const p = gisportalMap.project(lonlat);
            return gisportalMap.queryRenderedFeatures([p.x, p.y])
                .some((f) => f.source === 'budgeting-winners');
        }""",
        arg=[location.x, location.y],
    )
    colour = page.evaluate(
        """(lonlat) => {
            const p = gisportalMap.project(lonlat);
            const f = gisportalMap.queryRenderedFeatures([p.x, p.y])
                .find((f) => f.source === 'budgeting-winners');
            return f.properties.delivery_status;
        }""",
        [location.x, location.y],
    )
    assert colour == "in_progress"
    point = page.evaluate("(lonlat) => gisportalMap.project(lonlat)", [location.x, location.y])
    box = page.locator("#pb-delivery-map canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    card = page.locator("#pb-delivery-card")
    expect(card).to_be_visible()
    card.get_by_role("link", name="The project and its delivery").click()
    expect(page.locator("h1")).to_have_text(park.title)
    expect(page.locator(".pb-history")).to_contain_text("Started")
    assert not page_errors


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", ["ka", "en"])
def test_the_delivery_pages_have_no_accessibility_violation(
    world, officer, browser, live_server, viewport, language
):
    from django.test import Client

    from budgeting import delivery
    from tests.browser.axe import axe_violations, describe

    park = world["park"]
    delivery.report(proposal=park, by=officer, delivery_status="procuring", progress=20)
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], base_url=live_server.url, bypass_csp=True
    )
    context.set_default_timeout(30_000)
    client = Client()
    client.force_login(officer)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    try:
        for path in (
            "budgeting/delivery/",
            f"budgeting/delivery/{park.reference}/",
            f"budgeting/staff/proposals/{park.reference}/delivery",
        ):
            page.goto(f"/{language}/{path}")
            violations = axe_violations(page)
            assert not violations, f"{page.url}\n{describe(violations)}"
    finally:
        context.close()
