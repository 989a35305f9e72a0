"""Constraints and monuments are registered layers, with a style for each kind."""

from layers.registry import registry


def test_constraints_are_one_layer_styled_by_kind():
    layer = registry.get("constraints")

    assert layer.title_en == "Building constraints"
    assert layer.title_ka
    assert "kind" in layer.properties
    colour = layer.style[0]["paint"]["fill-color"]
    assert colour[0] == "match"
    for kind in ("heritage_zone", "red_line", "protected_area", "flood_area"):
        assert kind in colour


def test_monuments_are_circles():
    layer = registry.get("monuments")

    assert layer.geometry_type == "Point"
    assert layer.style[0]["type"] == "circle"
    assert "height_m" in layer.properties


def test_the_style_json_offers_both_layers(client, db):
    style = client.get("/tiles/style.json?lang=en").json()

    names = {entry["name"] for entry in style["metadata"]["gislayer-pages:list"]}
    assert {"constraints", "monuments", "zones"} <= names
