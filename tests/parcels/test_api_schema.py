"""The OpenAPI description of the parcels API: valid, complete, and generated without warnings."""

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

PARCEL_OPERATIONS = {
    "/api/v1/parcels/": "parcels_list",
    "/api/v1/parcels/at/": "parcels_at",
    "/api/v1/parcels/search/": "parcels_search",
    "/api/v1/parcels/{cadastral_code}/": "parcels_retrieve",
}


@pytest.fixture
def schema(client, db) -> dict:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_endpoint_serves_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_lists_every_parcels_path_with_its_operation_id(schema):
    for path_, operation_id in PARCEL_OPERATIONS.items():
        operation = schema["paths"][path_]["get"]
        assert operation["operationId"] == operation_id
        assert operation["tags"] == ["parcels"]


def test_the_schema_describes_the_400_answer_that_names_the_parameter(schema):
    error = schema["paths"]["/api/v1/parcels/"]["get"]["responses"]["400"]
    ref = error["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(component["properties"]) == {"detail", "parameter", "code", "errors"}
    assert component["required"] == ["code", "detail"]


def test_the_schema_states_which_query_parameters_each_operation_takes(schema):
    def names(path_):
        return {
            p["name"]: p.get("required", False) for p in schema["paths"][path_]["get"]["parameters"]
        }

    assert names("/api/v1/parcels/") == {
        "bbox": True,
        "municipality": False,
        "limit": False,
        "offset": False,
    }
    assert names("/api/v1/parcels/at/") == {"lon": True, "lat": True}
    assert names("/api/v1/parcels/search/") == {"q": True, "municipality": False, "limit": False}
    assert names("/api/v1/parcels/{cadastral_code}/") == {"cadastral_code": True}


def test_the_paged_feature_collection_is_described_as_geojson(schema):
    schemas = schema["components"]["schemas"]
    page = schemas["PaginatedParcelFeatureList"]
    assert page["allOf"][0] == {"$ref": "#/components/schemas/ParcelFeatureList"}
    assert set(page["allOf"][1]["properties"]) == {"count", "next", "previous"}
    feature = schemas["ParcelFeature"]["properties"]
    assert set(feature) == {"type", "id", "geometry", "properties"}
    assert feature["geometry"]["properties"]["type"]["enum"] == ["MultiPolygon"]


def test_the_parcels_views_generate_their_schema_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("parcels.api_urls"))])

    with GENERATOR_STATS.silence():
        generated = generator.get_schema(request=None, public=True)

    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    assert set(generated["paths"]) == set(PARCEL_OPERATIONS)
