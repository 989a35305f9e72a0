"""CSV with lon/lat or WKT columns; a file without a CRS; heights flattened; mixed kinds."""

import numpy as np
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from pyproj import Transformer

from datasets.ingest import UploadRefused
from datasets.models import Dataset
from datasets.services import FileChoices, dataset_upload
from tests.conftest import BATUMI_ORIGIN
from tests.datasets.conftest import lonlat, write_layer


def upload(officer, batumi, name, content, **choices):
    return dataset_upload(
        user=officer,
        municipality=batumi,
        name="points",
        title_ka="x",
        title_en="x",
        fileobj=SimpleUploadedFile(name, content),
        file_name=name,
        choices=FileChoices(**choices),
    )


def test_csv_with_lon_and_lat_columns(officer, batumi):
    (x1, y1), (x2, y2) = lonlat(500, 500), lonlat(600, 500)
    content = f"name;Longitude;Latitude;opened\nA;{x1};{y1};2020-09-01\nB;{x2};{y2};\nC;;;\n"
    version = upload(officer, batumi, "kg.csv", content.encode())
    report = version.report
    assert report["crs"] == "EPSG:4326"
    assert report["crs_source"] == "assumed"
    assert report["rows_stored"] == 2
    assert [e["code"] for e in report["errors"]] == ["empty"]
    assert {e["name"]: e["type"] for e in version.schema} == {"name": "string", "opened": "date"}


def test_csv_with_a_wkt_column_and_a_chosen_crs(officer, batumi):
    x, y = BATUMI_ORIGIN
    content = (
        "id,WKT,area\n"
        f'1,"POLYGON(({x + 100} {y + 100},{x + 200} {y + 100},{x + 200} {y + 200},{x + 100} {y + 100}))",1.5\n'
        f'2,"POLYGON(({x + 300} {y + 300},{x + 400} {y + 400},{x + 400} {y + 300},{x + 300} {y + 400},{x + 300} {y + 300}))",2\n'
    )
    with pytest.raises(UploadRefused) as refused:
        upload(officer, batumi, "zones.csv", content.encode())
    assert refused.value.code == "crs_required"
    assert "EPSG:32638" in refused.value.message  # where the coordinates would fit
    version = upload(officer, batumi, "zones.csv", content.encode(), srid=32638)
    assert version.geometry_type == "Polygon"
    assert version.report["rows_stored"] == 1
    assert version.report["errors"][0]["code"] == "invalid_geometry"
    assert "self-intersection" in version.report["errors"][0]["message"]
    types = {e["name"]: e["type"] for e in version.schema}
    # "id" is the feature table's own: the attribute is renamed, and the report says so.
    assert types == {"id_2": "integer", "area": "number"}
    assert version.report["renamed"] == {"id": "id_2", "WKT": "wkt"} or version.report[
        "renamed"
    ] == {"id": "id_2"}


def test_invalid_geometries_are_repaired_when_asked(officer, batumi):
    x, y = BATUMI_ORIGIN
    bowtie = f"POLYGON(({x + 300} {y + 300},{x + 400} {y + 400},{x + 400} {y + 300},{x + 300} {y + 400},{x + 300} {y + 300}))"
    content = f'id,wkt\n1,"{bowtie}"\n'
    version = upload(officer, batumi, "zones.csv", content.encode(), srid=32638, repair=True)
    assert version.report["rows_stored"] == 1
    assert version.report["warnings"][0]["code"] == "repaired"
    assert version.geometry_type == "MultiPolygon"


def test_a_geopackage_without_a_crs_asks_for_one(officer, batumi, tmp_path):
    x, y = BATUMI_ORIGIN
    path = write_layer(
        tmp_path / "nocrs.gpkg",
        [shapely.Point(x + 500, y + 500)],
        {"n": ["a"]},
        layer="p",
        crs=None,
    )
    with pytest.raises(UploadRefused) as refused:
        upload(officer, batumi, path.name, path.read_bytes())
    assert refused.value.parameter == "srid"
    assert not Dataset.objects.exists()
    version = upload(officer, batumi, path.name, path.read_bytes(), srid=32638)
    assert version.report["crs_source"] == "chosen"
    assert version.rows_stored == 1


def test_coordinates_not_where_the_crs_says_are_refused_with_a_hint(officer, batumi, tmp_path):
    x, y = BATUMI_ORIGIN  # UTM 38N coordinates, but the file says EPSG:4326
    path = write_layer(
        tmp_path / "wrong.gpkg", [shapely.Point(x + 500, y + 500)], {"n": ["a"]}, layer="p"
    )
    with pytest.raises(UploadRefused) as refused:
        upload(officer, batumi, path.name, path.read_bytes())
    assert refused.value.code == "crs_mismatch"
    assert "EPSG:32638" in refused.value.message


def test_3d_input_is_flattened_and_reported(officer, batumi, tmp_path):
    lon, lat = lonlat(500, 500)
    path = write_layer(
        tmp_path / "z.gpkg",
        [shapely.Point(lon, lat, 12.5)],
        {"n": ["a"]},
        layer="p",
        geometry_type="Point Z",
    )
    version = upload(officer, batumi, path.name, path.read_bytes())
    assert any("flattened" in note for note in version.report["notes"])
    feature = version.features.get()
    assert not feature.geom.hasz


def test_mixed_geometry_kinds_are_refused_unless_one_is_chosen(officer, batumi, tmp_path):
    a, b = lonlat(500, 500), lonlat(600, 600)
    geoms = [shapely.Point(*a), shapely.LineString([a, b])]
    path = write_layer(
        tmp_path / "mixed.gpkg",
        geoms,
        {"n": np.array(["p", "l"], dtype=object)},
        layer="m",
        geometry_type="Unknown",
    )
    with pytest.raises(UploadRefused) as refused:
        upload(officer, batumi, path.name, path.read_bytes())
    assert refused.value.code == "mixed_geometries"
    assert refused.value.choices == ["line", "point"]
    version = upload(officer, batumi, path.name, path.read_bytes(), geometry_kind="point")
    assert version.rows_stored == 1
    assert version.report["errors"][0]["code"] == "other_kind"


def test_rows_outside_the_municipality_are_kept_with_a_warning(officer, batumi, tmp_path):
    inside, outside = lonlat(500, 500), lonlat(-3000, -3000)
    path = write_layer(
        tmp_path / "edge.gpkg",
        [shapely.Point(*inside), shapely.Point(*outside)],
        {"n": ["a", "b"]},
        layer="p",
    )
    version = upload(officer, batumi, path.name, path.read_bytes())
    assert version.rows_stored == 2
    assert [(w["row"], w["code"]) for w in version.report["warnings"]] == [
        (2, "outside_municipality")
    ]


def test_a_geojson_is_reprojected_to_the_storage_grid(officer, batumi):
    lon, lat = lonlat(500, 500)
    content = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":1},'
        f'"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}}]}}'
    )
    version = upload(officer, batumi, "p.geojson", content.encode())
    geom = version.features.get().geom
    assert geom.srid == 32638
    back = Transformer.from_crs(4326, 32638, always_xy=True).transform(lon, lat)
    assert abs(geom.x - back[0]) < 0.01 and abs(geom.y - back[1]) < 0.01
