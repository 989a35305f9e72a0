"""A staff-only layer is absent from the layer pages and cards for everyone who may not see it."""

import pytest
from django.contrib.auth import get_user_model

from core.models import Membership, Role
from layers.access import api_key_create
from layers.registry import Layer, Visibility, registry
from parcels.models import Zone

pytestmark = pytest.mark.django_db

NAME = "test-staff-zones"


@pytest.fixture
def staff_only_layer():
    layer = registry.register(
        Layer(
            name=NAME,
            title_ka="შიდა ზონები",
            title_en="Internal zones",
            queryset=lambda: Zone.objects.all(),
            properties=("code", "name_en"),
            visibility=Visibility.STAFF,
            style=({"type": "line", "paint": {"line-color": "#aa0000"}},),
        )
    )
    yield layer
    registry.unregister(layer.name)


def paths(zone) -> list[str]:
    return [
        f"/en/layers/{NAME}/",
        f"/en/layers/{NAME}/{zone.pk}/",
        f"/en/layers/{NAME}/card/?id={zone.pk}",
    ]


def sees_the_layer(client, zone, **headers) -> bool:
    listed = f'data-layer="{NAME}"' in client.get("/en/layers/", **headers).content.decode()
    statuses = {client.get(path, **headers).status_code for path in paths(zone)}
    assert statuses in ({200}, {404}), statuses
    assert listed == (statuses == {200})
    return listed


def test_staff_only_layer_is_absent_for_the_public(client, zone, staff_only_layer):
    assert not sees_the_layer(client, zone)


def test_staff_only_layer_is_absent_for_a_citizen(client, zone, staff_only_layer):
    client.force_login(get_user_model().objects.create_user("citizen", password="x"))

    assert not sees_the_layer(client, zone)


def test_staff_flag_without_a_membership_does_not_open_it(client, zone, staff_only_layer):
    client.force_login(get_user_model().objects.create_user("clerk", password="x", is_staff=True))

    assert not sees_the_layer(client, zone)


def test_staff_only_layer_is_present_for_a_staff_member(client, zone, staff_only_layer):
    staff = get_user_model().objects.create_user("gis", password="x", is_staff=True)
    Membership.objects.create(user=staff, municipality=zone.municipality, role=Role.GIS_OFFICER)
    client.force_login(staff)

    assert sees_the_layer(client, zone)
    html = client.get("/en/layers/").content.decode()
    assert "Internal zones" in html and "staff only" in html


def test_api_key_granted_the_layer_opens_its_pages(client, zone, staff_only_layer):
    _, granted = api_key_create(name="City QGIS", layers=[NAME])
    _, other = api_key_create(name="Other system", layers=["zones"])

    assert sees_the_layer(client, zone, HTTP_X_API_KEY=granted)
    assert not sees_the_layer(client, zone, HTTP_X_API_KEY=other)


def test_staff_only_layer_is_not_in_the_map_panel_for_the_public(client, zone, staff_only_layer):
    names = [
        m["name"] for m in client.get("/tiles/style.json").json()["metadata"]["gislayer-pages:list"]
    ]

    assert NAME not in names
    assert "zones" in names
