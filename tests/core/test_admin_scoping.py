"""Staff in the admin see and edit their own municipality's data, and nothing of another's."""

import datetime
import html
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.admin_geometry import geojson_text
from core.models import Membership, Role
from core.services import membership_grant, membership_revoke
from parcels.models import LandUse, Parcel, Zone
from tests.conftest import BATUMI_ORIGIN, RUSTAVI_ORIGIN, multi, square
from tests.core.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:parcels_parcel_changelist"


def make_parcel(municipality, origin, code: str, n: int = 0) -> Parcel:
    # The n-th 50 m square along the municipality's southern edge, EPSG:32638.
    x, y = origin
    geom = multi(square(x + 100 + 60 * n, y + 100, 50))
    return Parcel.objects.create(
        cadastral_code=code,
        municipality=municipality,
        geom=geom,
        area_m2=geom.area,
        land_use=LandUse.RESIDENTIAL,
        valid_from=datetime.date(2024, 1, 1),
    )


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def parcel_form(parcel: Parcel, **changes) -> dict:
    """What the change form of a parcel posts when nothing is touched, then the changes."""
    data = {
        "cadastral_code": parcel.cadastral_code,
        "municipality": parcel.municipality_id,
        "land_use": parcel.land_use,
        "zone": parcel.zone_id or "",
        "address_ka": parcel.address_ka,
        "address_en": parcel.address_en,
        "geom": geojson_text(parcel.geom),
        "valid_from": parcel.valid_from.isoformat(),
        "valid_to": parcel.valid_to.isoformat() if parcel.valid_to else "",
        "source": parcel.source,
    }
    if parcel.is_municipal_property:
        data["is_municipal_property"] = "on"
    data.update(changes)
    return data


def errors_of(response) -> str:
    form = response.context["adminform"].form
    return json.dumps(form.errors, ensure_ascii=False)


def error_codes(response) -> set[str]:
    form = response.context["adminform"].form
    return {e.code for errors in form.errors.as_data().values() for e in errors}


@pytest.fixture
def batumi_parcel(batumi):
    return make_parcel(batumi, BATUMI_ORIGIN, "05.24.11.001")


@pytest.fixture
def rustavi_parcel(rustavi):
    return make_parcel(rustavi, RUSTAVI_ORIGIN, "02.06.01.001")


@pytest.fixture
def officer(batumi):
    return MembershipFactory(municipality=batumi, role=Role.GIS_OFFICER).user


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


# Lists and pages.


def test_changelist_shows_only_batumi_parcels_to_a_batumi_officer(
    officer_client, batumi_parcel, rustavi_parcel
):
    response = officer_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == [batumi_parcel]
    assert rustavi_parcel.cadastral_code not in response.text


def test_changelist_municipality_filter_offers_only_batumi(
    officer_client, batumi_parcel, rustavi_parcel
):
    response = officer_client.get(reverse(CHANGELIST))
    assert "Rustavi" not in response.text and "რუსთავი" not in response.text


def test_changelist_asked_to_filter_by_rustavi_shows_no_rustavi_parcel(
    officer_client, rustavi, batumi_parcel, rustavi_parcel
):
    response = officer_client.get(reverse(CHANGELIST), {"municipality__id__exact": rustavi.pk})
    assert rustavi_parcel not in response.context["cl"].result_list


def test_changelist_queries_do_not_grow_with_the_rows(officer_client, batumi):
    for n in range(2):
        make_parcel(batumi, BATUMI_ORIGIN, f"05.24.11.{n + 1:03d}", n)
    with CaptureQueriesContext(connection) as few:
        officer_client.get(reverse(CHANGELIST))
    for n in range(2, 8):
        make_parcel(batumi, BATUMI_ORIGIN, f"05.24.11.{n + 1:03d}", n)
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 8
    assert len(many) == len(few)


