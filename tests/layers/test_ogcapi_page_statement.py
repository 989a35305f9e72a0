"""A page of items by a bbox alone, or unfiltered, runs a statement compiled once per layer and
CRS; its features and count are those the ORM gives, and layers whose query may change (a
dataset's, a test's) are built by the ORM each time."""

import dataclasses

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from layers.ogcapi import features, params
from layers.ogcapi.crs import CRS84
from layers.registry import registry
from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 30)


def query_of(text: str):
    return params.items_query(QueryDict(text), registry.get("parcels"))


def bbox_around_row(row: int) -> str:
    lons, lats = zip(*ogc.row_ring_lonlat(row), strict=True)
    return f"{min(lons)},{min(lats)},{max(lons)},{max(lats)}"


@pytest.mark.parametrize(
    "extra", ["", "&offset=3", "&crs=http://www.opengis.net/def/crs/EPSG/0/4326"]
)
def test_a_bbox_page_is_what_the_orm_gives(grid, extra):
    layer = registry.get("parcels")
    query = query_of(f"bbox={bbox_around_row(1)}&limit=4{extra}")
    assert query.only_bbox is not None
    kwargs = {"limit": query.limit, "offset": query.offset}
    compiled = features.page(layer, query.where, query.crs, only_bbox=query.only_bbox, **kwargs)
    built = features.page(layer, query.where, query.crs, **kwargs)
    assert compiled == built
    found, matched = compiled
    assert matched >= 10 and len(found) == 4


def test_an_unfiltered_page_is_what_the_orm_gives(grid):
    layer = registry.get("parcels")
    compiled = features.page(layer, params.Q(), CRS84, limit=5, offset=25)
    built = list(features.rows(layer, params.Q(), CRS84)[25:30])
    assert [row[features.ID] for row in compiled[0]] == [row[features.ID] for row in built]
    assert compiled[1] == 30


def test_an_unfiltered_page_counts_once_per_version_of_the_layer(client, grid):
    url = "/ogcapi/collections/parcels/items?limit=2&f=json"
    assert client.get(url).json()["numberMatched"] == 30
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).json()["numberMatched"] == 30
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    grid[0].delete()
    assert client.get(url).json()["numberMatched"] == 29


def test_the_statement_is_compiled_once(grid, monkeypatch):
    layer = registry.get("parcels")
    features._page_statements.clear()
    compiled = []
    original = features.rows

    def counting(*args, **kwargs):
        compiled.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(features, "rows", counting)
    for row in (0, 1, 2):
        query = query_of(f"bbox={bbox_around_row(row)}&limit=3")
        with CaptureQueriesContext(connection) as queries:
            found, matched = features.page(
                layer, query.where, query.crs, limit=3, offset=0, only_bbox=query.only_bbox
            )
        assert len(queries.captured_queries) == 1
        assert matched == layer.get_queryset().filter(query.where).count()
        assert len(found) == 3
    assert len(compiled) == 1


def test_a_bbox_with_other_filters_is_built_by_the_orm(grid):
    query = query_of(f"bbox={bbox_around_row(1)}&land_use=residential")
    assert query.only_bbox is None


def test_a_layer_not_declared_in_code_is_built_by_the_orm(grid):
    layer = dataclasses.replace(registry.get("parcels"), title_en="Another")
    assert features._page_statement(layer, CRS84, with_bbox=True) is None
    found, matched = features.page(layer, params.Q(), CRS84, limit=2, offset=0)
    assert matched == 30 and len(found) == 2


def test_every_declared_layer_pages_alike_both_ways(db):
    """Over the demo data, for each layer declared in code: the compiled page is the ORM's,
    value for value under the same names (annotations included, in any declared order)."""
    from django.core.management import call_command

    call_command("load_demo", parcels_per_city=60, verbosity=0)
    for layer in registry.declared():
        compiled, matched = features.page(layer, params.Q(), CRS84, limit=20, offset=0)
        built = list(features.rows(layer, params.Q(), CRS84)[:20])
        assert [{k: v for k, v in row.items() if k != features.MATCHED} for row in compiled] == (
            built
        ), layer.name
        assert matched == layer.get_queryset().count(), layer.name


def test_a_layer_without_a_version_is_counted_afresh(client, grid):
    """No trigger names a layer registered later (as here), so its token never changes:
    nothing is kept under it, and its count follows the data."""
    with ogc.temporary_layer(ogc.parcels_layer("plain-parcels")):
        url = "/ogcapi/collections/plain-parcels/items?limit=2&f=json"
        assert client.get(url).json()["numberMatched"] == 30
        grid[0].delete()
        assert client.get(url).json()["numberMatched"] == 29
