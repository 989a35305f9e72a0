"""Writes that no Django code sees (raw SQL, bulk updates, link tables) are recorded all the same."""

from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction

from cases.models import Case, CaseMessage, Service
from core.models import Membership, Role
from parcels.models import Parcel, ParcelOwner
from tests.cases.factories import draft_case, service_with_documents
from tests.core.factories import MembershipFactory, UserFactory


def events(app_label: str, name: str, obj):
    return apps.get_model(app_label, name).objects.filter(pgh_obj_id=obj.pk).order_by("pgh_id")


@pytest.fixture
def case(batumi):
    return draft_case(service=service_with_documents(), municipality=batumi)


@pytest.fixture
def owner(parcels):
    return ParcelOwner.objects.create(
        parcel=parcels["rustaveli"], name="Nino Beridze", personal_number="01001012345"
    )


def test_a_raw_update_of_a_case_status_is_recorded(case):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET status = %s WHERE id = %s", ["withdrawn", case.pk])
    last = events("cases", "CaseEvent", case).last()
    assert (last.pgh_label, last.status, last.reference) == ("update", "withdrawn", case.reference)


def test_a_raw_update_that_changes_nothing_writes_nothing(case):
    before = events("cases", "CaseEvent", case).count()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET summary = summary WHERE id = %s", [case.pk])
    assert events("cases", "CaseEvent", case).count() == before


def test_a_bulk_update_records_every_row_it_changes(parcels):
    batumi_parcels = Parcel.objects.filter(municipality__code="BTM")
    changed = batumi_parcels.update(is_municipal_property=True, valid_to="2025-06-30")
    assert changed == 2
    for parcel in batumi_parcels:
        last = events("parcels", "ParcelEvent", parcel).last()
        assert (last.pgh_label, last.is_municipal_property, str(last.valid_to)) == (
            "update",
            True,
            "2025-06-30",
        )
        # The geometry as it was is kept with the row, for a boundary dispute years later.
        assert last.geom.equals(parcel.geom)


def test_a_bulk_change_of_a_fee_is_recorded(batumi):
    service = service_with_documents()
    Service.objects.filter(pk=service.pk).update(fee_gel=Decimal("150.00"))
    fees = [e.fee_gel for e in events("cases", "ServiceEvent", service)]
    assert fees == [Decimal("0.00"), Decimal("150.00")]


def test_a_raw_delete_is_recorded_with_the_row_as_it_was(case):
    message = CaseMessage.objects.create(case=case, author=case.applicant, body="Is it ready?")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_casemessage WHERE id = %s", [message.pk])
    labels = [(e.pgh_label, e.body) for e in events("cases", "CaseMessageEvent", message)]
    assert labels == [("insert", "Is it ready?"), ("delete", "Is it ready?")]


def test_a_role_granted_changed_and_taken_away_is_recorded(batumi):
    membership = MembershipFactory(municipality=batumi, role=Role.PLANNER)
    Membership.objects.filter(pk=membership.pk).update(role=Role.MUNICIPAL_ADMIN)
    Membership.objects.filter(pk=membership.pk).delete()
    assert [(e.pgh_label, e.role) for e in events("core", "MembershipEvent", membership)] == [
        ("insert", Role.PLANNER),
        ("update", Role.MUNICIPAL_ADMIN),
        ("delete", Role.MUNICIPAL_ADMIN),
    ]


def test_an_owner_s_personal_number_change_is_recorded_without_the_number(owner):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE parcels_parcelowner SET personal_number = %s WHERE id = %s",
            ["01001099999", owner.pk],
        )
        cursor.execute(
            "SELECT count(*) FROM parcels_parcelownerevent event "
            "WHERE row_to_json(event)::text LIKE %s",
            ["%01001%"],
        )
        assert cursor.fetchone() == (0,)
    labels = [(e.pgh_label, e.name) for e in events("parcels", "ParcelOwnerEvent", owner)]
    assert labels == [("insert", "Nino Beridze"), ("personal_number_change", "Nino Beridze")]


def test_a_password_change_is_recorded_without_the_hash_and_a_sign_in_writes_nothing(db):
    person = UserFactory()
    person.set_password("another long passphrase")
    person.save()
    person.__class__.objects.filter(pk=person.pk).update(last_login="2026-01-01T10:00:00Z")
    person.__class__.objects.filter(pk=person.pk).update(email="new@example.ge")
    labels = [(e.pgh_label, e.email) for e in events("core", "UserEvent", person)]
    assert labels == [
        ("insert", f"{person.username}@example.ge"),
        ("password_change", f"{person.username}@example.ge"),
        ("update", "new@example.ge"),
    ]


def test_links_of_django_s_own_tables_are_recorded(parcels):
    person = UserFactory()
    group = Group.objects.create(name="registry clerks")
    person.groups.add(group)
    person.groups.remove(group)
    link_events = apps.get_model("core", "UserGroupEvent").objects.filter(user_id=person.pk)
    assert [e.pgh_label for e in link_events.order_by("pgh_id")] == ["insert", "delete"]

    merged = parcels["gorgiladze"]
    merged.derived_from.add(parcels["rustaveli"])
    lineage = apps.get_model("parcels", "ParcelLineageEvent").objects.get(from_parcel_id=merged.pk)
    assert (lineage.pgh_label, lineage.to_parcel_id) == ("insert", parcels["rustaveli"].pk)


def test_history_cannot_be_changed_or_deleted(case):
    Case.objects.filter(pk=case.pk).update(summary="changed")
    event_table = apps.get_model("cases", "CaseEvent")._meta.db_table
    for statement in (
        f"UPDATE {event_table} SET summary = 'rewritten'",
        f"DELETE FROM {event_table}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert events("cases", "CaseEvent", case).last().summary == "changed"


def test_a_second_factor_added_renewed_used_and_removed_is_recorded_without_its_secret(db):
    person = UserFactory()
    totp = Authenticator.objects.create(
        user=person, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    Authenticator.objects.filter(pk=totp.pk).update(last_used_at="2026-01-01T10:00:00Z")
    Authenticator.objects.filter(pk=totp.pk).update(data={"secret": "KRSXG5CTMVRXEZLU"})
    Authenticator.objects.filter(pk=totp.pk).delete()
    labels = [(e.pgh_label, e.type) for e in events("core", "AuthenticatorEvent", totp)]
    assert labels == [("insert", "totp"), ("data_change", "totp"), ("delete", "totp")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM core_authenticatorevent event "
            "WHERE row_to_json(event)::text LIKE %s",
            ["%JBSWY3DP%"],
        )
        assert cursor.fetchone() == (0,)
