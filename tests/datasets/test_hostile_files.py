"""Hostile files are refused with their reason, and nothing is stored."""

import io
import stat
import zipfile

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.ingest import UploadRefused
from datasets.models import Dataset, DatasetFeature, DatasetVersion
from datasets.services import FileChoices, dataset_upload
from tests.datasets.conftest import lonlat, write_layer

VRT = b"""<OGRVRTDataSource><OGRVRTLayer name="x">
<SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"""


def try_upload(officer, batumi, name: str, content: bytes, **choices):
    with pytest.raises(UploadRefused) as refused:
        dataset_upload(
            user=officer,
            municipality=batumi,
            name="hostile",
            title_ka="x",
            title_en="x",
            fileobj=SimpleUploadedFile(name, content),
            file_name=name,
            choices=FileChoices(**choices),
        )
    assert not Dataset.objects.exists()
    assert not DatasetVersion.objects.exists()
    assert not DatasetFeature.objects.exists()
    return refused.value


def zipped(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return buffer.getvalue()


def shapefile_parts(tmp_path) -> dict[str, bytes]:
    path = write_layer(
        tmp_path / "kg.shp", [shapely.Point(*lonlat(500, 500))], {"name": ["a"]}, layer="kg"
    )
    return {
        suffix: path.with_suffix(suffix).read_bytes() for suffix in (".shp", ".shx", ".dbf", ".prj")
    }


def test_a_vrt_is_refused(officer, batumi):
    error = try_upload(officer, batumi, "layer.vrt", VRT)
    assert error.code == "driver_not_allowed"
    assert "VRT" in error.message


def test_a_vrt_disguised_as_geojson_is_refused(officer, batumi):
    error = try_upload(officer, batumi, "layer.geojson", VRT)
    assert "not GeoJSON" in error.message


def test_a_file_too_large_is_refused(officer, batumi, settings):
    settings.DATASET_UPLOAD_MAX_BYTES = 100
    error = try_upload(officer, batumi, "big.geojson", b"{" + b" " * 200 + b"}")
    assert error.code == "too_large"


def test_a_zip_that_inflates_past_the_limit_is_refused(officer, batumi, settings):
    settings.DATASET_UNPACKED_MAX_BYTES = 10_000
    content = zipped([("kg.shp", b"\0" * 50_000), ("kg.shx", b""), ("kg.dbf", b"")])
    error = try_upload(officer, batumi, "bomb.zip", content)
    assert error.code == "zip_bomb"


def test_a_zip_with_a_high_compression_ratio_is_refused(officer, batumi):
    content = zipped([("kg.shp", b"\0" * (3 * 1024 * 1024)), ("kg.shx", b""), ("kg.dbf", b"")])
    error = try_upload(officer, batumi, "bomb.zip", content)
    assert error.code == "zip_bomb"
    assert "zip bomb" in error.message


def test_a_zip_whose_member_lies_about_its_size_is_stopped_while_inflating(
    officer, batumi, tmp_path
):
    parts = shapefile_parts(tmp_path)
    content = bytearray(zipped([(f"kg{s}", d) for s, d in parts.items()]))
    # Make the central directory declare a 10-byte .dbf: the inflated bytes must be counted.
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    info = archive.getinfo("kg.dbf")
    central = content.rfind(b"PK\x01\x02", 0, content.find(b"kg.dbf", info.header_offset + 30))
    content[central + 24 : central + 28] = (10).to_bytes(4, "little")
    error = try_upload(officer, batumi, "liar.zip", bytes(content))
    assert error.code in ("zip_bomb", "hostile")


def test_zip_slip_is_refused(officer, batumi, tmp_path):
    parts = shapefile_parts(tmp_path)
    content = zipped([(f"../../kg{s}", d) for s, d in parts.items()])
    error = try_upload(officer, batumi, "slip.zip", content)
    assert error.code == "zip_slip"


def test_a_symlink_in_a_zip_is_refused(officer, batumi, tmp_path):
    parts = shapefile_parts(tmp_path)
    link = zipfile.ZipInfo("kg.prj")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    members = [(f"kg{s}", d) for s, d in parts.items() if s != ".prj"] + [(link, b"/etc/passwd")]
    error = try_upload(officer, batumi, "link.zip", zipped(members))
    assert error.code == "zip_symlink"


def test_a_nested_zip_is_refused(officer, batumi, tmp_path):
    parts = shapefile_parts(tmp_path)
    inner = zipped([(f"kg{s}", d) for s, d in parts.items()])
    error = try_upload(officer, batumi, "nested.zip", zipped([("inner.zip", inner)]))
    assert error.code == "zip_nested"


def test_a_zip_with_too_many_members_is_refused(officer, batumi, settings):
    settings.DATASET_ZIP_MAX_MEMBERS = 5
    content = zipped([(f"f{i}.txt", b"x") for i in range(6)])
    error = try_upload(officer, batumi, "many.zip", content)
    assert error.code == "too_many_members"


def test_a_csv_that_references_a_url_is_refused(officer, batumi):
    content = b'name,wkt\na,"/vsicurl/http://127.0.0.1:9/points.geojson"\n'
    error = try_upload(officer, batumi, "remote.csv", content)
    assert error.code == "remote_reference"
    content = b"name,wkt\na,http://127.0.0.1:9/points.geojson\n"
    assert try_upload(officer, batumi, "remote.csv", content).code == "remote_reference"


def test_a_geojson_with_a_linked_crs_is_refused(officer, batumi):
    content = (
        b'{"type":"FeatureCollection","crs":{"type":"link","properties":'
        b'{"href":"http://127.0.0.1:9/crs","type":"proj4"}},"features":[]}'
    )
    error = try_upload(officer, batumi, "linked.geojson", content)
    assert error.code == "remote_reference"


def test_a_text_file_named_gpkg_is_refused(officer, batumi):
    error = try_upload(officer, batumi, "fake.gpkg", b"hello")
    assert "not a GeoPackage" in error.message


def test_an_unknown_extension_is_refused(officer, batumi):
    assert try_upload(officer, batumi, "data.kml", b"<kml/>").code == "format"
