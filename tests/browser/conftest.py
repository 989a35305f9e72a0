"""Playwright driving Debian's Chromium against pytest-django's live server.

The map draws with WebGL; headless Chromium has no GPU, so it renders with SwiftShader.
Tests wait for what the page's script reports (the map's `data-state`, the card appearing),
never for a fixed time.
"""

import datetime
import os
import shutil

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, MultiLineString, Point

from core.models import District, Municipality
from parcels.models import LandUse, Parcel, Street, Zone
from tests.browser.csp import CspWatch, WatchedBrowser
from tests.browser.pages import MapPage
from tests.conftest import multi, square

# The live server runs in a thread of the test process, whose event loop Playwright owns.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("GISPORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Software WebGL, so that MapLibre can draw without a GPU.
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    # Nothing may leave the machine: every host name but the live server's fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield WatchedBrowser(browser, CspWatch())
        browser.close()


@pytest.fixture(autouse=True)
def csp_violations(request):
    """The Content-Security-Policy violations of the test's pages; a test that opens a browser
    fails on any (pytest_runtest_call below)."""
    if "browser" not in request.fixturenames:
        yield []
        return
    watch = request.getfixturevalue("browser").csp
    watch.start()
    yield watch.found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    browser = item.funcargs.get("browser")
    if isinstance(browser, WatchedBrowser):
        violations = browser.csp.violations()
        assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
    return result


@pytest.fixture
def page_errors():
    return []


@pytest.fixture
def page(browser, live_server, page_errors):
    context = browser.new_context(
        viewport={"width": 1100, "height": 720}, base_url=live_server.url, locale="ka-GE"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def map_page(page) -> MapPage:
    return MapPage(page)


# Data: a corner of Batumi and of Rustavi at their real places, drawn in EPSG:32638 ----------

BATUMI_CENTRE = (41.6367, 41.6423)
RUSTAVI_CENTRE = (45.0, 41.55)


def utm(lon: float, lat: float) -> Point:
    point = Point(lon, lat, srid=settings.SRID_API)
    point.transform(settings.SRID_STORAGE)
    return point


def build_city(code, name_ka, name_en, centre, code_prefix, street_ka, street_en):
    c = utm(*centre)
    boundary = multi(square(c.x - 3000, c.y - 3000, 6000))
    municipality = Municipality.objects.create(
        code=code,
        name_ka=name_ka,
        name_en=name_en,
        boundary=boundary,
        center_lon=centre[0],
        center_lat=centre[1],
        default_zoom=14,
    )
    District.objects.create(
        municipality=municipality,
        code="centre",
        name_ka="ცენტრი",
        name_en="Centre",
        boundary=multi(square(c.x - 1500, c.y - 1500, 3000)),
    )
    zone = Zone.objects.create(
        municipality=municipality,
        code="SZ-6",
        name_ka="საცხოვრებელი ზონა 6",
        name_en="Residential zone 6",
        k1="0.50",
        k2="1.80",
        k3="0.30",
        max_height_m="25.0",
        geom=multi(square(c.x - 500, c.y - 500, 1000)),
    )
    Street.objects.create(
        municipality=municipality,
        name_ka=street_ka,
        name_en=street_en,
        kind=Street.Kind.PRIMARY,
        geom=MultiLineString(
            LineString((c.x - 1000, c.y - 30), (c.x + 1000, c.y - 30)), srid=settings.SRID_STORAGE
        ),
    )
    parcels = []
    # A 4 × 4 grid of 40 m parcels with 4 m gaps, the centre of the city at a parcel corner.
    for i in range(4):
        for j in range(4):
            x, y = c.x - 88 + i * 44, c.y - 88 + j * 44
            geom = multi(square(x, y, 40))
            n = i * 4 + j + 1
            parcels.append(
                Parcel.objects.create(
                    cadastral_code=f"{code_prefix}.{n:03d}",
                    municipality=municipality,
                    geom=geom,
                    area_m2=geom.area,
                    land_use=LandUse.RESIDENTIAL if n % 3 else LandUse.COMMERCIAL,
                    address_ka=f"{street_ka} {n}",
                    address_en=f"{street_en} {n}",
                    zone=zone,
                    is_municipal_property=n % 5 == 0,
                    valid_from=datetime.date(2024, 1, 1),
                )
            )
    return municipality, parcels


@pytest.fixture
def cities(transactional_db):
    batumi, batumi_parcels = build_city(
        "BTM", "ბათუმი", "Batumi", BATUMI_CENTRE, "05.24.11", "რუსთაველის ქ.", "Rustaveli St."
    )
    rustavi, rustavi_parcels = build_city(
        "RST", "რუსთავი", "Rustavi", RUSTAVI_CENTRE, "02.07.03", "კოსტავას გამზ.", "Kostava Ave."
    )
    return {"BTM": batumi_parcels, "RST": rustavi_parcels}
