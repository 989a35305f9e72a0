"""A first load of many parcels drops the secondary indexes and builds them again at the end."""

import pytest
from django.db import connection

from parcels import services
from parcels.models import Parcel
from tests.parcels.test_import_parcels import good_gpkg, run

# The import command works as the owner of the tables (core/db/owner.py).
pytestmark = pytest.mark.usefixtures("table_owner")


def index_names() -> set[str]:
    """The parcels table's indexes and foreign keys."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", [Parcel._meta.db_table]
        )
        names = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [Parcel._meta.db_table],
        )
        return names | {name for (name,) in cursor.fetchall()}


@pytest.fixture
def small_bulk_threshold(monkeypatch):
    monkeypatch.setattr(services, "BULK_LOAD_MIN_ROWS", 20)


def test_first_load_rebuilds_every_index(batumi, tmp_path, small_bulk_threshold):
    before = index_names()

    run(good_gpkg(tmp_path, 60), batch_size=25)

    assert Parcel.objects.current().count() == 60
    assert index_names() == before


def test_indexes_come_back_when_the_load_fails(batumi, tmp_path, small_bulk_threshold, monkeypatch):
    before = index_names()

    def broken(*args, **kwargs):
        assert index_names() < before  # dropped during the load
        raise RuntimeError("stop")

    monkeypatch.setattr(services, "_load", broken)
    with pytest.raises(RuntimeError):
        run(good_gpkg(tmp_path, 60))

    assert index_names() == before


def test_a_load_into_a_full_table_keeps_its_indexes(
    batumi, tmp_path, small_bulk_threshold, monkeypatch
):
    run(good_gpkg(tmp_path, 30, name="first.gpkg"))
    before = index_names()
    dropped = []
    monkeypatch.setattr(
        services, "_load", lambda *a, **k: dropped.append(index_names()) or (0, 0, [])
    )

    run(good_gpkg(tmp_path, 25, name="second.gpkg", start=100))

    assert dropped and all(names == before for names in dropped)


def test_a_first_load_looks_no_code_up(batumi, tmp_path, small_bulk_threshold, monkeypatch):
    """An empty table holds no current code and the file repeats none: nothing to look up."""
    looked_up = []
    real = services._current_parcels
    monkeypatch.setattr(
        services,
        "_current_parcels",
        lambda codes, **kw: looked_up.append(codes) or real(codes, **kw),
    )

    run(good_gpkg(tmp_path, 60, name="first.gpkg"), batch_size=25)
    assert looked_up == []

    # The table is no longer empty: a second file is checked against it.
    out = run(good_gpkg(tmp_path, 30, name="again.gpkg"), batch_size=25)
    assert looked_up
    assert "already exists" in out
    assert Parcel.objects.current().count() == 60
