"""In Chromium, under the portal's Content-Security-Policy: every main page, for the public, an
applicant and staff, loads without one violation, and its maps are drawn (MapLibre's worker,
tiles and images are allowed; nothing inline is). The fixture in conftest.py fails any browser
test on a violation; these tests walk the pages that the others do not reach."""

import json
import os

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.catalogue import catalogue_sync
from cases.services import case_document_add
from core.models import Role
from datasets.services import dataset_publish, dataset_upload
from permits.services import (
    permit_application_start,
    permit_application_submit,
    permit_application_update,
)
from tests.browser.pages import MapPage, parcel_hash
from tests.cases.factories import applicant, pdf_file, staff

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.browser

MAPS_DRAWN = """(count) => {
    const maps = [...document.querySelectorAll('.maplibregl-map')];
    return maps.length >= count && maps.every((m) => m.dataset.state === 'idle');
}"""
FAILED_MAPS = "() => document.querySelectorAll('.maplibregl-map[data-state=failed]').length"


def sign_in(page, live_server, person) -> None:
    client = Client()
    client.force_login(person)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def visit(
    page, browser, path: str, *, maps: int = 0, ready: str | None = None, status: int = 200
) -> None:
    """Open the page, wait until every map on it is drawn (at least `maps` of them) and `ready`
    is there, and find no violation of the policy on the way."""
    response = page.goto(path)
    assert response.status == status, f"{path}: {response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Module scripts have run by the load event: the maps they make are in the page.
    found = page.locator(".maplibregl-map").count()
    assert found >= maps, f"{path}: {found} maps"
    if found:
        page.wait_for_function(MAPS_DRAWN, arg=found)
        assert page.evaluate(FAILED_MAPS) == 0, f"{path}: a map could not be drawn"
    if ready:
        page.locator(ready).first.wait_for()
    violations = browser.csp.violations()
    assert not violations, f"{path}:\n" + "\n".join(violations)


@pytest.fixture
def applications(cities, settings, tmp_path):
    """A draft application of one applicant and a submitted one of another, in Batumi."""
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_NOTIFY_SYNC = settings.NOTIFY_SYNC = True
    catalogue_sync()
    draft_parcel, submitted_parcel = cities["BTM"][5], cities["BTM"][6]
    person = applicant()
    draft = permit_application_start(
        applicant=person,
        stage="merged",
        building_class="II",
        parcel_codes=[draft_parcel.cadastral_code],
    )
    other = applicant()
    submitted = permit_application_start(
        applicant=other,
        stage="merged",
        building_class="II",
        parcel_codes=[submitted_parcel.cadastral_code],
    )
    permit_application_update(application=submitted, by=other, footprint_area_m2=80, floors=2)
    for kind in submitted.case.service.document_types.filter(required=True):
        case_document_add(case=submitted.case, doc_type=kind.code, file=pdf_file(), by=other)
    permit_application_submit(application=submitted, by=other)
    return {"draft": draft, "submitted": submitted}


@pytest.fixture
def dataset(cities):
    """A published point layer that a GIS officer of Batumi uploaded."""
    municipality = cities["BTM"][0].municipality
    officer = staff(municipality, Role.GIS_OFFICER)
    centre = Point(*cities["BTM"][5].geom.centroid.coords, srid=settings.SRID_STORAGE)
    centre.transform(settings.SRID_API)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [centre.x + i * 1e-4, centre.y]},
            "properties": {"name": f"Well {i}"},
        }
        for i in range(3)
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    version = dataset_upload(
        user=officer,
        municipality=municipality,
        name="wells",
        title_ka="ჭები",
        title_en="Wells",
        fileobj=SimpleUploadedFile("wells.geojson", body),
        file_name="wells.geojson",
    )
    dataset_publish(user=officer, dataset=version.dataset)
    return officer


def test_the_public_pages_keep_to_the_policy(page, browser, cities):
    parcel = cities["BTM"][5]
    code = parcel.cadastral_code

    # The map, and a parcel's card opened by a click on it.
    map_page = MapPage(page)
    visit(page, browser, f"/en/{parcel_hash(parcel)}", maps=1)
    map_page.wait_until_idle()
    assert code in {f["code"] for f in map_page.rendered_parcels()}
    map_page.click_centre()
    page.locator(f'#parcel-card[data-code="{code}"]').wait_for()
    assert not browser.csp.violations()

    visit(page, browser, f"/ka/parcels/{code}/", maps=1)
    visit(page, browser, "/en/parcels/?q=05.24", ready="main")
    visit(page, browser, f"/en/permits/check/{parcel_hash(parcel)}", maps=1)
    visit(page, browser, "/en/layers/", ready="main")
    visit(page, browser, "/en/layers/parcels/", ready="main table")
    visit(page, browser, f"/en/layers/parcels/{parcel.pk}/", maps=1)
    visit(page, browser, "/ogcapi/?f=html", ready="main")
    visit(page, browser, "/ogcapi/collections/parcels/items?f=html&limit=3", ready="main table")
    visit(page, browser, "/en/accounts/login/", ready="form [name=login]")
    visit(page, browser, "/en/accounts/signup/", ready="form [name=email]")
    visit(page, browser, "/en/cases/verify/", ready="main")
    visit(page, browser, "/api/v1/docs/", ready="#swagger-ui .information-container")
    # The REST API's browsable pages (Django REST framework's own templates).
    visit(page, browser, f"/api/v1/parcels/{code}/", ready=".response-info")
    visit(page, browser, "/en/no-such-page/", ready="main", status=404)


