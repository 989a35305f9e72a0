"""Bad WFS requests answer 400 with an OWS exception report that names the parameter, never 500.

WFS clients read errors as `ows:ExceptionReport` XML, whose `locator` names the parameter at
fault; that is the protocol's form of the JSON {"detail", "parameter"} of the REST API.
"""

from urllib.parse import quote

import pytest
from lxml import etree

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

OWS = "http://www.opengis.net/ows/1.1"
BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
GET = f"{BASE}&REQUEST=GetFeature&TYPENAMES=parcels"
FES = 'xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"'


def fes(inner: str) -> str:
    return quote(f"<fes:Filter {FES}>{inner}</fes:Filter>")


BAD_REQUESTS = [
    (f"{GET}&COUNT=abc", "count"),
    (f"{GET}&COUNT=-1", "count"),
    (f"{GET}&MAXFEATURES=-3", "count"),
    (f"{GET}&STARTINDEX=-5", "startIndex"),
    (f"{GET}&STARTINDEX=x", "startIndex"),
    (f"{GET}&RESULTTYPE=all", "resultType"),
    (f"{GET}&BBOX=1,2", "bbox"),
    (f"{GET}&BBOX=a,b,c,d", "bbox"),
    (f"{GET}&BBOX=nan,1,2,3", "bbox"),
    (f"{GET}&BBOX=1,2,3,4,EPSG:9999", "bbox"),
    (f"{GET}&SRSNAME=EPSG:9999", "srsName"),
    (f"{GET}&SRSNAME=banana", "srsName"),
    (f"{GET}&OUTPUTFORMAT=shapezip", "outputFormat"),
    (f"{GET}&SORTBY=cadastral_code%20SIDEWAYS", "sortby"),
    (f"{GET}&FILTER=%3Cnot-xml", "filter"),
    (f"{GET}&FILTER=" + fes("<fes:Nonsense/>"), "filter"),
    (
        f"{GET}&FILTER="
        + fes(
            "<fes:PropertyIsEqualTo><fes:ValueReference>is_municipal_property</fes:ValueReference>"
            "<fes:Literal>maybe</fes:Literal></fes:PropertyIsEqualTo>"
        ),
        "filter",
    ),
    (
        f"{GET}&FILTER="
        + fes(
            "<fes:Intersects><fes:ValueReference>geom</fes:ValueReference>"
            '<gml:Polygon srsName="urn:ogc:def:crs:EPSG::32638"><gml:exterior><gml:LinearRing>'
            "<gml:posList>1 2 3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
            "</fes:Intersects>"
        ),
        "filter",
    ),
    (
        f"{GET}&FILTER="
        + quote(
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            f"<fes:Filter {FES}><fes:PropertyIsEqualTo>"
            "<fes:ValueReference>cadastral_code</fes:ValueReference><fes:Literal>&e;</fes:Literal>"
            "</fes:PropertyIsEqualTo></fes:Filter>"
        ),
        "filter",
    ),
    (f"{GET}&PROPERTYNAME=nothing", "filter"),
    (f"{BASE}&REQUEST=GetFeature", "typeNames"),
    (f"{BASE}&REQUEST=GetFeature&RESOURCEID=parcels.abc", "resourceId"),
    (f"{BASE}&REQUEST=GetFeature&STOREDQUERY_ID=nope", "STOREDQUERY_ID"),
    (f"{BASE}&REQUEST=GetPropertyValue&TYPENAMES=parcels", "valueReference"),
    (f"{BASE}&REQUEST=DescribeFeatureType&TYPENAMES=parcels&OUTPUTFORMAT=json", "outputFormat"),
    ("/wfs?SERVICE=WFS&VERSION=3.0.0&REQUEST=GetFeature&TYPENAMES=parcels", "version"),
    ("/wfs?SERVICE=WMS&REQUEST=GetMap", "service"),
    ("/wfs?SERVICE=WFS&REQUEST=Transaction", "request"),
]


@pytest.fixture
def parcel(batumi):
    x, y = BATUMI_ORIGIN
    return ParcelFactory(municipality=batumi, geom=multi(square(x + 100, y + 100, 20)))


def exception_of(response) -> etree._Element:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    root = etree.fromstring(content)
    assert root.tag == f"{{{OWS}}}ExceptionReport"
    return root.find(f"{{{OWS}}}Exception")


@pytest.mark.parametrize(("url", "locator"), BAD_REQUESTS)
def test_bad_request_answers_400_naming_the_parameter(client, parcel, url, locator):
    response = client.get(url)
    assert response.status_code == 400
    assert exception_of(response).get("locator") == locator


POST_BODIES = [
    (
        b'<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" '
        b'version="2.0.0" resultType="everything"><wfs:Query typeNames="parcels"/>'
        b"</wfs:GetFeature>",
        "resultType",
    ),
    (
        b'<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" '
        b'version="2.0.0" count="-2"><wfs:Query typeNames="parcels"/></wfs:GetFeature>',
        "count",
    ),
    (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" '
        b'version="2.0.0"><wfs:Query typeNames="parcels"/></wfs:GetFeature>',
        "request",
    ),
    (b"not xml at all", "request"),
]


@pytest.mark.parametrize(("payload", "locator"), POST_BODIES)
def test_bad_xml_post_answers_400_naming_what_is_wrong(client, parcel, payload, locator):
    response = client.post("/wfs", data=payload, content_type="application/xml")
    assert response.status_code == 400
    assert exception_of(response).get("locator") == locator


def test_an_unknown_feature_id_in_get_feature_by_id_answers_404(client, parcel):
    response = client.get(
        f"{BASE}&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById"
        f"&ID=parcels.{parcel.pk + 1000}"
    )
    assert response.status_code == 404
    assert exception_of(response).get("exceptionCode") == "NotFound"
