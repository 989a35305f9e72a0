"""API keys: other systems read the non-public layers they were granted, and nothing else."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from layers.models import ApiKey, hash_api_key

KEY_PREFIX = "gpk"


def api_key_create(*, name: str, layers: list[str], created_by=None) -> tuple[ApiKey, str]:
    """Make a key; the returned secret is shown once and never stored."""
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    raw = f"{KEY_PREFIX}_{prefix}_{secret}"
    with transaction.atomic():
        key = ApiKey(
            name=name,
            prefix=prefix,
            key_hash=hash_api_key(raw),
            layers=sorted(set(layers)),
            created_by=created_by,
        )
        key.full_clean()
        key.save()
    return key, raw


def api_key_revoke(*, key: ApiKey) -> None:
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])


def api_key_from_raw(raw: str) -> ApiKey | None:
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = ApiKey.objects.active().filter(prefix=parts[1]).first()
    if key is None or not secrets.compare_digest(key.key_hash, hash_api_key(raw.strip())):
        return None
    return key


def raw_key_of(request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("api-key "):
        return header[8:]
    return request.headers.get("X-API-Key") or request.GET.get("api_key") or None


class ApiKeyMiddleware:
    """Sets `request.api_key` from the X-API-Key header, `Authorization: Api-Key …` or
    `?api_key=` (for clients such as GDAL and QGIS that can only add a query parameter)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = raw_key_of(request)
        request.api_key = api_key_from_raw(raw) if raw else None
        return self.get_response(request)
