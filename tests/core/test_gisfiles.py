"""GIS-file input refuses hostile zips and disguised files, and lets GDAL read only its own paths.

Files are written in tmp_path: zips with zipfile, layers with pyogrio. Coordinates are
EPSG:32638 (Batumi, UTM 38N).
"""

from __future__ import annotations

import io
import random
import sqlite3
import stat
import warnings
import zipfile

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely
from pyproj import CRS

from core import gisfiles
from core.gisfiles import GisFileError

SQUARE = shapely.box(220000, 4615000, 220020, 4615030)  # EPSG:32638, in Batumi


@pytest.fixture(autouse=True)
def english(english_messages):
    """Messages are compared with their English source text."""


def write_layer(path, *, layer="parcels"):
    driver = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON"}[path.suffix]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        pyogrio.raw.write(
            path,
            shapely.to_wkb(np.array([SQUARE], dtype=object)),
            [np.array(["05.24.11.001"], dtype=object)],
            ["code"],
            layer=layer,
            driver=driver,
            geometry_type="Polygon",
            crs="EPSG:32638",
            append=path.exists(),
        )
    return path


def zipped(path, members: list[tuple[zipfile.ZipInfo | str, bytes]], **kwargs):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", kwargs.pop("compression", zipfile.ZIP_DEFLATED)) as archive:
        for info, data in members:
            archive.writestr(info, data)
    path.write_bytes(buffer.getvalue())
    return path


def shapefile_members(tmp_path, prefix: str = "") -> list[tuple[str, bytes]]:
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    shp = write_layer(source / "kg.shp")
    return [
        (f"{prefix}kg{suffix}", shp.with_suffix(suffix).read_bytes())
        for suffix in (".shp", ".shx", ".dbf", ".prj")
    ]


def refusal(function, *args, **kwargs) -> GisFileError:
    with pytest.raises(GisFileError) as refused:
        function(*args, **kwargs)
    return refused.value


# Limits


def test_a_zip_with_more_members_than_allowed_is_refused(tmp_path):
    path = zipped(tmp_path / "many.zip", [(f"f{i}.txt", b"x") for i in range(6)])

    error = refusal(gisfiles.check_zip, path, "many.zip", max_members=5)

    assert error.code == "too_many_members"
    assert error.message == "many.zip holds 6 files; at most 5 are accepted."
    assert len(gisfiles.check_zip(path, "many.zip", max_members=6)) == 6


def test_a_zip_that_declares_more_than_the_unpacked_limit_is_refused(tmp_path):
    path = zipped(tmp_path / "big.zip", [("kg.shp", b"\0" * 50_000)])

    error = refusal(gisfiles.check_zip, path, "big.zip", max_unpacked=10_000)

    assert error.code == "zip_bomb"
    assert "unpacks to 50000 bytes; at most 10000" in error.message


def test_a_member_with_a_high_compression_ratio_is_refused(tmp_path):
    path = zipped(tmp_path / "bomb.zip", [("kg.shp", b"\0" * (3 * gisfiles.MB))])

    error = refusal(gisfiles.check_zip, path, "bomb.zip")

    assert error.code == "zip_bomb"
    assert "kg.shp inflates" in error.message and "looks like a zip bomb" in error.message


def test_the_ratio_limit_is_a_parameter(tmp_path):
    # 1.5 MB, half of it noise: it deflates to about half its size.
    content = random.Random(0).randbytes(768 * 1024) + b"\0" * (768 * 1024)
    path = zipped(tmp_path / "ok.zip", [("kg.shp", content)])

    assert gisfiles.check_zip(path, "ok.zip")  # within the default ratio
    assert refusal(gisfiles.check_zip, path, "ok.zip", max_ratio=1).code == "zip_bomb"


