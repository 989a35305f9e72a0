"""Uploads through the API: multipart create answered with 202, the upload polled until its
version is made, the report, publish; refusals name the parameter."""

from datasets.models import Dataset
from tests.datasets.conftest import kindergartens_gpkg, read_uploads, upload_of


def test_officer_uploads_and_publishes_through_the_api(client, officer, batumi, tmp_path):
    client.force_login(officer)
    path = kindergartens_gpkg(tmp_path)
    response = client.post(
        "/api/v1/datasets/",
        {"file": upload_of(path), "name": "kindergartens", "layer": "kindergartens"},
    )
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued"
    assert response["Location"] == response.json()["url"]
    read_uploads()
    body = client.get(response["Location"]).json()
    assert body["status"] == "done"
    assert body["version"]["report"]["rows_stored"] == 3
    assert body["rows_read"] == body["rows_total"] == 5
    assert Dataset.objects.get().published is False

    report = client.get("/api/v1/datasets/kindergartens/report/").json()
    assert report["report"]["rows_refused"] == 2

    published = client.post("/api/v1/datasets/kindergartens/publish/")
    assert published.status_code == 200
    assert published.json()["published"] is True
    assert client.get("/tiles/kindergartens.json").status_code == 200


def test_a_file_that_needs_a_layer_ends_refused_with_the_choices(client, officer, tmp_path):
    client.force_login(officer)
    path = kindergartens_gpkg(tmp_path)
    response = client.post("/api/v1/datasets/", {"file": upload_of(path), "name": "kg"})
    assert response.status_code == 202
    read_uploads()
    body = client.get(response["Location"]).json()
    assert body["status"] == "failed"
    assert body["refusal"]["parameter"] == "layer"
    assert body["refusal"]["choices"] == ["kindergartens", "playgrounds"]
    assert not Dataset.objects.exists()


def test_a_missing_file_answers_400_naming_it(client, officer):
    client.force_login(officer)
    response = client.post("/api/v1/datasets/", {"name": "kg"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "file"


def test_a_name_of_a_declared_layer_is_refused_at_once(client, officer, tmp_path):
    client.force_login(officer)
    path = kindergartens_gpkg(tmp_path)
    response = client.post(
        "/api/v1/datasets/", {"file": upload_of(path), "name": "parcels", "layer": "kindergartens"}
    )
    assert response.status_code == 400
    assert response.json()["parameter"] == "name"


def test_a_file_of_another_kind_is_refused_at_once(client, officer):
    client.force_login(officer)
    response = client.post(
        "/api/v1/datasets/", {"file": upload_of_bytes("data.kml", b"<kml/>"), "name": "kg"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "format"


def upload_of_bytes(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_the_list_costs_a_fixed_number_of_queries(
    client, officer, batumi, tmp_path, django_assert_max_num_queries
):
    client.force_login(officer)
    for name in ("kg-1", "kg-2", "kg-3"):
        client.post(
            "/api/v1/datasets/",
            {
                "file": upload_of(kindergartens_gpkg(tmp_path, name=f"{name}.gpkg")),
                "name": name,
                "layer": "kindergartens",
            },
        )
    read_uploads()
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/datasets/")
    assert [d["name"] for d in response.json()["datasets"]] == ["kg-1", "kg-2", "kg-3"]
