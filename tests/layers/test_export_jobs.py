"""A layer above the size of an immediate download is written by the procrastinate worker, and
its file is served only to whoever asked: the same session, user or API key."""

import datetime
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyogrio
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from procrastinate.contrib.django import app

from layers.access import api_key_create
from layers.jobs import exports_purge
from layers.models import ExportJob, ExportStatus
from tests.parcels.factories import ParcelFactory

FORMATS = ["gpkg", "geojson", "csv", "csv.zip", "shp.zip", "kml"]


@pytest.fixture
def small_sync_limit(settings, tmp_path):
    """Downloads of more than two features go to the worker; files land under tmp_path."""
    settings.EXPORT_SYNC_MAX_FEATURES = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def parcels(batumi):
    return ParcelFactory.create_batch(3, municipality=batumi)


def run_worker() -> None:
    """The real worker, in this process, until the exports queue is empty.

    It connects as `manage.py procrastinate worker` does (its own psycopg connection), so the
    jobs must be committed: these tests use the transactional database.
    """
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["exports"], wait=False, install_signal_handlers=False, listen_notify=False
        )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", FORMATS)
def test_large_layer_is_queued_then_written_by_the_worker_and_downloaded(
    client, small_sync_limit, parcels, fmt, tmp_path
):
    crs = "" if fmt == "kml" else "?crs=EPSG:32638"
    response = client.get(f"/api/v1/layers/parcels/export.{fmt}{crs}")
    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "queued"
    assert data["download"] is None
    assert response["Location"] == data["url"]
    assert data["url"].endswith(f"/api/v1/layers/exports/{data['job']}/")
    assert client.get(data["url"]).json()["status"] == "queued"
    early = client.get(data["url"] + "download")
    assert early.status_code == 409

    run_worker()

    done = client.get(data["url"]).json()
    assert done["status"] == "done", done
    assert done["features"] == 3
    download = client.get(done["download"])
    assert download.status_code == 200
    today = timezone.localdate().isoformat()
    suffix = "" if fmt == "kml" else "-epsg32638"
    assert download["Content-Disposition"] == (
        f'attachment; filename="parcels-{today}{suffix}.{fmt}"'
    )
    path = tmp_path / f"download.{fmt}"
    path.write_bytes(body(download))
    inner = {"shp.zip": "parcels.shp", "csv.zip": "parcels.csv"}.get(fmt)
    source = f"/vsizip/{path}/{inner}" if inner else str(path)
    info = pyogrio.read_info(source)
    assert info["features"] == 3
    if fmt in ("gpkg", "shp.zip", "csv.zip", "geojson"):
        assert info["crs"] == "EPSG:32638"
    job = ExportJob.objects.get(pk=data["job"])
    assert Path(job.file.path).is_relative_to(Path(django_settings.MEDIA_ROOT) / "exports")


