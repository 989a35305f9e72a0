"""The items path's query parameters in the API definition, as OGC API Features part 1 defines
them: `form` style without explode, so that QGIS and the OGC test suite take them as filters."""

from django.conf import settings

from tests.layers import ogc_helpers as ogc


def items_parameters(client) -> list[dict]:
    document = client.get("/ogcapi/api").json()
    components = document["components"]["parameters"]
    found = document["paths"]["/collections/parcels/items"]["get"]["parameters"]
    return [components[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p for p in found]


def test_every_query_parameter_of_items_is_form_style_without_explode(client, db):
    query = [p for p in items_parameters(client) if p["in"] == "query"]
    names = {p["name"] for p in query}
    assert {"bbox", "limit", "datetime", "land_use", "cadastral_code", "filter"} <= names
    for parameter in query:
        assert parameter["style"] == "form", parameter["name"]
        assert parameter["explode"] is False, parameter["name"]
        assert parameter["required"] is False, parameter["name"]


def test_limit_and_datetime_are_defined_as_the_standard_defines_them(client, db):
    by_name = {p["name"]: p for p in items_parameters(client)}
    assert by_name["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": settings.API_MAX_PAGE_SIZE,
        "default": 10,
    }
    assert by_name["datetime"]["schema"] == {"type": "string"}


def test_bbox_takes_four_or_six_numbers(client, db):
    by_name = {p["name"]: p for p in items_parameters(client)}
    schema = by_name["bbox"]["schema"]
    assert schema["type"] == "array"
    assert schema["items"] == {"type": "number"}
    assert schema["oneOf"] == [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}]


def test_a_temporary_layers_queryables_are_form_parameters_too(client, db):
    with ogc.temporary_layer(ogc.parcels_layer("form-parcels")):
        document = client.get("/ogcapi/api").json()
    found = document["paths"]["/collections/form-parcels/items"]["get"]["parameters"]
    [land_use] = [p for p in found if p.get("name") == "land_use"]
    assert (land_use["style"], land_use["explode"]) == ("form", False)
