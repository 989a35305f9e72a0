"""In Chromium: the planner draws the proposed site of a boundary change on the review page's map,
the drawing fills the GeoJSON field, and the request is saved with that geometry; the applicant's
answer page shows the site now and the proposed one on a map with a legend."""

import os

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.test import Client

from cases.catalogue import catalogue_sync
from cases.services import case_document_add
from core.models import Role
from permits.models import BoundaryChangeRequest
from permits.services import (
    boundary_change_request,
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.cases.factories import applicant, pdf_file, staff

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREEN_POINT = """([lon, lat]) => {
    const p = boundaryMap.project([lon, lat]);
    const r = boundaryMap.getCanvas().getBoundingClientRect();
    return [p.x + r.left, p.y + r.top];
}"""
MAP_READY = """() => {
    const map = window.boundaryMap;
    return map && map.loaded() && map.areTilesLoaded() && !map.isMoving();
}"""


def lonlat(x: float, y: float) -> list[float]:
    point = Point(x, y, srid=settings.SRID_STORAGE)
    point.transform(settings.SRID_API)
    return [point.x, point.y]


def sign_in(page, live_server, person) -> None:
    client = Client()
    client.force_login(person)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def submitted(cities, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_NOTIFY_SYNC = True
    catalogue_sync()
    parcel = cities["BTM"][5]
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=[parcel.cadastral_code]
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    return application


def test_the_planner_draws_the_proposed_site_and_the_request_keeps_it(
    page, page_errors, live_server, submitted
):
    planner = staff(submitted.case.municipality, Role.PLANNER)
    sign_in(page, live_server, planner)
    page.goto(f"/en/permits/review/{submitted.case.reference}/")
    page.locator("#boundary-map").scroll_into_view_if_needed()
    page.wait_for_selector("#boundary-tools:not([hidden])")
    page.wait_for_function(MAP_READY)

    # The proposed site: the parcel (40 m × 40 m) made 10 m wider to the east.
    x0, y0, x1, y1 = submitted.site.extent
    corners = [(x0, y0), (x1 + 10, y0), (x1 + 10, y1), (x0, y1)]
    page.get_by_role("button", name="Draw the new site").click()
    points = [page.evaluate(SCREEN_POINT, lonlat(x, y)) for x, y in corners]
    for point in [*points, points[0]]:
        page.mouse.move(*point)
        page.mouse.click(*point)
    page.wait_for_function("() => document.getElementById('id_proposed_site').value !== ''")
    page.fill("#boundary-form [name=reason]", "The fence stands 10 m further east.")
    page.click("#boundary-form button[type=submit]")
    page.wait_for_selector("[data-boundary]")

    change = BoundaryChangeRequest.objects.get(application=submitted)
    assert change.reason == "The fence stands 10 m further east."
    expected = Polygon.from_bbox((x0, y0, x1 + 10, y1))
    expected.srid = settings.SRID_STORAGE
    # Drawn by clicking at screen pixels: the corners are within a pixel (< 0.5 m at zoom 18).
    assert abs(change.proposed_site.area - expected.area) / expected.area < 0.05
    assert change.proposed_site.sym_difference(expected).area < 0.05 * expected.area
    assert change.old_site.equals_exact(submitted.site, 0.01)
    assert page_errors == []


def test_the_planner_copies_the_site_and_the_field_gets_it(
    page, page_errors, live_server, submitted
):
    sign_in(page, live_server, staff(submitted.case.municipality, Role.PLANNER))
    page.goto(f"/en/permits/review/{submitted.case.reference}/")
    page.locator("#boundary-map").scroll_into_view_if_needed()
    page.wait_for_selector("#boundary-tools:not([hidden])")
    page.get_by_role("button", name="Start from the site now").click()
    page.wait_for_function("() => document.getElementById('id_proposed_site').value !== ''")
    value = page.input_value("#id_proposed_site")
    assert '"Polygon"' in value
    assert page_errors == []


def test_the_applicant_sees_both_sites_on_a_map_with_a_legend(
    page, page_errors, live_server, submitted
):
    x0, y0, x1, y1 = submitted.site.extent
    proposed = Polygon.from_bbox((x0, y0, x1 + 10, y1))
    proposed.srid = settings.SRID_STORAGE
    proposed.transform(settings.SRID_API)
    change = boundary_change_request(
        application=submitted,
        proposed_site=proposed.geojson,
        reason="The fence stands 10 m further east.",
        by=staff(submitted.case.municipality, Role.PLANNER),
    )
    sign_in(page, live_server, submitted.case.applicant)
    page.goto(f"/en/permits/boundary/{change.pk}/")
    page.wait_for_function(MAP_READY)
    page.wait_for_function(
        "() => boundaryMap.getSource('boundary-old') && boundaryMap.getSource('boundary-new')"
    )
    legend = page.locator(".boundary-legend").inner_text()
    assert "The site now" in legend and "The proposed site" in legend
    drawn = page.evaluate(
        """() => ['boundary-old-line', 'boundary-new-line'].map(
            (id) => boundaryMap.queryRenderedFeatures({layers: [id]}).length)"""
    )
    assert all(drawn), drawn
    assert page_errors == []
