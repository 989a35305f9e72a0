"""Row-level security (core/db/rls.py): every table that carries a municipality is under a forced
policy, the portal's role cannot pass it, and a connection sees only the rows of its scope."""

import psycopg
import pytest
from django.db import ProgrammingError, connection, transaction

from cases.models import ReferenceCounter
from core.db.base import ALL_MUNICIPALITIES, SCOPE_SETTING
from core.db.rls import MUNICIPALITY_COLUMN, POLICY_NAME, PUBLIC_READ_POLICY
from core.tenancy import municipality_scope, scope_of
from parcels.models import Parcel, Zone
from tests.conftest import make_parcel, multi, square

pytestmark = pytest.mark.django_db


def rows(statement: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def test_every_table_with_a_municipality_has_a_forced_policy():
    tables = rows(
        """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                  EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s
                          AND pg_get_expr(p.polqual, p.polrelid) LIKE %s
                          AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE %s)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attname = %s AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
          AND n.nspname = 'public'""",
        [POLICY_NAME, "%gisportal_scope_ids()%", "%gisportal_scope_ids()%", MUNICIPALITY_COLUMN],
    )
    names = {name for name, *_ in tables}
    assert {"parcels_parcel", "cases_case", "core_district"} <= names
    unprotected = [name for name, enabled, forced, policy in tables if not (enabled and forced)]
    without_policy = [name for name, _enabled, _forced, policy in tables if not policy]
    assert unprotected == []
    assert without_policy == []


def test_every_column_that_points_at_a_municipality_is_named_for_the_policies():
    """A foreign key to a municipality under another name would escape the policies."""
    elsewhere = rows(
        """SELECT c.conrelid::regclass::text, a.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'f' AND c.confrelid = 'core_municipality'::regclass
          AND a.attname <> %s""",
        [MUNICIPALITY_COLUMN],
    )
    assert elsewhere == []


def test_the_portal_connects_as_a_role_that_owns_nothing_and_cannot_pass_the_policies():
    ((user, superuser, bypass, owned, can_create),) = rows(
        """SELECT current_user, r.rolsuper, r.rolbypassrls,
                  (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid),
                  has_schema_privilege(current_user, 'public', 'CREATE')
        FROM pg_roles r WHERE r.rolname = current_user"""
    )
    assert user == connection.settings_dict["APP_USER"]
    assert user != connection.settings_dict["USER"]
    assert (superuser, bypass, owned, can_create) == (False, False, 0, False)


def test_the_portal_may_not_empty_a_table_past_its_policy():
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        rows("TRUNCATE parcels_parcel")


def test_a_new_connection_holds_the_public_scope(parcels):
    assert rows("SELECT current_setting(%s)", [SCOPE_SETTING]) == [(ALL_MUNICIPALITIES,)]
    assert rows("SELECT count(*) FROM parcels_parcel") == [(3,)]


def test_a_connection_scoped_to_batumi_reads_no_rustavi_row(batumi, rustavi):
    ReferenceCounter.objects.create(municipality=batumi, year=2026, last=7)
    ReferenceCounter.objects.create(municipality=rustavi, year=2026, last=9)
    with municipality_scope(scope_of([batumi.pk])):
        found = rows("SELECT DISTINCT municipality_id FROM cases_referencecounter")
        everything = ReferenceCounter.objects.count()
    assert found == [(batumi.pk,)]
    assert everything == 1
    assert ReferenceCounter.objects.count() == 2  # the public scope again after the block


def test_public_rows_are_read_in_every_scope_and_written_only_in_their_own(parcels, batumi):
    """The cadastre is public: a Batumi planner reads Rustavi's parcels, and changes none."""
    public = {
        table
        for (table,) in rows(
            "SELECT tablename FROM pg_policies WHERE policyname = %s", [PUBLIC_READ_POLICY]
        )
    }
    assert {"parcels_parcel", "parcels_zone", "core_district", "permits_constraint"} <= public
    assert not {"cases_case", "parcels_parcelevent", "datasets_dataset"} & public
    with municipality_scope(scope_of([batumi.pk])):
        assert Parcel.objects.count() == 3
        assert Parcel.objects.filter(municipality__code="RST").update(address_en="x") == 0


def test_a_connection_scoped_to_batumi_cannot_insert_a_rustavi_row(batumi, rustavi):
    with municipality_scope(scope_of([batumi.pk])):
        make_parcel(batumi, "05.24.11.100", 218100, 4613100)
        with (
            pytest.raises(ProgrammingError, match="row-level security"),
            transaction.atomic(),
        ):
            make_parcel(rustavi, "02.07.03.100", 498100, 4598100)
    assert list(Parcel.objects.values_list("cadastral_code", flat=True)) == ["05.24.11.100"]


def test_a_connection_scoped_to_batumi_cannot_change_a_rustavi_row(parcels, batumi, rustavi):
    kostava = parcels["kostava"]
    with municipality_scope(scope_of([batumi.pk])):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE parcels_parcel SET address_en = 'changed' WHERE id = %s", [kostava.pk]
            )
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM parcels_parcel WHERE id = %s", [kostava.pk])
            assert cursor.rowcount == 0
        # Nor move a Batumi row into Rustavi (WITH CHECK).
        with (
            pytest.raises(ProgrammingError, match="row-level security"),
            transaction.atomic(),
        ):
            Parcel.objects.filter(pk=parcels["rustaveli"].pk).update(municipality=rustavi)
    kostava.refresh_from_db()
    assert kostava.address_en == "Kostava Ave. 20"
    assert Parcel.objects.get(pk=parcels["rustaveli"].pk).municipality_id == batumi.pk


