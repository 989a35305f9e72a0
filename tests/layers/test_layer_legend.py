"""What the map's layer panel reads from the style: legends drawn from each layer's own style."""

import json

import pytest
from django.utils import translation

from layers.registry import Layer, registry
from layers.style import evaluate, layer_legend, sentence_case, swatch
from parcels.models import Zone

pytestmark = pytest.mark.django_db


def panel_layers(client, lang="en") -> dict[str, dict]:
    style = client.get("/tiles/style.json", {"lang": lang}).json()
    return {m["name"]: m for m in style["metadata"]["gislayer-pages:list"]}


def layer_with_style(*style, name="test-legend", geometry_type="MultiPolygon") -> Layer:
    return Layer(
        name=name,
        title_ka="ლეგენდა",
        title_en="Legend",
        queryset=lambda: Zone.objects.all(),
        properties=("code",),
        geometry_type=geometry_type,
        style=style,
    )


def test_panel_metadata_has_a_legend_and_a_toggle_state_for_every_layer(client):
    layers = panel_layers(client)

    for layer in registry.visible_to(None):
        if not layer.style:
            continue
        meta = layers[layer.name]
        assert meta["swatches"], layer.name
        assert meta["geometry"] in ("point", "line", "polygon")
        assert isinstance(meta["visible"], bool)
        assert meta["downloadable"] == layer.downloadable


def test_zones_start_hidden_and_parcels_shown(client):
    layers = panel_layers(client)

    assert layers["zones"]["visible"] is False
    assert layers["parcels"]["visible"] is True
    assert layers["zones"]["basemap"] is False and layers["districts"]["basemap"] is True


def test_zone_legend_takes_its_colour_from_the_style(client):
    (zones,) = panel_layers(client)["zones"]["swatches"]

    assert zones["kind"] == "polygon"
    assert zones["fill"] == "#e9c46a"
    assert zones["label"] is None


def test_parcel_legend_shows_the_cases_its_colours_distinguish(client):
    swatches = panel_layers(client)["parcels"]["swatches"]

    assert [(s["label"], s["fill"]) for s in swatches] == [
        ("Municipal property", "#2a9d8f"),
        ("Other", "#4f7cac"),
    ]


def test_a_match_over_a_property_is_labelled_by_its_values(db):
    layer = layer_with_style(
        {
            "type": "fill",
            "paint": {
                "fill-color": ["match", ["get", "code"], "A", "#ff0000", "B", "#00ff00", "#0000ff"]
            },
        }
    )

    with translation.override("en"):
        legend = layer_legend(layer)

    assert [(s["label"], s["fill"]) for s in legend] == [
        ("Code: A", "#ff0000"),
        ("Code: B", "#00ff00"),
        ("Other", "#0000ff"),
    ]


def test_a_point_layer_is_drawn_as_a_circle():
    layer = layer_with_style(
        {"type": "circle", "paint": {"circle-color": "#e76f51", "circle-stroke-color": "#333333"}},
        geometry_type="Point",
    )

    drawn = swatch(layer)
    assert drawn["kind"] == "point"
    assert drawn["circle"] == "#e76f51" and drawn["circle_stroke"] == "#333333"


def test_a_white_line_gets_an_edge_to_be_seen_on_a_light_legend():
    layer = layer_with_style(
        {"type": "line", "paint": {"line-color": "#ffffff", "line-width": 2}},
        geometry_type="MultiLineString",
    )

    drawn = swatch(layer)
    assert drawn["kind"] == "line" and drawn["casing"] is True


def test_a_colour_that_could_fetch_something_is_not_drawn():
    layer = layer_with_style({"type": "fill", "paint": {"fill-color": "url(http://example.com/x)"}})

    assert "url(" not in json.dumps(swatch(layer))


def test_zoom_curves_give_their_last_stop():
    assert evaluate(["interpolate", ["linear"], ["zoom"], 12, 1, 17, 10], {}) == 10
    assert evaluate(["case", ["boolean", ["feature-state", "selected"], False], 1, 0.2], {}) == 0.2


def test_map_page_gives_the_panel_the_addresses_of_every_layer(client, batumi):
    html = client.get("/en/").content.decode()

    config = json.loads(
        html.split('id="map-config" type="application/json">')[1].split("</script>")[0]
    )
    urls = config["layerUrls"]
    assert urls["card"] == "/en/layers/__layer__/card/"
    assert urls["table"] == "/en/layers/__layer__/"
    assert urls["ogcapi"] == "/ogcapi/collections/__layer__"
    assert urls["export"] == "/api/v1/layers/__layer__/export.__format__"
    assert [f["key"] for f in config["downloadFormats"]] == ["gpkg", "geojson", "csv"]
    assert 'id="layers-toggle"' in html and 'id="layers-panel"' in html


def test_georgian_titles_keep_their_first_letter():
    assert sentence_case("კოდი") == "კოდი"
    assert sentence_case("code") == "Code"
