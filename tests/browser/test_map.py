"""The map page in a real browser: click a parcel, read its card, search, switch city and language."""

import re

import pytest

from tests.browser.pages import parcel_hash

pytestmark = pytest.mark.browser


def test_georgian_map_shows_the_card_of_a_clicked_parcel(map_page, page, page_errors, cities):
    parcel = cities["BTM"][5]
    map_page.open(f"/ka/{parcel_hash(parcel)}")

    assert page.locator("html").get_attribute("lang") == "ka"
    assert parcel.cadastral_code in {f["code"] for f in map_page.rendered_parcels()}
    map_page.click_centre()

    card = page.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]')
    card.wait_for()
    assert "საკადასტრო ნაკვეთი" in card.text_content()
    assert parcel.address_ka in card.text_content()
    assert "SZ-6" in card.text_content()
    assert map_page.selected(parcel.pk)
    assert f"parcel={parcel.cadastral_code}" in page.url
    assert not page_errors


def test_english_map_shows_the_card_of_a_clicked_parcel(map_page, page, page_errors, cities):
    parcel = cities["RST"][10]
    map_page.open(f"/en/{parcel_hash(parcel)}")

    assert page.locator("html").get_attribute("lang") == "en"
    map_page.click_centre()

    card = page.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]')
    card.wait_for()
    text = card.text_content()
    assert "Cadastral parcel" in text
    assert parcel.address_en in text
    assert "Rustavi" in text
    assert map_page.selected(parcel.pk)
    assert not page_errors


def test_closing_the_card_clears_the_selection(map_page, page, cities):
    parcel = cities["BTM"][0]
    map_page.open(f"/en/{parcel_hash(parcel)}")
    map_page.click_centre()
    page.locator("#parcel-card").wait_for()

    page.get_by_role("link", name="Close parcel details").click()

    page.locator("#parcel-card").wait_for(state="detached")
    assert not map_page.selected(parcel.pk)
    assert "parcel=" not in page.url


def test_search_by_code_lists_the_parcel_and_opens_its_card(map_page, page, page_errors, cities):
    parcel = cities["BTM"][6]
    map_page.open("/en/")

    page.get_by_role("combobox", name="Cadastral code or address").fill(parcel.cadastral_code)
    results = page.get_by_role("listbox", name="Search results")
    option = results.get_by_role("option").filter(has_text=parcel.cadastral_code)
    option.wait_for()
    assert results.is_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    page.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]').wait_for()
    map_page.wait_until_idle()
    assert page.evaluate("gisportalMap.getZoom()") >= 15
    assert parcel.cadastral_code in {f["code"] for f in map_page.rendered_parcels()}
    assert map_page.selected(parcel.pk)
    assert not page_errors


def test_search_by_address_offers_matching_parcels(map_page, page, cities):
    map_page.open("/ka/")

    page.locator("#search-q").fill("კოსტავას")

    options = page.get_by_role("listbox", name="ძიების შედეგები").get_by_role("option")
    options.first.wait_for()
    codes = options.locator(".search__option-code").all_inner_texts()
    assert codes and all(code.startswith("02.07.03.") for code in codes)


def test_zoom_hint_shows_until_parcels_can_be_picked(map_page, page, cities):
    map_page.open("/en/")
    hint = page.locator("#zoom-hint")
    assert hint.is_visible()
    assert "Zoom in to pick parcels." in hint.inner_text()

    hint.get_by_role("button").click()

    map_page.wait_until_idle()
    assert hint.is_hidden()
    assert map_page.rendered_parcels()


def test_language_switch_keeps_the_map_position(map_page, page, cities):
    parcel = cities["BTM"][3]
    map_page.open(f"/ka/{parcel_hash(parcel, zoom=17)}")
    position = page.evaluate("location.hash")

    page.locator('a[hreflang="en"]').click()

    page.wait_for_url(re.compile(r"/en/"))
    map_page.wait_until_idle()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate("location.hash") == position


def test_city_switch_flies_to_the_other_municipality(map_page, page, cities):
    map_page.open("/en/")

    page.get_by_role("navigation", name="Municipality").get_by_role("link", name="Rustavi").click()

    page.wait_for_function(
        "() => Math.abs(gisportalMap.getCenter().lng - 45.0) < 0.01 && !gisportalMap.isMoving()"
    )
    map_page.wait_until_idle()
    assert page.locator('[data-city="RST"]').get_attribute("aria-current") == "true"


def test_keyboard_user_opens_the_card_of_the_parcel_at_the_centre(map_page, page, cities):
    parcel = cities["BTM"][9]
    map_page.open(f"/en/{parcel_hash(parcel)}")

    page.locator("#map canvas").focus()
    page.keyboard.press("Enter")

    page.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]').wait_for()
    assert page.evaluate("document.activeElement.id") == "parcel-card-title"
    page.keyboard.press("Escape")
    page.locator("#parcel-card").wait_for(state="detached")


def test_phone_shows_the_card_as_a_bottom_sheet(browser, live_server, cities):
    parcel = cities["BTM"][5]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, is_mobile=True
    )
    page = context.new_page()
    try:
        from tests.browser.pages import MapPage

        map_page = MapPage(page).open(f"/ka/{parcel_hash(parcel)}")
        map_page.click_centre()
        card = page.locator("#card")
        page.locator("#parcel-card").wait_for()
        box = card.bounding_box()
        assert box["y"] + box["height"] == pytest.approx(844, abs=2)
        assert box["width"] == pytest.approx(390, abs=2)
    finally:
        context.close()


def test_search_box_falls_back_to_the_list_page_without_the_api(map_page, page, cities):
    parcel = cities["RST"][2]
    page.route("**/api/v1/parcels/search/**", lambda route: route.fulfill(status=404, body="-"))
    map_page.open("/en/")

    page.locator("#search-q").fill(parcel.cadastral_code)

    option = page.get_by_role("listbox", name="Search results").get_by_role("option").first
    option.wait_for()
    assert parcel.cadastral_code in option.text_content()
    option.click()
    page.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]').wait_for()


def test_a_link_to_a_parcel_flies_the_map_to_it(page, page_errors, cities):
    parcel = cities["BTM"][3]
    page.goto(f"/en/?parcel={parcel.cadastral_code}")
    page.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]').wait_for()

    page.wait_for_function(
        "() => window.gisportalMap && window.gisportalMap.getZoom() >= 15"
        " && document.getElementById('map').dataset.state === 'idle'"
    )
    assert re.search(r"#1[5-9](\.\d+)?/", page.url)
    assert not page_errors
