"""The page shell on every page: the header's navigation from the module registry, the language
switch that keeps the page, the city list, and the menu that folds on phones."""

import re

import pytest
from django.contrib.auth import get_user_model

from core.models import Role
from tests.cases.factories import draft_case, service_with_documents, staff, submitted_case

pytestmark = pytest.mark.django_db

LANGUAGE_LINK = re.compile(r'<a class="lang-switch__item" href="([^"]+)" hreflang="(ka|en)"')


def language_links(html: str) -> dict[str, str]:
    return {code: href for href, code in LANGUAGE_LINK.findall(html)}


def test_city_switch_links_to_each_municipality_centre(client, batumi):
    html = client.get("/en/").content.decode()

    assert 'href="/en/#12.5/41.64000/41.64000" data-city="BTM"' in html


def test_language_switch_keeps_the_page_and_its_query(client, parcels):
    html = client.get("/ka/parcels/?q=05.24").content.decode()

    assert 'href="/en/parcels/?q=05.24"' in html
    assert 'href="/ka/parcels/?q=05.24"' in html


def test_anonymous_visitor_is_offered_to_sign_in(client):
    html = client.get("/ka/").content.decode()

    assert 'href="/ka/accounts/login/?next=/ka/"' in html


def test_signed_in_staff_sees_e_mail_sign_out_and_administration(client):
    user = get_user_model().objects.create_user(
        "planner", email="planner@batumi.example", password="x", is_staff=True
    )
    client.force_login(user)

    html = client.get("/en/").content.decode()

    assert "planner@batumi.example" in html
    assert 'action="/en/accounts/logout/"' in html
    assert 'href="/en/admin/"' in html


def test_signed_in_citizen_sees_no_administration_link(client):
    user = get_user_model().objects.create_user("citizen", email="c@example.com", password="x")
    client.force_login(user)

    assert 'href="/en/admin/"' not in client.get("/en/").content.decode()


@pytest.fixture
def case(batumi):
    return submitted_case(service=service_with_documents(), municipality=batumi)


def test_every_kind_of_page_has_the_language_switch_to_the_same_page(client, parcels, case):
    client.force_login(case.applicant)
    for path in (
        "/en/",
        "/en/parcels/?q=05.24",
        "/en/parcels/05.24.11.005/",
        "/en/layers/",
        "/en/layers/parcels/",
        f"/en/cases/{case.reference}/",
        "/en/cases/mine/",
        "/en/cases/verify/",
        "/en/permits/check/",
        "/en/permits/apply/",
        "/en/accounts/email/",
        "/en/no-such-page/",
    ):
        response = client.get(path)
        assert language_links(response.text) == {
            "ka": "/ka/" + path.removeprefix("/en/"),
            "en": path,
        }, path


def test_the_sign_in_page_has_the_switch_and_the_navigation(client, batumi):
    html = client.get("/ka/accounts/login/").text
    assert language_links(html)["en"] == "/en/accounts/login/"
    assert 'href="/ka/layers/"' in html and 'href="/ka/parcels/"' in html


def test_the_header_links_come_from_the_modules_of_the_audience(client, batumi):
    anonymous = client.get("/en/layers/").text
    for href in ("/en/layers/", "/en/permits/check/", "/en/parcels/"):
        assert f'href="{href}"' in anonymous
    assert 'href="/en/cases/mine/"' not in anonymous
    assert 'href="/en/cases/queue/"' not in anonymous

    client.force_login(get_user_model().objects.create_user("citizen", "c@example.com", "x"))
    citizen = client.get("/en/layers/").text
    assert 'href="/en/cases/mine/"' in citizen
    assert 'href="/en/cases/queue/"' not in citizen and 'href="/en/datasets/"' not in citizen


def test_staff_see_the_links_of_their_roles_only(client, batumi):
    client.force_login(staff(batumi, Role.PLANNER))
    planner = client.get("/en/layers/").text
    assert 'href="/en/cases/queue/"' in planner and 'href="/en/datasets/"' not in planner

    client.force_login(staff(batumi, Role.GIS_OFFICER))
    gis_officer = client.get("/en/layers/").text
    assert 'href="/en/datasets/"' in gis_officer and 'href="/en/cases/queue/"' not in gis_officer


def test_the_current_page_is_marked_in_the_navigation(client, batumi):
    html = client.get("/en/layers/").text
    assert re.search(r'href="/en/layers/"\s+aria-current="page"', html)
    assert not re.search(r'href="/en/parcels/"\s+aria-current="page"', html)


def test_the_navigation_folds_behind_a_menu_button(client, batumi):
    html = client.get("/en/layers/").text
    assert 'aria-controls="site-menu"' in html and 'id="site-menu"' in html
    assert "/static/core/shell.js" in html


def test_the_footer_links_the_pages_kept_out_of_the_header(client, batumi):
    html = client.get("/en/layers/").text
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/en/cases/verify/"' in footer and 'href="/api/v1/docs/"' in footer


def test_a_draft_is_linked_from_the_case_page_to_its_next_step(client, batumi):
    draft = draft_case(service=service_with_documents(), municipality=batumi)
    client.force_login(draft.applicant)
    html = client.get(f"/en/cases/{draft.reference}/").text
    assert f'href="/en/permits/apply/{draft.reference}/1/"' in html
