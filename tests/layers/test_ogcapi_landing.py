"""The OGC API landing page, conformance classes and the OpenAPI definition of the service."""

import pytest
from django.conf import settings

OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def rels(body: dict) -> dict[str, dict]:
    return {link["rel"]: link for link in body["links"]}


def test_landing_page_links_to_the_api_conformance_and_collections(client, db):
    response = client.get("/ogcapi/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    links = rels(response.json())
    assert links["self"]["type"] == "application/json"
    assert links["alternate"]["type"] == "text/html"
    assert links["service-desc"]["href"] == "http://testserver/ogcapi/api"
    assert links["service-desc"]["type"] == OPENAPI
    assert links["service-doc"]["href"] == "http://testserver/ogcapi/api.html"
    assert links["conformance"]["href"] == "http://testserver/ogcapi/conformance"
    assert links["data"]["href"] == "http://testserver/ogcapi/collections"
    assert links["http://www.opengis.net/def/rel/ogc/1.0/data"]["href"].endswith("/collections")


def test_landing_page_answers_without_a_slash_too(client, db):
    # QGIS asks for /ogcapi and does not follow a redirect.
    response = client.get("/ogcapi", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    relations = {link["rel"] for link in response.json()["links"]}
    assert {"conformance", "data", "service-desc"} <= relations


@pytest.mark.parametrize(
    "conformance_class",
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    ],
)
def test_conformance_declares_the_implemented_classes(client, db, conformance_class):
    body = client.get("/ogcapi/conformance?f=json").json()
    assert conformance_class in body["conformsTo"]


def test_api_definition_is_openapi_3_with_each_collections_items_and_the_page_size(client, db):
    response = client.get("/ogcapi/api")
    assert response.status_code == 200
    assert response["Content-Type"] == OPENAPI
    document = response.json()
    assert document["openapi"].startswith("3.0")
    assert document["servers"] == [{"url": "http://testserver/ogcapi"}]
    items = document["paths"]["/collections/parcels/items"]["get"]
    names = {p.get("name") or p["$ref"].rsplit("/", 1)[-1] for p in items["parameters"]}
    assert {"bbox", "limit", "offset", "crs", "filter", "land_use", "cadastral_code"} <= names
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert limit == {
        "type": "integer",
        "minimum": 1,
        "maximum": settings.API_MAX_PAGE_SIZE,
        "default": 10,
    }
    for path in document["paths"].values():
        for parameter in path["get"]["parameters"]:
            if "$ref" in parameter:
                assert parameter["$ref"].rsplit("/", 1)[-1] in document["components"]["parameters"]


def test_api_documentation_is_a_page_of_its_own(client, db):
    response = client.get("/ogcapi/api.html", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "/collections/parcels/items" in response.content.decode()
