"""Input that used to reach a view and end in a 500 is answered 400, in the form of the path's
other errors, and nothing is changed: NUL characters, paging numbers past a bigint, a bbox of no
area, JSON nested past a limit, and WFS requests that are not XML, declare a DTD, or nest or
repeat elements past a limit."""

import pytest

from tests.layers import ogc_helpers as ogc

WFS = "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=parcels"
HUGE = "99999999999999999999999"


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 5)


def test_a_nul_in_an_api_parameter_is_a_json_400(client, grid):
    response = client.get("/api/v1/parcels/search/?q=%00")
    assert response.status_code == 400
    assert response.json()["parameter"] == "q"


def test_a_nul_in_an_ogc_api_parameter_is_an_ogc_400(client, grid):
    response = client.get("/ogcapi/collections/parcels/items?cadastral_code=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue"
    assert response.json()["parameter"] == "cadastral_code"


def test_a_nul_in_a_wfs_parameter_is_an_ows_exception(client, grid):
    response = client.get(WFS + "&FILTER=%00")
    assert response.status_code == 400
    assert b"ExceptionReport" in response.content
    assert b'locator="FILTER"' in response.content


def test_a_nul_in_a_page_address_is_a_page(client, grid, english_messages):
    response = client.get("/en/parcels/?q=%00")
    assert response.status_code == 400
    assert "The request could not be read" in response.content.decode()


def test_a_nul_in_a_form_is_refused(client, db, english_messages):
    response = client.post("/en/accounts/login/", {"login": "a\x00b", "password": "x"})
    assert response.status_code == 400


def test_an_offset_past_a_bigint_is_a_400(client, grid):
    response = client.get(f"/ogcapi/collections/parcels/items?offset={HUGE}")
    assert response.status_code == 400
    assert response.json()["parameter"] == "offset"


def test_a_limit_past_any_number_is_cut_to_the_maximum(client, grid, settings):
    response = client.get(f"/ogcapi/collections/parcels/items?limit={HUGE}&f=json")
    assert response.status_code == 200
    assert response.json()["numberReturned"] == 5


@pytest.mark.parametrize(
    "bbox", ["41.6,41.6,41.6,41.6", "41.6,41.5,41.6,41.7", "179,41.6,-179,41.6"]
)
def test_a_bbox_of_no_area_is_answered(client, grid, bbox):
    response = client.get(f"/ogcapi/collections/parcels/items?bbox={bbox}&f=json")
    assert response.status_code == 200
    assert response.json()["numberMatched"] == 0


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 40 + "1" + "}" * 40, '{"parcels": ["\\u0000"]}'],
)
def test_json_nested_too_deep_or_with_a_nul_is_a_400(client, db, body):
    response = client.post("/api/v1/permits/check", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_wfs_startindex_past_a_bigint_is_refused(client, grid):
    response = client.get(WFS + f"&STARTINDEX={HUGE}")
    assert response.status_code == 400
    assert b'locator="STARTINDEX"' in response.content


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('<?xml version="1.0" encoding="bogus"?><GetFeature/>', b"OperationParsingFailed"),
        ("<a>" * 100_000 + "</a>" * 100_000, b"deeper than 64"),
        ("<a>" + "<b/>" * 30_000 + "</a>", b"more than 20000 elements"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aa">]><x>&a;</x>', b"DTD"),
        ("not xml", b"OperationParsingFailed"),
    ],
)
def test_a_wfs_post_that_cannot_be_read_safely_is_refused_at_once(
    client, db, english_messages, body, reason
):
    response = client.post("/wfs", data=body, content_type="text/xml")
    assert response.status_code == 400
    assert reason in response.content
