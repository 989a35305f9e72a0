"""A layer kept as rows (an uploaded dataset joins through a source) gets the same pages, table
and card as a declared one, its properties being annotations rather than model fields."""

import pytest
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat

from layers.registry import Layer, registry
from parcels.models import Zone

pytestmark = pytest.mark.django_db

NAME = "test-uploaded-sites"


def sites_queryset():
    # As datasets do: every published property is an annotation with a declared type.
    return Zone.objects.annotate(
        site_name=Concat(Value("Site "), F("code"), output_field=CharField()),
        height=F("max_height_m"),
    )


@pytest.fixture
def uploaded_layer():
    layer = Layer(
        name=NAME,
        title_ka="ატვირთული ობიექტები",
        title_en="Uploaded sites",
        description_en="Sites uploaded by GIS staff.",
        queryset=sites_queryset,
        properties=("site_name", "height"),
        field_types=(("site_name", "string"), ("height", "number")),
        style=({"type": "circle", "paint": {"circle-color": "#e76f51"}},),
        geometry_type="Point",
        order=200,
    )

    def source():
        yield layer

    registry.add_source(source)
    yield layer
    registry.remove_source(source)


def test_uploaded_layer_is_listed_among_the_thematic_layers(client, zone, uploaded_layer):
    html = client.get("/en/layers/").content.decode()

    thematic = html.split('id="group-thematic"')[1].split('id="group-basemap"')[0]
    assert f'data-layer="{NAME}"' in thematic
    assert "Uploaded sites" in thematic and "Sites uploaded by GIS staff." in thematic
    assert "<circle" in thematic.split(f'data-layer="{NAME}"')[1].split("</li>")[0]


def test_uploaded_layer_has_a_table_that_filters_its_text_properties(client, zone, uploaded_layer):
    html = client.get(f"/en/layers/{NAME}/", {"q": "site sz"}).content.decode()

    assert "Site SZ-6" in html
    assert f'href="/en/layers/{NAME}/{zone.pk}/"' in html
    assert client.get(f"/en/layers/{NAME}/", {"sort": "-height"}).status_code == 200


def test_uploaded_layer_feature_has_a_card(client, zone, uploaded_layer):
    html = client.get(f"/en/layers/{NAME}/card/", {"id": zone.pk}).content.decode()

    assert "Uploaded sites" in html
    assert "Site SZ-6" in html and "25" in html


def test_uploaded_layer_is_in_the_map_panel_as_points(client, zone, uploaded_layer):
    layers = client.get("/tiles/style.json").json()["metadata"]["gislayer-pages:list"]

    (meta,) = [m for m in layers if m["name"] == NAME]
    assert meta["geometry"] == "point"
    assert meta["swatches"][0]["circle"] == "#e76f51"
    assert meta["label_field"] == "site_name"
    assert meta["basemap"] is False
