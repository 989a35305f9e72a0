"""In Chromium: what the map kit gives every map page: Enter in the map's search box, the tab
order, the parcel kept above a phone's card sheet, Shift-click in the parcel picker, and the
admin's geometry widget drawing into its text area."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.models import Role
from tests.browser.pages import MapPage, parcel_hash
from tests.core.factories import MembershipFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SCREEN_POINT = """([lon, lat]) => {
    const p = gisportalMap.project([lon, lat]);
    const r = gisportalMap.getCanvas().getBoundingClientRect();
    return [p.x + r.left, p.y + r.top];
}"""
# Where the parcel of the open card lies on the screen, and the part of the map left to see.
CARD_PARCEL_ON_SCREEN = """() => {
    const card = document.getElementById('parcel-card');
    const [lon, lat] = card.dataset.center.split(',').map(Number);
    const p = gisportalMap.project([lon, lat]);
    const canvas = gisportalMap.getCanvas().getBoundingClientRect();
    return {
        x: p.x + canvas.left, y: p.y + canvas.top,
        top: document.getElementById('search').getBoundingClientRect().bottom,
        bottom: document.getElementById('card').getBoundingClientRect().top,
        left: canvas.left, right: canvas.right,
    };
}"""


def lonlat(x: float, y: float) -> list[float]:
    point = Point(x, y, srid=settings.SRID_STORAGE)
    point.transform(settings.SRID_API)
    return [point.x, point.y]


def inside(parcel, dx: float = 5, dy: float = 5) -> list[float]:
    x0, y0, _, _ = parcel.geom.extent
    return lonlat(x0 + dx, y0 + dy)


def test_enter_in_the_search_flies_to_the_first_hit(map_page, page, page_errors, cities):
    map_page.open("/en/")
    search = page.get_by_role("combobox", name="Cadastral code or address")

    search.fill("Rustaveli")
    first = page.get_by_role("listbox", name="Search results").get_by_role("option").first
    first.wait_for()
    code = first.get_attribute("data-code")
    search.press("Enter")

    page.locator(f'#parcel-card[data-code="{code}"]').wait_for()
    map_page.wait_until_idle()
    assert page.evaluate("gisportalMap.getZoom()") >= 15
    assert code in {f["code"] for f in map_page.rendered_parcels()}
    assert re.search(r"/en/\?parcel=", page.url)
    assert not page_errors


def test_enter_before_the_results_come_waits_for_them(map_page, page, page_errors, cities):
    parcel = cities["RST"][4]
    map_page.open("/en/")

    page.locator("#search-q").fill(parcel.cadastral_code)
    page.locator("#search-q").press("Enter")

    page.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]').wait_for()
    assert map_page.selected(parcel.pk)
    assert not page_errors


def test_enter_without_results_goes_to_the_list_page(map_page, page, cities):
    map_page.open("/en/")

    page.locator("#search-q").fill("Nowhere street")
    page.get_by_text("No parcel matches this search.").wait_for()
    page.locator("#search-q").press("Enter")

    page.wait_for_url(re.compile(r"/en/parcels/\?.*q=Nowhere"))


def test_without_webgl_the_map_says_so_and_offers_the_list(page, page_errors, cities):
    page.add_init_script(
        """const getContext = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
            return /webgl/.test(kind) ? null : getContext.call(this, kind, ...rest);
        };"""
    )
    page.goto("/en/")

    page.locator("#map[data-state='failed']").wait_for()
    fallback = page.get_by_role("alert").get_by_role("link")
    assert "could not be drawn" in fallback.inner_text()
    assert fallback.get_attribute("href") == "/en/parcels/"
    assert not page_errors


def test_tab_from_the_top_reaches_the_search_before_the_map(map_page, page, cities):
    map_page.open("/en/")
    page.evaluate("document.activeElement.blur()")

    reached = None
    for _ in range(60):
        page.keyboard.press("Tab")
        reached = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (el.id === 'search-q') return 'search';
                if (el.classList.contains('maplibregl-canvas')) return 'map';
                return null;
            }"""
        )
        if reached:
            break
    assert reached == "search"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def assert_in_sight(spot):
    assert spot["left"] <= spot["x"] <= spot["right"], spot
    assert spot["top"] < spot["y"] < spot["bottom"], spot


