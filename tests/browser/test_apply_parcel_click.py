"""In Chromium: step 2 of the application picks the site's parcels by clicking them on the map;
the codes go into the list field, and saving the step stores those parcels as the site."""

import os

from django.conf import settings
from django.contrib.gis.geos import Point
from django.test import Client

from cases.catalogue import catalogue_sync
from permits.services import permit_application_start
from tests.cases.factories import applicant

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREEN_POINT = """([lon, lat]) => {
    const p = gisportalMap.project([lon, lat]);
    const r = gisportalMap.getCanvas().getBoundingClientRect();
    return [p.x + r.left, p.y + r.top];
}"""
MAP_READY = """() => {
    const map = window.gisportalMap;
    return map && map.loaded() && map.areTilesLoaded() && !map.isMoving()
        && map.queryRenderedFeatures({layers: ['parcels-fill']}).length > 0;
}"""
SELECTED = """(id) => !!gisportalMap.getFeatureState(
    {source: 'parcels', sourceLayer: 'parcels', id: id}).selected"""


def inside(parcel) -> list[float]:
    point = Point(*parcel.geom.point_on_surface.coords, srid=settings.SRID_STORAGE)
    point.transform(settings.SRID_API)
    return [point.x, point.y]


def sign_in(page, live_server, person) -> None:
    client = Client()
    client.force_login(person)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_applicant_clicks_parcels_and_the_step_saves_them(
    page, page_errors, live_server, cities, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    catalogue_sync()
    first, second = cities["BTM"][5], cities["BTM"][6]
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", municipality=first.municipality
    )
    sign_in(page, live_server, person)
    page.goto(f"/en/permits/apply/{application.case.reference}/2/")
    page.wait_for_function(MAP_READY)

    page.mouse.click(*page.evaluate(SCREEN_POINT, inside(first)))
    page.wait_for_function(
        "(code) => document.querySelector('[name=parcel_codes]').value === code",
        arg=first.cadastral_code,
    )
    assert page.evaluate(SELECTED, first.pk)  # outlined on the map
    page.mouse.click(*page.evaluate(SCREEN_POINT, inside(second)))
    expected = f"{first.cadastral_code}, {second.cadastral_code}"
    page.wait_for_function(
        "(codes) => document.querySelector('[name=parcel_codes]').value === codes", arg=expected
    )

    page.click("#apply-form button[type=submit]")
    page.wait_for_url("**/3/")
    application.refresh_from_db()
    saved = sorted(application.parcels.values_list("cadastral_code", flat=True))
    assert saved == sorted([first.cadastral_code, second.cadastral_code])
    assert abs(application.site.area - first.geom.area - second.geom.area) < 1
    assert page_errors == []


def test_a_second_click_on_a_parcel_takes_it_out_again(
    page, page_errors, live_server, cities, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    catalogue_sync()
    parcel = cities["BTM"][5]
    person = applicant()
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", municipality=parcel.municipality
    )
    sign_in(page, live_server, person)
    page.goto(f"/en/permits/apply/{application.case.reference}/2/")
    page.wait_for_function(MAP_READY)
    point = page.evaluate(SCREEN_POINT, inside(parcel))
    page.mouse.click(*point)
    page.wait_for_function(
        "(code) => document.querySelector('[name=parcel_codes]').value === code",
        arg=parcel.cadastral_code,
    )
    page.mouse.click(*point)
    page.wait_for_function("() => document.querySelector('[name=parcel_codes]').value === ''")
    assert not page.evaluate(SELECTED, parcel.pk)
    assert page_errors == []
