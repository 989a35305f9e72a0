"""An upload is kept and answered at once; the procrastinate worker reads it into the same
version as before, shows how far it has come, and ends with the version or the refusal."""

import datetime
import json

import pytest
import shapely
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone
from procrastinate.contrib.django import app

from datasets.jobs import ProgressWriter, upload_request, uploads_purge
from datasets.models import Dataset, DatasetFeature, DatasetUpload, UploadMode, UploadStatus
from datasets.services import FileChoices, dataset_upload
from tests.datasets.conftest import kindergartens_gpkg, lonlat, upload_of, write_layer


def run_worker() -> None:
    """The real worker, in this process, until the imports queue is empty.

    It connects as `manage.py procrastinate worker` does (its own psycopg connection), so the
    jobs must be committed: these tests use the transactional database.
    """
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["imports"], wait=False, install_signal_handlers=False, listen_notify=False
        )


def post_upload(client, tmp_path, batumi, **extra):
    return client.post(
        "/en/datasets/upload/",
        {
            "name": "kindergartens",
            "title_ka": "საბავშვო ბაღები",
            "title_en": "Kindergartens",
            "municipality": batumi.pk,
            "file": upload_of(kindergartens_gpkg(tmp_path)),
            **extra,
        },
    )


def features(version) -> list[tuple]:
    return [
        (f.fid, f.geom.wkt, json.dumps(f.properties, sort_keys=True))
        for f in DatasetFeature.objects.filter(version=version).order_by("fid")
    ]


@pytest.mark.django_db(transaction=True)
def test_the_upload_answers_at_once_and_the_worker_makes_the_same_version(
    client, officer, batumi, tmp_path
):
    client.force_login(officer)
    response = post_upload(client, tmp_path, batumi, layer="kindergartens")
    assert response.status_code == 302
    upload = DatasetUpload.objects.get()
    assert response["Location"] == f"/en/datasets/uploads/{upload.pk}/"
    assert upload.status == UploadStatus.QUEUED and upload.file
    assert not Dataset.objects.exists()  # nothing is read in the request
    waiting = client.get(response["Location"]).content.decode()
    assert "waits to be read" in waiting
    assert '<meta http-equiv="refresh"' in waiting
    assert "Files being read" in client.get("/en/datasets/").content.decode()

    run_worker()

    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE
    assert (upload.rows_read, upload.rows_total) == (5, 5)
    assert not upload.file  # the features are stored; the file is let go
    done = client.get(response["Location"]).content.decode()
    assert "The file was read: 3 features stored, 2 refused." in done
    assert "/en/datasets/kindergartens/?version=1" in done
    assert '<meta http-equiv="refresh"' not in done

    # The same file read in the request, as before, makes the same version.
    path = kindergartens_gpkg(tmp_path, name="again.gpkg")
    before = dataset_upload(
        user=officer,
        municipality=batumi,
        name="kindergartens-in-request",
        title_ka="x",
        title_en="x",
        fileobj=upload_of(path),
        file_name="kindergartens.gpkg",
        choices=FileChoices(layer="kindergartens"),
    )
    made = upload.version
    assert made.schema == before.schema
    assert made.report == before.report
    assert (made.rows_read, made.rows_stored, made.rows_rejected, made.geometry_type) == (
        before.rows_read,
        before.rows_stored,
        before.rows_rejected,
        before.geometry_type,
    )
    assert features(made) == features(before)


@pytest.mark.django_db(transaction=True)
def test_progress_written_by_the_job_is_seen_while_its_transaction_is_open(
    officer, batumi, tmp_path
):
    path = kindergartens_gpkg(tmp_path)
    upload = upload_request(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        fileobj=upload_of(path),
        file_name=path.name,
    )
    progress = ProgressWriter(upload.pk)
    observer = connections.create_connection("default")
    try:
        with transaction.atomic():
            progress("storing", 2000, 5000)
            with observer.cursor() as cursor:
                cursor.execute(
                    "SELECT phase, rows_read, rows_total FROM datasets_datasetupload WHERE id = %s",
                    [upload.pk],
                )
                assert cursor.fetchone() == ("storing", 2000, 5000)
    finally:
        progress.close()
        observer.close()


@pytest.mark.django_db(transaction=True)
def test_the_page_shows_how_many_features_are_stored(client, officer, batumi, tmp_path):
    path = kindergartens_gpkg(tmp_path)
    upload = upload_request(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        fileobj=upload_of(path),
        file_name=path.name,
    )
    DatasetUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.RUNNING, phase="storing", rows_read=120000, rows_total=500000
    )
    client.force_login(officer)
    page = client.get(f"/en/datasets/uploads/{upload.pk}/").content.decode()
    assert "Checking and storing the features: 120,000 of 500,000." in page
    assert '<progress max="500000" value="120000">24 %</progress>' in page
    assert '<meta http-equiv="refresh" content="3">' in page
    api = client.get(f"/api/v1/datasets/uploads/{upload.pk}/").json()
    assert (api["status"], api["phase"], api["rows_read"], api["rows_total"]) == (
        "running",
        "storing",
        120000,
        500000,
    )


