"""Downloads of a small parcels layer read back by GDAL: every format, in each CRS offered."""

import csv
import io
import subprocess
import zipfile

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely
from pyproj import Transformer

from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

# Three 20 m squares, 40 m apart, 1 km north-east of Batumi's origin (EPSG:32638).
OFFSETS = [(1000.0, 1000.0), (1040.0, 1000.0), (1080.0, 1000.0)]


@pytest.fixture
def parcels(batumi):
    x, y = BATUMI_ORIGIN
    made = []
    for n, (dx, dy) in enumerate(OFFSETS):
        made.append(
            ParcelFactory(
                municipality=batumi,
                cadastral_code=f"05.24.11.00{n + 1}",
                geom=multi(square(x + dx, y + dy, 20.0)),
                is_municipal_property=n == 1,
            )
        )
    return made


def expected_bounds(parcel, srid: int) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = parcel.geom.extent
    if srid == 32638:
        return minx, miny, maxx, maxy
    to = Transformer.from_crs(32638, srid, always_xy=True)
    xs, ys = to.transform([minx, maxx, maxx, minx], [miny, miny, maxy, maxy])
    return min(xs), min(ys), max(xs), max(ys)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def read_back(path, **kwargs):
    """(fids, {field: array}, shapely geometries, info) of the first layer of a file."""
    meta, fids, geometry, values = pyogrio.raw.read(str(path), return_fids=True, **kwargs)
    fields = dict(zip(meta["fields"], values, strict=True))
    return fids, fields, shapely.from_wkb(geometry), meta


def assert_parcels(ids, codes, geoms, parcels, srid, tolerance):
    by_id = dict(zip((int(i) for i in ids), zip(codes, geoms, strict=True), strict=True))
    assert set(by_id) == {p.pk for p in parcels}
    for parcel in parcels:
        code, geom = by_id[parcel.pk]
        assert code == parcel.cadastral_code
        assert np.allclose(geom.bounds, expected_bounds(parcel, srid), atol=tolerance)


TOLERANCE = {4326: 1e-6, 32638: 0.01, 3857: 0.01}


