"""Background ingest: an uploaded file is read by a procrastinate worker, not by the request.

`upload_request` makes the quick checks (who may upload, the layer name, the kind and size of
the file), keeps the file and queues `ingest_upload` on the `imports` queue; the request answers
at once with the upload, whose page and API resource show how far the worker has read. The
worker runs the same services as before (`dataset_upload`, `dataset_add_version`) with a
progress callback, and the upload ends done, with the version made, or failed, with the
refusal. The file is kept until then, and for DATASET_UPLOAD_KEEP_HOURS after a refusal, so
the officer may read it again with other choices without sending it again; `purge_uploads`
removes it afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from core.models import Municipality
from datasets import services
from datasets.ingest import UploadRefused, check_upload
from datasets.models import Dataset, DatasetUpload, UploadMode, UploadStatus
from datasets.services import FileChoices

logger = logging.getLogger(__name__)

QUEUE = "imports"


def keep_hours() -> float:
    return float(getattr(settings, "DATASET_UPLOAD_KEEP_HOURS", 24))


def upload_request(
    *,
    user,
    municipality: Municipality,
    fileobj,
    file_name: str,
    choices: FileChoices | None = None,
    notes: str = "",
    dataset: Dataset | None = None,
    name: str = "",
    title_ka: str = "",
    title_en: str = "",
    mode: str = UploadMode.NEW,
    activate: bool = False,
    language: str = "",
) -> DatasetUpload:
    """Check what can be checked at once, keep the file and queue its ingest.

    For a new dataset give `name` and titles; for a new version, `dataset` and `mode`.
    """
    services.require_manager(user, dataset or municipality)
    choices = choices or FileChoices()
    if dataset is None:
        services.check_new_name(name)
        mode = UploadMode.NEW
    elif mode not in (UploadMode.REPLACE, UploadMode.APPEND):
        raise ValidationError(_("Choose replace or append."), code="mode")
    elif mode == UploadMode.APPEND and dataset.active_version_id is None:
        raise ValidationError(_("There is no active version to append to."), code="mode")
    check_upload(fileobj, file_name)
    with transaction.atomic():
        upload = DatasetUpload(
            municipality=municipality,
            dataset=dataset,
            name=name,
            title_ka=title_ka,
            title_en=title_en,
            mode=mode,
            activate=activate,
            choices=dataclasses.asdict(choices),
            notes=notes,
            file_name=(file_name or "")[-255:],
            file_size=getattr(fileobj, "size", 0) or 0,
            language=language,
            created_by=user,
        )
        upload.file.save(file_name, fileobj, save=False)
        upload.full_clean()
        upload.save()
        # Deferred in the same transaction: no upload without its job, nor the reverse.
        ingest_upload.defer(upload_id=str(upload.pk))
    return upload


def upload_retry(
    *, user, upload: DatasetUpload, choices: FileChoices, language: str = ""
) -> DatasetUpload:
    """Queue a refused upload's kept file again, with other choices; the refused upload lets
    go of its file, which the new one keeps."""
    if upload.status != UploadStatus.FAILED or not upload.file:
        raise ValidationError(_("This upload cannot be read again; upload the file anew."))
    with upload.file.open("rb") as fileobj:
        again = upload_request(
            user=user,
            municipality=upload.municipality,
            fileobj=fileobj,
            file_name=upload.file_name,
            choices=choices,
            notes=upload.notes,
            dataset=upload.dataset if upload.mode != UploadMode.NEW else None,
            name=upload.name,
            title_ka=upload.title_ka,
            title_en=upload.title_en,
            mode=upload.mode,
            activate=upload.activate,
            language=language,
        )
    upload.file.delete(save=True)
    return again


class ProgressWriter:
    """Writes an upload's progress on a connection of its own, so that it is seen while the
    ingest's own transaction is still open (and is not undone when that one is)."""

    EVERY_SECONDS = 1.0

    def __init__(self, upload_id) -> None:
        self.upload_id = upload_id
        self.connection = connections.create_connection("default")
        self.written_at = 0.0

    def __call__(self, phase: str, read: int, total: int | None) -> None:
        now = timezone.now().timestamp()
        if now - self.written_at < self.EVERY_SECONDS and read != total:
            return
        self.written_at = now
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {DatasetUpload._meta.db_table} "  # noqa: S608
                "SET phase = %s, rows_read = %s, rows_total = %s WHERE id = %s",
                [phase, read, total, self.upload_id],
            )

    def close(self) -> None:
        self.connection.close()


def _fail(upload: DatasetUpload, refusal: dict) -> DatasetUpload:
    upload.status = UploadStatus.FAILED
    upload.refusal = refusal
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "refusal", "finished_at"])
    return upload