def test_changelist_reads_no_geometry(officer_client, batumi_parcel):
    with CaptureQueriesContext(connection) as queries:
        response = officer_client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_list[0].cadastral_code == batumi_parcel.cadastral_code
    sql = " ".join(q["sql"] for q in queries if '"parcels_parcel"."cadastral_code"' in q["sql"])
    assert '"parcels_parcel"."geom"' not in sql
    assert '"core_municipality"."boundary"' not in sql
    assert '"parcels_zone"."geom"' not in sql


def test_change_page_of_a_rustavi_parcel_is_not_found_for_a_batumi_officer(
    officer_client, rustavi_parcel
):
    for suffix in ("change/", "history/", "delete/"):
        response = officer_client.get(change_url(rustavi_parcel).replace("change/", suffix))
        assert response.status_code == 404, suffix


def test_a_rustavi_parcel_looks_like_one_that_never_existed(officer_client, rustavi_parcel):
    hidden = officer_client.get(change_url(rustavi_parcel))
    missing = officer_client.get(change_url(rustavi_parcel).replace(str(rustavi_parcel.pk), "0"))
    assert hidden.status_code == missing.status_code == 404


def test_change_page_of_a_batumi_parcel_opens_with_its_map(officer_client, batumi_parcel):
    response = officer_client.get(change_url(batumi_parcel))
    assert response.status_code == 200
    assert "data-geometry-widget" in response.text
    assert "vendor/maplibre-gl/maplibre-gl.js" in response.text
    assert "cdn.jsdelivr.net" not in response.text
    assert "openstreetmap" not in response.text.lower()


def test_superuser_sees_parcels_of_both_municipalities(client, batumi_parcel, rustavi_parcel):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse(CHANGELIST))
    assert set(response.context["cl"].result_list) == {batumi_parcel, rustavi_parcel}
    assert client.get(change_url(rustavi_parcel)).status_code == 200


def test_a_person_without_staff_status_is_sent_to_the_login(client, batumi_parcel):
    client.force_login(UserFactory())
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_planner_sees_a_parcel_but_cannot_change_it(client, batumi, batumi_parcel):
    client.force_login(MembershipFactory(municipality=batumi, role=Role.PLANNER).user)
    page = client.get(change_url(batumi_parcel))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert "data-geometry-widget" in page.text  # the geometry as a read-only map
    textareas = re.findall(r'<textarea name="geom"[^>]*>', page.text)
    assert textareas and all("disabled" in t for t in textareas)
    response = client.post(change_url(batumi_parcel), parcel_form(batumi_parcel, source="x"))
    assert response.status_code == 403
    assert client.get(reverse("admin:parcels_parcel_add")).status_code == 403


# Writes.


def test_moving_a_batumi_parcel_to_rustavi_is_refused(
    officer_client, rustavi, batumi, batumi_parcel
):
    response = officer_client.post(
        change_url(batumi_parcel), parcel_form(batumi_parcel, municipality=rustavi.pk)
    )
    assert response.status_code == 200
    assert "municipality" in response.context["adminform"].form.errors
    batumi_parcel.refresh_from_db()
    assert batumi_parcel.municipality == batumi


def test_staff_of_both_municipalities_cannot_move_a_parcel_between_them(
    officer_client, officer, rustavi, batumi, batumi_parcel
):
    MembershipFactory(user=officer, municipality=rustavi, role=Role.GIS_OFFICER)
    response = officer_client.post(
        change_url(batumi_parcel), parcel_form(batumi_parcel, municipality=rustavi.pk)
    )
    assert response.status_code == 200
    assert "municipality_move" in error_codes(response)
    batumi_parcel.refresh_from_db()
    assert batumi_parcel.municipality == batumi


def test_add_form_offers_only_batumi_as_municipality(officer_client, batumi, rustavi):
    response = officer_client.get(reverse("admin:parcels_parcel_add"))
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["municipality"].queryset
    assert list(choices) == [batumi]


