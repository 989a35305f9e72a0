"""QGIS turns a subset string on an OGC API Features layer into a filter that the server
applies: it reads only the matching features, as the items path's form parameters allow."""

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from layers.ogcapi import views
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.layers.test_qgis_client import QGIS_PYTHON, qgis_available

SCRIPT = Path(__file__).parent / "qgis" / "read_subset.py"

# QGIS reads an items path's form parameters (and CQL2) as server-side filters from 3.28 on;
# before, it filters the features it has read.
FILTERING_QGIS = 32800


def qgis_version() -> int:
    found = subprocess.run(
        [QGIS_PYTHON, "-c", "from qgis.core import Qgis; print(Qgis.QGIS_VERSION_INT)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return int(found.stdout.strip() or 0)


pytestmark = [
    pytest.mark.qgis,
    pytest.mark.skipif(not qgis_available(), reason="Debian's python3-qgis is not installed"),
    pytest.mark.skipif(
        qgis_available() and qgis_version() < FILTERING_QGIS,
        reason="this QGIS filters OGC API Features layers on the client",
    ),
]


@pytest.fixture
def parcels(transactional_db, batumi):
    x, y = BATUMI_ORIGIN
    uses = (LandUse.RESIDENTIAL, LandUse.GREEN, LandUse.RESIDENTIAL, LandUse.GREEN)
    made = []
    for i, use in enumerate(uses):
        geom = multi(square(x + 1000 + 25 * i, y + 1000, 20))
        made.append(
            Parcel.objects.create(
                cadastral_code=f"05.24.12.{i + 1:03d}",
                municipality=batumi,
                geom=geom,
                area_m2=geom.area,
                land_use=use,
                valid_from=date(2024, 1, 1),
            )
        )
    return made


@pytest.fixture
def served(monkeypatch) -> list[tuple[dict, int]]:
    """Each items request the server answers: its parameters and how many features it sent."""
    found = []
    items_query, page = views.params.items_query, views.features.page

    def parsed(query, layer):
        found.append([query.dict(), 0])
        return items_query(query, layer)

    def counted(layer, where, crs, *, limit, offset):
        rows, matched = page(layer, where, crs, limit=limit, offset=offset)
        found[-1][1] = len(rows)
        return rows, matched

    monkeypatch.setattr(views.params, "items_query", parsed)
    monkeypatch.setattr(views.features, "page", counted)
    return found


def test_a_qgis_subset_string_becomes_a_filter_on_the_server(live_server, parcels, served):
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"}
    run = subprocess.run(
        [QGIS_PYTHON, str(SCRIPT), live_server.url, "\"land_use\" = 'green'"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    facts = json.loads(run.stdout.strip().splitlines()[-1])
    assert facts["valid"] and facts["subset_accepted"]
    green = [p.cadastral_code for p in parcels if p.land_use == LandUse.GREEN]
    assert facts["codes"] == green
    assert served, "QGIS asked the server for no items"
    assert all(
        query.get("land_use") == "green" or "land_use" in query.get("filter", "")
        for query, _sent in served
    ), served
    assert sum(sent for _query, sent in served) == len(green)
