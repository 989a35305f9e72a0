"""GDAL's OAPIF driver reads the service over HTTP: layers, counts, a full copy, filters, keys."""

import shutil
import sqlite3
import subprocess

import pytest

from layers.access import api_key_create
from tests.layers import ogc_helpers as ogc

pytestmark = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL is not installed")


def gdal(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 35)


def test_ogrinfo_lists_the_visible_layers(live_server, grid):
    with ogc.temporary_layer(ogc.staff_layer()):
        out = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{live_server.url}/ogcapi")
    for name in (
        "municipalities",
        "districts",
        "zones",
        "streets",
        "blocks",
        "buildings",
        "parcels",
    ):
        assert f": {name} (" in out
    assert "staff-parcels" not in out


def test_ogrinfo_reports_the_feature_count(live_server, grid):
    out = gdal("ogrinfo", "-ro", "-so", "-al", f"OAPIF:{live_server.url}/ogcapi", "parcels")
    assert "Feature Count: 35" in out
    assert "cadastral_code: String" in out


def test_ogr2ogr_copies_every_feature(live_server, grid, tmp_path):
    target = tmp_path / "parcels.gpkg"
    gdal(
        "ogr2ogr",
        "-f",
        "GPKG",
        "-preserve_fid",
        str(target),
        f"OAPIF:{live_server.url}/ogcapi",
        "parcels",
    )
    with sqlite3.connect(target) as db:
        rows = db.execute("SELECT fid, cadastral_code FROM parcels ORDER BY fid").fetchall()
    assert rows == [(p.pk, p.cadastral_code) for p in grid]


@pytest.mark.parametrize(
    "where, expected",
    [
        ("land_use = 'green'", lambda i: i % 3 == 2),
        ("land_use = 'green' AND is_municipal_property = 1", lambda i: i % 3 == 2 and i % 5 == 0),
    ],
)
def test_an_attribute_filter_from_gdal_returns_the_right_features(
    live_server, grid, where, expected
):
    # GDAL passes it on as ?land_use=green&is_municipal_property=1, read from the API definition.
    out = gdal(
        "ogrinfo", "-ro", "-al", "-q", "-where", where, f"OAPIF:{live_server.url}/ogcapi", "parcels"
    )
    codes = sorted(
        line.split("=")[-1].strip()
        for line in out.splitlines()
        if "cadastral_code (String)" in line
    )
    assert codes == [p.cadastral_code for i, p in enumerate(grid) if expected(i)]


def test_a_spatial_filter_from_gdal_becomes_a_bbox(live_server, grid):
    ring = ogc.row_ring_lonlat(2)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    box = [
        str(v)
        for v in (
            max(lons[0], lons[3]),
            max(lats[0], lats[1]),
            min(lons[1], lons[2]),
            min(lats[2], lats[3]),
        )
    ]
    out = gdal(
        "ogrinfo", "-ro", "-al", "-q", "-spat", *box, f"OAPIF:{live_server.url}/ogcapi", "parcels"
    )
    assert out.count("cadastral_code (String)") == 10


def test_gdal_with_an_api_key_in_the_url_reads_a_staff_layer(live_server, grid):
    with ogc.temporary_layer(ogc.staff_layer()) as layer:
        _, key = api_key_create(name="Desktop GIS", layers=[layer.name])
        url = f"OAPIF:{live_server.url}/ogcapi?api_key={key}"
        assert f": {layer.name} (" in gdal("ogrinfo", "-ro", "-so", url)
        out = gdal("ogrinfo", "-ro", "-so", "-al", url, layer.name)
    assert "Feature Count: 35" in out
