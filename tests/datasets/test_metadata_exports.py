"""DCAT JSON-LD and ISO 19115 (ISO 19139 XML) of a published dataset."""

import json

import pytest
from lxml import etree

from datasets.metadata import NS
from datasets.services import FileChoices, dataset_publish, dataset_update_metadata, dataset_upload
from tests.datasets.conftest import kindergartens_gpkg, upload_of


@pytest.fixture
def dataset(officer, batumi, tmp_path):
    path = kindergartens_gpkg(tmp_path)
    version = dataset_upload(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        title_ka="საბავშვო ბაღები",
        title_en="Kindergartens",
        fileobj=upload_of(path),
        file_name=path.name,
        choices=FileChoices(layer="kindergartens"),
    )
    dataset = dataset_update_metadata(
        user=officer,
        dataset=version.dataset,
        abstract_ka="ბათუმის საბავშვო ბაღები",
        abstract_en="Kindergartens of Batumi",
        keywords=["education", "განათლება"],
        contact_email="gis@batumi.example.ge",
    )
    return dataset_publish(user=officer, dataset=dataset)


def test_dcat_jsonld_is_a_dcat_dataset(client, dataset):
    response = client.get("/api/v1/datasets/kindergartens/dcat.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    data = json.loads(response.content)
    assert data["@type"] == "dcat:Dataset"
    assert {"@value": "საბავშვო ბაღები", "@language": "ka"} in data["dct:title"]
    assert "dct:spatial" in data
    urls = [d["dcat:accessURL"]["@id"] for d in data["dcat:distribution"]]
    assert any(u.endswith("/ogcapi/collections/kindergartens") for u in urls)


def test_iso_xml_holds_the_title_in_both_languages_and_the_extent(client, dataset):
    response = client.get("/api/v1/datasets/kindergartens/iso19115.xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{NS['gmd']}}}MD_Metadata"
    title = root.find(".//gmd:citation/gmd:CI_Citation/gmd:title", NS)
    assert title.findtext("gco:CharacterString", namespaces=NS) == "საბავშვო ბაღები"
    assert title.findtext(".//gmd:LocalisedCharacterString", namespaces=NS) == "Kindergartens"
    for path in (
        "gmd:fileIdentifier",
        "gmd:language",
        "gmd:contact",
        "gmd:dateStamp",
        "gmd:referenceSystemInfo",
        ".//gmd:EX_GeographicBoundingBox/gmd:westBoundLongitude",
        ".//gmd:MD_Keywords",
    ):
        assert root.find(path, NS) is not None, path
    west = float(root.findtext(".//gmd:westBoundLongitude/gco:Decimal", namespaces=NS))
    assert 41.5 < west < 41.8
    links = [e.text for e in root.iterfind(".//gmd:CI_OnlineResource/gmd:linkage/gmd:URL", NS)]
    assert any(link.endswith("/ogcapi/collections/kindergartens") for link in links)
    assert any("/wfs" in link for link in links)


def test_metadata_of_an_unpublished_dataset_is_404(client, dataset, officer):
    from datasets.services import dataset_unpublish

    dataset_unpublish(user=officer, dataset=dataset)
    assert client.get("/api/v1/datasets/kindergartens/dcat.jsonld").status_code == 404
