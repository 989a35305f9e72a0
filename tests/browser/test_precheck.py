"""The public pre-check in a real browser: pick a parcel, draw a footprint, read the report."""

import pytest
from django.conf import settings

from permits.services import monument_save
from tests.browser.pages import MapPage, parcel_hash

pytestmark = pytest.mark.browser

SCREEN_POINT = """([lon, lat]) => {
    const p = gisportalMap.project([lon, lat]);
    const r = gisportalMap.getCanvas().getBoundingClientRect();
    return [p.x + r.left, p.y + r.top];
}"""


def lonlat(geom, x, y):
    """EPSG:4326 of a point given in the parcel's storage coordinates."""
    from django.contrib.gis.geos import Point

    point = Point(x, y, srid=settings.SRID_STORAGE)
    point.transform(settings.SRID_API)
    return [point.x, point.y]


def open_precheck(page, path: str) -> MapPage:
    map_page = MapPage(page)
    page.goto(path)
    map_page.wait_until_idle()
    page.wait_for_function("() => !!window.precheckDraw")
    return map_page


def test_a_parcel_and_a_drawn_footprint_give_the_k1_and_k2_report(page, page_errors, cities):
    parcel = cities["BTM"][5]  # 40 m × 40 m: 1,600 m² in a zone with K-1 0.5 and K-2 1.8
    x0, y0, x1, y1 = parcel.geom.extent
    monument_save(
        municipality=parcel.municipality,
        name_ka="საათის კოშკი",
        name_en="Clock tower",
        height_m=20,
        geom=parcel.geom.centroid,
    )
    open_precheck(page, f"/en/permits/check/{parcel_hash(parcel)}")

    inside = page.evaluate(SCREEN_POINT, lonlat(parcel.geom, x0 + 5, y0 + 5))
    page.mouse.click(*inside)
    page.wait_for_function(
        "(code) => document.getElementById('id_parcels').value === code", arg=parcel.cadastral_code
    )

    # A 20 m × 30 m rectangle in the parcel: 600 m² ≤ 800 m² (K-1).
    page.get_by_role("button", name="Rectangle footprint").click()
    a = page.evaluate(SCREEN_POINT, lonlat(parcel.geom, x0 + 10, y0 + 5))
    c = page.evaluate(SCREEN_POINT, lonlat(parcel.geom, x0 + 30, y0 + 35))
    page.mouse.move(*a)
    page.mouse.click(*a)
    page.mouse.move((a[0] + c[0]) / 2, (a[1] + c[1]) / 2)
    page.mouse.move(*c)
    page.mouse.click(*c)
    page.get_by_label("Floors above ground").fill("4")

    report = page.locator("#report-body")
    k1 = report.locator("[data-rule=k1]")
    k1.wait_for()
    k2 = report.locator("[data-rule=k2]")
    assert "K-1" in k1.text_content()
    assert "800" in k1.text_content()  # the limit: 0.5 × 1,600 m²
    assert "Pass" in k1.text_content()
    # 4 floors of 600 m² = 2,400 m², within 1.8 × 1,600 = 2,880 m² (K-2).
    assert "2,880" in k2.text_content()
    assert "Pass" in k2.text_content()
    heritage = report.locator("[data-kind=heritage_zone]")
    assert "Clock tower" in heritage.text_content()
    assert "Warning" in heritage.text_content()
    assert not page_errors


def test_five_floors_fail_k2_and_say_so_in_georgian(page, page_errors, cities):
    parcel = cities["BTM"][6]
    x0, y0, _, _ = parcel.geom.extent
    open_precheck(page, f"/ka/permits/check/{parcel_hash(parcel)}")

    page.mouse.click(*page.evaluate(SCREEN_POINT, lonlat(parcel.geom, x0 + 5, y0 + 5)))
    page.wait_for_function("() => document.getElementById('id_parcels').value.length > 0")
    page.locator("[data-tool=rectangle]").click()
    a = page.evaluate(SCREEN_POINT, lonlat(parcel.geom, x0 + 2, y0 + 2))
    c = page.evaluate(SCREEN_POINT, lonlat(parcel.geom, x0 + 38, y0 + 22))  # 36 × 20 = 720 m²
    page.mouse.move(*a)
    page.mouse.click(*a)
    page.mouse.move(*c)
    page.mouse.click(*c)
    page.locator("#id_floors").fill("5")

    k2 = page.locator("#report-body [data-rule=k2]")
    k2.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#report-body [data-rule=k2] .status--fail') !== null"
    )
    assert "K-2" in k2.text_content()
    assert page.locator("#report-body [data-outcome=not_compliant]").count() == 1
    assert not page_errors
