"""Failed sign-ins lock the account for a while, counted in the shared cache; the limits per
address are generous; a spent limit answers the portal's 429 page, or JSON, with Retry-After."""

import pytest
from django.db import connection
from django.http import JsonResponse
from django.test import RequestFactory

from core.lockout import RateLimitPageMiddleware
from tests.core.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"


@pytest.fixture
def lockout(settings):
    """Three failures lock an account for ten minutes."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "60/m/ip,3/600s/key",
    }


def fail(client, email, **extra):
    return client.post(LOGIN, {"login": email, "password": "not the password"}, **extra)


def test_an_account_locks_after_its_failures(client, lockout):
    user = UserFactory(email="ana@example.ge")
    for _ in range(3):
        response = fail(client, user.email)
        assert response.status_code == 200
        assert response.context["form"].errors

    response = fail(client, user.email)
    assert response.status_code == 429
    assert 590 <= int(response["Retry-After"]) <= 600

    # Locked: the right password is not even tried.
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert client.session.get("_auth_user_id") is None


def test_the_lock_page_wears_the_portal_shell_and_says_how_long(client, lockout):
    for _ in range(4):
        response = fail(client, "ana@example.ge")

    html = response.text
    assert response["Content-Type"].startswith("text/html")
    assert 'class="skip-link"' in html
    assert "Too many attempts" in html
    assert "try again in 10 minutes" in html


def test_the_lock_page_is_translated(client, lockout):
    for _ in range(4):
        response = client.post(
            "/ka/accounts/login/", {"login": "ana@example.ge", "password": "not the password"}
        )

    assert response.status_code == 429
    assert response.headers["Content-Language"] == "ka"
    assert 'lang="ka"' in response.text


def test_an_api_client_gets_json(client, lockout):
    for _ in range(4):
        response = fail(client, "ana@example.ge", HTTP_ACCEPT="application/json")

    assert response.status_code == 429
    assert response["Retry-After"]
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["detail"]


def test_the_lock_is_per_account(client, lockout):
    UserFactory(email="ana@example.ge")
    nino = UserFactory(email="nino@example.ge")
    for _ in range(4):
        fail(client, "ana@example.ge")

    response = client.post(LOGIN, {"login": nino.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(nino.pk)


def test_the_letter_case_of_the_address_does_not_reset_the_count(client, lockout):
    for login in ("ana@example.ge", "ANA@example.ge", "Ana@Example.GE"):
        fail(client, login)

    assert fail(client, "aNa@example.ge").status_code == 429


def test_a_sign_in_clears_nothing_an_attacker_could_use(client, lockout):
    """Signing in between guesses does not reset the count (allauth rolls back only its own)."""
    user = UserFactory(email="ana@example.ge")
    fail(client, user.email)
    fail(client, user.email)
    client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    client.post("/en/accounts/logout/")

    assert fail(client, user.email).status_code == 200
    assert fail(client, user.email).status_code == 429


def test_one_office_behind_one_address_is_not_locked_out_by_typing_errors(client):
    """Thirty people behind one NAT each mistype their password once; nobody is refused."""
    for n in range(30):
        assert fail(client, f"person{n}@example.ge").status_code == 200
    user = UserFactory(email="last@example.ge")

    assert client.post(LOGIN, {"login": user.email, "password": PASSWORD}).status_code == 302


def test_an_address_limit_answers_the_page_with_retry_after(client, settings):
    """allauth's own per-address limit on the sign-in form (here one a minute)."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    fail(client, "ana@example.ge")

    response = fail(client, "nino@example.ge")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many attempts" in response.text


def test_the_counters_are_kept_in_the_database(client, lockout):
    fail(client, "ana@example.ge")

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM gisportal_cache WHERE cache_key LIKE %s", ["%:rl:%"])
        assert cursor.fetchone()[0] >= 2  # per address and per account


def test_json_429_of_the_api_is_left_as_it_is():
    """The export queue's own 429 (JSON, no Retry-After) is not replaced by the page."""
    answer = JsonResponse({"detail": "Too many exports waiting."}, status=429)
    middleware = RateLimitPageMiddleware(lambda request: answer)

    assert middleware(RequestFactory().get("/api/v1/layers/parcels/export.csv")) is answer
