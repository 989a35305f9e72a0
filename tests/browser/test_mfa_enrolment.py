"""In Chromium: a staff member signs in for the first time, is held at the set-up of an
authenticator app, scans (here: reads) its secret, confirms a code, and signs in with a code
from then on."""

import pytest
from django.core.cache import cache

from tests.core.factories import PASSWORD, UserFactory
from tests.core.second_factor import totp_code


@pytest.fixture
def officer(transactional_db):
    yield UserFactory(email="officer@batumi.example.ge", is_staff=True)
    cache.clear()  # the live server's counters and used codes, committed to the shared cache


def sign_in_with_password(page, email: str) -> None:
    page.goto("/en/accounts/login/?next=/en/admin/")
    page.fill("[name=login]", email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form [type=submit]").last.click()


def test_a_staff_member_sets_up_an_app_and_signs_in_with_it(page, officer, page_errors):
    sign_in_with_password(page, officer.email)

    # Held at the set-up: the admin they asked for is not reached.
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    page.goto("/en/admin/")
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.locator("main img[src^='data:image/svg+xml']").is_visible()  # the QR code
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("[name=code]", totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert page.locator("main").get_by_text("Recovery Codes").first.is_visible()
    page.goto("/en/admin/")
    page.wait_for_url("**/en/admin/")
    assert page.locator("#site-name").is_visible()

    page.goto("/en/accounts/logout/")
    page.locator("main form [type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/logout/" not in url)

    sign_in_with_password(page, officer.email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("[name=code]", totp_code(secret))
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url("**/en/admin/")
    assert page.locator("#site-name").is_visible()
    assert page_errors == []
