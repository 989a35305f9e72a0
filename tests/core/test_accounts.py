"""People sign up and sign in by e-mail through allauth's own views, in both languages."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from core.models import Role
from tests.core.factories import PASSWORD, MembershipFactory, UserFactory
from tests.core.second_factor import enrol, totp_code

pytestmark = pytest.mark.django_db

SIGNUP = "/en/accounts/signup/"
LOGIN = "/en/accounts/login/"


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_a_person_signs_up_with_an_email_and_is_signed_in(client):
    response = client.post(
        SIGNUP,
        {"email": "Tamar@Example.ge", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email__iexact="tamar@example.ge")
    assert signed_in_user_id(client) == str(user.pk)
    assert not user.is_staff
    assert user.check_password(PASSWORD)


def test_signing_up_sends_a_confirmation_that_is_optional(client):
    client.post(SIGNUP, {"email": "levan@example.ge", "password1": PASSWORD, "password2": PASSWORD})
    address = EmailAddress.objects.get(email="levan@example.ge")
    assert not address.verified
    assert address.primary
    assert [message.to for message in mail.outbox] == [["levan@example.ge"]]
    assert signed_in_user_id(client) is not None  # in the demo, verification is optional


def test_an_address_can_sign_up_only_once(client):
    UserFactory(email="nino@example.ge")
    EmailAddress.objects.create(
        user=get_user_model().objects.get(email="nino@example.ge"),
        email="nino@example.ge",
        primary=True,
        verified=True,
    )
    response = client.post(
        SIGNUP, {"email": "NINO@example.ge", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert get_user_model().objects.filter(email__iexact="nino@example.ge").count() == 1


def test_a_weak_password_is_refused_at_sign_up(client):
    response = client.post(
        SIGNUP, {"email": "giorgi@example.ge", "password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="giorgi@example.ge").exists()


def test_sign_up_asks_for_no_username(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert set(response.context["form"].fields) >= {"email", "password1", "password2"}
    assert "username" not in response.context["form"].fields


def test_a_person_signs_in_with_their_email(client):
    user = UserFactory(email="ana@example.ge")
    response = client.post(LOGIN, {"login": "ana@example.ge", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_the_email_of_a_sign_in_is_not_case_sensitive(client):
    user = UserFactory(email="ana@example.ge")
    client.post(LOGIN, {"login": "ANA@Example.GE", "password": PASSWORD})
    assert signed_in_user_id(client) == str(user.pk)


def test_a_wrong_password_does_not_sign_in(client):
    UserFactory(email="ana@example.ge")
    response = client.post(LOGIN, {"login": "ana@example.ge", "password": "not the password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user_id(client) is None


def test_a_username_is_not_a_way_to_sign_in(client):
    user = UserFactory(email="ana@example.ge")
    client.post(LOGIN, {"login": user.username, "password": PASSWORD})
    assert signed_in_user_id(client) is None


def test_a_person_who_signed_up_signs_out_and_in_again(client):
    client.post(SIGNUP, {"email": "eka@example.ge", "password1": PASSWORD, "password2": PASSWORD})
    client.post("/en/accounts/logout/")
    assert signed_in_user_id(client) is None
    client.post(LOGIN, {"login": "eka@example.ge", "password": PASSWORD})
    assert signed_in_user_id(client) is not None


@pytest.mark.parametrize("page", ["login", "signup"])
def test_account_pages_open_in_georgian_and_english(client, page):
    for language in ("ka", "en"):
        response = client.get(f"/{language}/accounts/{page}/")
        assert response.status_code == 200
        assert response.headers["Content-Language"] == language


def test_staff_sign_in_to_the_admin_with_their_email(client, batumi):
    officer = MembershipFactory(
        user=UserFactory(email="officer@batumi.example.ge"), municipality=batumi, role=Role.PLANNER
    ).user
    secret, _ = enrol(officer)
    assert client.get("/en/admin/login/?next=/en/admin/").status_code == 302
    response = client.post(
        "/en/accounts/login/?next=/en/admin/",
        {"login": "officer@batumi.example.ge", "password": PASSWORD, "next": "/en/admin/"},
    )
    assert response["Location"] == "/en/accounts/2fa/authenticate/"  # staff give a code too
    client.post("/en/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert signed_in_user_id(client) == str(officer.pk)
    assert client.get("/en/admin/").status_code == 200