def test_adding_a_rustavi_parcel_is_refused(officer_client, batumi, rustavi):
    x, y = RUSTAVI_ORIGIN
    new = Parcel(
        cadastral_code="02.06.01.009",
        municipality=rustavi,
        geom=multi(square(x + 500, y + 500, 40)),
        land_use=LandUse.GREEN,
        valid_from=datetime.date(2025, 1, 1),
    )
    response = officer_client.post(reverse("admin:parcels_parcel_add"), parcel_form(new))
    assert response.status_code == 200
    assert "municipality" in response.context["adminform"].form.errors
    assert not Parcel.objects.filter(cadastral_code="02.06.01.009").exists()


def test_adding_a_parcel_stores_it_in_the_storage_grid_with_its_area(officer_client, batumi):
    x, y = BATUMI_ORIGIN
    geom = multi(square(x + 1000, y + 1000, 40))
    new = Parcel(
        cadastral_code="05.24.11.009",
        municipality=batumi,
        geom=geom,
        land_use=LandUse.GREEN,
        valid_from=datetime.date(2025, 1, 1),
    )
    response = officer_client.post(reverse("admin:parcels_parcel_add"), parcel_form(new))
    assert response.status_code == 302, errors_of(response)
    stored = Parcel.objects.get(cadastral_code="05.24.11.009")
    assert stored.geom.srid == 32638
    # The text carries a millimetre, so the 40 m square comes back within a few of them.
    assert stored.area_m2 == stored.geom.area == pytest.approx(1600, abs=0.5)
    assert stored.geom.equals_exact(geom, 0.01)


def test_saving_a_changed_geometry_recomputes_the_area(officer_client, batumi_parcel):
    x, y = BATUMI_ORIGIN
    larger = multi(square(x + 100, y + 100, 80))
    response = officer_client.post(
        change_url(batumi_parcel), parcel_form(batumi_parcel, geom=geojson_text(larger))
    )
    assert response.status_code == 302, errors_of(response)
    batumi_parcel.refresh_from_db()
    assert batumi_parcel.area_m2 == batumi_parcel.geom.area == pytest.approx(6400, abs=0.5)


def test_a_geometry_given_as_ewkt_in_the_storage_grid_is_accepted(officer_client, batumi_parcel):
    x, y = BATUMI_ORIGIN
    ewkt = multi(square(x + 100, y + 100, 10)).ewkt
    response = officer_client.post(change_url(batumi_parcel), parcel_form(batumi_parcel, geom=ewkt))
    assert response.status_code == 302, errors_of(response)
    batumi_parcel.refresh_from_db()
    assert batumi_parcel.area_m2 == pytest.approx(100)


def test_an_unchanged_geometry_is_kept_to_the_last_digit(officer_client, batumi_parcel):
    before = batumi_parcel.geom.wkb
    response = officer_client.post(
        change_url(batumi_parcel), parcel_form(batumi_parcel, source="checked on site")
    )
    assert response.status_code == 302, errors_of(response)
    batumi_parcel.refresh_from_db()
    assert batumi_parcel.source == "checked on site"
    assert bytes(batumi_parcel.geom.wkb) == bytes(before)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"type": "Polygon", "coordinates": [[[41.64, 41.64], [41.65, 41.64]', "does not parse"),
        (
            '{"type": "Polygon", "coordinates": [[[41.64, 41.64], [41.65, 41.64], '
            "[41.65, 41.65], [41.64, 41.65]]]}",
            "not closed",
        ),
        ('{"type": "Point", "coordinates": [41.64, 41.64]}', "expected MultiPolygon"),
        ('{"type": "Polygon", "coordinates": [[[2, 48], [3, 48], [3, 49], [2, 48]]]}', "outside"),
        ("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))", "SRID"),
    ],
)
def test_a_geometry_that_cannot_be_stored_is_refused_with_its_reason(
    officer_client, batumi_parcel, text, message
):
    response = officer_client.post(change_url(batumi_parcel), parcel_form(batumi_parcel, geom=text))
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["geom"])
    assert message in response.text


def test_deleting_a_rustavi_parcel_through_the_bulk_action_is_impossible(
    officer_client, batumi_parcel, rustavi_parcel
):
    officer_client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [rustavi_parcel.pk], "post": "yes"},
    )
    assert Parcel.objects.filter(pk=rustavi_parcel.pk).exists()


