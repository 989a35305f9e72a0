"""Staff sign in with a second factor (an authenticator app, or a recovery code once); staff
without one reach nothing but its set-up; citizens are never asked."""

import pytest
from allauth.mfa.models import Authenticator

from core.models import Membership, Role
from tests.core.factories import PASSWORD, MembershipFactory, UserFactory
from tests.core.second_factor import (
    ACTIVATE,
    AUTHENTICATE,
    LOGIN,
    REAUTHENTICATE,
    enrol,
    has_authenticator_app,
    second_factor_in_session,
    secret_on_page,
    totp_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(batumi):
    user = UserFactory(email="officer@batumi.example.ge")
    MembershipFactory(user=user, municipality=batumi, role=Role.PLANNER)
    return user


@pytest.fixture
def empty_shared_cache():
    """A test with real commits leaves its counters in the shared cache: they go with it."""
    from django.core.cache import cache

    yield
    cache.clear()


def sign_in_with_password(client, user, next_url="/en/admin/"):
    return client.post(
        f"{LOGIN}?next={next_url}", {"login": user.email, "password": PASSWORD, "next": next_url}
    )


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


# Staff with an authenticator app --------------------------------------------------------------


def test_staff_with_an_app_are_asked_for_its_code_after_the_password(client, officer):
    secret, _ = enrol(officer)

    response = sign_in_with_password(client, officer)
    assert response.status_code == 302 and response["Location"] == AUTHENTICATE
    assert signed_in_user_id(client) is None

    response = client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/en/admin/"
    assert signed_in_user_id(client) == str(officer.pk)
    assert second_factor_in_session(client)
    assert client.get("/en/admin/").status_code == 200


def test_a_wrong_code_does_not_sign_in(client, officer):
    secret, _ = enrol(officer)
    sign_in_with_password(client, officer)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(AUTHENTICATE, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user_id(client) is None


def test_a_code_is_taken_only_once(client, officer):
    secret, _ = enrol(officer)
    code = totp_code(secret)
    sign_in_with_password(client, officer)
    client.post(AUTHENTICATE, {"code": code})
    client.post("/en/accounts/logout/")

    sign_in_with_password(client, officer)
    response = client.post(AUTHENTICATE, {"code": code})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_a_recovery_code_signs_in_once(client, officer):
    _, recovery_codes = enrol(officer)

    sign_in_with_password(client, officer)
    response = client.post(AUTHENTICATE, {"code": recovery_codes[0]})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(officer.pk)
    assert client.get("/en/admin/").status_code == 200
    client.post("/en/accounts/logout/")

    sign_in_with_password(client, officer)
    response = client.post(AUTHENTICATE, {"code": recovery_codes[0]})
    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    response = client.post(AUTHENTICATE, {"code": recovery_codes[1]})
    assert signed_in_user_id(client) == str(officer.pk)


def test_staff_cannot_remove_their_app(client, officer):
    secret, _ = enrol(officer)
    sign_in_with_password(client, officer)
    client.post(AUTHENTICATE, {"code": totp_code(secret)})

    response = client.post("/en/accounts/2fa/totp/deactivate/")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert has_authenticator_app(officer)


def test_a_staff_session_without_the_code_is_asked_for_it(client, officer):
    """A session signed in some other way (here, Django's login alone) has no second factor."""
    secret, _ = enrol(officer)
    client._login(officer, "django.contrib.auth.backends.ModelBackend")

    response = client.get("/en/admin/")
    assert response.status_code == 302 and response["Location"] == REAUTHENTICATE

    response = client.post(REAUTHENTICATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/en/admin/").status_code == 200


def test_the_secret_is_kept_encrypted_and_survives_a_key_rotation(client, officer, settings):
    secret, _ = enrol(officer)
    stored = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new key of the installation, at least fifty characters long"
    sign_in_with_password(client, officer)
    client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert signed_in_user_id(client) == str(officer.pk)


# Staff without one ----------------------------------------------------------------------------


def test_staff_without_an_app_are_sent_to_set_it_up(client, officer):
    response = sign_in_with_password(client, officer)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(officer.pk)

    response = client.get("/en/admin/")
    assert response.status_code == 302 and response["Location"] == ACTIVATE


@pytest.mark.parametrize(
    "path",
    ["/en/", "/en/admin/", "/en/admin/core/membership/", "/en/cases/queue/", "/en/notifications/"],
)
def test_staff_without_an_app_reach_no_page(client, officer, path):
    sign_in_with_password(client, officer)

    response = client.get(path)

    assert response.status_code == 302 and response["Location"] == ACTIVATE


@pytest.mark.parametrize(
    "path", ["/api/v1/cases/", "/api/v1/parcels/05.24.11.005/", "/ogcapi/collections"]
)
def test_staff_without_an_app_reach_no_api(client, officer, path):
    sign_in_with_password(client, officer)

    response = client.get(path)

    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert response.json()["detail"]


def test_a_form_post_without_the_second_factor_is_refused(client, officer, batumi):
    sign_in_with_password(client, officer)

    response = client.post(f"/en/admin/core/municipality/{batumi.pk}/change/", {"name_en": "X"})

    assert response.status_code == 302 and response["Location"] == ACTIVATE
    batumi.refresh_from_db()
    assert batumi.name_en == "Batumi"


@pytest.mark.django_db(transaction=True)
def test_setting_the_app_up_opens_the_portal(client, officer, empty_shared_cache):
    """With real commits: allauth announces the new app once its transaction has committed."""
    sign_in_with_password(client, officer)
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = secret_on_page(page.text)

    response = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/recovery-codes/"
    assert has_authenticator_app(officer)
    assert Authenticator.objects.filter(
        user=officer, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    assert second_factor_in_session(client)
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/en/admin/").status_code == 200


def test_a_wrong_code_sets_nothing_up(client, officer):
    sign_in_with_password(client, officer)
    secret = secret_on_page(client.get(ACTIVATE).text)
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(ACTIVATE, {"code": wrong})

    assert response.status_code == 200
    assert not has_authenticator_app(officer)
    assert client.get("/en/admin/")["Location"] == ACTIVATE


def test_staff_without_an_app_may_sign_out(client, officer):
    sign_in_with_password(client, officer)

    client.post("/en/accounts/logout/")

    assert signed_in_user_id(client) is None


def test_a_role_without_the_staff_flag_needs_the_second_factor_too(client, batumi):
    """A membership made directly (not by membership_grant) leaves is_staff off."""
    user = UserFactory(email="worker@batumi.example.ge")
    Membership.objects.create(user=user, municipality=batumi, role=Role.SOCIAL_WORKER)

    sign_in_with_password(client, user, next_url="/en/")

    assert client.get("/en/notifications/")["Location"] == ACTIVATE


def test_a_superuser_needs_the_second_factor(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        "root@example.ge", email="root@example.ge", password=PASSWORD
    )

    sign_in_with_password(client, admin)

    assert client.get("/en/admin/")["Location"] == ACTIVATE


def test_the_set_up_page_wears_the_portal_shell_in_georgian(client, officer):
    client.post(
        "/ka/accounts/login/", {"login": officer.email, "password": PASSWORD, "next": "/ka/"}
    )

    response = client.get("/ka/accounts/2fa/totp/activate/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ka"
    html = response.text
    assert 'class="skip-link"' in html and "page-account" in html
    # allauth's own translation of its heading ("Activate Authenticator App").
    assert "ავთენტიფიკატორის აპლიკაციის გააქტიურება" in html


# Citizens ------------------------------------------------------------------------------------


def test_a_citizen_is_never_asked(client, db):
    citizen = UserFactory(email="nino@example.ge")

    response = sign_in_with_password(client, citizen, next_url="/en/notifications/")

    assert response.status_code == 302 and response["Location"] == "/en/notifications/"
    assert client.get("/en/notifications/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200
    assert not second_factor_in_session(client)


def test_a_citizen_with_an_app_is_asked_for_its_code(client, db):
    """allauth asks anyone who set an app up; only staff must set one up."""
    citizen = UserFactory(email="eka@example.ge")
    secret, _ = enrol(citizen)

    assert sign_in_with_password(client, citizen, "/en/")["Location"] == AUTHENTICATE
    client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert signed_in_user_id(client) == str(citizen.pk)


# Tests that log staff in with force_login ---------------------------------------------------


def test_force_login_of_staff_counts_as_the_second_factor(client, officer):
    client.force_login(officer)

    assert second_factor_in_session(client)
    assert client.get("/en/admin/").status_code == 200


def test_basic_authentication_is_not_taken_by_the_api(client, officer):
    import base64

    credentials = base64.b64encode(f"{officer.username}:{PASSWORD}".encode()).decode()

    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Basic {credentials}")

    assert response.status_code in (401, 403)
