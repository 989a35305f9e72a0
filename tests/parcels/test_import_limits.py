"""manage.py import_parcels refuses hostile zips as dataset uploads do, with a message, not a
traceback: the limits of core.gisfiles (DATASET_* settings) apply to the command too."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from django.core.management import CommandError

from parcels.management.commands.import_parcels import Command
from parcels.models import Parcel
from tests.parcels.test_import_parcels import box, code, run, write_layer

# The import command works as the owner of the tables (core/db/owner.py).
pytestmark = pytest.mark.usefixtures("table_owner")


def zipped(path, members: list[tuple[zipfile.ZipInfo | str, bytes]]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return path


def shapefile_members(tmp_path, prefix: str = "") -> list[tuple[str, bytes]]:
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    shp = write_layer(source / "p.shp", [box(0)], {"code": [code(0)], "land_use": ["green"]})
    return [
        (f"{prefix}p{suffix}", shp.with_suffix(suffix).read_bytes())
        for suffix in (".shp", ".shx", ".dbf", ".prj")
    ]


def refused(path, **options) -> str:
    with pytest.raises(CommandError) as error:
        run(path, **options)
    assert not Parcel.objects.exists()
    return str(error.value)


def test_a_zip_bomb_is_refused(batumi, tmp_path):
    path = zipped(
        tmp_path / "bomb.zip",
        [("p.shp", b"\0" * (3 * 1024 * 1024)), ("p.shx", b""), ("p.dbf", b"")],
    )

    message = refused(path)

    assert "bomb.zip: p.shp inflates" in message and "looks like a zip bomb" in message


def test_a_zip_that_unpacks_past_the_limit_is_refused(batumi, tmp_path, settings):
    settings.DATASET_UNPACKED_MAX_BYTES = 256
    path = zipped(tmp_path / "big.zip", shapefile_members(tmp_path))

    assert "at most 256 are accepted" in refused(path)


def test_a_zip_with_too_many_members_is_refused(batumi, tmp_path, settings):
    settings.DATASET_ZIP_MAX_MEMBERS = 5
    members = shapefile_members(tmp_path) + [(f"notes{i}.txt", b"x") for i in range(2)]
    path = zipped(tmp_path / "many.zip", members)

    assert refused(path) == "many.zip holds 6 files; at most 5 are accepted."


@pytest.mark.parametrize("prefix", ["../../", "/tmp/", "export/../../"])
def test_a_zip_whose_paths_leave_the_folder_is_refused(batumi, tmp_path, prefix):
    path = zipped(tmp_path / "slip.zip", shapefile_members(tmp_path, prefix=prefix))

    message = refused(path)

    assert f"slip.zip holds '{prefix}p.shp', a path that leaves the archive" in message
    assert not (tmp_path.parent / "p.shp").exists()


def test_a_zip_with_a_symbolic_link_is_refused(batumi, tmp_path):
    link = zipfile.ZipInfo("p.prj")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    members = [*shapefile_members(tmp_path)[:3], (link, b"/etc/passwd")]

    assert "holds a symbolic link (p.prj)" in refused(zipped(tmp_path / "link.zip", members))


def test_a_zip_within_the_limits_still_imports(batumi, tmp_path, settings):
    settings.DATASET_ZIP_MAX_MEMBERS = 4
    path = zipped(tmp_path / "ok.zip", shapefile_members(tmp_path, prefix="export/"))

    assert "imported 1" in run(path)


def test_the_command_line_gets_a_message_and_an_exit_status_not_a_traceback(tmp_path):
    path = zipped(tmp_path / "slip.zip", shapefile_members(tmp_path, prefix="../"))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as exit_:
        Command(stdout=out, stderr=err).run_from_argv(
            ["manage.py", "import_parcels", "--skip-checks", str(path)]
        )

    assert exit_.value.code == 1
    assert err.getvalue().startswith("CommandError: slip.zip holds '../p.shp', a path")
    assert "Traceback" not in err.getvalue()
