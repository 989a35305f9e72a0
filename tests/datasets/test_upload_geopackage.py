"""A GIS officer uploads a GeoPackage of kindergartens: the report, then a published layer."""

import pytest
from django.utils import translation

from datasets.ingest import UploadRefused
from datasets.models import Dataset, DatasetFeature
from datasets.services import FileChoices, dataset_publish, dataset_upload
from layers.registry import registry
from tests.datasets.conftest import decode_tile, kindergartens_gpkg, tile_path, upload_of


def upload(officer, batumi, path, **choices):
    return dataset_upload(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        title_ka="საბავშვო ბაღები",
        title_en="Kindergartens",
        fileobj=upload_of(path),
        file_name=path.name,
        choices=FileChoices(**choices),
    )


def test_a_geopackage_with_two_layers_asks_which_layer(officer, batumi, tmp_path):
    path = kindergartens_gpkg(tmp_path)
    with pytest.raises(UploadRefused) as refused:
        upload(officer, batumi, path)
    assert refused.value.code == "choose_layer"
    assert refused.value.choices == ["kindergartens", "playgrounds"]
    assert not Dataset.objects.exists()


def test_the_report_lists_valid_rows_and_the_bad_ones_with_reasons(officer, batumi, tmp_path):
    version = upload(officer, batumi, kindergartens_gpkg(tmp_path), layer="kindergartens")
    report = version.report
    assert report["rows_read"] == 5
    assert report["rows_stored"] == 3
    assert {(e["row"], e["code"]) for e in report["errors"]} == {
        (4, "outside_georgia"),
        (5, "empty"),
    }
    assert "lies outside Georgia" in report["errors"][0]["message"]
    assert report["renamed"]["Name EN"] == "name_en"
    assert version.geometry_type == "Point"
    assert DatasetFeature.objects.filter(version=version).count() == 3
    types = {entry["name"]: entry["type"] for entry in version.schema}
    assert types["capacity"] == "integer"
    assert types["name_en"] == "string"


def test_an_unpublished_dataset_is_not_a_layer(officer, batumi, tmp_path):
    upload(officer, batumi, kindergartens_gpkg(tmp_path), layer="kindergartens")
    assert registry.get("kindergartens") is None


def test_publishing_makes_it_a_layer_whose_tiles_decode(client, officer, batumi, tmp_path):
    version = upload(officer, batumi, kindergartens_gpkg(tmp_path), layer="kindergartens")
    dataset_publish(user=officer, dataset=version.dataset)
    assert "kindergartens" in {layer.name for layer in registry.all()}
    layer = registry.get("kindergartens")
    assert layer.geometry_type == "Point"
    assert dict(layer.field_types)["capacity"] == "integer"
    rows = list(layer.get_queryset().filter(capacity__gte=41).values("name_en", "capacity"))
    assert rows == [
        {"name_en": "Kindergarten 1", "capacity": 41},
        {"name_en": "Kindergarten 2", "capacity": 42},
    ] or sorted(r["capacity"] for r in rows) == [41, 42]
    response = client.get(tile_path("kindergartens", 600, 500))
    assert response.status_code == 200
    features = decode_tile(response)["kindergartens"]["features"]
    assert {f["properties"]["name_en"] for f in features} >= {"Kindergarten 1"}
    assert all(f["properties"]["capacity"] >= 40 for f in features)


def test_a_published_dataset_names_its_attributes_with_their_titles(officer, batumi, tmp_path):
    version = upload(officer, batumi, kindergartens_gpkg(tmp_path), layer="kindergartens")
    dataset_publish(user=officer, dataset=version.dataset)
    schema = {entry["name"]: entry for entry in version.dataset.schema}
    with translation.override("en"):
        titles = {field.name: field.title for field in registry.get("kindergartens").fields()}
    assert titles == {name: entry.get("title_en") or name for name, entry in schema.items()}
