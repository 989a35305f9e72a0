"""QGIS, run headless, reads parcels through OGC API Features and draws their vector tiles."""

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square

SCRIPT = Path(__file__).parent / "qgis" / "read_portal.py"
BASEMAP_SCRIPT = Path(__file__).parent / "qgis" / "read_basemap.py"
QGIS_PYTHON = "/usr/bin/python3"


def qgis_available() -> bool:
    try:
        found = subprocess.run(
            [QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return found.returncode == 0


pytestmark = [
    pytest.mark.qgis,
    pytest.mark.skipif(not qgis_available(), reason="Debian's python3-qgis is not installed"),
]


@pytest.fixture
def parcels(transactional_db, batumi):
    x, y = BATUMI_ORIGIN
    made = []
    for i in range(4):
        geom = multi(square(x + 1000 + 25 * i, y + 1000, 20))
        made.append(
            Parcel.objects.create(
                cadastral_code=f"05.24.11.{i + 1:03d}",
                municipality=batumi,
                geom=geom,
                area_m2=geom.area,
                land_use=LandUse.RESIDENTIAL,
                valid_from=date(2024, 1, 1),
            )
        )
    return made


def run_qgis(script: Path, live_server, parcel: Parcel) -> dict:
    """Run a QGIS script on the live server around the parcel; the facts it printed."""
    centre = parcel.geom.centroid.transform(4326, clone=True)
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"}
    run = subprocess.run(
        [QGIS_PYTHON, str(script), live_server.url, str(centre.x), str(centre.y)],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_qgis_reads_ogc_api_features_and_draws_vector_tiles(live_server, parcels):
    facts = run_qgis(SCRIPT, live_server, parcels[1])
    assert facts["oapif_valid"]
    assert facts["oapif_codes"] == [p.cadastral_code for p in parcels]
    assert facts["tiles_valid"]
    assert facts["tile_pixels_drawn"] > 0


def test_qgis_takes_the_basemap_style_as_one_source_and_draws_it(live_server, parcels):
    facts = run_qgis(BASEMAP_SCRIPT, live_server, parcels[1])
    assert facts["sources"] == ["gisportal"]
    assert facts["tiles_valid"]
    assert "parcels" in facts["styled_layers"]
    assert not [w for w in facts["warnings"] if "feature-state" in w], facts["warnings"]
    assert facts["pixels_drawn"] > 0