@pytest.mark.django_db(transaction=True)
def test_the_command_line_worker_of_make_run_completes_a_queued_export(
    client, small_sync_limit, parcels
):
    response = client.get("/api/v1/layers/parcels/export.geojson")
    assert response.status_code == 202
    test_database = django_settings.DATABASES["default"]["NAME"]
    environment = {
        **os.environ,
        "GISPORTAL_DB_NAME": test_database,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
    }
    if os.environ.get("DATABASE_URL"):
        url = urlsplit(os.environ["DATABASE_URL"])
        environment["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{test_database}"))
    subprocess.run(
        [sys.executable, "manage.py", "procrastinate", "worker", "--queues=exports", "--one-shot"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        check=True,
        timeout=120,
        capture_output=True,
    )
    data = client.get(response.json()["url"]).json()
    assert data["status"] == "done"
    assert b'"features":[' in body(client.get(data["download"]))


@pytest.mark.django_db(transaction=True)
def test_another_session_cannot_see_or_download_the_file(client, small_sync_limit, parcels):
    data = client.get("/api/v1/layers/parcels/export.csv").json()
    run_worker()
    stranger = Client()
    assert stranger.get(data["url"]).status_code == 404
    assert stranger.get(data["url"] + "download").status_code == 404
    assert client.get(data["url"] + "download").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_file_belongs_to_the_api_key_that_asked(client, small_sync_limit, parcels):
    _, mine = api_key_create(name="City GIS", layers=[])
    _, other = api_key_create(name="Other system", layers=[])
    data = client.get("/api/v1/layers/parcels/export.gpkg", HTTP_X_API_KEY=mine).json()
    run_worker()
    download = data["url"] + "download"
    assert client.get(download, HTTP_X_API_KEY=mine).status_code == 200
    assert Client().get(download, HTTP_X_API_KEY=other).status_code == 404
    assert Client().get(download).status_code == 404


def test_the_file_belongs_to_the_user_that_asked(
    client, small_sync_limit, parcels, django_user_model
):
    user = django_user_model.objects.create_user("a@example.ge", password="x")
    other = django_user_model.objects.create_user("b@example.ge", password="x")
    client.force_login(user)
    url = client.get("/api/v1/layers/parcels/export.kml").json()["url"]
    assert client.get(url).status_code == 200
    someone = Client()
    someone.force_login(other)
    assert someone.get(url).status_code == 404


def test_asking_again_returns_the_same_job(client, small_sync_limit, parcels):
    first = client.get("/api/v1/layers/parcels/export.gpkg").json()
    again = client.get("/api/v1/layers/parcels/export.gpkg").json()
    other_crs = client.get("/api/v1/layers/parcels/export.gpkg?crs=32638").json()
    assert again["job"] == first["job"]
    assert other_crs["job"] != first["job"]
    assert ExportJob.objects.count() == 2


def test_too_many_waiting_exports_answer_429(client, small_sync_limit, parcels):
    small_sync_limit.EXPORT_MAX_PENDING_JOBS = 2
    assert client.get("/api/v1/layers/parcels/export.gpkg").status_code == 202
    assert client.get("/api/v1/layers/parcels/export.csv").status_code == 202
    response = client.get("/api/v1/layers/parcels/export.kml")
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_exports"


def test_a_browser_gets_a_page_that_says_the_file_is_being_written(
    client, small_sync_limit, parcels
):
    response = client.get(
        "/api/v1/layers/parcels/export.gpkg", HTTP_ACCEPT="text/html,application/xhtml+xml"
    )
    assert response.status_code == 202
    assert response["Content-Type"].startswith("text/html")
    assert b'http-equiv="refresh"' in response.content


@pytest.mark.django_db(transaction=True)
def test_expired_files_are_deleted_and_the_job_says_so(client, small_sync_limit, parcels):
    data = client.get("/api/v1/layers/parcels/export.geojson").json()
    run_worker()
    job = ExportJob.objects.get(pk=data["job"])
    path = Path(job.file.path)
    assert path.exists()
    later = job.expires_at + datetime.timedelta(minutes=1)
    assert client.get(data["url"]).json()["status"] == "done"
    assert exports_purge(now=job.expires_at - datetime.timedelta(minutes=1)) == 0
    assert exports_purge(now=later) == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED
    assert client.get(data["url"]).json()["status"] == "expired"
    assert client.get(data["url"] + "download").status_code == 409


@pytest.mark.django_db(transaction=True)
def test_a_layer_withdrawn_before_the_worker_ran_ends_the_job_as_failed(
    client, small_sync_limit, parcels
):
    from dataclasses import replace

    from layers.registry import registry

    registry.register(replace(registry.get("parcels"), name="parcels-for-a-while"))
    try:
        data = client.get("/api/v1/layers/parcels-for-a-while/export.gpkg").json()
    finally:
        registry.unregister("parcels-for-a-while")
    run_worker()
    job = ExportJob.objects.get(pk=data["job"])
    assert job.status == ExportStatus.FAILED
    assert job.error == "The layer is no longer published for download."
    assert not job.file


def test_a_job_no_worker_took_in_time_stops_counting_against_its_owner(
    client, small_sync_limit, parcels
):
    small_sync_limit.EXPORT_MAX_PENDING_JOBS = 1
    data = client.get("/api/v1/layers/parcels/export.gpkg").json()
    assert client.get("/api/v1/layers/parcels/export.csv").status_code == 429
    exports_purge(now=timezone.now() + datetime.timedelta(days=2))
    assert client.get(data["url"]).json()["status"] == "failed"
    assert client.get("/api/v1/layers/parcels/export.csv").status_code == 202
