"""The second factor in tests: codes computed as an authenticator app does (RFC 6238), and
staff accounts that already have one."""

import base64
import hashlib
import hmac
import re
import struct
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

LOGIN = "/en/accounts/login/"
AUTHENTICATE = "/en/accounts/2fa/authenticate/"
ACTIVATE = "/en/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/en/accounts/2fa/reauthenticate/"


def totp_code(secret: str, *, at: float | None = None, step: int = 30) -> str:
    """The six digits an authenticator app shows for a base32 secret (HMAC-SHA1, 30 s)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def enrol(user) -> tuple[str, list[str]]:
    """Give a user an authenticator app and recovery codes; returns the secret and the codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return secret, codes


def secret_on_page(html: str) -> str:
    """The secret that the set-up page shows beside its QR code."""
    return re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', html).group(1)


def has_authenticator_app(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def second_factor_in_session(client) -> bool:
    records = client.session.get("account_authentication_methods") or []
    return any(record.get("method") == "mfa" for record in records)
