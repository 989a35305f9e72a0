"""Properties that are annotations (computed values, keys of a JSON column) go out through WFS.

Uploaded datasets keep their attributes in JSONB and publish them as typed annotations; this
layer does the same over parcels, so the WFS path is checked without depending on uploads.
"""

import json
import subprocess
from urllib.parse import quote

import pyogrio.raw
import pytest
from django.db.models import F, FloatField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, JSONObject, Upper
from lxml import etree

from layers.registry import Layer, registry
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

XSD = "http://www.w3.org/2001/XMLSchema"
GML = "http://www.opengis.net/gml/3.2"
APP = "urn:x-gislayer-pages:list"
BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
GET = f"{BASE}&REQUEST=GetFeature&TYPENAMES=parcel-attributes"
FES = 'xmlns:fes="http://www.opengis.net/fes/2.0"'


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def annotated_parcels():
    # `attrs` stands for a JSONB column of attributes; it is not itself a public property.
    return (
        Parcel.objects.current()
        .annotate(attrs=JSONObject(use=F("land_use"), area=F("area_m2"), note=Value("hidden")))
        .annotate(
            use_text=KeyTextTransform("use", "attrs"),
            area=Cast(KeyTextTransform("area", "attrs"), FloatField()),
            code_upper=Upper("cadastral_code"),
        )
    )


@pytest.fixture
def annotated_layer():
    layer = registry.register(
        Layer(
            name="parcel-attributes",
            title_ka="ატრიბუტები",
            title_en="Attributes",
            queryset=annotated_parcels,
            properties=("cadastral_code", "use_text", "area", "code_upper"),
            field_types=(("use_text", "string"), ("area", "number"), ("code_upper", "string")),
        )
    )
    yield layer
    registry.unregister(layer.name)


@pytest.fixture
def parcels(batumi):
    """Squares of 10, 20 and 30 m from BATUMI_ORIGIN + (100, 100), 50 m apart (EPSG:32638)."""
    x, y = BATUMI_ORIGIN
    uses = [LandUse.RESIDENTIAL, LandUse.GREEN, LandUse.GREEN]
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{i:03d}",
            geom=multi(square(x + 100 + 50 * i, y + 100, 10.0 * (i + 1))),
            land_use=uses[i],
        )
        for i in range(3)
    ]


def features(client, query: str = "") -> list[dict]:
    response = client.get(f"{GET}&OUTPUTFORMAT=geojson{query}")
    assert response.status_code == 200, body(response)
    return json.loads(body(response))["features"]


def test_annotated_properties_are_declared_with_their_types(client, parcels, annotated_layer):
    response = client.get(f"{BASE}&REQUEST=DescribeFeatureType&TYPENAMES=parcel-attributes")
    schema = etree.fromstring(response.content)
    types = {
        element.get("name"): element.get("type")
        for element in schema.iter(f"{{{XSD}}}element")
        if element.get("type") and not element.get("substitutionGroup")
    }
    assert types == {
        "cadastral_code": "string",
        "use_text": "string",
        "area": "double",
        "code_upper": "string",
        "geom": "gml:MultiSurfacePropertyType",
    }


def test_annotated_properties_go_out_with_their_values_and_nothing_else(
    client, parcels, annotated_layer
):
    found = {f["properties"]["cadastral_code"]: f["properties"] for f in features(client)}
    assert found["05.24.11.001"] == {
        "cadastral_code": "05.24.11.001",
        "use_text": "green",
        "area": 400.0,
        "code_upper": "05.24.11.001",
    }
    gml = body(client.get(GET))
    assert b"hidden" not in gml and b"attrs" not in gml


def test_annotated_properties_can_be_filtered_and_sorted(client, parcels, annotated_layer):
    equal = (
        f"<fes:Filter {FES}><fes:PropertyIsEqualTo>"
        "<fes:ValueReference>use_text</fes:ValueReference><fes:Literal>green</fes:Literal>"
        "</fes:PropertyIsEqualTo></fes:Filter>"
    )
    codes = [f["properties"]["cadastral_code"] for f in features(client, f"&FILTER={quote(equal)}")]
    assert sorted(codes) == ["05.24.11.001", "05.24.11.002"]

    greater = (
        f"<fes:Filter {FES}><fes:PropertyIsGreaterThan>"
        "<fes:ValueReference>area</fes:ValueReference><fes:Literal>150</fes:Literal>"
        "</fes:PropertyIsGreaterThan></fes:Filter>"
    )
    areas = [
        f["properties"]["area"]
        for f in features(client, f"&FILTER={quote(greater)}&SORTBY=area%20DESC")
    ]
    assert areas == [900.0, 400.0]


def test_property_names_and_property_values_work_on_annotations(client, parcels, annotated_layer):
    only_area = features(client, "&PROPERTYNAME=area")
    assert sorted(f["properties"]["area"] for f in only_area) == [100.0, 400.0, 900.0]
    assert all(set(f["properties"]) == {"area"} for f in only_area)

    response = client.get(
        f"{BASE}&REQUEST=GetPropertyValue&TYPENAMES=parcel-attributes&VALUEREFERENCE=use_text"
    )
    assert response.status_code == 200
    values = [member.text for member in etree.fromstring(body(response)).iter(f"{{{APP}}}use_text")]
    assert sorted(values) == ["green", "green", "residential"]


def test_an_annotation_that_is_not_a_property_cannot_be_filtered_on(
    client, parcels, annotated_layer
):
    fes = (
        f"<fes:Filter {FES}><fes:PropertyIsEqualTo>"
        "<fes:ValueReference>attrs</fes:ValueReference><fes:Literal>x</fes:Literal>"
        "</fes:PropertyIsEqualTo></fes:Filter>"
    )
    assert client.get(f"{GET}&FILTER={quote(fes)}").status_code == 400


def test_gdal_copies_annotated_properties_with_their_types(
    live_server, transactional_db, parcels, annotated_layer, tmp_path
):
    target = tmp_path / "attributes.gpkg"
    subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(target), f"WFS:{live_server.url}/wfs", "parcel-attributes"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    meta, _, _, columns = pyogrio.raw.read(target)
    fields = list(meta["fields"])
    assert dict(zip(fields, meta["dtypes"], strict=True))["area"] == "float64"
    assert sorted(columns[fields.index("area")]) == [100.0, 400.0, 900.0]
    assert sorted(columns[fields.index("use_text")]) == ["green", "green", "residential"]
