"""The staff pages: upload with a choice of layer, the report, publish, attributes, style, metadata."""

from datasets.models import Dataset
from layers.registry import registry
from tests.datasets.conftest import kindergartens_gpkg, read_uploads, upload_of


def upload_page(client, tmp_path, **extra):
    """Upload through the page; the ingest job's work is run before this returns."""
    data = {
        "name": "kindergartens",
        "title_ka": "საბავშვო ბაღები",
        "title_en": "Kindergartens",
        "file": upload_of(kindergartens_gpkg(tmp_path)),
        **extra,
    }
    response = client.post("/en/datasets/upload/", data)
    read_uploads()
    return response


def test_a_refusal_that_asks_for_a_layer_lists_the_layers_of_a_geopackage(
    client, officer, batumi, tmp_path
):
    client.force_login(officer)
    assert client.get("/en/datasets/upload/").status_code == 200
    response = upload_page(client, tmp_path, municipality=batumi.pk)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "has 2 layers; choose one" in page
    assert '<option value="playgrounds">playgrounds</option>' in page
    assert not Dataset.objects.exists()


def test_upload_report_and_publish_through_the_pages(client, officer, batumi, tmp_path):
    client.force_login(officer)
    response = upload_page(client, tmp_path, municipality=batumi.pk, layer="kindergartens")
    assert response.status_code == 302
    status = client.get(response["Location"]).content.decode()
    assert "See the report of version 1" in status
    detail = client.get("/en/datasets/kindergartens/?version=1")
    page = detail.content.decode()
    assert "lies outside Georgia" in page
    assert "Name EN" in page and "name_en" in page  # the renaming is shown
    assert client.post("/en/datasets/kindergartens/publish/").status_code == 302
    assert registry.get("kindergartens") is not None
    listing = client.get("/en/datasets/").content.decode()
    assert "kindergartens" in listing and "Published" in listing


def test_attributes_are_renamed_and_retitled(client, officer, batumi, tmp_path):
    client.force_login(officer)
    upload_page(client, tmp_path, municipality=batumi.pk, layer="kindergartens")
    version = Dataset.objects.get().active_version
    form = {"attr-TOTAL_FORMS": len(version.schema), "attr-INITIAL_FORMS": len(version.schema)}
    for i, entry in enumerate(version.schema):
        renamed = "title" if entry["name"] == "name_en" else entry["name"]
        form.update(
            {
                f"attr-{i}-source": entry["source"],
                f"attr-{i}-name": renamed,
                f"attr-{i}-type": entry["type"],
                f"attr-{i}-title_ka": "სათაური",
                f"attr-{i}-title_en": "Title",
            }
        )
    response = client.post("/en/datasets/kindergartens/versions/1/schema/", form)
    assert response.status_code == 302
    version.refresh_from_db()
    assert "title" in {entry["name"] for entry in version.schema}
    form["attr-0-name"] = "geom"
    response = client.post("/en/datasets/kindergartens/versions/1/schema/", form)
    assert response.status_code == 200
    assert "reserved" in response.content.decode()


def test_a_type_change_that_values_do_not_fit_is_refused(client, officer, batumi, tmp_path):
    client.force_login(officer)
    upload_page(client, tmp_path, municipality=batumi.pk, layer="kindergartens")
    schema = Dataset.objects.get().active_version.schema
    changed = [{**e, "type": "integer"} if e["name"] == "name_en" else e for e in schema]
    response = client.put(
        "/api/v1/datasets/kindergartens/versions/1/schema/",
        {"schema": changed},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "is not a whole number" in response.json()["detail"]


def test_the_style_editor_saves_a_maplibre_style(client, officer, batumi, tmp_path):
    client.force_login(officer)
    upload_page(client, tmp_path, municipality=batumi.pk, layer="kindergartens")
    assert client.get("/en/datasets/kindergartens/style/").status_code == 200
    response = client.post(
        "/en/datasets/kindergartens/style/",
        {
            "fill_color": "#ff0000",
            "line_color": "#000000",
            "line_width": 2,
            "fill_opacity": 0.5,
            "opacity": 0.8,
            "circle_radius": 7,
        },
    )
    assert response.status_code == 302
    client.post("/en/datasets/kindergartens/publish/")
    (circle,) = registry.get("kindergartens").style
    assert circle["type"] == "circle"
    assert circle["paint"]["circle-color"] == "#ff0000"
    assert circle["paint"]["circle-radius"] == 7


def test_the_metadata_form_saves_both_languages(client, officer, batumi, tmp_path):
    client.force_login(officer)
    upload_page(client, tmp_path, municipality=batumi.pk, layer="kindergartens")
    response = client.post(
        "/en/datasets/kindergartens/metadata/",
        {
            "title_ka": "ბაღები",
            "title_en": "Kindergartens of Batumi",
            "abstract_ka": "აღწერა",
            "abstract_en": "Description",
            "keywords": "education, განათლება",
            "licence": "CC-BY-4.0",
            "contact_name": "GIS office",
            "contact_email": "gis@batumi.example.ge",
            "visibility": "staff",
            "downloadable": "on",
        },
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get()
    assert dataset.keywords == ["education", "განათლება"]
    assert dataset.visibility == "staff"
