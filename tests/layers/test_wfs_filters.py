"""WFS filters: FES 2.0 filters (KVP and XML POST), BBOX, RESOURCEID and SORTBY."""

from urllib.parse import quote

import pytest
from lxml import etree
from owslib.fes2 import FilterRequest, PropertyIsEqualTo
from owslib.wfs import WebFeatureService

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

GML = "http://www.opengis.net/gml/3.2"
APP = "urn:x-gislayer-pages:list"
GET_PARCELS = "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=parcels"
FES = 'xmlns:fes="http://www.opengis.net/fes/2.0"'


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def ids_of(response) -> list[str]:
    root = etree.fromstring(body(response))
    return [member.get(f"{{{GML}}}id") for member in root.iter(f"{{{APP}}}parcels")]


@pytest.fixture
def parcels(batumi):
    """Five 20 m squares in a row, 30 m apart, from BATUMI_ORIGIN + (100, 100) (EPSG:32638)."""
    x, y = BATUMI_ORIGIN
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{i:03d}",
            geom=multi(square(x + 100 + 30 * i, y + 100, 20)),
            source="secret-source" if i == 0 else "",
        )
        for i in range(5)
    ]


def test_owslib_fes_equal_to_on_the_cadastral_code_returns_one_parcel(
    live_server, transactional_db, parcels
):
    wfs = WebFeatureService(f"{live_server.url}/wfs", version="2.0.0", timeout=60)
    fes = (
        FilterRequest()
        .setConstraint(
            PropertyIsEqualTo(propertyname="cadastral_code", literal="05.24.11.003"), tostring=True
        )
        .decode()
    )
    response = wfs.getfeature(typename=["gisportal:parcels"], filter=fes, method="Post")
    root = etree.fromstring(response.read())
    ids = [member.get(f"{{{GML}}}id") for member in root.iter(f"{{{APP}}}parcels")]
    assert ids == [f"parcels.{parcels[3].pk}"]


def test_kvp_filter_equal_to_returns_one_parcel(client, parcels):
    fes = (
        f"<fes:Filter {FES}><fes:PropertyIsEqualTo>"
        "<fes:ValueReference>cadastral_code</fes:ValueReference>"
        "<fes:Literal>05.24.11.001</fes:Literal>"
        "</fes:PropertyIsEqualTo></fes:Filter>"
    )
    assert ids_of(client.get(f"{GET_PARCELS}&FILTER={quote(fes)}")) == [f"parcels.{parcels[1].pk}"]


def test_kvp_filter_like_and_spatial_bbox(client, parcels):
    x, y = BATUMI_ORIGIN
    fes = (
        f'<fes:Filter {FES} xmlns:gml="{GML}"><fes:And>'
        "<fes:PropertyIsLike wildCard='*' singleChar='.' escapeChar='!'>"
        "<fes:ValueReference>cadastral_code</fes:ValueReference>"
        "<fes:Literal>05.24.11*</fes:Literal></fes:PropertyIsLike>"
        "<fes:BBOX><fes:ValueReference>geom</fes:ValueReference>"
        '<gml:Envelope srsName="urn:ogc:def:crs:EPSG::32638">'
        f"<gml:lowerCorner>{x + 95} {y + 95}</gml:lowerCorner>"
        f"<gml:upperCorner>{x + 135} {y + 125}</gml:upperCorner>"
        "</gml:Envelope></fes:BBOX></fes:And></fes:Filter>"
    )
    ids = ids_of(client.get(f"{GET_PARCELS}&FILTER={quote(fes)}"))
    assert sorted(ids) == sorted(f"parcels.{p.pk}" for p in parcels[:2])


def test_kvp_bbox_in_wgs84_finds_the_parcels_inside(client, parcels):
    # EPSG:4326 in its URN form is latitude first. The box holds the third square only.
    centre = parcels[2].geom.centroid.transform(4326, clone=True)
    d = 0.00005  # about 5 m
    bbox = f"{centre.y - d},{centre.x - d},{centre.y + d},{centre.x + d},urn:ogc:def:crs:EPSG::4326"
    assert ids_of(client.get(f"{GET_PARCELS}&BBOX={bbox}")) == [f"parcels.{parcels[2].pk}"]


def test_resource_id_returns_the_named_parcels(client, parcels):
    wanted = f"parcels.{parcels[0].pk},parcels.{parcels[4].pk}"
    url = f"/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&RESOURCEID={wanted}"
    assert sorted(ids_of(client.get(url))) == sorted(wanted.split(","))


def test_sortby_orders_the_parcels(client, parcels):
    ids = ids_of(client.get(f"{GET_PARCELS}&SORTBY=cadastral_code%20DESC"))
    assert ids == [f"parcels.{p.pk}" for p in reversed(parcels)]


def test_a_property_that_is_not_public_cannot_be_filtered_on(client, parcels):
    # Otherwise a filter would answer yes or no about a value that is not published.
    fes = (
        f"<fes:Filter {FES}><fes:PropertyIsEqualTo>"
        "<fes:ValueReference>source</fes:ValueReference>"
        "<fes:Literal>secret-source</fes:Literal>"
        "</fes:PropertyIsEqualTo></fes:Filter>"
    )
    response = client.get(f"{GET_PARCELS}&FILTER={quote(fes)}")
    assert response.status_code == 400
    assert b"ExceptionReport" in response.content
