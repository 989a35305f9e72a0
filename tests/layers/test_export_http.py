"""GDAL reads the streamed downloads straight from a running server, as QGIS would."""

import os
import subprocess

import pytest

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory


@pytest.fixture
def parcels(transactional_db, batumi):
    x, y = BATUMI_ORIGIN
    return [
        ParcelFactory(municipality=batumi, geom=multi(square(x + 1000 + 40 * n, y + 1000, 20)))
        for n in range(3)
    ]


def ogrinfo(*arguments: str) -> str:
    result = subprocess.run(
        ["ogrinfo", "-ro", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **{k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
            "GDAL_HTTP_TIMEOUT": "30",
        },
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_ogrinfo_reads_the_streamed_geojson_from_the_server(live_server, parcels):
    url = f"{live_server.url}/api/v1/layers/parcels/export.geojson?crs=EPSG:32638"
    out = ogrinfo("-so", "-al", url)
    assert "Feature Count: 3" in out
    assert 'ID["EPSG",32638]' in out
    assert "cadastral_code: String" in out
    # The extent is in metres of UTM 38N, 1 km north-east of the origin.
    x, y = BATUMI_ORIGIN
    assert f"Extent: ({x + 1000:.6f}, {y + 1000:.6f}) - ({x + 1100:.6f}, {y + 1020:.6f})" in out


def test_ogrinfo_reads_the_csv_from_the_server_with_its_wkt_geometry(live_server, parcels):
    url = f"{live_server.url}/api/v1/layers/parcels/export.csv"
    out = ogrinfo("-al", "-q", f"CSV:/vsicurl_streaming/{url}")
    assert out.count("\n  MULTIPOLYGON (((41.") == 3