def _refusal_of(exc: ValidationError | PermissionDenied) -> dict:
    if isinstance(exc, PermissionDenied):
        return {"detail": str(exc), "parameter": "file", "code": "forbidden"}
    if hasattr(exc, "error_dict"):
        parameter, errors = next(iter(exc.message_dict.items()))
        return {"detail": " ".join(errors), "parameter": parameter, "code": "invalid"}
    return {"detail": " ".join(exc.messages), "parameter": "file", "code": "invalid"}


def upload_run(*, upload_id) -> DatasetUpload | None:
    """Read the upload's file into a dataset or version; the upload ends done or failed."""
    claimed = DatasetUpload.objects.filter(pk=upload_id, status=UploadStatus.QUEUED).update(
        status=UploadStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None  # unknown, or already taken by another worker
    upload = DatasetUpload.objects.select_related("municipality", "dataset", "created_by").get(
        pk=upload_id
    )
    choices = FileChoices(**upload.choices)
    progress = ProgressWriter(upload.pk)
    try:
        with (
            translation.override(upload.language or settings.LANGUAGE_CODE),
            upload.file.open("rb") as fileobj,
        ):
            if upload.mode == UploadMode.NEW:
                version = services.dataset_upload(
                    user=upload.created_by,
                    municipality=upload.municipality,
                    name=upload.name,
                    title_ka=upload.title_ka,
                    title_en=upload.title_en,
                    fileobj=fileobj,
                    file_name=upload.file_name,
                    choices=choices,
                    notes=upload.notes,
                    progress=progress,
                )
            else:
                version = services.dataset_add_version(
                    user=upload.created_by,
                    dataset=upload.dataset,
                    mode=upload.mode,
                    fileobj=fileobj,
                    file_name=upload.file_name,
                    choices=choices,
                    activate=upload.activate,
                    notes=upload.notes,
                    progress=progress,
                )
    except UploadRefused as exc:
        return _fail(upload, exc.as_dict())
    except (ValidationError, PermissionDenied) as exc:
        return _fail(upload, _refusal_of(exc))
    except Exception:
        logger.exception("The ingest of upload %s failed.", upload.pk)
        with translation.override(upload.language or settings.LANGUAGE_CODE):
            detail = _("The file could not be read because of an error of ours. Try again later.")
        _fail(upload, {"detail": detail, "parameter": "file", "code": "error"})
        raise
    finally:
        progress.close()
    upload.refresh_from_db(fields=["phase", "rows_read", "rows_total"])
    upload.status = UploadStatus.DONE
    upload.version = version
    upload.dataset = version.dataset
    upload.rows_read = version.rows_read
    upload.rows_total = version.rows_read
    upload.finished_at = timezone.now()
    # The features are stored: the file has done its work.
    upload.file.delete(save=False)
    upload.save()
    return upload


def uploads_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of refused uploads after DATASET_UPLOAD_KEEP_HOURS, and forget uploads
    after 30 days; a job that never ran is marked failed. Returns the files removed."""
    now = now or timezone.now()
    kept_until = now - datetime.timedelta(hours=keep_hours())
    removed = 0
    for upload in DatasetUpload.objects.filter(
        status=UploadStatus.FAILED, finished_at__lt=kept_until
    ).exclude(file=""):
        upload.file.delete(save=False)
        upload.save(update_fields=["file"])
        removed += 1
    # A job that never ran (no worker, a crash) is told as a refusal, in the uploader's language.
    for upload in DatasetUpload.objects.filter(
        status=UploadStatus.QUEUED, created_at__lt=kept_until
    ):
        with translation.override(upload.language or settings.LANGUAGE_CODE):
            detail = _("The file was not read in time; upload it again.")
        _fail(upload, {"detail": detail, "parameter": "file", "code": "expired"})
    DatasetUpload.objects.filter(created_at__lt=now - datetime.timedelta(days=30)).exclude(
        status__in=[UploadStatus.QUEUED, UploadStatus.RUNNING]
    ).delete()
    return removed


@app.task(queue=QUEUE, name="datasets.ingest_upload")
def ingest_upload(upload_id: str) -> None:
    upload_run(upload_id=upload_id)


@app.periodic(cron="7 * * * *", periodic_id="purge_dataset_uploads")
@app.task(queue=QUEUE, name="datasets.purge_uploads", queueing_lock="purge_dataset_uploads")
def purge_uploads(timestamp: int) -> None:
    removed = uploads_purge()
    if removed:
        logger.info("Removed %d files of refused uploads.", removed)
