"""Files to upload, written for real with pyogrio in tmp_path, and the people who upload them.

Coordinates are EPSG:4326 unless stated; Batumi's test boundary (tests/conftest.py) is the
4 km square at BATUMI_ORIGIN in EPSG:32638, about (41.62 E, 41.65 N) to (41.67 E, 41.68 N).
"""

from __future__ import annotations

import gzip
import io
import warnings
from pathlib import Path

import mapbox_vector_tile
import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from pyproj import Transformer

from core.models import Role
from layers.tiles import lonlat_to_tile
from tests.conftest import BATUMI_ORIGIN
from tests.core.factories import MembershipFactory, UserFactory

TO_LONLAT = Transformer.from_crs(32638, 4326, always_xy=True)


def lonlat(dx: float, dy: float) -> tuple[float, float]:
    """A point dx, dy metres from Batumi's test origin, as longitude and latitude."""
    return TO_LONLAT.transform(BATUMI_ORIGIN[0] + dx, BATUMI_ORIGIN[1] + dy)


def write_layer(path: Path, geoms, fields: dict, *, layer: str, crs="EPSG:4326", **kwargs):
    driver = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON"}[path.suffix]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        pyogrio.raw.write(
            path,
            np.array([None if g is None else shapely.to_wkb(g) for g in geoms], dtype=object),
            [
                np.array(v, dtype=object) if not isinstance(v, np.ndarray) else v
                for v in fields.values()
            ],
            list(fields),
            layer=layer,
            driver=driver,
            geometry_type=kwargs.pop("geometry_type", "Point"),
            crs=crs,
            append=kwargs.pop("append", False),
            **kwargs,
        )
    return path


def kindergartens_gpkg(tmp_path: Path, *, n_good: int = 3, name="kindergartens.gpkg") -> Path:
    """A GeoPackage with two layers: kindergartens (points, two bad rows) and a second one."""
    path = tmp_path / name
    points = [shapely.Point(*lonlat(500 + 100 * i, 500)) for i in range(n_good)]
    points.append(shapely.Point(44.0, 10.0))  # far outside Georgia
    points.append(None)  # no geometry
    write_layer(
        path,
        points,
        {
            "Name EN": [f"Kindergarten {i}" for i in range(len(points))],
            "სახელი": [f"საბავშვო ბაღი {i}" for i in range(len(points))],
            "capacity": np.array([40 + i for i in range(len(points))], dtype=np.int64),
        },
        layer="kindergartens",
    )
    write_layer(
        path,
        [shapely.Point(*lonlat(1000, 1000))],
        {"name": ["Playground"]},
        layer="playgrounds",
        append=False,
    )
    return path


def upload_of(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def decode_tile(response) -> dict:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return mapbox_vector_tile.decode(body)


def tile_path(name: str, dx: float, dy: float, z: int = 16) -> str:
    x, y = lonlat_to_tile(*lonlat(dx, dy), z)
    return f"/tiles/{name}/{z}/{x}/{y}.mvt"


@pytest.fixture
def officer(batumi):
    """A GIS officer of Batumi."""
    return MembershipFactory(municipality=batumi, role=Role.GIS_OFFICER).user


@pytest.fixture
def rustavi_officer(rustavi):
    return MembershipFactory(municipality=rustavi, role=Role.GIS_OFFICER).user


@pytest.fixture
def citizen(db):
    return UserFactory()


def csv_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


@pytest.fixture(autouse=True)
def upload_storage(settings, tmp_path):
    """Uploaded files wait for the ingest job under tmp_path, not under .state/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def read_uploads() -> list:
    """Run the ingest job's work for every upload waiting, in this test's transaction.

    Tests of the pages and the API use this to come to the version; the worker itself, which
    needs committed rows, is run in tests/datasets/test_upload_jobs.py.
    """
    from datasets.jobs import upload_run
    from datasets.models import DatasetUpload, UploadStatus

    waiting = DatasetUpload.objects.filter(status=UploadStatus.QUEUED).order_by("created_at")
    return [upload_run(upload_id=pk) for pk in list(waiting.values_list("pk", flat=True))]


@pytest.fixture(autouse=True)
def english(english_messages):
    """The datasets' tests compare messages with their English source text."""
    yield