def test_a_phone_keeps_the_picked_parcel_above_the_card_sheet(phone, cities):
    parcel = cities["BTM"][5]
    map_page = MapPage(phone).open(f"/ka/{parcel_hash(parcel)}")

    map_page.click_centre()
    phone.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]').wait_for()
    map_page.wait_until_idle()

    assert_in_sight(phone.evaluate(CARD_PARCEL_ON_SCREEN))
    # The sheet grows (a longer card): the parcel moves up with it.
    # (Its height set through the DOM: the Content-Security-Policy refuses a style attribute.)
    phone.evaluate(
        """() => {
            const filler = document.createElement('div');
            filler.style.height = '900px';
            document.getElementById('parcel-card').append(filler);
        }"""
    )
    phone.wait_for_timeout(100)  # the resize is observed on the next frame
    map_page.wait_until_idle()
    assert_in_sight(phone.evaluate(CARD_PARCEL_ON_SCREEN))
    # The sheet closes: the map stays where it was, the parcel still in sight.
    before = phone.evaluate("gisportalMap.getCenter().toArray()")
    phone.locator("[data-action='close-card']").click()
    phone.locator("#parcel-card").wait_for(state="detached")
    assert phone.evaluate("gisportalMap.getCenter().toArray()") == before


def test_a_phone_shows_a_searched_parcel_above_the_card_sheet(phone, cities):
    parcel = cities["RST"][9]
    map_page = MapPage(phone).open("/en/")

    phone.locator("#search-q").fill(parcel.cadastral_code)
    phone.locator("#search-results [role=option]").first.wait_for()
    phone.locator("#search-q").press("Enter")
    phone.locator(f'#parcel-card[data-code="{parcel.cadastral_code}"]').wait_for()
    map_page.wait_until_idle()

    assert_in_sight(phone.evaluate(CARD_PARCEL_ON_SCREEN))


def test_shift_click_adds_a_parcel_to_the_precheck_site(page, page_errors, cities):
    first, second = cities["BTM"][5], cities["BTM"][6]
    map_page = MapPage(page)
    page.goto(f"/en/permits/check/{parcel_hash(first)}")
    map_page.wait_until_idle()
    page.wait_for_function("() => !!window.precheckDraw")

    page.mouse.click(*page.evaluate(SCREEN_POINT, inside(first)))
    page.keyboard.down("Shift")
    page.mouse.click(*page.evaluate(SCREEN_POINT, inside(second)))
    page.keyboard.up("Shift")

    codes = f"{first.cadastral_code}, {second.cadastral_code}"
    page.wait_for_function(
        "(codes) => document.getElementById('id_parcels').value === codes", arg=codes
    )
    assert map_page.selected(first.pk) and map_page.selected(second.pk)
    # A plain click picks that one parcel instead.
    page.mouse.click(*page.evaluate(SCREEN_POINT, inside(first)))
    page.wait_for_function(
        "(code) => document.getElementById('id_parcels').value === code", arg=first.cadastral_code
    )
    assert not map_page.selected(second.pk)
    assert not page_errors


def test_the_admin_geometry_widget_draws_into_its_text(page, page_errors, live_server, cities):
    parcel = cities["BTM"][5]
    officer = MembershipFactory(municipality=parcel.municipality, role=Role.GIS_OFFICER).user
    client = Client()
    client.force_login(officer)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    with translation.override("en"):
        page.goto(reverse("admin:parcels_parcel_change", args=[parcel.pk]))
    widget = page.locator("[data-geometry-widget]").first
    tools = widget.locator(".geometry-widget-tools")
    tools.wait_for()
    assert tools.get_by_role("button", name="Draw a line").is_hidden()  # a parcel is an area
    page.wait_for_function(
        "() => document.querySelector('.geometry-widget-map').dataset.state === 'idle'"
    )

    # A parcel's multipolygon keeps what is drawn as one more part: cleared first, it is redrawn.
    tools.get_by_role("button", name="Clear").click()
    assert widget.locator("textarea").input_value() == ""
    tools.get_by_role("button", name="Rectangle").click()
    canvas = widget.locator(".geometry-widget-map canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(cx - 30, cy - 20)
    page.mouse.move(cx, cy)
    page.mouse.click(cx + 30, cy + 20)

    textarea = widget.locator("textarea")
    page.wait_for_function(
        "(el) => el.value.includes('\"Polygon\"')", arg=textarea.element_handle()
    )
    drawn = json.loads(textarea.input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    assert not page_errors
