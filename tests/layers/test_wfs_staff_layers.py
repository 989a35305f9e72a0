"""A staff-only layer through WFS: absent and refused for the public, served to whom it is granted."""

import json
import re
import subprocess

import pytest
from lxml import etree

from core.models import Membership, Role
from layers.access import api_key_create
from layers.registry import Layer, Visibility, registry
from parcels.models import Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

WFS = "http://www.opengis.net/wfs/2.0"
OWS = "http://www.opengis.net/ows/1.1"
APP = "urn:x-gislayer-pages:list"
BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
CAPABILITIES = f"{BASE}&REQUEST=GetCapabilities"


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def typenames_in_capabilities(response) -> set[str]:
    root = etree.fromstring(response.content)
    return {name.text for name in root.iter(f"{{{WFS}}}Name")}


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


@pytest.fixture
def staff_only_layer():
    layer = registry.register(
        Layer(
            name="staff-parcels",
            title_ka="შიდა",
            title_en="Internal",
            queryset=lambda: Parcel.objects.all(),
            properties=("cadastral_code", "source"),
            visibility=Visibility.STAFF,
        )
    )
    yield layer
    registry.unregister(layer.name)


def refused_requests(pk: int) -> list[str]:
    """Every way of reaching a layer's features or schema by its name."""
    return [
        f"{BASE}&REQUEST=DescribeFeatureType&TYPENAMES=staff-parcels",
        f"{BASE}&REQUEST=GetFeature&TYPENAMES=staff-parcels",
        f"{BASE}&REQUEST=GetFeature&TYPENAMES=staff-parcels&RESULTTYPE=hits",
        f"{BASE}&REQUEST=GetFeature&RESOURCEID=staff-parcels.{pk}",
        f"{BASE}&REQUEST=GetPropertyValue&TYPENAMES=staff-parcels&VALUEREFERENCE=source",
        f"{BASE}&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById"
        f"&ID=staff-parcels.{pk}",
    ]


def assert_refused(response) -> None:
    assert 400 <= response.status_code < 500
    root = etree.fromstring(body(response))
    assert root.tag == f"{{{OWS}}}ExceptionReport"
    assert root.find(f"{{{OWS}}}Exception").get("exceptionCode") == "InvalidParameterValue"


def test_staff_only_layer_is_absent_from_the_capabilities_for_the_public(
    client, parcels, staff_only_layer
):
    names = typenames_in_capabilities(client.get(CAPABILITIES))
    assert "gisportal:parcels" in names
    assert "gisportal:staff-parcels" not in names
    schema = client.get(f"{BASE}&REQUEST=DescribeFeatureType")
    assert b"staff-parcels" not in body(schema)


def test_staff_only_layer_is_refused_to_the_public_as_if_it_did_not_exist(
    client, parcels, staff_only_layer
):
    for url in refused_requests(parcels[0].pk):
        response = client.get(url)
        assert_refused(response)
    unknown = client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES=no-such-layer")
    refused = client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES=staff-parcels")
    assert refused.status_code == unknown.status_code
    assert body(refused).replace(b"staff-parcels", b"X") == body(unknown).replace(
        b"no-such-layer", b"X"
    )


def test_staff_flag_without_a_membership_does_not_open_the_layer(
    client, parcels, staff_only_layer, django_user_model
):
    user = django_user_model.objects.create_user("clerk@example.ge", password="x", is_staff=True)
    client.force_login(user)
    assert "gisportal:staff-parcels" not in typenames_in_capabilities(client.get(CAPABILITIES))
    assert_refused(client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES=staff-parcels"))


def test_staff_member_with_a_membership_gets_the_layer(
    client, parcels, staff_only_layer, django_user_model
):
    user = django_user_model.objects.create_user("gis@example.ge", password="x", is_staff=True)
    Membership.objects.create(user=user, municipality=parcels[0].municipality, role=Role.PLANNER)
    client.force_login(user)
    assert "gisportal:staff-parcels" in typenames_in_capabilities(client.get(CAPABILITIES))
    response = client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES=staff-parcels&OUTPUTFORMAT=geojson")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert len(json.loads(body(response))["features"]) == 3


def test_api_key_opens_only_the_layers_it_was_granted(client, parcels, staff_only_layer):
    _, granted = api_key_create(name="QGIS of the city", layers=["staff-parcels"])
    _, other = api_key_create(name="Another system", layers=["zones"])

    names = typenames_in_capabilities(client.get(f"{CAPABILITIES}&api_key={granted}"))
    assert "gisportal:staff-parcels" in names
    for url in refused_requests(parcels[0].pk):
        response = client.get(f"{url}&api_key={granted}")
        assert response.status_code == 200, url
    by_header = client.get(
        f"{BASE}&REQUEST=GetFeature&TYPENAMES=staff-parcels", HTTP_X_API_KEY=granted
    )
    assert by_header.status_code == 200
    assert "private" in by_header["Cache-Control"]

    names = typenames_in_capabilities(client.get(f"{CAPABILITIES}&api_key={other}"))
    assert "gisportal:staff-parcels" not in names
    assert_refused(client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES=staff-parcels&api_key={other}"))
    assert_refused(
        client.get(f"{BASE}&REQUEST=GetFeature&TYPENAMES=staff-parcels&api_key={granted}x")
    )


def test_gdal_reads_the_staff_layer_with_the_api_key_in_the_url(
    live_server, transactional_db, parcels, staff_only_layer
):
    _, granted = api_key_create(name="GDAL", layers=["staff-parcels"])
    public = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"WFS:{live_server.url}/wfs"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "staff-parcels" not in public.stdout
    keyed = subprocess.run(
        [
            "ogrinfo",
            "-ro",
            "-so",
            "-al",
            f"WFS:{live_server.url}/wfs?api_key={granted}",
            "staff-parcels",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert re.search(r"^Feature Count: 3$", keyed.stdout, flags=re.MULTILINE)
