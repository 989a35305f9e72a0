"""Replace and append make new versions; activation switches; rollback brings the old tiles back."""

import shapely

from datasets.models import DatasetFeature
from datasets.services import FileChoices, dataset_publish, dataset_upload
from tests.datasets.conftest import (
    decode_tile,
    lonlat,
    read_uploads,
    tile_path,
    upload_of,
    write_layer,
)


def points_gpkg(tmp_path, name, labels, dx=500.0):
    path = tmp_path / name
    geoms = [shapely.Point(*lonlat(dx + 30 * i, 500)) for i in range(len(labels))]
    return write_layer(path, geoms, {"label": labels}, layer="kindergartens")


def published(officer, batumi, tmp_path):
    path = points_gpkg(tmp_path, "v1.gpkg", ["a", "b"])
    version = dataset_upload(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        title_ka="ბაღები",
        title_en="Kindergartens",
        fileobj=upload_of(path),
        file_name=path.name,
        choices=FileChoices(),
    )
    dataset_publish(user=officer, dataset=version.dataset)
    return version.dataset


def labels_in_tile(client):
    response = client.get(tile_path("kindergartens", 520, 500))
    assert response.status_code == 200
    return response["ETag"], sorted(
        f["properties"]["label"] for f in decode_tile(response)["kindergartens"]["features"]
    )


def test_replace_makes_version_2_and_rollback_returns_to_1(client, officer, batumi, tmp_path):
    published(officer, batumi, tmp_path)
    etag_1, labels_1 = labels_in_tile(client)
    assert labels_1 == ["a", "b"]

    client.force_login(officer)
    replacement = points_gpkg(tmp_path, "v2.gpkg", ["c", "d", "e"])
    response = client.post(
        "/api/v1/datasets/kindergartens/versions/",
        {"file": upload_of(replacement), "mode": "replace", "activate": "true"},
    )
    assert response.status_code == 202, response.json()
    read_uploads()
    assert client.get(response["Location"]).json()["version"]["number"] == 2
    client.logout()
    etag_2, labels_2 = labels_in_tile(client)
    assert labels_2 == ["c", "d", "e"]
    assert etag_2 != etag_1

    client.force_login(officer)
    rollback = client.post(
        "/api/v1/datasets/kindergartens/rollback/", {"version": 1}, content_type="application/json"
    )
    assert rollback.status_code == 200
    assert rollback.json()["active"] is True
    client.logout()
    etag_3, labels_3 = labels_in_tile(client)
    assert labels_3 == ["a", "b"]
    assert etag_3 not in (etag_1, etag_2)
    # Nothing was overwritten: both versions keep their features.
    assert DatasetFeature.objects.filter(version__number=2).count() == 3


def test_a_new_version_is_not_served_until_activated(client, officer, batumi, tmp_path):
    published(officer, batumi, tmp_path)
    client.force_login(officer)
    replacement = points_gpkg(tmp_path, "v2.gpkg", ["z"])
    client.post(
        "/api/v1/datasets/kindergartens/versions/",
        {"file": upload_of(replacement), "mode": "replace"},
    )
    read_uploads()
    assert labels_in_tile(client)[1] == ["a", "b"]
    assert client.post("/api/v1/datasets/kindergartens/versions/2/activate/").status_code == 200
    assert labels_in_tile(client)[1] == ["z"]


def test_append_adds_rows_to_the_active_version(client, officer, batumi, tmp_path):
    published(officer, batumi, tmp_path)
    client.force_login(officer)
    more = points_gpkg(tmp_path, "more.gpkg", ["c"], dx=560.0)
    response = client.post(
        "/api/v1/datasets/kindergartens/versions/",
        {"file": upload_of(more), "mode": "append", "activate": "true"},
    )
    assert response.status_code == 202, response.json()
    read_uploads()
    body = client.get(response["Location"]).json()["version"]
    assert body["rows_stored"] == 3
    assert body["base_version"] == 1
    assert labels_in_tile(client)[1] == ["a", "b", "c"]
    fids = DatasetFeature.objects.filter(version__number=2).order_by("fid")
    assert list(fids.values_list("fid", flat=True)) == [1, 2, 3]


def test_versions_are_listed_newest_first(client, officer, batumi, tmp_path):
    published(officer, batumi, tmp_path)
    client.force_login(officer)
    client.post(
        "/api/v1/datasets/kindergartens/versions/",
        {"file": upload_of(points_gpkg(tmp_path, "v2.gpkg", ["x"])), "mode": "replace"},
    )
    read_uploads()
    versions = client.get("/api/v1/datasets/kindergartens/versions/").json()["versions"]
    assert [(v["number"], v["active"]) for v in versions] == [(2, False), (1, True)]
