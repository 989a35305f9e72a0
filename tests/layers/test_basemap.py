"""The one-source basemap: every public layer's tile in one (/tiles/all/…) and a style with that
one source and no feature state (/tiles/basemap.json), as QGIS takes a vector-tile basemap."""

import json

import pytest

from layers.registry import Layer
from layers.style import basemap_layers, without_feature_state
from parcels.models import Parcel
from tests.layers.test_tiles import decode, make_parcel, tile_of


@pytest.fixture
def parcel(batumi) -> Parcel:
    return make_parcel(batumi, "05.24.11.001", 1000, 1000)


def test_one_tile_holds_every_public_layer_drawn_there(client, parcel):
    x, y = tile_of(parcel, 16)
    response = client.get(f"/tiles/all/16/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = decode(response)
    assert {f["properties"]["cadastral_code"] for f in layers["parcels"]["features"]} == {
        "05.24.11.001"
    }
    single = decode(client.get(f"/tiles/parcels/16/{x}/{y}.mvt", HTTP_ACCEPT_ENCODING="gzip"))
    assert layers["parcels"] == single["parcels"]
    assert set(layers) <= {layer.name for layer in basemap_layers()}


def test_the_basemap_tile_answers_304_and_204(client, parcel):
    x, y = tile_of(parcel, 16)
    first = client.get(f"/tiles/all/16/{x}/{y}.mvt")
    again = client.get(f"/tiles/all/16/{x}/{y}.mvt", HTTP_IF_NONE_MATCH=f"W/{first['ETag']}")
    assert again.status_code == 304 and again.content == b""
    assert client.get("/tiles/all/16/0/0.mvt").status_code == 204
    assert client.get("/tiles/all/3/9/0.mvt").status_code == 400


def test_the_basemap_style_has_one_source_and_no_feature_state(client, db):
    style = client.get("/tiles/basemap.json?lang=en").json()
    assert list(style["sources"]) == ["gisportal"]
    assert style["sources"]["gisportal"]["tiles"][0].endswith("/tiles/all/{z}/{x}/{y}.mvt")
    drawn = [entry for entry in style["layers"] if "source" in entry]
    assert drawn and all(entry["source"] == "gisportal" for entry in drawn)
    assert {entry["source-layer"] for entry in drawn} == {layer.name for layer in basemap_layers()}
    assert "feature-state" not in json.dumps(style["layers"])


def test_a_case_loses_the_branches_that_read_feature_state():
    selected = ["boolean", ["feature-state", "selected"], False]
    assert without_feature_state(["case", selected, "#1d6fa5", "#4f7cac"]) == "#4f7cac"
    assert without_feature_state(
        ["case", selected, 0.45, ["get", "is_municipal_property"], 0.3, 0.2]
    ) == ["case", ["get", "is_municipal_property"], 0.3, 0.2]
    assert without_feature_state(["interpolate", ["linear"], ["zoom"], 12, 1]) == [
        "interpolate",
        ["linear"],
        ["zoom"],
        12,
        1,
    ]


def test_no_layer_may_take_a_name_of_the_tile_server():
    with pytest.raises(ValueError):
        Layer(
            name="all",
            title_ka="ყველა",
            title_en="All",
            queryset=lambda: Parcel.objects.all(),
            properties=("cadastral_code",),
        )