def test_an_applicant_s_pages_keep_to_the_policy(page, browser, live_server, applications):
    draft = applications["draft"]
    reference = draft.case.reference
    sign_in(page, live_server, draft.case.applicant)

    visit(page, browser, "/en/permits/apply/", ready="main form")
    for step in (1, 2, 3, 4, 5):
        visit(page, browser, f"/en/permits/apply/{reference}/{step}/", ready="main")
    visit(page, browser, f"/en/cases/{reference}/", ready="main")
    visit(page, browser, "/en/cases/mine/", ready="main")
    visit(page, browser, "/en/notifications/", ready="main")
    visit(page, browser, "/en/notifications/preferences/", ready="main form")
    visit(page, browser, "/en/follows/", maps=1)


def test_the_staff_pages_keep_to_the_policy(page, browser, live_server, applications, dataset):
    submitted = applications["submitted"]
    reference = submitted.case.reference
    municipality = submitted.case.municipality

    sign_in(page, live_server, staff(municipality, Role.PLANNER))
    visit(page, browser, "/en/cases/queue/", ready="main")
    visit(page, browser, f"/en/cases/{reference}/", ready="main")
    visit(page, browser, f"/en/permits/review/{reference}/", maps=1)
    # The second factor's pages (allauth's MFA): the QR code is an image from a data: URL.
    visit(page, browser, "/en/accounts/2fa/", ready="main")
    visit(page, browser, "/en/accounts/2fa/totp/activate/", ready="main img")

    sign_in(page, live_server, dataset)  # the GIS officer who published "wells"
    visit(page, browser, "/en/datasets/", ready="main")
    visit(page, browser, "/en/datasets/upload/", ready="main form")
    visit(page, browser, "/en/datasets/wells/", ready="main")
    visit(page, browser, "/en/datasets/wells/metadata/", ready="main form")
    visit(page, browser, "/en/datasets/wells/style/", ready="#style-preview")
    # The preview follows the form: its script is a file of its own now.
    page.fill("[name=line_color]", "#123456")
    page.wait_for_function(
        "() => document.getElementById('preview-shape').getAttribute('stroke') === '#123456'"
    )
    visit(page, browser, "/en/layers/wells/", ready="main table")

    parcel_id = applications["draft"].parcels.first().pk
    visit(page, browser, "/en/admin/", ready="#content")
    visit(page, browser, "/en/admin/parcels/parcel/", ready="#changelist")
    visit(page, browser, f"/en/admin/parcels/parcel/{parcel_id}/change/", maps=1)
    visit(page, browser, "/en/admin/parcels/parcel/add/", maps=1)


def test_a_violation_is_caught(page, browser, cities):
    visit(page, browser, "/en/layers/", ready="main")

    page.evaluate(
        """() => {
            document.head.insertAdjacentHTML('beforeend', '<style>main { color: red; }</style>');
            document.body.insertAdjacentHTML('beforeend', '<p style="color: red">x</p>');
        }"""
    )

    page.wait_for_function("() => (window.__gisportalCsp || []).length >= 2")
    found = browser.csp.take()
    assert any("style-src-elem" in text for text in found)
    assert any("style-src-attr" in text for text in found)


def test_the_browsable_api_allows_drf_s_own_style_attributes_only(page, browser, cities):
    visit(
        page, browser, f"/api/v1/parcels/{cities['BTM'][5].cadastral_code}/", ready=".response-info"
    )

    page.evaluate(
        """() => document.body.insertAdjacentHTML('beforeend',
            '<p id="drf" style="float: right">DRF</p><p id="other" style="float: left">x</p>')"""
    )

    page.wait_for_function("() => (window.__gisportalCsp || []).length >= 1")
    assert page.evaluate("() => getComputedStyle(document.getElementById('drf')).float") == "right"
    assert page.evaluate("() => getComputedStyle(document.getElementById('other')).float") == "none"
    found = browser.csp.take()
    assert len([text for text in found if text.startswith("style-src-attr")]) == 1
