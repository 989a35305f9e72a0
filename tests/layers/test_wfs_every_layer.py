"""Every declared layer answers GetFeature with well-formed GML 3.2 that GDAL reads back.

The data is the demo generator's, small: it fills every layer the apps declare, so a layer
added later is checked here with no change to this file.
"""

import re
import subprocess

import pytest
from lxml import etree

from budgeting.demo import load_demo_budgeting
from estate.demo import load_demo_estate
from fixtures.demo import load_demo
from layers.registry import registry
from permits.demo import load_demo_applications

WFS = "http://www.opengis.net/wfs/2.0"
GML = "http://www.opengis.net/gml/3.2"
APP = "urn:x-gislayer-pages:list"
BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
GML_GEOMETRY = {
    "MultiPolygon": "MultiSurface",
    "MultiLineString": "MultiCurve",
    "MultiPoint": "MultiPoint",
    "Polygon": "Polygon",
    "LineString": "LineString",
    "Point": "Point",
}
DECLARED = [layer.name for layer in registry.declared()]
DEMO = {"parcels_per_city": 5, "seed": 42}


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    summary = load_demo(**DEMO)
    load_demo_applications()  # what manage.py load_demo adds: the permit register's rows
    load_demo_estate()  # and the estate's register, lots and running auction
    load_demo_budgeting(photos=False)  # and the budget cycles, proposals and winners
    return summary


def test_get_feature_of_every_layer_is_well_formed_gml(client, demo):
    for name in DECLARED:
        check_get_feature(client, name)


def check_get_feature(client, name: str) -> None:
    layer = registry.get(name)
    expected = layer.get_queryset().count()
    assert expected >= 1, f"the demo data has no {name}; this check needs some"
    response = client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES={name}")
    assert response.status_code == 200, name
    root = etree.fromstring(body(response))
    assert root.tag == f"{{{WFS}}}FeatureCollection"
    assert root.get("numberMatched") == root.get("numberReturned") == str(expected), name

    pks = set(layer.get_queryset().values_list("pk", flat=True))
    features = list(root.iter(f"{{{APP}}}{name}"))
    assert {f.get(f"{{{GML}}}id") for f in features} == {f"{name}.{pk}" for pk in pks}, name
    for feature in features:
        own = [
            etree.QName(child).localname for child in feature if child.tag.startswith(f"{{{APP}}}")
        ]
        # Every declared property in order (a null one may be left out), then the geometry.
        assert own[-1] == layer.geometry_field, name
        assert [p for p in layer.properties if p in own] == own[:-1], name
        geometry = feature.find(f"{{{APP}}}{layer.geometry_field}")[0]
        assert geometry.tag == f"{{{GML}}}{GML_GEOMETRY[layer.geometry_type]}", name
        assert geometry.get("srsName") == "urn:ogc:def:crs:EPSG::32638", name
        assert geometry.get(f"{{{GML}}}id"), name


def test_gdal_reads_every_layer_with_its_count(live_server, transactional_db, demo):
    for name in DECLARED:
        result = subprocess.run(
            ["ogrinfo", "-ro", "-so", "-al", f"WFS:{live_server.url}/wfs", name],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        count = registry.get(name).get_queryset().count()
        assert re.search(rf"^Feature Count: {count}$", result.stdout, flags=re.MULTILINE), name
        assert "Warning" not in result.stderr and "ERROR" not in result.stderr, result.stderr


def test_gdal_gml_driver_reads_the_saved_response_against_its_schema(client, demo, tmp_path):
    # The response and its DescribeFeatureType schema, read offline by GDAL's GML driver.
    response = client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES=zones")
    (tmp_path / "zones.gml").write_bytes(body(response))
    schema = client.get(f"{BASE}&REQUEST=DescribeFeatureType&TYPENAMES=zones")
    (tmp_path / "zones.xsd").write_bytes(body(schema))
    result = subprocess.run(
        [
            "ogrinfo",
            "-ro",
            "-al",
            "-oo",
            f"XSD={tmp_path / 'zones.xsd'}",
            str(tmp_path / "zones.gml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    zones = registry.get("zones").get_queryset()
    assert re.search(rf"^Feature Count: {zones.count()}$", result.stdout, flags=re.MULTILINE)
    read_k1 = sorted(float(v) for v in re.findall(r"^  k1 \(Real\) = (\S+)$", result.stdout, re.M))
    assert read_k1 == sorted(float(k1) for k1 in zones.values_list("k1", flat=True))
