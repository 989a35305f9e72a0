"""OGC API Tiles: the WebMercatorQuad tileset of every collection and its vector tiles."""

import gzip

import mapbox_vector_tile
import pytest

from layers.tiles import lonlat_to_tile
from tests.layers import ogc_helpers as ogc

TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 3)


def tile_of_grid(z: int) -> tuple[int, int]:
    lon, lat = ogc.TO_LONLAT.transform(ogc.GRID_X + 5, ogc.GRID_Y + 5)
    return lonlat_to_tile(lon, lat, z)


def test_tilesets_list_the_web_mercator_quad_tileset(client, grid):
    body = client.get("/ogcapi/collections/parcels/tiles?f=json").json()
    [tileset] = body["tilesets"]
    assert tileset["dataType"] == "vector"
    assert tileset["tileMatrixSetURI"] == TMS_URI
    hrefs = {link["rel"]: link["href"] for link in tileset["links"]}
    assert hrefs["self"] == "http://testserver/ogcapi/collections/parcels/tiles/WebMercatorQuad"
    assert hrefs["http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"].endswith(
        "/ogcapi/tileMatrixSets/WebMercatorQuad"
    )


def test_tileset_metadata_gives_the_tile_template(client, grid):
    body = client.get("/ogcapi/collections/parcels/tiles/WebMercatorQuad?f=json").json()
    assert body["tileMatrixSetURI"] == TMS_URI
    assert body["dataType"] == "vector"
    assert body["crs"] == "http://www.opengis.net/def/crs/EPSG/0/3857"
    assert body["layers"][0]["id"] == "parcels"
    assert body["layers"][0]["minTileMatrix"] == "10"
    [template] = [link for link in body["links"] if link["rel"] == "item"]
    assert template["type"] == "application/vnd.mapbox-vector-tile"
    assert template["templated"] is True
    assert template["href"] == (
        "http://testserver/ogcapi/collections/parcels/tiles/WebMercatorQuad/"
        "{tileMatrix}/{tileRow}/{tileCol}"
    )


def test_tile_is_addressed_by_matrix_row_and_column(client, grid):
    x, y = tile_of_grid(17)
    response = client.get(
        f"/ogcapi/collections/parcels/tiles/WebMercatorQuad/17/{y}/{x}", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    features = mapbox_vector_tile.decode(gzip.decompress(response.content))["parcels"]["features"]
    assert {f["id"] for f in features} == {p.pk for p in grid}


def test_an_empty_tile_answers_204(client, grid):
    assert client.get("/ogcapi/collections/parcels/tiles/WebMercatorQuad/17/0/0").status_code == 204


@pytest.mark.parametrize(
    "path, status",
    [
        ("/ogcapi/collections/parcels/tiles/WebMercatorQuad/3/0/8", 400),
        ("/ogcapi/collections/parcels/tiles/WebMercatorQuad/30/0/0", 400),
        ("/ogcapi/collections/parcels/tiles/WorldCRS84Quad/3/0/0", 404),
        ("/ogcapi/collections/parcels/tiles/WorldCRS84Quad", 404),
        ("/ogcapi/collections/nothing/tiles/WebMercatorQuad/3/0/0", 404),
    ],
)
def test_tiles_outside_the_grid_or_the_sets_are_refused(client, grid, path, status):
    assert client.get(path).status_code == status


def test_tile_matrix_sets_define_web_mercator_quad(client, db):
    listing = client.get("/ogcapi/tileMatrixSets?f=json").json()
    assert [t["id"] for t in listing["tileMatrixSets"]] == ["WebMercatorQuad"]
    definition = client.get("/ogcapi/tileMatrixSets/WebMercatorQuad?f=json").json()
    assert definition["uri"] == TMS_URI
    assert definition["crs"] == "http://www.opengis.net/def/crs/EPSG/0/3857"
    zero, ten = definition["tileMatrices"][0], definition["tileMatrices"][10]
    assert zero["scaleDenominator"] == pytest.approx(559082264.0287178)
    assert zero["pointOfOrigin"] == [-20037508.342789244, 20037508.342789244]
    assert ten["matrixWidth"] == ten["matrixHeight"] == 1024
    assert client.get("/ogcapi/tileMatrixSets/WorldCRS84Quad").status_code == 404
