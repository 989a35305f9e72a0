"""A second factor for every staff member: TOTP with recovery codes, through allauth's MFA.

Staff are the people who hold a role: `is_staff` or superusers, anyone with a membership
(core.models.Membership) and anyone in a group of permissions. A staff member who signed in
with the password alone reaches nothing but the pages that set the second factor up (or ask
for it again) and signing out: pages and the admin redirect there, the API answers 403. One
who has an authenticator app is asked for its code by allauth at sign-in; one who has none is
sent to set it up, and the code entered there counts as the second factor of that session.

What counts is allauth's own record of the session's authentications (a "mfa" entry), so a
session passes in exactly the cases allauth itself would call two-factor.
"""

from __future__ import annotations

import base64
import hashlib
import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from core.lockout import wants_json

# Set at sign-in: the user held a role then (a membership or a group, which cost a query to
# find; is_staff and is_superuser are read from the user on every request).
STAFF_ROLE_SESSION_KEY = "_staff_role"
# What a staff member may open before the second factor is passed.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "set_language",
    }
)


def holds_staff_role(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.memberships.exists() or user.groups.exists()


def second_factor_passed(request, user) -> bool:
    """allauth recorded a second factor (at sign-in, on re-authentication or at set-up)."""
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def record_second_factor(
    request, user, *, type: str = Authenticator.Type.TOTP, authenticator_id: int | None = None
) -> None:
    """Record a passed second factor in the session the way allauth records its own."""
    # allauth writes the record from its flows and offers no public function for it.
    from allauth.account.internal.flows.login import record_authentication

    record_authentication(request, user, "mfa", id=authenticator_id, type=type)


def second_factor_required(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    staff = user.is_staff or user.is_superuser or request.session.get(STAFF_ROLE_SESSION_KEY)
    return bool(staff) and not second_factor_passed(request, user)


def signed_in_recently(request) -> bool:
    """The session's last sign-in step (password or code) lies within allauth's time for
    re-authentication."""
    from allauth.account import app_settings

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    return bool(records) and time.time() - records[-1]["at"] < app_settings.REAUTHENTICATION_TIMEOUT


def staff_signed_in(sender, request, user, **kwargs) -> None:
    if hasattr(request, "session") and holds_staff_role(user):
        request.session[STAFF_ROLE_SESSION_KEY] = True


def totp_set_up(sender, request, user, authenticator, **kwargs) -> None:
    """The code that confirmed a new authenticator app is this session's second factor."""
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_second_factor(
            request, user, type=authenticator.type, authenticator_id=authenticator.pk
        )


def _setup_url(user) -> str:
    has_app = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return reverse("mfa_reauthenticate" if has_app else "mfa_activate_totp")


class StaffSecondFactorMiddleware:
    """Holds a staff session without a second factor at its set-up (or re-entry) page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not second_factor_required(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if wants_json(request):
            body = {
                "detail": _("Staff accounts must set up two-factor authentication first."),
                "code": "second_factor_required",
            }
            return JsonResponse(body, status=403)
        return HttpResponseRedirect(_setup_url(request.user))


def _secret_box() -> MultiFernet:
    """Fernet keys derived from SECRET_KEY, then its fallbacks: a secret written under an old key
    is still read while that key is listed in SECRET_KEY_FALLBACKS."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(hashlib.sha256(f"gisportal.mfa:{key}".encode()).digest())
            )
            for key in keys
        ]
    )


class PortalMFAAdapter(DefaultMFAAdapter):
    """allauth's MFA with the secrets encrypted at rest, and staff keeping their app."""

    def encrypt(self, text: str) -> str:
        """TOTP secrets and the seed of recovery codes, encrypted in the database: a copy of the
        table alone gives no codes."""
        return _secret_box().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return _secret_box().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            raise ImproperlyConfigured(
                "An authenticator's secret was encrypted under a key that is neither SECRET_KEY"
                " nor one of SECRET_KEY_FALLBACKS."
            ) from None

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff cannot remove their app themselves: an administrator does, when it is lost."""
        if authenticator.type == Authenticator.Type.TOTP and holds_staff_role(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
