"""The WebMercatorQuad tile matrix set as GDAL reads it: GDAL 3.6 (Debian 12) parses a served
definition only when it has a bounding box and the names of TMS 1.0 besides those of 2.0."""

import json
import shutil
import subprocess
import urllib.request

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("gdal_translate") is None, reason="GDAL is not installed"
)

HALF = 20037508.342789244
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=180)


def test_the_tile_matrix_set_has_the_bounding_box_of_web_mercator(client):
    body = client.get("/ogcapi/tileMatrixSets/WebMercatorQuad?f=json").json()
    assert body["crs"] == EPSG_3857
    assert body["orderedAxes"] == ["X", "Y"]
    box = body["boundingBox"]
    assert box["lowerLeft"] == [-HALF, -HALF]
    assert box["upperRight"] == [HALF, HALF]
    assert box["crs"] == EPSG_3857
    assert box["orderedAxes"] == ["X", "Y"]


def test_every_tile_matrix_covers_the_bounding_box(client):
    body = client.get("/ogcapi/tileMatrixSets/WebMercatorQuad?f=json").json()
    for matrix in body["tileMatrices"]:
        assert matrix["pointOfOrigin"] == [-HALF, HALF]
        width = matrix["cellSize"] * matrix["tileWidth"] * matrix["matrixWidth"]
        assert width == pytest.approx(2 * HALF)


def test_gdal_parses_the_served_definition(live_server, tmp_path):
    url = f"{live_server.url}/ogcapi/tileMatrixSets/WebMercatorQuad?f=json"
    with urllib.request.urlopen(url) as response:  # noqa: S310 (the test server)
        definition = response.read().decode()
    source, target = tmp_path / "source.tif", tmp_path / "cog.tif"
    created = run(
        "gdal_create", "-of", "GTiff", "-outsize", "16", "16", "-bands", "1",
        "-a_srs", "EPSG:4326", "-a_ullr", "41.6", "41.7", "41.7", "41.6", str(source),
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    # The COG writer reads a tiling scheme given as JSON text with the same parser as the
    # OGCAPI driver reads the document it downloads.
    result = run(
        "gdal_translate", "-of", "COG", "-co", f"TILING_SCHEME={definition}",
        str(source), str(target),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Invalid tiling matrix set" not in result.stderr
    info = json.loads(run("gdalinfo", "-json", str(target)).stdout)
    assert '"EPSG",3857' in info["coordinateSystem"]["wkt"].replace(" ", "")
    assert info["size"] == [256, 256]