@pytest.mark.parametrize("scope", ["", "garbage", "1;2", "-1"])
def test_a_connection_without_a_valid_scope_sees_nothing(parcels, zone, scope):
    connection.set_municipality_scope(scope)
    assert Parcel.objects.count() == 0
    assert Zone.objects.count() == 0


def test_rows_of_no_municipality_are_seen_by_every_scope_that_is_set(batumi, rustavi):
    from cases.models import Service

    Service.objects.create(
        code="everywhere", name_ka="ყველგან", name_en="Everywhere", module="permits", working_days=5
    )
    Service.objects.create(
        code="batumi-only",
        name_ka="ბათუმი",
        name_en="Batumi only",
        module="permits",
        working_days=5,
        municipality=batumi,
    )
    with municipality_scope(scope_of([rustavi.pk])):
        seen = Service.objects.filter(code__in=["everywhere", "batumi-only"])
        assert list(seen.values_list("code", flat=True)) == ["everywhere"]
    with municipality_scope(""):
        assert Service.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_application_role_connection_that_sets_no_scope_sees_nothing(batumi):
    Zone.objects.create(
        municipality=batumi,
        code="SZ-1",
        name_ka="ზონა",
        name_en="Zone",
        k1="0.5",
        k2="1.0",
        k3="0.3",
        max_height_m="10.0",
        geom=multi(square(218000, 4613000, 100)),
    )
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or None,
        dbname=settings_dict["NAME"],
        user=settings_dict["APP_USER"],
        password=settings_dict.get("APP_PASSWORD") or None,
    ) as raw:
        assert raw.execute("SELECT count(*) FROM parcels_zone").fetchone() == (0,)
        raw.execute("SELECT set_config(%s, %s, false)", [SCOPE_SETTING, ALL_MUNICIPALITIES])
        assert raw.execute("SELECT count(*) FROM parcels_zone").fetchone() == (1,)


def test_spatial_and_search_indexes_still_serve_the_application_role(parcels):
    """With a policy, PostgreSQL uses an index only for LEAKPROOF conditions (core/db/rls.py)."""
    plans = {}
    for name, condition in {
        "bbox": "geom && ST_MakeEnvelope(218000, 4613000, 218500, 4613500, 32638)",
        "point": "ST_Intersects(geom, ST_SetSRID(ST_MakePoint(218110, 4613110), 32638))",
        "address": "UPPER(address_en) LIKE UPPER('%%rustaveli%%')",
    }.items():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN SELECT id FROM parcels_parcel WHERE {condition}")
            plans[name] = "\n".join(line for (line,) in cursor.fetchall())
    assert "parcel_geom_gist" in plans["bbox"]
    assert "parcel_geom_gist" in plans["point"]
    assert "parcel_address_en_trgm" in plans["address"]