def test_autocomplete_of_derived_parcels_offers_only_batumi(
    officer_client, batumi_parcel, rustavi_parcel
):
    response = officer_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "parcels", "model_name": "parcel", "field_name": "derived_from", "term": "0"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [batumi_parcel.cadastral_code]


def test_a_derived_from_parcel_of_rustavi_is_not_a_valid_choice(
    officer_client, batumi_parcel, rustavi_parcel
):
    response = officer_client.post(
        change_url(batumi_parcel), parcel_form(batumi_parcel, derived_from=[rustavi_parcel.pk])
    )
    assert response.status_code == 200
    assert "derived_from" in response.context["adminform"].form.errors


# The admin's own index and the other models.


def test_admin_index_shows_a_gis_officer_the_cadastre_but_not_the_staff(officer_client):
    response = officer_client.get(reverse("admin:index"))
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert {"Parcel", "Zone", "District", "Municipality"} <= models
    assert "Membership" not in models
    assert officer_client.get(reverse("admin:core_membership_changelist")).status_code == 403


def test_municipality_boundary_is_a_read_only_map_for_a_municipal_admin(client, batumi):
    client.force_login(MembershipFactory(municipality=batumi, role=Role.MUNICIPAL_ADMIN).user)
    response = client.get(change_url(batumi))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "boundary" not in form.fields and "code" not in form.fields
    assert "name_en" in form.fields
    assert "data-geometry-widget" in response.text


def test_municipality_list_shows_a_batumi_officer_only_batumi(officer_client, batumi, rustavi):
    response = officer_client.get(reverse("admin:core_municipality_changelist"))
    assert list(response.context["cl"].result_list) == [batumi]
    assert officer_client.get(change_url(rustavi)).status_code == 404


def test_superuser_may_edit_a_municipality_boundary(client, batumi):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(change_url(batumi))
    assert "boundary" in response.context["adminform"].form.fields


def test_an_untouched_boundary_is_not_checked_again_on_save(client, batumi, settings):
    # A real boundary may have more vertices than a person may send; renaming must still work.
    settings.GEOMETRY_MAX_VERTICES = 4
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    data = {
        "code": batumi.code,
        "ocha_code": batumi.ocha_code,
        "name_ka": batumi.name_ka,
        "name_en": "Batumi City",
        "center_lon": batumi.center_lon,
        "center_lat": batumi.center_lat,
        "default_zoom": batumi.default_zoom,
        "boundary": geojson_text(batumi.boundary),
    }
    response = client.post(change_url(batumi), data)
    assert response.status_code == 302, errors_of(response)
    before = batumi.boundary.wkb
    batumi.refresh_from_db()
    assert batumi.name_en == "Batumi City"
    assert bytes(batumi.boundary.wkb) == bytes(before)


def test_a_view_only_page_shows_the_geometry_once_as_a_map(client, batumi):
    zone = Zone.objects.create(
        municipality=batumi,
        code="R-2",
        name_ka="საცხოვრებელი ზონა 2",
        name_en="Residential zone 2",
        k1="0.50",
        k2="1.50",
        k3="0.30",
        max_height_m="12.0",
        geom=multi(square(BATUMI_ORIGIN[0], BATUMI_ORIGIN[1], 1000)),
    )
    client.force_login(MembershipFactory(municipality=batumi, role=Role.PLANNER).user)
    response = client.get(change_url(zone))
    assert response.status_code == 200
    assert response.text.count("data-geometry-widget") == 1


# Granting roles.


def test_membership_grant_lets_the_person_into_the_admin(batumi):
    person = UserFactory()
    assert not person.is_staff
    membership = membership_grant(user=person, municipality=batumi, role=Role.PLANNER)
    person.refresh_from_db()
    assert person.is_staff
    assert membership.role == Role.PLANNER


def test_the_same_role_cannot_be_granted_twice(batumi):
    person = UserFactory()
    membership_grant(user=person, municipality=batumi, role=Role.PLANNER)
    with pytest.raises(ValidationError):
        membership_grant(user=person, municipality=batumi, role=Role.PLANNER)
    assert Membership.objects.filter(user=person).count() == 1


