"""Who may do what is decided by the roles a person holds in the object's municipality."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from core.models import Role
from core.rules import municipality_of
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, RUSTAVI_ORIGIN, multi, square
from tests.core.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_parcel(municipality, origin, code: str) -> Parcel:
    # A 50 m square 100 m inside the municipality's corner, EPSG:32638.
    x, y = origin
    geom = multi(square(x + 100, y + 100, 50))
    return Parcel.objects.create(
        cadastral_code=code,
        municipality=municipality,
        geom=geom,
        area_m2=geom.area,
        land_use=LandUse.RESIDENTIAL,
        valid_from=datetime.date(2024, 1, 1),
    )


@pytest.fixture
def batumi_parcel(batumi):
    return make_parcel(batumi, BATUMI_ORIGIN, "05.24.11.001")


@pytest.fixture
def rustavi_parcel(rustavi):
    return make_parcel(rustavi, RUSTAVI_ORIGIN, "02.06.01.001")


def staff(municipality, role):
    return MembershipFactory(municipality=municipality, role=role).user


def test_gis_officer_of_batumi_may_change_a_batumi_parcel(batumi, batumi_parcel):
    officer = staff(batumi, Role.GIS_OFFICER)
    assert officer.has_perm("parcels.change_parcel", batumi_parcel)
    assert officer.has_perm("parcels.delete_parcel", batumi_parcel)


def test_gis_officer_of_batumi_may_not_change_a_rustavi_parcel(batumi, rustavi_parcel):
    officer = staff(batumi, Role.GIS_OFFICER)
    assert not officer.has_perm("parcels.change_parcel", rustavi_parcel)
    assert not officer.has_perm("parcels.view_parcel", rustavi_parcel)


def test_property_officer_may_change_parcels_but_not_zones(batumi, batumi_parcel):
    officer = staff(batumi, Role.PROPERTY_OFFICER)
    assert officer.has_perm("parcels.change_parcel", batumi_parcel)
    assert not officer.has_perm("parcels.change_zone", batumi)


def test_planner_may_view_but_not_change_parcels(batumi, batumi_parcel):
    planner = staff(batumi, Role.PLANNER)
    assert planner.has_perm("parcels.view_parcel", batumi_parcel)
    assert not planner.has_perm("parcels.change_parcel", batumi_parcel)
    assert not planner.has_perm("parcels.add_parcel", batumi)
    assert not planner.has_perm("parcels.change_parcel")


def test_municipal_admin_may_change_parcels_and_manage_staff_of_their_municipality(
    batumi, batumi_parcel
):
    admin = staff(batumi, Role.MUNICIPAL_ADMIN)
    assert admin.has_perm("parcels.change_parcel", batumi_parcel)
    assert admin.has_perm("core.add_membership", batumi)
    assert admin.has_perm("core.change_municipality", batumi)


def test_municipal_admin_holds_the_model_permissions_of_every_role(batumi):
    # The admin asks without an object first; a municipal administrator must pass that too.
    admin = staff(batumi, Role.MUNICIPAL_ADMIN)
    assert admin.has_perm("parcels.change_parcel")
    assert admin.has_perm("core.change_district")


def test_municipal_admin_of_batumi_may_not_touch_rustavi(batumi, rustavi, rustavi_parcel):
    admin = staff(batumi, Role.MUNICIPAL_ADMIN)
    assert not admin.has_perm("parcels.change_parcel", rustavi_parcel)
    assert not admin.has_perm("core.add_membership", rustavi)
    assert not admin.has_perm("core.view_municipality", rustavi)


def test_gis_officer_may_not_manage_staff(batumi):
    officer = staff(batumi, Role.GIS_OFFICER)
    assert not officer.has_perm("core.add_membership", batumi)
    assert not officer.has_perm("core.view_membership")
    assert officer.has_perm("core.view_municipality", batumi)
    assert not officer.has_perm("core.change_municipality", batumi)


def test_roles_in_two_municipalities_are_kept_apart(batumi, rustavi, batumi_parcel, rustavi_parcel):
    person = staff(batumi, Role.PLANNER)
    MembershipFactory(user=person, municipality=rustavi, role=Role.GIS_OFFICER)
    assert not person.has_perm("parcels.change_parcel", batumi_parcel)
    assert person.has_perm("parcels.change_parcel", rustavi_parcel)


def test_superuser_may_do_everything(batumi_parcel, rustavi_parcel, rustavi):
    root = UserFactory(is_superuser=True)
    assert root.has_perm("parcels.change_parcel", batumi_parcel)
    assert root.has_perm("parcels.delete_parcel", rustavi_parcel)
    assert root.has_perm("core.add_membership", rustavi)


def test_deactivated_superuser_may_do_nothing(batumi_parcel):
    root = UserFactory(is_superuser=True, is_active=False)
    assert not root.has_perm("parcels.change_parcel", batumi_parcel)
    assert not root.has_perm("parcels.view_parcel", batumi_parcel)


def test_deactivated_staff_member_may_do_nothing(batumi, batumi_parcel):
    officer = staff(batumi, Role.GIS_OFFICER)
    officer.is_active = False
    officer.save()
    officer.refresh_from_db()
    assert not officer.has_perm("parcels.change_parcel", batumi_parcel)


def test_anonymous_user_may_do_nothing(batumi, batumi_parcel):
    anonymous = AnonymousUser()
    assert not anonymous.has_perm("parcels.view_parcel", batumi_parcel)
    assert not anonymous.has_perm("parcels.change_parcel", batumi_parcel)
    assert not anonymous.has_perm("parcels.change_parcel")
    assert not anonymous.has_perm("core.view_municipality", batumi)


def test_citizen_without_a_role_may_do_nothing(batumi_parcel):
    citizen = UserFactory()
    assert not citizen.has_perm("parcels.view_parcel", batumi_parcel)
    assert not citizen.has_perm("parcels.view_parcel")


def test_roles_are_read_once_per_user_object(batumi, batumi_parcel, django_assert_num_queries):
    officer = staff(batumi, Role.GIS_OFFICER)
    officer.refresh_from_db()
    with django_assert_num_queries(1):
        for action in ("view", "change", "add", "delete"):
            assert officer.has_perm(f"parcels.{action}_parcel", batumi_parcel)


def test_municipality_is_found_along_a_models_municipality_path(batumi):
    # A permit reaches its municipality through its case.
    permit = SimpleNamespace(
        municipality_path="case__municipality", case=SimpleNamespace(municipality=batumi)
    )
    assert municipality_of(permit) == batumi
    assert municipality_of(batumi) == batumi
    assert municipality_of(SimpleNamespace(municipality_path="case__municipality")) is None