@pytest.mark.parametrize("srid", [4326, 32638, 3857])
def test_geopackage_holds_the_parcels_in_the_chosen_crs(client, parcels, srid, tmp_path):
    response = client.get(f"/api/v1/layers/parcels/export.gpkg?crs={srid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geopackage+sqlite3"
    assert response["Content-Disposition"].startswith('attachment; filename="parcels-')
    path = tmp_path / "parcels.gpkg"
    path.write_bytes(body(response))
    assert pyogrio.list_layers(str(path))[:, 0].tolist() == ["parcels"]
    info = pyogrio.read_info(str(path))
    assert info["crs"] == f"EPSG:{srid}"
    assert info["features"] == 3
    _, fields, geoms, _ = read_back(path)
    assert set(fields) == {"id", "cadastral_code", "land_use", "area_m2", "is_municipal_property"}
    assert_parcels(fields["id"], fields["cadastral_code"], geoms, parcels, srid, TOLERANCE[srid])
    municipal = dict(zip(fields["id"].tolist(), fields["is_municipal_property"], strict=True))
    assert municipal[parcels[1].pk] and not municipal[parcels[0].pk]


def test_ogrinfo_reads_the_geopackage_with_its_srs_and_count(client, parcels, tmp_path):
    path = tmp_path / "parcels.gpkg"
    path.write_bytes(body(client.get("/api/v1/layers/parcels/export.gpkg?crs=EPSG:32638")))
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Layer name: parcels" in result.stdout
    assert "Feature Count: 3" in result.stdout
    assert 'ID["EPSG",32638]' in result.stdout
    assert "cadastral_code: String" in result.stdout
    # GeoPackage 1.2, so that GDAL 3.6 (and the QGIS built on it) reads it without a warning.
    assert "partially supported" not in result.stderr


@pytest.mark.parametrize("srid", [4326, 32638])
def test_geojson_holds_the_parcels_with_their_ids(client, parcels, srid, tmp_path):
    response = client.get(f"/api/v1/layers/parcels/export.geojson?crs={srid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    path = tmp_path / "parcels.geojson"
    path.write_bytes(body(response))
    info = pyogrio.read_info(str(path))
    assert info["crs"] in (f"EPSG:{srid}", "OGC:CRS84")
    fids, fields, geoms, _ = read_back(path)
    assert "id" not in fields  # the id is the feature's own, which GDAL reads as its FID
    assert_parcels(fids, fields["cadastral_code"], geoms, parcels, srid, TOLERANCE[srid])


def test_geojson_in_4326_has_no_crs_member_and_longitude_first(client, parcels):
    import json

    data = json.loads(body(client.get("/api/v1/layers/parcels/export.geojson")))
    assert "crs" not in data
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 41 < lon < 42 and 41 < lat < 42
    assert data["features"][0]["properties"]["land_use"] == "residential"


@pytest.mark.parametrize("srid", [4326, 32638])
def test_csv_has_wkt_first_and_reads_in_gdal(client, parcels, srid, tmp_path):
    response = client.get(f"/api/v1/layers/parcels/export.csv?crs={srid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbfWKT,id,cadastral_code,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == sorted(p.pk for p in parcels)
    assert rows[1]["is_municipal_property"] == "true"
    path = tmp_path / "parcels.csv"
    path.write_bytes(raw)
    fids, fields, geoms, _ = read_back(path)
    assert_parcels(fields["id"], fields["cadastral_code"], geoms, parcels, srid, TOLERANCE[srid])


def test_ogrinfo_finds_the_csv_geometry_despite_the_byte_order_mark(client, parcels, tmp_path):
    path = tmp_path / "parcels.csv"
    path.write_bytes(body(client.get("/api/v1/layers/parcels/export.csv?crs=32638")))
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", str(path)], capture_output=True, text=True, check=True
    )
    # The column is named WKT, not "\ufeffWKT": GDAL skipped the mark and made it the geometry.
    assert result.stdout.count("\n  WKT (String) = MULTIPOLYGON(((") == 3
    assert result.stdout.count("\n  MULTIPOLYGON ((") == 3
    assert "cadastral_code (String) = 05.24.11.001" in result.stdout


@pytest.mark.parametrize("srid", [4326, 32638])
def test_zipped_shapefile_has_its_parts_and_the_parcels(client, parcels, srid, tmp_path):
    response = client.get(f"/api/v1/layers/parcels/export.shp.zip?crs={srid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    path = tmp_path / "parcels.shp.zip"
    path.write_bytes(body(response))
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
        assert zf.read("parcels.cpg").strip() == b"UTF-8"
    parts = ("shp", "shx", "dbf", "prj", "cpg", "fields.csv")
    assert names == sorted(f"parcels.{ext}" for ext in parts)
    info = pyogrio.read_info(f"/vsizip/{path}/parcels.shp")
    assert info["crs"] == f"EPSG:{srid}"
    _, fields, geoms, _ = read_back(f"/vsizip/{path}/parcels.shp")
    # dBASE keeps ten characters of a field name.
    assert set(fields) == {"id", "cadastral_", "land_use", "area_m2", "is_municip"}
    assert_parcels(fields["id"], fields["cadastral_"], geoms, parcels, srid, TOLERANCE[srid])


def test_kml_names_each_placemark_and_is_in_4326(client, parcels, tmp_path):
    response = client.get("/api/v1/layers/parcels/export.kml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.google-earth.kml+xml"
    raw = body(response)
    assert b"<name>05.24.11.001</name>" in raw
    path = tmp_path / "parcels.kml"
    path.write_bytes(raw)
    _, fields, geoms, _ = read_back(path)
    assert_parcels(
        [int(v) for v in fields["feature_id"]], fields["Name"], geoms, parcels, 4326, 1e-6
    )


def test_shapefile_field_names_are_cut_to_ten_characters_uniquely():
    from layers.exports import shapefile_names

    assert shapefile_names(["id", "municipality_id", "municipality_code", "name_ka"]) == [
        "id",
        "municipali",
        "municipa_1",
        "name_ka",
    ]


def test_bbox_keeps_only_the_parcels_it_touches(client, parcels):
    import json

    x, y = BATUMI_ORIGIN
    to_lonlat = Transformer.from_crs(32638, 4326, always_xy=True)
    # A box around the first parcel only (EPSG:32638 corners, sent in CRS84).
    lon0, lat0 = to_lonlat.transform(x + 995, y + 995)
    lon1, lat1 = to_lonlat.transform(x + 1025, y + 1025)
    response = client.get(f"/api/v1/layers/parcels/export.geojson?bbox={lon0},{lat0},{lon1},{lat1}")
    data = json.loads(body(response))
    assert [f["id"] for f in data["features"]] == [parcels[0].pk]


def test_filename_names_the_layer_the_day_and_a_crs_other_than_4326(client, parcels):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    plain = client.get("/api/v1/layers/parcels/export.gpkg")
    assert plain["Content-Disposition"] == f'attachment; filename="parcels-{today}.gpkg"'
    utm = client.get("/api/v1/layers/parcels/export.shp.zip?crs=32638")
    assert utm["Content-Disposition"] == (
        f'attachment; filename="parcels-{today}-epsg32638.shp.zip"'
    )


@pytest.fixture
def typed_layer():
    """Parcels with a date, an empty date, a number and a date-time (annotated, typed)."""
    import datetime

    from django.db.models import DateTimeField, Value

    from layers.registry import Layer, registry
    from parcels.models import Parcel

    checked = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)
    layer = registry.register(
        Layer(
            name="parcel-dates",
            title_ka="ნაკვეთები",
            title_en="Parcels with dates",
            queryset=lambda: Parcel.objects.annotate(
                checked_at=Value(checked, output_field=DateTimeField())
            ),
            properties=("cadastral_code", "valid_from", "valid_to", "area_m2", "checked_at"),
            field_types=(("checked_at", "date-time"),),
        )
    )
    yield layer
    registry.unregister(layer.name)


def test_geopackage_keeps_dates_numbers_and_empty_values_typed(
    client, parcels, typed_layer, tmp_path
):
    path = tmp_path / "dates.gpkg"
    path.write_bytes(body(client.get("/api/v1/layers/parcel-dates/export.gpkg")))
    info = pyogrio.read_info(str(path))
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["valid_from"] == "datetime64[D]"
    assert types["area_m2"] == "float64"
    assert types["checked_at"] == "datetime64[ms]"
    _, fields, _, _ = read_back(path)
    assert str(fields["valid_from"][0]) == "2024-01-01"
    assert np.isnat(fields["valid_to"]).all()
    assert np.allclose(fields["area_m2"], 400.0)
    assert str(fields["checked_at"][0]) == "2024-05-01T12:30:00.000"


def test_shapefile_and_kml_write_date_times_as_iso_text(client, parcels, typed_layer, tmp_path):
    path = tmp_path / "dates.shp.zip"
    path.write_bytes(body(client.get("/api/v1/layers/parcel-dates/export.shp.zip")))
    _, fields, _, _ = read_back(f"/vsizip/{path}/parcel-dates.shp")
    assert fields["checked_at"][0] == "2024-05-01T12:30:00+00:00"
    assert str(fields["valid_from"][0]) == "2024-01-01"
    kml = body(client.get("/api/v1/layers/parcel-dates/export.kml"))
    assert b'<SimpleData name="checked_at">2024-05-01T12:30:00+00:00</SimpleData>' in kml
