"""What a download carries beside its rows: the Shapefile's table of shortened field names,
booleans as 1 and 0, its code page; the zipped CSV's .csvt (types) and .prj (CRS), read by GDAL."""

import csv
import datetime
import io
import zipfile

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
from django.db.models import BooleanField, CharField, DateTimeField, Value

from layers.registry import Layer, registry
from parcels.models import Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory


@pytest.fixture
def parcels(batumi):
    """Three 20 m squares (EPSG:32638), the second municipal property."""
    x, y = BATUMI_ORIGIN
    return [
        ParcelFactory(
            municipality=batumi,
            cadastral_code=f"05.24.11.00{n + 1}",
            geom=multi(square(x + 1000 + 40 * n, y + 1000, 20.0)),
            is_municipal_property=n == 1,
        )
        for n in range(3)
    ]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_back(path):
    """(fids, {field: array}, geometries, info) of the first layer of a file."""
    meta, fids, geometry, values = pyogrio.raw.read(str(path), return_fids=True)
    return fids, dict(zip(meta["fields"], values, strict=True)), geometry, meta


def download(client, url: str, path):
    response = client.get(url)
    assert response.status_code == 200, response.content
    path.write_bytes(body(response))
    return response


def field_table(path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        raw = zf.read(f"{name}.fields.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_shapefile_zip_maps_each_full_field_name_to_its_dbf_name(client, parcels, tmp_path):
    path = tmp_path / "parcels.shp.zip"
    download(client, "/api/v1/layers/parcels/export.shp.zip", path)
    table = field_table(path, "parcels")
    assert [(row["name"], row["shapefile_name"], row["type"]) for row in table] == [
        ("id", "id", "integer"),
        ("cadastral_code", "cadastral_", "string"),
        ("land_use", "land_use", "string"),
        ("area_m2", "area_m2", "number"),
        ("is_municipal_property", "is_municip", "boolean"),
    ]
    assert table[1]["title"] == "cadastral code"
    meta = pyogrio.read_info(f"/vsizip/{path}/parcels.shp")
    assert list(meta["fields"]) == [row["shapefile_name"] for row in table]


def test_the_shapefile_writes_booleans_as_one_and_zero(client, parcels, tmp_path):
    path = tmp_path / "parcels.shp.zip"
    download(client, "/api/v1/layers/parcels/export.shp.zip", path)
    with zipfile.ZipFile(path) as zf:
        assert zf.read("parcels.cpg") == b"UTF-8"
    ids, fields, _, meta = read_back(f"/vsizip/{path}/parcels.shp")
    assert meta["dtypes"][list(meta["fields"]).index("is_municip")] == "int32"
    flags = dict(zip((int(i) for i in fields["id"]), fields["is_municip"].tolist(), strict=True))
    assert flags == {p.pk: int(p.is_municipal_property) for p in parcels}
    assert set(flags.values()) == {0, 1}


@pytest.fixture
def long_names_layer():
    """Parcels with three properties whose first ten characters are the same."""
    layer = registry.register(
        Layer(
            name="parcel-long-names",
            title_ka="ნაკვეთები",
            title_en="Parcels with long names",
            queryset=lambda: Parcel.objects.annotate(
                municipality_name_ka=Value("ბათუმი", output_field=CharField()),
                municipality_name_en=Value("Batumi", output_field=CharField()),
                municipality_is_capital=Value(False, output_field=BooleanField()),
            ),
            properties=(
                "cadastral_code",
                "municipality_name_ka",
                "municipality_name_en",
                "municipality_is_capital",
            ),
            field_types=(
                ("municipality_name_ka", "string"),
                ("municipality_name_en", "string"),
                ("municipality_is_capital", "boolean"),
            ),
        )
    )
    yield layer
    registry.unregister(layer.name)


def test_shortened_names_are_unique_and_the_table_says_which_is_which(
    client, parcels, long_names_layer, tmp_path
):
    path = tmp_path / "long.shp.zip"
    download(client, "/api/v1/layers/parcel-long-names/export.shp.zip", path)
    table = {row["name"]: row["shapefile_name"] for row in field_table(path, "parcel-long-names")}
    assert table == {
        "id": "id",
        "cadastral_code": "cadastral_",
        "municipality_name_ka": "municipali",
        "municipality_name_en": "municipa_1",
        "municipality_is_capital": "municipa_2",
    }
    _, fields, _, _ = read_back(f"/vsizip/{path}/parcel-long-names.shp")
    assert set(fields) == set(table.values())
    assert list(fields["municipali"]) == ["ბათუმი"] * 3
    assert list(fields["municipa_1"]) == ["Batumi"] * 3
    assert list(fields["municipa_2"]) == [0] * 3


@pytest.mark.parametrize("srid", [4326, 32638])
def test_the_csv_zip_holds_the_csv_with_its_types_and_crs(client, parcels, srid, tmp_path):
    path = tmp_path / "parcels.csv.zip"
    response = download(client, f"/api/v1/layers/parcels/export.csv.zip?crs={srid}", path)
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["parcels.csv", "parcels.csvt", "parcels.prj"]
        inside = zf.read("parcels.csv")
        assert zf.read("parcels.csvt") == (
            b'"WKT","Integer64","String","String","Real","Integer(Boolean)"\r\n'
        )
    # The same CSV as the plain download.
    assert inside == body(client.get(f"/api/v1/layers/parcels/export.csv?crs={srid}"))
    info = pyogrio.read_info(f"/vsizip/{path}/parcels.csv")
    assert info["crs"] == f"EPSG:{srid}"
    assert info["features"] == 3
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["id"] == "int64"
    assert types["area_m2"] == "float64"
    assert types["is_municipal_property"] == "bool"
    _, fields, _, _ = read_back(f"/vsizip/{path}/parcels.csv")
    flags = dict(zip(fields["id"].tolist(), fields["is_municipal_property"].tolist(), strict=True))
    assert flags == {p.pk: p.is_municipal_property for p in parcels}


@pytest.fixture
def dated_layer():
    """Parcels with a date, an empty date and a date-time (annotated, typed)."""
    checked = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)
    layer = registry.register(
        Layer(
            name="parcel-dates",
            title_ka="ნაკვეთები",
            title_en="Parcels with dates",
            queryset=lambda: Parcel.objects.annotate(
                checked_at=Value(checked, output_field=DateTimeField())
            ),
            properties=("cadastral_code", "valid_from", "valid_to", "checked_at"),
            field_types=(("checked_at", "date-time"),),
        )
    )
    yield layer
    registry.unregister(layer.name)


def test_the_csv_zip_types_dates_and_date_times(client, parcels, dated_layer, tmp_path):
    path = tmp_path / "dates.csv.zip"
    download(client, "/api/v1/layers/parcel-dates/export.csv.zip", path)
    info = pyogrio.read_info(f"/vsizip/{path}/parcel-dates.csv")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["valid_from"] == "datetime64[D]"
    assert types["checked_at"] == "datetime64[ms]"
    _, fields, _, _ = read_back(f"/vsizip/{path}/parcel-dates.csv")
    assert str(fields["valid_from"][0]) == "2024-01-01"
    assert np.isnat(fields["valid_to"]).all()
    assert str(fields["checked_at"][0]) == "2024-05-01T12:30:00.000"
