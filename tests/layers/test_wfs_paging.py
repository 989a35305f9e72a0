"""WFS paging: COUNT and STARTINDEX, next links, RESULTTYPE=hits; every feature exactly once."""

import json
import re
import subprocess
from urllib.parse import urlsplit

import pyogrio.raw
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree
from owslib.wfs import WebFeatureService

from parcels.models import Building
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

GML = "http://www.opengis.net/gml/3.2"
APP = "urn:x-gislayer-pages:list"
GET_FEATURE = "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def member_ids(root, typename: str) -> list[str]:
    return [member.get(f"{{{GML}}}id") for member in root.iter(f"{{{APP}}}{typename}")]


@pytest.fixture
def parcels(batumi):
    x, y = BATUMI_ORIGIN
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.{i:03d}",
            geom=multi(square(x + 100 + 30 * i, y + 100, 20)),
        )
        for i in range(7)
    ]


def test_following_next_returns_every_parcel_once(client, parcels):
    url, seen, pages = f"{GET_FEATURE}&TYPENAMES=parcels&COUNT=3", [], 0
    while url:
        root = etree.fromstring(body(client.get(url)))
        assert root.get("numberMatched") == "7"
        seen += member_ids(root, "parcels")
        pages += 1
        url = local(root.get("next")) if root.get("next") else None
    assert pages == 3
    assert sorted(seen) == sorted(f"parcels.{p.pk}" for p in parcels)


def test_geojson_pages_carry_next_links_and_counts(client, parcels):
    url, seen = f"{GET_FEATURE}&TYPENAMES=parcels&COUNT=4&OUTPUTFORMAT=geojson", []
    while url:
        page = json.loads(body(client.get(url)))
        assert page["numberMatched"] == 7
        seen += [feature["id"] for feature in page["features"]]
        url = next((local(link["href"]) for link in page["links"] if link["rel"] == "next"), None)
    assert sorted(seen) == sorted(f"parcels.{p.pk}" for p in parcels)


def test_owslib_pages_with_count_and_start_index(live_server, transactional_db, parcels):
    wfs = WebFeatureService(f"{live_server.url}/wfs", version="2.0.0", timeout=60)
    seen = []
    for start in (0, 3, 6):
        response = wfs.getfeature(
            typename=["gisportal:parcels"], maxfeatures=3, startindex=start or None
        )
        seen += member_ids(etree.fromstring(response.read()), "parcels")
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == {f"parcels.{p.pk}" for p in parcels}


def test_hits_counts_without_returning_features(client, parcels):
    root = etree.fromstring(body(client.get(f"{GET_FEATURE}&TYPENAMES=parcels&RESULTTYPE=hits")))
    assert root.get("numberMatched") == "7"
    assert root.get("numberReturned") == "0"
    assert member_ids(root, "parcels") == []


def test_a_layer_without_an_ordering_pages_in_a_stable_order(client, batumi):
    # Buildings have no Meta.ordering; paging must not repeat or skip any of them.
    x, y = BATUMI_ORIGIN
    buildings = [
        Building.objects.create(
            municipality=batumi, floors=i + 1, geom=multi(square(x + 15 * i, y, 10))
        )
        for i in range(9)
    ]
    Building.objects.filter(pk=buildings[4].pk).update(floors=20)  # moves the row on disk
    seen = []
    for start in range(0, 9, 2):
        url = f"{GET_FEATURE}&TYPENAMES=buildings&COUNT=2&STARTINDEX={start}"
        seen += member_ids(etree.fromstring(body(client.get(url))), "buildings")
    assert seen == [f"buildings.{b.pk}" for b in buildings]


def test_pages_sorted_on_a_property_with_ties_hold_every_parcel_once(client, parcels):
    # Every parcel has the same land use; the pages must still split them without overlap,
    # which PostgreSQL promises only when the order is total: the primary key breaks ties.
    seen = []
    for start in range(0, 7, 2):
        url = f"{GET_FEATURE}&TYPENAMES=parcels&SORTBY=land_use%20DESC&COUNT=2&STARTINDEX={start}"
        with CaptureQueriesContext(connection) as queries:
            seen += member_ids(etree.fromstring(body(client.get(url))), "parcels")
        selects = [q["sql"] for q in queries.captured_queries if "ST_AsGML" in q["sql"]]
        assert len(selects) == 1
        assert 'ORDER BY "parcels_parcel"."land_use" DESC, "parcels_parcel"."id" ASC' in selects[0]
    assert sorted(seen) == sorted(f"parcels.{p.pk}" for p in parcels)


def test_ogr2ogr_paging_three_at_a_time_copies_every_parcel_once(
    live_server, transactional_db, parcels, tmp_path
):
    target = tmp_path / "paged.gpkg"
    result = subprocess.run(
        [
            "ogr2ogr",
            "--config",
            "OGR_WFS_PAGING_ALLOWED",
            "ON",
            "--config",
            "OGR_WFS_PAGE_SIZE",
            "3",
            "--debug",
            "ON",
            "-f",
            "GPKG",
            str(target),
            f"WFS:{live_server.url}/wfs",
            "parcels",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    pages = re.findall(r"^WFS: \S+STARTINDEX=(\d+)&COUNT=3$", result.stderr, flags=re.MULTILINE)
    assert sorted(set(pages), key=int) == ["0", "3", "6"]
    meta, _, _, columns = pyogrio.raw.read(target)
    ids = list(columns[list(meta["fields"]).index("gml_id")])
    assert sorted(ids) == sorted(f"parcels.{p.pk}" for p in parcels)
