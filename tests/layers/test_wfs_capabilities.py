"""WFS GetCapabilities: every public layer is a feature type, read by GDAL and OWSLib."""

import json
import re
import subprocess

import pytest
from django.contrib.auth.models import AnonymousUser
from lxml import etree
from owslib.wfs import WebFeatureService

from layers.registry import Layer, registry
from layers.wfs import XML_NAMESPACE
from parcels.models import Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

WFS = "http://www.opengis.net/wfs/2.0"
OWS = "http://www.opengis.net/ows/1.1"
CAPABILITIES = "/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0"


def public_layer_names() -> set[str]:
    return {layer.name for layer in registry.visible_to(AnonymousUser(), None)}


@pytest.fixture
def parcels(batumi):
    x, y = BATUMI_ORIGIN
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{i:03d}",
            geom=multi(square(x + 100 + 30 * i, y + 100, 20)),
        )
        for i in range(3)
    ]


def test_ogrinfo_lists_every_public_layer(live_server, transactional_db, parcels):
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"WFS:{live_server.url}/wfs"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    listed = set(re.findall(r"^\d+: gisportal:([\w-]+)", result.stdout, flags=re.MULTILINE))
    assert listed == public_layer_names()
    assert "parcels" in listed


def test_owslib_reads_the_contents_with_titles_crs_and_extent(
    live_server, transactional_db, parcels
):
    wfs = WebFeatureService(f"{live_server.url}/wfs", version="2.0.0", timeout=60)
    assert set(wfs.contents) == {f"gisportal:{name}" for name in public_layer_names()}
    parcels_type = wfs.contents["gisportal:parcels"]
    assert parcels_type.title == "Cadastral parcels"  # tests here default to English
    codes = {crs.code for crs in parcels_type.crsOptions}
    assert codes == {32638, 4326, 3857}
    assert parcels_type.crsOptions[0].code == 32638  # the default: the storage grid
    min_lon, min_lat, max_lon, max_lat = parcels_type.boundingBoxWGS84[:4]
    assert 41.5 < min_lon < max_lon < 41.7
    assert 41.6 < min_lat < max_lat < 41.7


def test_titles_follow_the_requested_language(client, db):
    response = client.get(CAPABILITIES, HTTP_ACCEPT_LANGUAGE="en")
    root = etree.fromstring(response.content)
    titles = {
        feature_type.findtext(f"{{{WFS}}}Name"): feature_type.findtext(f"{{{WFS}}}Title")
        for feature_type in root.iter(f"{{{WFS}}}FeatureType")
    }
    assert titles["gisportal:parcels"] == "Cadastral parcels"


def test_feature_types_live_in_the_portal_namespace(client, db):
    root = etree.fromstring(client.get(CAPABILITIES).content)
    assert root.nsmap["gisportal"] == XML_NAMESPACE


def test_extent_in_the_capabilities_follows_a_change_of_the_data(client, parcels):
    def parcels_extent() -> tuple[float, ...]:
        root = etree.fromstring(client.get(CAPABILITIES).content)
        for feature_type in root.iter(f"{{{WFS}}}FeatureType"):
            if feature_type.findtext(f"{{{WFS}}}Name") == "gisportal:parcels":
                box = feature_type.find(f"{{{OWS}}}WGS84BoundingBox")
                lower = box.findtext(f"{{{OWS}}}LowerCorner").split()
                upper = box.findtext(f"{{{OWS}}}UpperCorner").split()
                return tuple(float(v) for v in lower + upper)
        raise AssertionError("parcels is not in the capabilities")

    before = parcels_extent()
    assert parcels_extent() == before  # served from the cache, keyed by the layer version
    x, y = BATUMI_ORIGIN
    Parcel.objects.filter(pk=parcels[0].pk).update(geom=multi(square(x + 3000, y + 3000, 20)))
    after = parcels_extent()
    assert after[2] > before[2] and after[3] > before[3]


@pytest.fixture
def layer_named_with_a_digit():
    layer = registry.register(
        Layer(
            name="2024-parcels",
            title_ka="ნაკვეთები 2024",
            title_en="Parcels of 2024",
            queryset=lambda: Parcel.objects.current(),
            properties=("cadastral_code",),
        )
    )
    yield layer
    registry.unregister(layer.name)


def test_a_layer_name_that_is_not_an_xml_name_is_served_under_an_underscore(
    client, parcels, layer_named_with_a_digit
):
    # An XML name may not start with a digit; no registry slug starts with "_", so no clash.
    root = etree.fromstring(client.get(CAPABILITIES).content)
    names = {name.text for name in root.iter(f"{{{WFS}}}Name")}
    assert "gisportal:_2024-parcels" in names
    response = client.get(
        "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=_2024-parcels"
        "&OUTPUTFORMAT=geojson"
    )
    assert response.status_code == 200
    assert len(json.loads(b"".join(response.streaming_content))["features"]) == 3


def test_the_wfs_address_without_parameters_shows_a_page_for_people(client, db):
    response = client.get("/wfs")
    assert response.status_code == 200
    assert b"parcels" in response.content