def test_limits_default_to_the_settings(tmp_path, settings):
    settings.DATASET_ZIP_MAX_MEMBERS = 2
    settings.DATASET_UNPACKED_MAX_BYTES = 1000
    settings.DATASET_ZIP_MAX_RATIO = 3
    many = zipped(tmp_path / "many.zip", [(f"f{i}.txt", b"x") for i in range(3)])
    big = zipped(tmp_path / "big.zip", [("a.txt", b"x" * 2000)], compression=zipfile.ZIP_STORED)
    dense = zipped(tmp_path / "dense.zip", [("a.txt", b"\0" * (2 * gisfiles.MB))])

    assert refusal(gisfiles.check_zip, many, "many.zip").code == "too_many_members"
    assert refusal(gisfiles.check_zip, big, "big.zip").code == "zip_bomb"
    assert refusal(gisfiles.check_zip, dense, "dense.zip", max_unpacked=10**9).code == "zip_bomb"
    assert gisfiles.max_zip_members() == 2
    assert gisfiles.max_unpacked_bytes() == 1000
    assert gisfiles.max_zip_ratio() == 3


def test_a_member_that_inflates_past_what_it_declares_is_stopped_while_inflating(tmp_path):
    members = shapefile_members(tmp_path)
    content = bytearray(zipped(tmp_path / "x.zip", members).read_bytes())
    # The central directory says the .dbf holds 10 bytes; its data holds more.
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    info = archive.getinfo("kg.dbf")
    central = content.rfind(b"PK\x01\x02", 0, content.find(b"kg.dbf", info.header_offset + 30))
    content[central + 24 : central + 28] = (10).to_bytes(4, "little")
    path = tmp_path / "liar.zip"
    path.write_bytes(bytes(content))
    into = tmp_path / "out"
    into.mkdir()

    error = refusal(gisfiles.unpack_shapefile, path, "liar.zip", None, into)

    assert error.code in ("zip_bomb", "hostile")


def test_the_unpacked_budget_counts_real_bytes_across_members(tmp_path):
    members = shapefile_members(tmp_path)
    path = zipped(tmp_path / "kg.zip", members)
    files = gisfiles.zip_files(gisfiles.check_zip(path, "kg.zip"))
    parts = gisfiles.shapefile_parts(files, "kg")
    into = tmp_path / "out"
    into.mkdir()
    smallest = sum(m.file_size for m in parts.values()) - 1

    error = refusal(gisfiles.unpack_parts, path, "kg.zip", parts, into, max_unpacked=smallest)

    assert error.code == "zip_bomb"


# Paths inside a zip


@pytest.mark.parametrize(
    "member",
    [
        "../../kg.shp",
        "export/../../kg.shp",
        "/etc/kg.shp",
        "\\kg.shp",
        "..\\..\\kg.shp",
        "C:/kg.shp",
    ],
    ids=["parent", "parent-inside", "absolute", "backslash-root", "backslash-parent", "drive"],
)
def test_a_path_that_leaves_the_archive_is_refused(tmp_path, member):
    info = zipfile.ZipInfo("kg.shp")
    info.filename = member  # ZipInfo("...") would normalise the name; a hostile zip does not
    path = zipped(tmp_path / "slip.zip", [(info, b"x")])

    error = refusal(gisfiles.check_zip, path, "slip.zip")

    assert error.code == "zip_slip"
    assert "a path that leaves the archive" in error.message


def test_a_symbolic_link_is_refused(tmp_path):
    link = zipfile.ZipInfo("kg.prj")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = zipped(tmp_path / "link.zip", [*shapefile_members(tmp_path)[:3], (link, b"/etc/passwd")])

    error = refusal(gisfiles.check_zip, path, "link.zip")

    assert error.code == "zip_symlink"


@pytest.mark.parametrize("inner", ["inner.zip", "data.tar.gz", "layers.7z", "doc.kmz"])
def test_a_nested_archive_is_refused(tmp_path, inner):
    path = zipped(tmp_path / "nested.zip", [(inner, b"PK\x03\x04")])

    assert refusal(gisfiles.check_zip, path, "nested.zip").code == "zip_nested"


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"PK but not really")

    error = refusal(gisfiles.check_zip, path, "fake.zip")

    assert (error.code, error.message) == ("format", "fake.zip is not a zip archive.")


def test_only_the_chosen_shapefiles_parts_are_unpacked_under_our_own_names(tmp_path):
    members = [
        *shapefile_members(tmp_path, prefix="export/"),
        ("export/readme.txt", b"hello"),
        ("export/other.dbf", b"x"),
        ("__MACOSX/export/._kg.shp", b"x"),
    ]
    path = zipped(tmp_path / "kg.zip", members)
    into = tmp_path / "out"
    into.mkdir()

    shp, layer, choices = gisfiles.unpack_shapefile(path, "kg.zip", None, into)

    assert (layer, choices) == ("kg", ["kg"])
    assert shp == into / "layer.shp"
    assert sorted(p.name for p in into.iterdir()) == [
        "layer.dbf",
        "layer.prj",
        "layer.shp",
        "layer.shx",
    ]


