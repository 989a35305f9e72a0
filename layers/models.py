"""What the publishing services keep: a version per layer, and API keys of other systems."""

import hashlib
import hmac

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LayerState(models.Model):
    """A layer's data version: bumped by a statement trigger on every write to its table.

    Caches key tiles and extents by it, so a change is visible at once and an unchanged
    layer is served from the cache.
    """

    name = models.CharField(max_length=100, primary_key=True)
    version = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("layer state")
        verbose_name_plural = _("layer states")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def token(self) -> str:
        return f"{self.version}.{int(self.changed_at.timestamp() * 1000)}"


def hash_api_key(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A read-only key for another system, granted named non-public layers.

    Only a keyed hash of the secret is stored; the key is shown once, when it is made.
    """

    name = models.CharField(_("system"), max_length=200)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    layers = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def grants(self, layer_name: str) -> bool:
        return self.revoked_at is None and layer_name in self.layers
