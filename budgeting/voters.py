"""A resident's personal number, kept only as a keyed hash and shown masked (DESIGN.md, Trust).

The key is `BUDGETING_PERSON_KEY` from the settings (by default derived from SECRET_KEY), so
that the hash of a number cannot be found by hashing every possible number without it. The
same number gives the same key in every cycle: one ballot per resident and budget is a unique
constraint on it (budgeting.models.Ballot).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Georgian personal numbers have 11 digits.
PERSONAL_NUMBER = re.compile(r"^\d{11}$")
PERSONAL_NUMBER_ERROR = _("A personal number has 11 digits.")


def normalise(number: str) -> str:
    """The digits of a personal number as typed (spaces and dashes dropped)."""
    return re.sub(r"[\s\-]", "", number or "")


def is_personal_number(number: str) -> bool:
    return bool(PERSONAL_NUMBER.match(normalise(number)))


def _key() -> bytes:
    key = getattr(settings, "BUDGETING_PERSON_KEY", "") or ""
    if not key:
        key = hashlib.sha256(b"budgeting.person_key:" + settings.SECRET_KEY.encode()).hexdigest()
    return key.encode()


def person_key(number: str) -> str:
    """The keyed hash (HMAC-SHA256, hex) of a personal number."""
    return hmac.new(_key(), normalise(number).encode(), hashlib.sha256).hexdigest()


def mask(number: str) -> str:
    """A personal number shown with only its first two and last two digits."""
    digits = normalise(number)
    if len(digits) <= 4:
        return "•" * len(digits)
    return f"{digits[:2]}{'•' * (len(digits) - 4)}{digits[-2:]}"