def test_a_zip_with_two_shapefiles_asks_for_one(tmp_path):
    members = shapefile_members(tmp_path, prefix="a/") + [
        (name.replace("a/kg", "b/other"), data)
        for name, data in shapefile_members(tmp_path, prefix="a/")
    ]
    path = zipped(tmp_path / "two.zip", members)
    into = tmp_path / "out"
    into.mkdir()

    error = refusal(gisfiles.unpack_shapefile, path, "two.zip", None, into)

    assert (error.code, error.parameter, error.choices) == (
        "choose_layer",
        "layer",
        ["kg", "other"],
    )
    assert gisfiles.unpack_shapefile(path, "two.zip", "other", into)[1] == "other"


def test_a_vrt_in_a_zip_is_refused(tmp_path):
    members = [*shapefile_members(tmp_path), ("kg.vrt", b"<OGRVRTDataSource/>")]
    path = zipped(tmp_path / "vrt.zip", members)

    error = refusal(gisfiles.unpack_shapefile, path, "vrt.zip", None, tmp_path)

    assert error.code == "driver_not_allowed"


# Signatures


@pytest.mark.parametrize(
    ("suffix", "driver", "content", "message"),
    [
        (".gpkg", "GPKG", b"<VRTDataset/>", "is not a GeoPackage"),
        (".shp", "ESRI Shapefile", b"\0\0\0\0", "is not a Shapefile"),
        (".geojson", "GeoJSON", b"<OGRVRTDataSource/>", "is not GeoJSON"),
        (".geojson", "GeoJSON", b"", "is not GeoJSON"),
    ],
)
def test_a_file_whose_first_bytes_are_not_its_format_is_refused(
    tmp_path, suffix, driver, content, message
):
    path = tmp_path / f"layer{suffix}"
    path.write_bytes(content)

    error = refusal(gisfiles.check_signature, path, driver, f"mine{suffix}")

    assert error.code == "format"
    assert error.message.startswith(f"mine{suffix} {message}")


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson"])
def test_real_files_pass_the_signature_check(tmp_path, suffix):
    path = write_layer(tmp_path / f"layer{suffix}")
    gisfiles.check_signature(
        path, {".gpkg": "GPKG", ".shp": "ESRI Shapefile"}.get(suffix, "GeoJSON"), "x"
    )


def test_geojson_may_start_with_a_byte_order_mark_and_white_space(tmp_path):
    path = tmp_path / "layer.geojson"
    path.write_bytes(b'\xef\xbb\xbf \r\n {"type": "FeatureCollection", "features": []}')

    gisfiles.check_signature(path, "GeoJSON", "x.geojson")


def test_a_missing_file_is_a_read_refusal_not_an_exception_of_its_own(tmp_path):
    error = refusal(gisfiles.check_signature, tmp_path / "layer.gpkg", "GPKG", "gone.gpkg")

    assert error.message.startswith("gone.gpkg cannot be read:")


# CRS label


def test_crs_label_is_the_epsg_code_when_there_is_one():
    assert gisfiles.crs_label(CRS.from_epsg(32638)) == "EPSG:32638"
    assert gisfiles.crs_label(CRS.from_user_input("+proj=longlat +datum=WGS84")) == "EPSG:4326"


def test_crs_label_is_the_name_without_an_epsg_code():
    crs = CRS.from_proj4("+proj=tmerc +lat_0=0 +lon_0=44.1 +k=1 +x_0=500000 +ellps=GRS80")
    assert crs.to_epsg() is None
    assert gisfiles.crs_label(crs) == crs.name


# Layers and reading


def test_a_geopackage_lists_its_feature_tables_and_not_its_views(tmp_path):
    path = write_layer(tmp_path / "layer.gpkg", layer="b_parcels")
    write_layer(path, layer="a_zones")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIEW leaked AS SELECT * FROM a_zones")
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
            "VALUES ('leaked', 'features', 'leaked')"
        )
    conn.close()

    assert gisfiles.layers_of(path, "GPKG", "mine.gpkg") == ["a_zones", "b_parcels"]


