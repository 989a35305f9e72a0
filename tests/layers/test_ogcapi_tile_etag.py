"""Conditional tile requests: If-None-Match compared weakly, as RFC 9110 asks of it."""

import pytest

from layers.tiles import lonlat_to_tile
from tests.layers import ogc_helpers as ogc


@pytest.fixture
def tile_path(batumi) -> str:
    ogc.parcel_grid(batumi, 3)
    lon, lat = ogc.TO_LONLAT.transform(ogc.GRID_X + 5, ogc.GRID_Y + 5)
    x, y = lonlat_to_tile(lon, lat, 17)
    return f"/ogcapi/collections/parcels/tiles/WebMercatorQuad/17/{y}/{x}"


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"other", W/{etag}', "*"],
)
def test_a_tile_named_by_if_none_match_answers_304(client, tile_path, if_none_match):
    etag = client.get(tile_path, HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    again = client.get(
        tile_path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=if_none_match.format(etag=etag)
    )
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""


@pytest.mark.parametrize("if_none_match", ['"other"', 'W/"other"'])
def test_another_etag_gets_the_tile(client, tile_path, if_none_match):
    response = client.get(tile_path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=if_none_match)
    assert response.status_code == 200
    assert response.content
