"""A GeoJSON feature's members may come in any order: geometry before properties too."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.services import dataset_upload
from tests.datasets.conftest import lonlat


@pytest.mark.parametrize("count", [1, 2])
def test_a_feature_with_its_geometry_before_its_properties_is_stored(officer, batumi, count):
    (x1, y1), (x2, y2) = lonlat(500, 500), lonlat(600, 500)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [x1, y1]},
            "properties": {"name": "A"},
        },
        {
            "geometry": {"type": "Point", "coordinates": [x2, y2]},
            "type": "Feature",
            "properties": {"name": "B"},
        },
    ]
    features = features[:count]
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    version = dataset_upload(
        user=officer,
        municipality=batumi,
        name="points",
        title_ka="x",
        title_en="x",
        fileobj=SimpleUploadedFile("points.geojson", content),
        file_name="points.geojson",
    )
    assert version.report["rows_stored"] == count
    assert version.report["errors"] == []
