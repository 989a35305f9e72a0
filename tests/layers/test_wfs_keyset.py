"""WFS pages in key order are read by key: after the AFTER-ID of a `next` link, or after the
key where the page before a client's own STARTINDEX ended; never by an OFFSET that grows with
the depth of the page."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

GML = "http://www.opengis.net/gml/3.2"
APP = "urn:x-gislayer-pages:list"
GET_FEATURE = "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=parcels"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def page(client, url: str):
    """The page's root element and the SQL of its features query."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        content = body(response)
    assert response.status_code == 200, content[:500]
    (features_sql,) = [
        q["sql"]
        for q in queries.captured_queries
        if '"parcels_parcel"."cadastral_code"' in q["sql"]
    ]
    return etree.fromstring(content), features_sql


def ids(root) -> list[int]:
    return [int(m.get(f"{{{GML}}}id").split(".")[1]) for m in root.iter(f"{{{APP}}}parcels")]


@pytest.fixture
def parcels(batumi):
    x, y = BATUMI_ORIGIN
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.12.{i:03d}",
            geom=multi(square(x + 100 + 30 * i, y + 100, 20)),
        )
        for i in range(7)
    ]


def test_next_links_carry_the_last_key_and_pages_are_read_by_it(client, parcels):
    url, seen, sqls = f"{GET_FEATURE}&COUNT=3", [], []
    while url:
        root, sql = page(client, url)
        assert root.get("numberMatched") == "7"
        seen += ids(root)
        sqls.append(sql)
        url = local(root.get("next")) if root.get("next") else None
        if url:
            query = parse_qs(urlsplit(url).query)
            assert query["AFTER-ID"] == [str(seen[-1])]
            assert query["STARTINDEX"] == [str(len(seen))]
    assert seen == sorted(p.pk for p in parcels)
    assert len(sqls) == 3
    for sql in sqls[1:]:
        assert '"parcels_parcel"."id" >' in sql
        assert "OFFSET" not in sql


def test_a_clients_own_startindex_follows_the_key_where_the_last_page_ended(client, parcels):
    first, _ = page(client, f"{GET_FEATURE}&COUNT=3&STARTINDEX=0")
    second, sql = page(client, f"{GET_FEATURE}&COUNT=3&STARTINDEX=3")
    assert "OFFSET" not in sql
    assert ids(first) + ids(second) == sorted(p.pk for p in parcels)[:6]
    assert second.get("numberMatched") == "7"
    third, sql = page(client, f"{GET_FEATURE}&COUNT=3&STARTINDEX=6")
    assert "OFFSET" not in sql
    assert ids(third) == [max(p.pk for p in parcels)]
    assert third.get("next") is None


def test_a_startindex_with_no_page_before_it_is_read_by_offset(client, parcels):
    root, sql = page(client, f"{GET_FEATURE}&COUNT=2&STARTINDEX=4")
    assert "OFFSET 4" in sql
    assert ids(root) == sorted(p.pk for p in parcels)[4:6]
    assert root.get("numberMatched") == "7"


def test_a_change_of_the_data_forgets_where_pages_ended(client, parcels):
    page(client, f"{GET_FEATURE}&COUNT=3&STARTINDEX=0")
    parcels[0].delete()
    root, sql = page(client, f"{GET_FEATURE}&COUNT=3&STARTINDEX=3")
    assert "OFFSET 3" in sql
    assert ids(root) == sorted(p.pk for p in parcels[1:])[3:6]


def test_the_previous_link_goes_back_by_startindex(client, parcels):
    first, _ = page(client, f"{GET_FEATURE}&COUNT=3")
    second, _ = page(client, local(first.get("next")))
    query = parse_qs(urlsplit(second.get("previous")).query)
    assert query["STARTINDEX"] == ["0"]
    assert "AFTER-ID" not in query


def test_geojson_pages_follow_the_key_too(client, parcels):
    url, seen = f"{GET_FEATURE}&COUNT=4&OUTPUTFORMAT=geojson", []
    while url:
        found = json.loads(body(client.get(url)))
        assert found["numberMatched"] == 7
        seen += [int(f["id"].split(".")[1]) for f in found["features"]]
        url = next((local(x["href"]) for x in found["links"] if x["rel"] == "next"), None)
    assert seen == sorted(p.pk for p in parcels)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("TYPENAMES=parcels&AFTER-ID=x", "not a feature id"),
        ("TYPENAMES=parcels&AFTER-ID=1&SORTBY=cadastral_code", "SORTBY"),
        ("TYPENAMES=(parcels)(zones)&AFTER-ID=1", "one feature type"),
    ],
)
def test_an_after_id_that_cannot_be_followed_is_refused(client, parcels, query, message):
    response = client.get(f"/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&{query}")
    assert response.status_code == 400
    assert message in body(response).decode()
