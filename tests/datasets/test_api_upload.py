"""Uploads through the API: multipart create, the report, publish; refusals name the parameter."""

from tests.datasets.conftest import kindergartens_gpkg, upload_of


def test_officer_uploads_and_publishes_through_the_api(client, officer, batumi, tmp_path):
    client.force_login(officer)
    path = kindergartens_gpkg(tmp_path)
    response = client.post(
        "/api/v1/datasets/",
        {"file": upload_of(path), "name": "kindergartens", "layer": "kindergartens"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"]["report"]["rows_stored"] == 3
    assert body["dataset"]["published"] is False

    report = client.get("/api/v1/datasets/kindergartens/report/").json()
    assert report["report"]["rows_refused"] == 2

    published = client.post("/api/v1/datasets/kindergartens/publish/")
    assert published.status_code == 200
    assert published.json()["published"] is True
    assert client.get("/tiles/kindergartens.json").status_code == 200


def test_a_file_that_needs_a_layer_answers_400_with_the_choices(client, officer, tmp_path):
    client.force_login(officer)
    path = kindergartens_gpkg(tmp_path)
    response = client.post("/api/v1/datasets/", {"file": upload_of(path), "name": "kg"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "layer"
    assert response.json()["choices"] == ["kindergartens", "playgrounds"]


def test_a_missing_file_answers_400_naming_it(client, officer):
    client.force_login(officer)
    response = client.post("/api/v1/datasets/", {"name": "kg"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "file"


def test_a_name_of_a_declared_layer_is_refused(client, officer, tmp_path):
    client.force_login(officer)
    path = kindergartens_gpkg(tmp_path)
    response = client.post(
        "/api/v1/datasets/", {"file": upload_of(path), "name": "parcels", "layer": "kindergartens"}
    )
    assert response.status_code == 400
    assert response.json()["parameter"] == "name"


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
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/datasets/")
    assert [d["name"] for d in response.json()["datasets"]] == ["kg-1", "kg-2", "kg-3"]
