"""GDAL reads the OGC API Tiles: a tile found through the tileset's own link template, decoded by
GDAL's MVT driver at the right place, and the whole tileset through the OGCAPI driver where the
installed GDAL was built with its vector tiles."""

import json
import re
import shutil
import subprocess
import urllib.request

import pytest

from layers.tiles import lonlat_to_tile
from tests.layers import ogc_helpers as ogc

pytestmark = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL is not installed")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=180)


def fetch(url: str, accept: str = "application/json") -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request) as response:  # noqa: S310 (the test server)
        return response.read()


def gdal_version() -> tuple[int, int]:
    found = re.search(r"GDAL (\d+)\.(\d+)", run("ogrinfo", "--version").stdout)
    assert found
    return int(found.group(1)), int(found.group(2))


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 20)


def test_gdal_decodes_a_tile_from_the_tilesets_link_template(live_server, grid, tmp_path):
    tileset = json.loads(
        fetch(f"{live_server.url}/ogcapi/collections/parcels/tiles/WebMercatorQuad?f=json")
    )
    (template,) = [
        link["href"]
        for link in tileset["links"]
        if link["rel"] == "item" and link["type"] == "application/vnd.mapbox-vector-tile"
    ]
    west, south = ogc.TO_LONLAT.transform(ogc.GRID_X, ogc.GRID_Y)
    east, north = ogc.TO_LONLAT.transform(ogc.GRID_X + 20, ogc.GRID_Y + 20)
    # The deepest zoom, from 19 down to the layer's 15, where one tile holds the first parcel.
    z = next(
        z
        for z in range(19, 14, -1)
        if lonlat_to_tile(west, south, z) == lonlat_to_tile(east, north, z)
    )
    x, y = lonlat_to_tile(west, south, z)
    url = (
        template.replace("{tileMatrix}", str(z))
        .replace("{tileRow}", str(y))
        .replace("{tileCol}", str(x))
    )
    path = tmp_path / "tile.mvt"
    path.write_bytes(fetch(url, "application/vnd.mapbox-vector-tile"))
    target = tmp_path / "tile.geojson"
    result = run(
        "ogr2ogr", "-f", "GeoJSON", "-t_srs", "EPSG:4326", str(target), f"MVT:{path}",
        "-oo", f"Z={z}", "-oo", f"X={x}", "-oo", f"Y={y}", "parcels",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    features = json.loads(target.read_text())["features"]
    codes = {feature["properties"]["cadastral_code"] for feature in features}
    assert grid[0].cadastral_code in codes
    (first,) = [f for f in features if f["properties"]["cadastral_code"] == grid[0].cadastral_code]
    ring = first["geometry"]["coordinates"][0]
    lons = [point[0] for point in ring]
    lats = [point[1] for point in ring]
    # The parcel is a 20 m square from the grid's corner: GDAL places it within a metre or so.
    assert min(lons) == pytest.approx(west, abs=2e-5)
    assert min(lats) == pytest.approx(south, abs=2e-5)
    assert max(lats) == pytest.approx(north, abs=2e-5)


def test_gdal_opens_the_collection_through_the_ogcapi_driver(live_server, grid):
    result = run(
        "ogrinfo", "-ro", "-so", "-oo", "API=TILES",
        f"OGCAPI:{live_server.url}/ogcapi/collections/parcels",
    )  # fmt: skip
    if result.returncode != 0 and gdal_version() < (3, 7):
        pytest.skip(
            "GDAL 3.6's OGCAPI driver is built without its vector tiles: its CMake file tests "
            "OGR_ENABLE_DRIVER_GML before the GML driver defines it, so the code is left out"
        )
    assert result.returncode == 0, result.stderr
    assert "parcels" in result.stdout