def test_revoking_the_last_role_takes_the_person_out_of_the_admin(batumi, rustavi):
    person = UserFactory()
    first = membership_grant(user=person, municipality=batumi, role=Role.PLANNER)
    second = membership_grant(user=person, municipality=rustavi, role=Role.PLANNER)
    membership_revoke(membership=first)
    person.refresh_from_db()
    assert person.is_staff
    membership_revoke(membership=second)
    person.refresh_from_db()
    assert not person.is_staff


def test_municipal_admin_grants_a_role_in_their_municipality_by_email(client, batumi):
    client.force_login(MembershipFactory(municipality=batumi, role=Role.MUNICIPAL_ADMIN).user)
    newcomer = UserFactory(email="nino@example.ge")
    response = client.post(
        reverse("admin:core_membership_add"),
        {"email": "Nino@Example.ge", "municipality": batumi.pk, "role": Role.PLANNER},
    )
    assert response.status_code == 302, errors_of(response)
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert newcomer.memberships.get().municipality == batumi


def test_municipal_admin_cannot_grant_a_role_in_rustavi(client, batumi, rustavi):
    client.force_login(MembershipFactory(municipality=batumi, role=Role.MUNICIPAL_ADMIN).user)
    newcomer = UserFactory()
    response = client.post(
        reverse("admin:core_membership_add"),
        {"email": newcomer.email, "municipality": rustavi.pk, "role": Role.PLANNER},
    )
    assert response.status_code == 200
    assert "municipality" in response.context["adminform"].form.errors
    assert not newcomer.memberships.exists()


def test_granting_a_role_twice_through_the_admin_says_so(client, batumi):
    client.force_login(MembershipFactory(municipality=batumi, role=Role.MUNICIPAL_ADMIN).user)
    officer = MembershipFactory(municipality=batumi, role=Role.GIS_OFFICER).user
    response = client.post(
        reverse("admin:core_membership_add"),
        {"email": officer.email, "municipality": batumi.pk, "role": Role.GIS_OFFICER},
    )
    assert response.status_code == 200
    assert "unique_together" in error_codes(response)


def test_granting_a_role_to_an_unknown_address_says_so(client, batumi):
    client.force_login(MembershipFactory(municipality=batumi, role=Role.MUNICIPAL_ADMIN).user)
    response = client.post(
        reverse("admin:core_membership_add"),
        {"email": "nobody@example.ge", "municipality": batumi.pk, "role": Role.PLANNER},
    )
    assert response.status_code == 200
    assert "no_account" in error_codes(response)


def test_municipal_admin_sees_only_their_municipalitys_staff(client, batumi, rustavi):
    admin = MembershipFactory(municipality=batumi, role=Role.MUNICIPAL_ADMIN).user
    MembershipFactory(municipality=rustavi, role=Role.GIS_OFFICER)
    client.force_login(admin)
    response = client.get(reverse("admin:core_membership_changelist"))
    shown = list(response.context["cl"].result_list)
    assert [m.municipality for m in shown] == [batumi]


def test_municipal_admin_revokes_a_role_through_the_admin(client, batumi):
    client.force_login(MembershipFactory(municipality=batumi, role=Role.MUNICIPAL_ADMIN).user)
    membership = MembershipFactory(municipality=batumi, role=Role.PLANNER)
    url = change_url(membership).replace("change/", "delete/")
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    membership.user.refresh_from_db()
    assert not membership.user.is_staff


def test_stored_geometry_is_shown_as_geojson_in_longitude_and_latitude(
    officer_client, batumi_parcel
):
    response = officer_client.get(change_url(batumi_parcel))
    text = geojson_text(batumi_parcel.geom)
    assert html.escape(text) in response.text
    lon, lat = json.loads(text)["coordinates"][0][0][0]
    assert 41.0 < lon < 42.0 and 41.0 < lat < 42.0
