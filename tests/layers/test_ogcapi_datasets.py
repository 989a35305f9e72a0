"""A dataset that GIS staff upload and publish is a collection like any declared layer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Role
from datasets.services import FileChoices, dataset_publish, dataset_upload
from tests.core.factories import MembershipFactory
from tests.layers import ogc_helpers as ogc


@pytest.fixture
def kindergartens(batumi):
    officer = MembershipFactory(municipality=batumi, role=Role.GIS_OFFICER).user
    rows = [
        ("A", 40, *ogc.TO_LONLAT.transform(ogc.GRID_X, ogc.GRID_Y), "2020-09-01"),
        ("B", 55, *ogc.TO_LONLAT.transform(ogc.GRID_X + 100, ogc.GRID_Y), "2021-09-01"),
        ("C", 70, *ogc.TO_LONLAT.transform(ogc.GRID_X + 2000, ogc.GRID_Y), ""),
    ]
    content = "name;capacity;Longitude;Latitude;opened\n" + "".join(
        f"{n};{c};{x};{y};{d}\n" for n, c, x, y, d in rows
    )
    version = dataset_upload(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        title_ka="საბავშვო ბაღები",
        title_en="Kindergartens",
        fileobj=SimpleUploadedFile("kg.csv", content.encode()),
        file_name="kg.csv",
        choices=FileChoices(),
    )
    dataset_publish(user=officer, dataset=version.dataset)
    return version.dataset


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [f["properties"]["name"] for f in response.json()["features"]]


def test_a_published_dataset_is_listed_with_typed_queryables(client, kindergartens):
    listed = client.get("/ogcapi/collections?f=json").json()["collections"]
    assert "kindergartens" in [c["id"] for c in listed]
    properties = client.get("/ogcapi/collections/kindergartens/queryables").json()["properties"]
    assert properties["capacity"]["type"] == "integer"
    assert properties["opened"] == {"title": "opened", "type": "string", "format": "date"}
    assert properties["geometry"]["format"] == "geometry-point"


def test_its_items_carry_the_typed_attributes(client, kindergartens):
    body = client.get("/ogcapi/collections/kindergartens/items").json()
    first = body["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert first["properties"] == {"name": "A", "capacity": 40, "opened": "2020-09-01"}
    assert body["numberMatched"] == 3


def test_its_attributes_filter(client, kindergartens):
    url = "/ogcapi/collections/kindergartens/items"
    assert names(client.get(f"{url}?filter=capacity > 50")) == ["B", "C"]
    assert names(client.get(f"{url}?filter=opened < DATE('2021-01-01')")) == ["A"]
    assert names(client.get(f"{url}?name=B")) == ["B"]
    assert names(client.get(f"{url}?capacity=70")) == ["C"]
    lon, lat = ogc.TO_LONLAT.transform(ogc.GRID_X + 50, ogc.GRID_Y)
    box = f"{lon - 0.002},{lat - 0.001},{lon + 0.002},{lat + 0.001}"
    assert names(client.get(f"{url}?bbox={box}")) == ["A", "B"]