def test_a_damaged_geopackage_cannot_be_read(tmp_path):
    path = tmp_path / "layer.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)

    error = refusal(gisfiles.layers_of, path, "GPKG", "broken.gpkg")

    assert error.message.startswith("broken.gpkg cannot be read:")


def test_an_sqlite_database_that_is_no_geopackage_is_refused(tmp_path):
    path = tmp_path / "layer.gpkg"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()

    error = refusal(gisfiles.layers_of, path, "GPKG", "plain.gpkg")

    assert error.message.startswith("plain.gpkg is not a GeoPackage")


def test_a_geojson_file_is_one_layer_named_after_the_persons_file():
    assert gisfiles.layers_of(None, "GeoJSON", "schools 2025.geojson") == ["schools 2025"]


def test_choose_layer_asks_for_a_choice_and_refuses_an_unknown_one():
    assert gisfiles.choose_layer(["a"], None, "x.gpkg") == "a"
    assert gisfiles.choose_layer(["a", "b"], "b", "x.gpkg") == "b"
    assert refusal(gisfiles.choose_layer, ["a", "b"], None, "x.gpkg").choices == ["a", "b"]
    assert refusal(gisfiles.choose_layer, ["a", "b"], "c", "x.gpkg").code == "unknown_layer"
    assert refusal(gisfiles.choose_layer, [], None, "x.gpkg").code == "no_layers"


def test_a_local_file_is_staged_under_our_name_with_its_shapefile_parts(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    write_layer(source / "plain.shp")
    for part in source.iterdir():  # a name GDAL would read as a database connection
        part.rename(source / f"PG:dbname=x{part.suffix}")
    shp = source / "PG:dbname=x.shp"
    into = tmp_path / "staged"
    into.mkdir()

    staged = gisfiles.stage_local_file(shp, into)

    assert staged == into / "layer.shp"
    assert {p.name for p in into.iterdir()} >= {"layer.shp", "layer.shx", "layer.dbf"}
    info = gisfiles.read_info(staged, driver="ESRI Shapefile", layer="x", name=shp.name)
    assert info["features"] == 1 and info["crs"] == "EPSG:32638"


def test_gdal_reads_only_a_staged_path(tmp_path):
    path = write_layer(tmp_path / "mine.gpkg")

    with pytest.raises(ValueError, match="not a file staged"):
        gisfiles.read_info(path, driver="GPKG", layer="parcels", name="mine.gpkg")
    with pytest.raises(ValueError, match="not a file staged"):
        gisfiles.read_layer(
            "/vsicurl/http://127.0.0.1:9/layer.gpkg", driver="GPKG", layer="x", name="x"
        )


def test_a_file_gdal_reads_as_another_driver_is_refused(tmp_path):
    path = write_layer(tmp_path / "layer.geojson")

    error = refusal(gisfiles.read_info, path, driver="GPKG", layer="parcels", name="x.gpkg")

    assert error.code == "driver_not_allowed"
    assert error.message == "x.gpkg was read by GDAL as GeoJSON, not GPKG; it is refused."


def test_a_staged_layer_is_read_with_the_network_closed_and_the_options_put_back(tmp_path):
    path = write_layer(tmp_path / "layer.gpkg")
    before = pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY")

    meta, _fids, wkb, values = gisfiles.read_layer(
        path, driver="GPKG", layer="parcels", name="x.gpkg"
    )

    assert list(values[0]) == ["05.24.11.001"]
    assert shapely.from_wkb(wkb[0]).equals(SQUARE)
    assert pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY") == before
    with gisfiles.gdal_offline():
        assert pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY") == "127.0.0.1:9"


def test_a_read_error_is_a_refusal_that_names_the_file(tmp_path):
    path = tmp_path / "layer.geojson"
    path.write_bytes(b'{"type": "FeatureCollection", "features": [')

    error = refusal(gisfiles.read_info, path, driver="GeoJSON", layer="layer", name="mine.geojson")

    assert (error.code, error.message.startswith("mine.geojson cannot be read:")) == ("read", True)
