"""What the publishing services keep: a version per layer, API keys of other systems, exports."""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit


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


# The hash of the secret stays out of the history, and so does the time of last use, which
# every request with the key moves.
@audit.track(exclude=["key_hash", "last_used_at"])
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


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")


class ExportJobQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])

    def expired(self, now):
        return self.filter(expires_at__lte=now).exclude(status=ExportStatus.EXPIRED)


def export_upload_to(job: "ExportJob", filename: str) -> str:
    return f"exports/{job.pk}/{filename}"


class ExportJob(models.Model):
    """A download of a layer too large to stream at once, written by a background job.

    The file belongs to whoever asked: the API key, else the signed-in user, else the browser
    session (kept as a hash, so this table holds no session that could be replayed).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    layer = models.CharField(_("layer"), max_length=100)
    format = models.CharField(_("format"), max_length=10)
    srid = models.PositiveIntegerField(_("SRID"))
    # The requested box in CRS84 (min lon, min lat, max lon, max lat), or none for all.
    bbox = ArrayField(models.FloatField(), size=4, null=True, blank=True)
    language = models.CharField(max_length=10, blank=True)
    layer_token = models.CharField(max_length=100, blank=True)
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="export_jobs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_jobs",
    )
    session_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=300, blank=True)
    feature_count = models.PositiveIntegerField(_("features"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [
            models.Index(fields=["status", "expires_at"], name="exportjob_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.layer}.{self.format} ({self.status})"
