"""A query parameter that WFS 2.0 and the portal do not know is refused with an OWS exception,
not passed over; the standard's names are read in any case, the stored queries' own too."""

import json
from urllib.parse import quote

import pytest
from lxml import etree
from owslib.util import ServiceException
from owslib.wfs import WebFeatureService

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

OWS = "http://www.opengis.net/ows/1.1"
APP = "urn:x-gislayer-pages:list"
BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
GET_PARCELS = f"{BASE}&REQUEST=GetFeature&TYPENAMES=parcels&OUTPUTFORMAT=geojson"
BY_ID = "urn:ogc:def:query:OGC-WFS::GetFeatureById"
FILTER = (
    '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
    "<fes:ValueReference>cadastral_code</fes:ValueReference>"
    "<fes:Literal>05.24.11.001</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"
)


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


def exception_of(response) -> tuple[str, str]:
    assert response.status_code == 400
    exception = etree.fromstring(body(response)).find(f"{{{OWS}}}Exception")
    return exception.get("exceptionCode"), exception.get("locator")


@pytest.mark.parametrize("extra", ["query=x", "Query=x", "limit=1", "featureid=parcels.1", "ID=1"])
def test_an_unknown_parameter_is_refused_and_named(client, parcels, extra):
    response = client.get(f"{GET_PARCELS}&{extra}")
    assert exception_of(response) == ("InvalidParameterValue", extra.split("=")[0])


def test_an_unknown_parameter_is_refused_by_get_capabilities_too(client, db):
    response = client.get("/wfs?SERVICE=WFS&REQUEST=GetCapabilities&foo=1")
    assert exception_of(response) == ("InvalidParameterValue", "foo")


def test_the_standard_parameters_are_read_in_any_case(client, parcels):
    response = client.get(
        "/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=parcels"
        "&outputFormat=geojson&Count=2&startindex=1&sortBy=cadastral_code&srsName=EPSG:4326"
        "&resultType=results&Namespaces=xmlns(gisportal,urn:x-gislayer-pages:list)"
    )
    assert response.status_code == 200
    features = json.loads(body(response))["features"]
    assert [f["properties"]["cadastral_code"] for f in features] == ["05.24.11.001", "05.24.11.002"]


def test_the_portal_parameters_api_key_and_f_are_known(client, parcels):
    response = client.get(f"{GET_PARCELS}&api_key=&f=json&COUNT=1")
    assert response.status_code == 200


def test_a_stored_query_takes_its_own_parameters(client, parcels):
    parcel = parcels[1]
    for name in ("ID", "id"):
        response = client.get(
            f"{BASE}&REQUEST=GetFeature&STOREDQUERY_ID={BY_ID}&{name}=parcels.{parcel.pk}"
        )
        assert response.status_code == 200
        feature = etree.fromstring(body(response))
        assert feature.findtext(f"{{{APP}}}cadastral_code") == parcel.cadastral_code


def test_an_unknown_stored_query_is_reported_by_its_id(client, parcels):
    response = client.get(f"{BASE}&REQUEST=GetFeature&STOREDQUERY_ID=nonsense&ID=parcels.1")
    assert exception_of(response) == ("InvalidParameterValue", "STOREDQUERY_ID")


def test_the_page_for_people_is_not_refused(client, db):
    assert client.get("/wfs?lang=en").status_code == 200


def test_owslib_learns_that_its_get_filter_is_not_read(live_server, transactional_db, parcels):
    # OWSLib sends a filter over GET as `query=`; the server would otherwise answer every
    # parcel as if there were no filter.
    wfs = WebFeatureService(f"{live_server.url}/wfs", version="2.0.0", timeout=60)
    with pytest.raises(ServiceException, match="query"):
        wfs.getfeature(typename=["gisportal:parcels"], filter=FILTER, method="Get")


def test_the_same_filter_as_filter_is_read(client, parcels):
    response = client.get(f"{GET_PARCELS}&FILTER={quote(FILTER)}")
    features = json.loads(body(response))["features"]
    assert [f["properties"]["cadastral_code"] for f in features] == ["05.24.11.001"]