@pytest.mark.django_db(transaction=True)
def test_a_refused_file_shows_its_refusal_keeps_the_file_and_is_read_again_with_a_choice(
    client, officer, batumi, tmp_path
):
    client.force_login(officer)
    response = post_upload(client, tmp_path, batumi)  # a GeoPackage of two layers, none chosen
    run_worker()

    upload = DatasetUpload.objects.get()
    assert upload.status == UploadStatus.FAILED
    assert upload.refusal["code"] == "choose_layer"
    assert upload.file  # kept, to be read again
    assert not Dataset.objects.exists() and not DatasetFeature.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "The file was refused; nothing was stored." in page
    assert "kindergartens.gpkg has 2 layers; choose one." in page
    assert '<option value="kindergartens">kindergartens</option>' in page

    again = client.post(f"/en/datasets/uploads/{upload.pk}/retry/", {"layer": "kindergartens"})
    assert again.status_code == 302
    run_worker()
    retried = DatasetUpload.objects.exclude(pk=upload.pk).get()
    assert again["Location"] == f"/en/datasets/uploads/{retried.pk}/"
    assert retried.status == UploadStatus.DONE
    assert retried.version.rows_stored == 3
    upload.refresh_from_db()
    assert not upload.file  # the new upload took the file over


@pytest.mark.django_db(transaction=True)
def test_a_file_refused_row_by_row_shows_the_reasons(client, officer, batumi, tmp_path):
    path = write_layer(
        tmp_path / "far.gpkg",
        [shapely.Point(44.0, 10.0), shapely.Point(45.0, 11.0)],
        {"name": ["a", "b"]},
        layer="far",
        crs="EPSG:32638",
    )
    client.force_login(officer)
    client.post(
        "/en/datasets/upload/",
        {
            "name": "far",
            "title_ka": "x",
            "title_en": "x",
            "municipality": batumi.pk,
            "file": upload_of(path),
        },
    )
    run_worker()
    upload = DatasetUpload.objects.get()
    assert upload.status == UploadStatus.FAILED
    page = client.get(f"/en/datasets/uploads/{upload.pk}/").content.decode()
    assert upload.refusal["detail"] in page
    assert not Dataset.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_new_version_is_read_by_the_worker(client, officer, batumi, tmp_path):
    path = kindergartens_gpkg(tmp_path)
    dataset_upload(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        title_ka="x",
        title_en="x",
        fileobj=upload_of(path),
        file_name=path.name,
        choices=FileChoices(layer="kindergartens"),
    )
    more = write_layer(
        tmp_path / "more.gpkg",
        [shapely.Point(*lonlat(900, 900))],
        {"Name EN": ["New"], "სახელი": ["ახალი"], "capacity": [10]},
        layer="kindergartens",
    )
    client.force_login(officer)
    response = client.post(
        "/en/datasets/kindergartens/versions/new/",
        {"mode": UploadMode.APPEND, "file": upload_of(more), "activate": "on"},
    )
    assert response.status_code == 302
    run_worker()
    upload = DatasetUpload.objects.get()
    assert upload.status == UploadStatus.DONE, upload.refusal
    assert upload.version.number == 2
    assert upload.version.rows_stored == 4
    assert Dataset.objects.get().active_version == upload.version


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_202_and_the_upload_is_polled_until_done(client, officer, tmp_path):
    client.force_login(officer)
    response = client.post(
        "/api/v1/datasets/",
        {
            "file": upload_of(kindergartens_gpkg(tmp_path)),
            "name": "kindergartens",
            "layer": "kindergartens",
        },
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["version"] is None and body["refusal"] is None
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/datasets/uploads/{body['upload']}/")
    assert client.get(body["url"]).json()["status"] == "queued"

    run_worker()

    done = client.get(body["url"]).json()
    assert done["status"] == "done"
    assert done["dataset"] == "kindergartens"
    assert done["version"]["number"] == 1
    assert done["version"]["report"]["rows_stored"] == 3
    assert client.get("/api/v1/datasets/kindergartens/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_api_poll_gives_the_refusal(client, officer, tmp_path):
    client.force_login(officer)
    response = client.post(
        "/api/v1/datasets/", {"file": upload_of(kindergartens_gpkg(tmp_path)), "name": "kg"}
    )
    run_worker()
    refused = client.get(response["Location"]).json()
    assert refused["status"] == "failed"
    assert refused["refusal"]["code"] == "choose_layer"
    assert refused["refusal"]["choices"] == ["kindergartens", "playgrounds"]


def test_an_upload_of_another_municipality_answers_404(
    client, officer, rustavi_officer, batumi, tmp_path
):
    path = kindergartens_gpkg(tmp_path)
    upload = upload_request(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        fileobj=upload_of(path),
        file_name=path.name,
    )
    client.force_login(rustavi_officer)
    assert client.get(f"/en/datasets/uploads/{upload.pk}/").status_code == 404
    assert client.get(f"/api/v1/datasets/uploads/{upload.pk}/").status_code == 404
    assert client.post(f"/en/datasets/uploads/{upload.pk}/retry/", {}).status_code == 404
    assert Client().get(f"/api/v1/datasets/uploads/{upload.pk}/").status_code in (401, 403)


def test_purge_lets_go_of_refused_files_and_of_uploads_never_read(officer, batumi, tmp_path):
    path = kindergartens_gpkg(tmp_path)
    refused, waiting = (
        upload_request(
            user=officer,
            municipality=batumi,
            name=name,
            fileobj=upload_of(path),
            file_name=path.name,
        )
        for name in ("refused", "waiting")
    )
    long_ago = timezone.now() - datetime.timedelta(hours=25)
    DatasetUpload.objects.filter(pk=refused.pk).update(
        status=UploadStatus.FAILED, finished_at=long_ago
    )
    DatasetUpload.objects.filter(pk=waiting.pk).update(created_at=long_ago)

    assert uploads_purge() == 1

    refused.refresh_from_db()
    waiting.refresh_from_db()
    assert not refused.file
    assert waiting.status == UploadStatus.FAILED
    assert waiting.refusal["code"] == "expired"
    assert waiting.file  # kept for DATASET_UPLOAD_KEEP_HOURS from now, as any refused file
