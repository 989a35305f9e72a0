"""WFS stored queries (GetFeatureById) and GetPropertyValue, as gisserver provides them."""

import pytest
from lxml import etree

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

WFS = "http://www.opengis.net/wfs/2.0"
GML = "http://www.opengis.net/gml/3.2"
APP = "urn:x-gislayer-pages:list"
BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
BY_ID = "urn:ogc:def:query:OGC-WFS::GetFeatureById"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


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


def test_get_feature_by_id_is_listed_and_described(client, db):
    listed = etree.fromstring(body(client.get(f"{BASE}&REQUEST=ListStoredQueries")))
    ids = {query.get("id") for query in listed.iter(f"{{{WFS}}}StoredQuery")}
    assert BY_ID in ids
    described = client.get(f"{BASE}&REQUEST=DescribeStoredQueries&STOREDQUERY_ID={BY_ID}")
    assert described.status_code == 200


def test_get_feature_by_id_returns_the_one_feature(client, parcels):
    response = client.get(
        f"{BASE}&REQUEST=GetFeature&STOREDQUERY_ID={BY_ID}&ID=parcels.{parcels[1].pk}"
    )
    assert response.status_code == 200
    feature = etree.fromstring(body(response))
    assert feature.tag == f"{{{APP}}}parcels"
    assert feature.get(f"{{{GML}}}id") == f"parcels.{parcels[1].pk}"
    assert feature.findtext(f"{{{APP}}}cadastral_code") == "05.24.11.001"


def test_get_property_value_returns_one_property_of_each_feature(client, parcels):
    response = client.get(
        f"{BASE}&REQUEST=GetPropertyValue&TYPENAMES=parcels&VALUEREFERENCE=cadastral_code"
    )
    assert response.status_code == 200
    root = etree.fromstring(body(response))
    assert root.tag == f"{{{WFS}}}ValueCollection"
    codes = [value.text for value in root.iter(f"{{{APP}}}cadastral_code")]
    assert codes == ["05.24.11.000", "05.24.11.001", "05.24.11.002"]


def test_get_property_value_of_the_geometry_is_gml(client, parcels):
    response = client.get(
        f"{BASE}&REQUEST=GetPropertyValue&TYPENAMES=parcels&VALUEREFERENCE=geom&COUNT=1"
    )
    root = etree.fromstring(body(response))
    surfaces = list(root.iter(f"{{{GML}}}MultiSurface"))
    assert len(surfaces) == 1
    assert surfaces[0].get("srsName") == "urn:ogc:def:crs:EPSG::32638"
