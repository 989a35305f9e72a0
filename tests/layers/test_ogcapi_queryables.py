"""Queryables: a JSON Schema of what filters may use, read from the layer's declaration."""

import jsonschema

from layers.registry import registry


def test_queryables_are_a_json_schema_of_the_public_properties(client, db):
    response = client.get("/ogcapi/collections/parcels/queryables", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = response.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "http://testserver/ogcapi/collections/parcels/queryables"
    assert schema["type"] == "object"
    properties = schema["properties"]
    assert list(properties) == [
        "geometry",
        "cadastral_code",
        "land_use",
        "area_m2",
        "is_municipal_property",
    ]
    assert properties["geometry"]["format"] == "geometry-multipolygon"
    assert properties["cadastral_code"] == {"title": "cadastral code", "type": "string"}
    assert properties["is_municipal_property"]["type"] == "boolean"
    assert "residential" in properties["land_use"]["enum"]


def test_queryables_of_every_layer_are_valid_schemas(admin_client, db):
    # Signed in as a superuser: the staff-only layers are walked too.
    for layer in registry.all():
        schema = admin_client.get(f"/ogcapi/collections/{layer.name}/queryables").json()
        jsonschema.Draft202012Validator.check_schema(schema)
        assert set(schema["properties"]) == {"geometry", *layer.properties}


def test_number_properties_are_numbers(client, db):
    properties = client.get("/ogcapi/collections/zones/queryables").json()["properties"]
    assert properties["k1"]["type"] == "number"
    assert properties["code"]["type"] == "string"
