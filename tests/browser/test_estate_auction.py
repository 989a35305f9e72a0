# ruff: noqa: F811  (the fixtures imported below are arguments of the tests)
"""In Chromium: a verified citizen registers on a lot's page, pays the demo deposit and bids;
an anonymous visitor watching the same page sees the new price within 2 s, without a reload."""

import os
import time

import pytest
from django.test import Client

from tests.estate.auction_factories import officer, open_lot, verified_user  # noqa: F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def sign_in(context, live_server, person) -> None:
    client = Client()
    client.force_login(person)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_bid_reaches_a_watcher_of_the_lot_page_within_two_seconds(
    browser, live_server, open_lot, page, page_errors
):
    expect = pytest.importorskip("playwright.sync_api").expect
    citizen = verified_user(first_name="Nino", last_name="Beridze")
    sign_in(page.context, live_server, citizen)
    url = f"/en/estate/lots/{open_lot.reference}/"

    page.goto(url)
    page.get_by_label("Name of the bidder").fill("Nino Beridze")
    page.get_by_label("Personal or company number").fill("01001012345")
    page.get_by_role("button", name="Register to bid").click()
    page.get_by_role("button", name="Pay the deposit").click()
    page.get_by_role("button", name="Pay the deposit (demonstration)").click()
    page.wait_for_url(f"**{url}")
    amount = page.get_by_label("Your bid, GEL")
    assert amount.input_value() == "1000.00"

    watcher_context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url
    )
    try:
        watcher = watcher_context.new_page()
        watcher.on("pageerror", lambda error: page_errors.append(str(error)))
        watcher.goto(url)
        watcher.wait_for_selector("body[data-lot-live='stream']")
        assert watcher.locator("[data-live='current_price']").text_content() == "—"

        page.get_by_role("button", name="Place the bid").click()
        page.get_by_text("Your bid of 1000.00 GEL was accepted.").wait_for()
        answered = time.monotonic()
        expect(watcher.locator("[data-live='current_price']")).to_have_text("1000.00", timeout=2000)
        assert time.monotonic() - answered < 2.0
        assert watcher.locator("[data-live='minimum_bid']").text_content() == "1050.00"
        assert watcher.locator("[data-live='bid_count']").text_content() == "1"
        assert page.locator("[data-live='standing']").text_content() == "You lead."
        assert amount.input_value() == "1050.00"
        assert page.url.endswith(url)  # no reload, no redirect: the bid went by fetch

        page.get_by_role("button", name="Place the bid").click()  # refused: it leads already
        expect(page.locator("[data-bid-error]")).to_have_text("Yours is already the leading bid.")
        assert amount.input_value() == "1050.00"
    finally:
        watcher_context.close()
    assert page_errors == []


def test_a_watcher_without_the_stream_polls_the_state(
    browser, live_server, open_lot, page, page_errors, monkeypatch
):
    """A WSGI process holding all the streams it may answers 503: the page polls instead."""
    import uuid
    from decimal import Decimal

    from estate import live
    from estate.auctions import bid_place
    from tests.estate.auction_factories import register_bidder

    expect = pytest.importorskip("playwright.sync_api").expect
    monkeypatch.setattr(live, "SYNC_STREAMS_PER_PROCESS", 0)
    bidder = register_bidder(open_lot)
    page.goto(f"/en/estate/lots/{open_lot.reference}/")
    page.wait_for_selector("body[data-lot-live='polling']")
    bid_place(lot_id=open_lot.pk, user=bidder.user, amount=Decimal("1000"), key=uuid.uuid4())
    expect(page.locator("[data-live='current_price']")).to_have_text("1000.00", timeout=3000)
    assert page_errors == []
