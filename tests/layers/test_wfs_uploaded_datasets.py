"""An uploaded dataset (attributes in JSONB, published as typed annotations) through WFS."""

import json
import re
import subprocess
import warnings
from urllib.parse import quote

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree
from pyproj import Transformer

from core.models import Role
from datasets.services import dataset_publish, dataset_upload
from tests.conftest import BATUMI_ORIGIN
from tests.core.factories import MembershipFactory

WFS = "http://www.opengis.net/wfs/2.0"
BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
GET = f"{BASE}&REQUEST=GetFeature&TYPENAMES=kindergartens&OUTPUTFORMAT=geojson"
FES = 'xmlns:fes="http://www.opengis.net/fes/2.0"'
TO_LONLAT = Transformer.from_crs(32638, 4326, always_xy=True)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def kindergartens_geojson(tmp_path):
    """Three points 500 m into Batumi's test square, written in EPSG:4326 with pyogrio."""
    path = tmp_path / "kindergartens.geojson"
    x, y = BATUMI_ORIGIN
    points = [shapely.Point(*TO_LONLAT.transform(x + 500 + 100 * i, y + 500)) for i in range(3)]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        pyogrio.raw.write(
            path,
            np.array([shapely.to_wkb(p) for p in points], dtype=object),
            [
                np.array([f"Kindergarten {i}" for i in range(3)], dtype=object),
                np.array([40, 60, 80], dtype=np.int64),
            ],
            ["name", "capacity"],
            driver="GeoJSON",
            geometry_type="Point",
            crs="EPSG:4326",
        )
    return path


@pytest.fixture
def kindergartens(batumi, tmp_path):
    officer = MembershipFactory(municipality=batumi, role=Role.GIS_OFFICER).user
    path = kindergartens_geojson(tmp_path)
    version = dataset_upload(
        user=officer,
        municipality=batumi,
        name="kindergartens",
        title_ka="საბავშვო ბაღები",
        title_en="Kindergartens",
        fileobj=SimpleUploadedFile(path.name, path.read_bytes()),
        file_name=path.name,
    )
    return dataset_publish(user=officer, dataset=version.dataset)


def test_a_published_dataset_is_a_feature_type_with_typed_attributes(client, kindergartens):
    root = etree.fromstring(client.get(f"{BASE}&REQUEST=GetCapabilities").content)
    assert "gisportal:kindergartens" in {name.text for name in root.iter(f"{{{WFS}}}Name")}
    features = json.loads(body(client.get(GET)))["features"]
    assert sorted((f["properties"]["name"], f["properties"]["capacity"]) for f in features) == [
        ("Kindergarten 0", 40),
        ("Kindergarten 1", 60),
        ("Kindergarten 2", 80),
    ]
    assert all(set(f["properties"]) == {"name", "capacity"} for f in features)


def test_dataset_attributes_can_be_filtered_as_numbers(client, kindergartens):
    fes = (
        f"<fes:Filter {FES}><fes:PropertyIsGreaterThanOrEqualTo>"
        "<fes:ValueReference>capacity</fes:ValueReference><fes:Literal>60</fes:Literal>"
        "</fes:PropertyIsGreaterThanOrEqualTo></fes:Filter>"
    )
    features = json.loads(body(client.get(f"{GET}&FILTER={quote(fes)}&SORTBY=capacity")))
    assert [f["properties"]["capacity"] for f in features["features"]] == [60, 80]


def test_gdal_copies_a_published_dataset(live_server, transactional_db, kindergartens, tmp_path):
    url = f"WFS:{live_server.url}/wfs"
    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", url, "kindergartens"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert re.search(r"^Feature Count: 3$", info.stdout, flags=re.MULTILINE)
    assert re.search(r"^capacity: Integer", info.stdout, flags=re.MULTILINE)
    target = tmp_path / "copy.gpkg"
    subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(target), url, "kindergartens"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    meta, _, geometries, columns = pyogrio.raw.read(target)
    fields = list(meta["fields"])
    assert sorted(columns[fields.index("capacity")]) == [40, 60, 80]
    assert len(geometries) == 3
