"""axe-core finds no WCAG 2.2 AA violation on the portal's pages, in Georgian and English, at
desktop and phone widths; and the keyboard reaches the search before the map."""

import pytest
from django.test import Client

from core.models import Role
from tests.browser.axe import axe_violations, describe
from tests.cases.factories import staff

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("ka", "en")


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture(params=LANGUAGES)
def language(request):
    return request.param


@pytest.fixture
def screen(browser, live_server, viewport, page_errors):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], base_url=live_server.url, bypass_csp=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    context.close()


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{describe(violations)}"


@pytest.mark.parametrize(
    "path",
    ["layers/", "layers/parcels/", "parcels/?q=05.24", "accounts/login/", "accounts/signup/"],
)
def test_public_pages_have_no_violations(screen, cities, language, path):
    screen.goto(f"/{language}/{path}")
    assert_accessible(screen)


def test_the_work_queue_has_no_violations(screen, cities, live_server, language):
    sign_in(screen, live_server, staff(cities["BTM"][0].municipality, Role.PLANNER))
    screen.goto(f"/{language}/cases/queue/")
    assert_accessible(screen)


@pytest.mark.parametrize("path", ["", "permits/check/"])
def test_the_map_pages_have_no_violations(screen, cities, language, path):
    screen.goto(f"/{language}/{path}")
    screen.wait_for_selector("#map:not([data-state='loading']), .precheck__map-wrap")
    assert_accessible(screen)


@pytest.mark.parametrize("path", ["notifications/", "follows/", "cases/mine/"])
def test_a_citizen_s_own_pages_have_no_violations(screen, cities, live_server, language, path):
    from tests.cases.factories import applicant

    sign_in(screen, live_server, applicant())
    screen.goto(f"/{language}/{path}")
    assert_accessible(screen)


def test_the_keyboard_reaches_the_search_before_the_map(screen, cities):
    screen.goto("/en/")
    reached = []
    for _ in range(30):
        screen.keyboard.press("Tab")
        reached.append(
            screen.evaluate(
                "() => document.activeElement.closest('#map') ? 'map'"
                " : document.activeElement.id || document.activeElement.tagName"
            )
        )
        if reached[-1] == "search-q":
            break
    assert "search-q" in reached, reached
    assert "map" not in reached, reached


def test_the_parcel_card_has_no_violations(screen, cities, language):
    code = cities["BTM"][0].cadastral_code
    screen.goto(f"/{language}/?parcel={code}")
    screen.wait_for_selector(f"[data-code='{code}']")
    assert_accessible(screen)


@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_the_application_steps_and_the_case_have_no_violations(
    screen, cities, live_server, language, step, settings, tmp_path
):
    from cases.catalogue import catalogue_sync
    from permits.services import permit_application_start
    from tests.cases.factories import applicant

    settings.MEDIA_ROOT = tmp_path
    catalogue_sync()
    person = applicant()
    parcel = cities["BTM"][0]
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=[parcel.cadastral_code]
    )
    sign_in(screen, live_server, person)
    reference = application.case.reference
    screen.goto(f"/{language}/permits/apply/{reference}/{step}/")
    assert_accessible(screen)
    if step == 1:
        screen.goto(f"/{language}/cases/{reference}/")
        assert_accessible(screen)
