"""The map's layer panel in a real browser: toggles, opacity, remembered choices, and the card of
a feature of any layer on click; and the list of layers without the map."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

from layers.registry import registry
from tests.browser.conftest import BATUMI_CENTRE, utm
from tests.browser.pages import MapPage

pytestmark = pytest.mark.browser


def zone_hash(zoom: float) -> str:
    """A map position inside Batumi's zone SZ-6, 300 m from the centre: no parcel, no street."""
    centre = utm(*BATUMI_CENTRE)
    inside = Point(centre.x + 300, centre.y + 300, srid=settings.SRID_STORAGE)
    inside.transform(settings.SRID_API)
    return f"#{zoom}/{inside.y:.6f}/{inside.x:.6f}"


def zones_fill_opacity(page):
    return page.evaluate("gisportalMap.getPaintProperty('zones-fill', 'fill-opacity')")


def zones_visibility(page):
    return page.evaluate("gisportalMap.getLayoutProperty('zones-fill', 'visibility')")


def open_panel(page):
    page.locator("#layers-toggle").click()
    panel = page.locator("#layers-panel")
    panel.wait_for()
    return panel


def test_zones_turned_on_in_the_panel_open_a_zone_card_on_click(
    map_page, page, page_errors, cities
):
    map_page.open(f"/en/{zone_hash(16)}")
    assert zones_visibility(page) == "none"

    panel = open_panel(page)
    panel.get_by_role("checkbox", name="Zoning").check()
    zones = panel.locator('.layer-row[data-layer="zones"]')
    zones.get_by_role("button", name="About Zoning").click()
    zones.get_by_role("slider", name="Opacity of Zoning").fill("50")
    assert zones_visibility(page) == "visible"
    assert zones_fill_opacity(page) == pytest.approx(0.06)
    assert zones.get_by_role("link", name="Table").get_attribute("href") == "/en/layers/zones/"
    assert (
        zones.get_by_role("link", name="OGC API").get_attribute("href")
        == "/ogcapi/collections/zones"
    )
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    map_page.wait_until_idle()

    map_page.click_centre()

    card = page.locator('#feature-card[data-layer="zones"]')
    card.wait_for()
    text = card.text_content()
    assert "Zoning" in text and "Residential zone 6" in text and "SZ-6" in text
    assert "K-1 (max. coverage)" in text
    assert "feature=zones:" in page.url
    more = page.get_by_role("navigation", name="Other features at this place")
    assert "Batumi" in more.text_content()
    assert page.evaluate("!!gisportalMap.getLayer('portal-highlight-line')")
    assert not page_errors


def test_a_zone_is_opened_where_parcels_are_not_drawn_instead_of_zooming_in(map_page, page, cities):
    map_page.open(f"/ka/{zone_hash(13)}")
    open_panel(page).locator('.layer-row[data-layer="zones"] input[type="checkbox"]').check()
    page.keyboard.press("Escape")
    map_page.wait_until_idle()

    map_page.click_centre()

    card = page.locator('#feature-card[data-layer="zones"]')
    card.wait_for()
    assert "ზონირება" in card.text_content()
    assert page.evaluate("gisportalMap.getZoom()") == pytest.approx(13, abs=0.01)


def test_the_panel_lists_every_layer_in_two_groups(map_page, page, cities):
    map_page.open("/en/")
    panel = open_panel(page)

    rows = panel.locator(".layer-row")
    names = set(rows.evaluate_all("rows => rows.map(r => r.dataset.layer)"))
    assert names == {layer.name for layer in registry.visible_to(None) if layer.style}
    thematic = panel.locator('[data-group="thematic"] .layer-row')
    assert "zones" in thematic.evaluate_all("rows => rows.map(r => r.dataset.layer)")
    basemap = panel.get_by_role("button", name="Base map")
    assert basemap.get_attribute("aria-expanded") == "true"
    # Parcels are drawn from zoom 10: at the city's zoom there is no note, while further out the
    # panel says so and offers to go there.
    note = panel.locator('.layer-row[data-layer="parcels"] .layer-row__zoom')
    assert note.is_hidden()
    page.evaluate("gisportalMap.jumpTo({zoom: 8})")
    map_page.wait_until_idle()
    assert note.is_visible() and "10" in note.inner_text()
    note.click()
    map_page.wait_until_idle()
    assert page.evaluate("gisportalMap.getZoom()") >= 10
    assert note.is_hidden()


def test_the_panel_remembers_its_choices_after_a_reload(map_page, page, cities):
    map_page.open("/en/")
    panel = open_panel(page)
    panel.get_by_role("checkbox", name="Zoning").check()
    panel.get_by_role("checkbox", name="Cadastral parcels").uncheck()

    map_page.open("/en/")

    assert zones_visibility(page) == "visible"
    assert page.evaluate("gisportalMap.getLayoutProperty('parcels-fill', 'visibility')") == "none"
    panel = page.get_by_role("region", name="Layers")
    assert panel.is_visible()
    assert panel.get_by_role("checkbox", name="Zoning").is_checked()
    assert not panel.get_by_role("checkbox", name="Cadastral parcels").is_checked()
    # Without parcels on the map there is no hint to zoom in to see them.
    assert page.locator("#zoom-hint").is_hidden()


def test_the_panel_opens_and_closes_from_the_keyboard(map_page, page, cities):
    map_page.open("/en/")
    toggle = page.get_by_role("button", name="Layers")

    toggle.focus()
    page.keyboard.press("Enter")

    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "layers-panel-title"
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert page.get_by_role("region", name="Layers").is_hidden()
    assert page.evaluate("document.activeElement.id") == "layers-toggle"


def test_the_panel_is_a_bottom_sheet_on_a_phone(browser, live_server, cities):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, is_mobile=True
    )
    page = context.new_page()
    try:
        MapPage(page).open("/ka/")
        page.locator("#layers-toggle").click()
        box = page.locator("#layers-panel").bounding_box()
        assert box["y"] + box["height"] == pytest.approx(844, abs=2)
        assert box["width"] == pytest.approx(390, abs=2)
    finally:
        context.close()


def test_the_list_of_layers_renders_without_the_map(page, page_errors, cities):
    page.goto("/en/layers/")

    assert page.get_by_role("heading", name="Layers", level=1).is_visible()
    cards = page.locator(".layer-card")
    assert cards.count() == len(registry.visible_to(None))
    page.get_by_role("link", name="Zoning").first.click()
    page.wait_for_url("**/en/layers/zones/")
    assert page.locator(".data-table tbody tr").count() == 2
    page.locator(".data-table tbody tr").first.get_by_role("link").click()
    page.locator("#feature-map[data-state='idle']").wait_for()
    assert "Residential zone 6" in page.locator("h1").inner_text()
    assert not page_errors
