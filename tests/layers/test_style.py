"""The map style that the portal builds from the layer registry."""

import json
import re

import pytest
from django.contrib.auth import get_user_model

from core.models import Membership, Role
from layers.registry import Layer, Visibility, registry
from parcels.models import Parcel

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_only_layer():
    layer = Layer(
        name="test-staff-notes",
        title_ka="სამსახურებრივი შენიშვნები",
        title_en="Staff notes",
        queryset=lambda: Parcel.objects.all(),
        properties=("cadastral_code",),
        visibility=Visibility.STAFF,
        style=({"type": "line", "paint": {"line-color": "#ff0000"}},),
    )
    registry.register(layer)
    yield layer
    registry.unregister(layer.name)


def get_style(client, lang="ka") -> dict:
    response = client.get("/tiles/style.json", {"lang": lang})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_style_has_a_source_and_style_layers_for_each_public_layer(client):
    style = get_style(client)

    assert style["version"] == 8
    for layer in registry.visible_to(None):
        if not layer.style:
            continue
        source = style["sources"][layer.name]
        assert source["type"] == "vector"
        (tiles,) = source["tiles"]
        assert tiles.startswith(f"http://testserver/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.mvt?v=")
        assert source["minzoom"] == layer.min_zoom
        entries = [entry for entry in style["layers"] if entry.get("source") == layer.name]
        assert len(entries) == len(layer.style)
        assert all(entry["source-layer"] == layer.name for entry in entries)


def test_style_draws_layers_in_registry_order_over_a_background(client):
    style = get_style(client)

    assert style["layers"][0]["type"] == "background"
    sources = [entry["source"] for entry in style["layers"][1:]]
    order = [layer.name for layer in registry.visible_to(None) if layer.style]
    assert list(dict.fromkeys(sources)) == order


def test_style_layer_ids_are_unique(client):
    ids = [entry["id"] for entry in get_style(client)["layers"]]

    assert len(ids) == len(set(ids))


def test_style_shows_parcels_from_their_minimum_zoom(client):
    style = get_style(client)

    parcels = [entry for entry in style["layers"] if entry.get("source") == "parcels"]
    assert parcels and all(
        entry["minzoom"] == registry.get("parcels").min_zoom for entry in parcels
    )


def test_style_sources_end_at_the_zoom_their_tilejson_gives(client):
    style = get_style(client)

    for name, source in style["sources"].items():
        tilejson = client.get(f"/tiles/{name}.json").json()
        assert source["maxzoom"] == tilejson["maxzoom"]
        assert source["minzoom"] == tilejson["minzoom"]
    assert style["sources"]["parcels"]["maxzoom"] == registry.get("parcels").max_zoom


def test_style_refers_to_no_external_url(client):
    style = get_style(client)

    text = json.dumps(style)
    urls = re.findall(r"https?://[^\"\s]+", text)
    assert urls and all(url.startswith("http://testserver/") for url in urls)
    assert "glyphs" not in style and "sprite" not in style


def test_style_does_not_change_the_registered_declarations(client):
    before = [layer.style for layer in registry.all()]

    get_style(client)

    assert [layer.style for layer in registry.all()] == before
    assert all("id" not in d for layer in registry.all() for d in layer.style)


def test_style_titles_follow_the_language(client):
    titles_ka = {
        m["name"]: m["title"] for m in get_style(client, "ka")["metadata"]["gislayer-pages:list"]
    }
    titles_en = {
        m["name"]: m["title"] for m in get_style(client, "en")["metadata"]["gislayer-pages:list"]
    }

    assert titles_ka["parcels"] == registry.get("parcels").title_ka
    assert titles_en["parcels"] == registry.get("parcels").title_en


def test_staff_only_layer_is_absent_for_anonymous_users(client, staff_only_layer):
    style = get_style(client)

    assert staff_only_layer.name not in style["sources"]
    assert all(entry.get("source") != staff_only_layer.name for entry in style["layers"])


def test_staff_only_layer_is_absent_for_a_citizen(client, staff_only_layer):
    citizen = get_user_model().objects.create_user("citizen", password="x")
    client.force_login(citizen)

    assert staff_only_layer.name not in get_style(client)["sources"]


def test_tile_urls_change_when_the_layer_data_changes(client, parcels):
    before = get_style(client)["sources"]["parcels"]["tiles"]

    parcels["rustaveli"].land_use = "green"
    parcels["rustaveli"].save()

    assert get_style(client)["sources"]["parcels"]["tiles"] != before


def test_staff_only_layer_is_present_for_staff(client, batumi, staff_only_layer):
    staff = get_user_model().objects.create_user("gis", password="x", is_staff=True)
    Membership.objects.create(user=staff, municipality=batumi, role=Role.GIS_OFFICER)
    client.force_login(staff)

    response = client.get("/tiles/style.json")

    assert staff_only_layer.name in response.json()["sources"]
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_style_needs_one_query_per_layer_at_most(client, django_assert_max_num_queries):
    layers = [layer for layer in registry.visible_to(None) if layer.style]

    # One version lookup per layer, and what the registry asks its dataset sources.
    with django_assert_max_num_queries(len(layers) + 2):
        get_style(client)
