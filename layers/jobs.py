"""Background exports: a large download is written by a procrastinate worker, not the request.

`export_job_request` records who asked and queues `export_layer` on the `exports` queue; the
worker writes the file under MEDIA_ROOT/exports/<job>/ and marks the job done. Files expire
after EXPORT_KEEP_HOURS and `purge_exports`, run by the worker every quarter hour, removes them.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from procrastinate.contrib.django import app

from layers.exports import Export, write_export
from layers.models import ApiKey, ExportJob, ExportStatus
from layers.registry import registry
from layers.versions import layer_token

logger = logging.getLogger(__name__)

QUEUE = "exports"


def keep_hours() -> float:
    return getattr(settings, "EXPORT_KEEP_HOURS", 24)


def max_pending_jobs() -> int:
    return getattr(settings, "EXPORT_MAX_PENDING_JOBS", 3)


class ExportQueueFull(Exception):
    """The owner already has as many exports waiting as one may."""


def jobs_of_owner(*, api_key: ApiKey | None, user, session_hash: str):
    """The export jobs that belong to whoever asked: the API key, else the user, else the session."""
    if api_key is not None:
        return ExportJob.objects.filter(api_key=api_key)
    if user is not None and user.is_authenticated:
        return ExportJob.objects.filter(api_key__isnull=True, user=user)
    if not session_hash:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(
        api_key__isnull=True, user__isnull=True, session_hash=session_hash
    )


def export_job_request(
    *,
    export: Export,
    language: str,
    api_key: ApiKey | None,
    user,
    session_hash: str,
    now: datetime.datetime | None = None,
) -> tuple[ExportJob, bool]:
    """The owner's job for this export: an equal one waiting or ready, else a new queued one.

    Returns the job and whether it was made now. Asking twice does not write the file twice:
    a job for the same layer, format, CRS and box is reused while it is waiting, or while it
    is ready and the layer's data has not changed since.
    """
    now = now or timezone.now()
    user = user if user is not None and user.is_authenticated and api_key is None else None
    token = layer_token(export.layer)
    owned = jobs_of_owner(api_key=api_key, user=user, session_hash=session_hash)
    same = owned.filter(
        layer=export.layer.name,
        format=export.format,
        srid=export.srid,
        bbox=list(export.bbox) if export.bbox else None,
    )
    existing = (
        same.pending().first()
        or same.filter(status=ExportStatus.DONE, layer_token=token, expires_at__gt=now).first()
    )
    if existing is not None:
        return existing, False
    if owned.pending().count() >= max_pending_jobs():
        raise ExportQueueFull
    with transaction.atomic():
        job = ExportJob(
            layer=export.layer.name,
            format=export.format,
            srid=export.srid,
            bbox=list(export.bbox) if export.bbox else None,
            language=language,
            layer_token=token,
            api_key=api_key,
            user=user,
            session_hash="" if api_key or user else session_hash,
            created_at=now,
        )
        job.full_clean()
        job.save()
        # Deferred in the same transaction: no job row without its queue entry, nor the reverse.
        export_layer.defer(job_id=str(job.pk))
    return job, True


def export_job_run(*, job_id: str) -> ExportJob | None:
    """Write the job's file; the job ends done, or failed with a message for people.

    Messages are kept in English and translated when shown, in the reader's language.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return None  # unknown, or already taken by another worker
    job = ExportJob.objects.get(pk=job_id)
    layer = registry.get(job.layer)
    if layer is None or not layer.downloadable:
        job.status = ExportStatus.FAILED
        job.error = gettext_noop("The layer is no longer published for download.")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    export = Export(
        layer=layer, format=job.format, srid=job.srid, bbox=tuple(job.bbox) if job.bbox else None
    )
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            with tempfile.TemporaryDirectory(prefix="gisportal-export-") as directory:
                path, count = write_export(export, Path(directory), language=job.language)
                with path.open("rb") as handle:
                    job.file.save(export.filename(), File(handle), save=False)
    except Exception:
        logger.exception("Export job %s of layer %s failed.", job.pk, job.layer)
        job.status = ExportStatus.FAILED
        job.error = gettext_noop("The file could not be written. Please try again later.")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    now = timezone.now()
    job.status = ExportStatus.DONE
    job.feature_count = count
    job.finished_at = now
    job.expires_at = now + datetime.timedelta(hours=keep_hours())
    job.save(update_fields=["status", "file", "feature_count", "finished_at", "expires_at"])
    return job


def exports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of expired exports and forget old jobs; the number of files removed."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.expired(now):
        if job.file:
            job.file.delete(save=False)
            removed += 1
        job.status = ExportStatus.EXPIRED
        job.save(update_fields=["status", "file"])
    # A job that never ran (no worker, a crash) stops counting against its owner's limit.
    stale = now - datetime.timedelta(hours=keep_hours())
    ExportJob.objects.pending().filter(created_at__lt=stale).update(
        status=ExportStatus.FAILED,
        error=gettext_noop("The export was not written in time."),
        finished_at=now,
    )
    ExportJob.objects.filter(created_at__lt=now - datetime.timedelta(days=30)).exclude(
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.DONE]
    ).delete()
    return removed


@app.task(queue=QUEUE, name="layers.export_layer")
def export_layer(job_id: str) -> None:
    export_job_run(job_id=job_id)


@app.periodic(cron="*/15 * * * *", periodic_id="purge_exports")
@app.task(queue=QUEUE, name="layers.purge_exports", queueing_lock="purge_exports")
def purge_exports(timestamp: int) -> None:
    removed = exports_purge()
    if removed:
        logger.info("Removed %d expired export files.", removed)
