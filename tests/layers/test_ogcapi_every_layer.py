"""Every registered layer is a collection whose items are valid GeoJSON, with no code of its own."""

from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, MultiLineString

from layers.registry import registry
from parcels.models import Block, Building, Street, Zone
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.layers import ogc_helpers as ogc

# The layers this test gives a feature each; layers that other apps add are read empty.
FILLED = {"municipalities", "districts", "zones", "streets", "blocks", "buildings", "parcels"}


@pytest.fixture
def one_of_each(batumi):
    x, y = BATUMI_ORIGIN
    ogc.parcel_grid(batumi, 2)
    Zone.objects.create(
        municipality=batumi,
        code="Z-1",
        name_ka="ზ",
        name_en="Z",
        k1=Decimal("0.4"),
        k2=Decimal("1.2"),
        k3=Decimal("0.3"),
        max_height_m=Decimal("12.5"),
        geom=multi(square(x, y, 500)),
    )
    line = MultiLineString(LineString((x, y), (x + 100, y + 100)), srid=32638)
    Street.objects.create(municipality=batumi, name_ka="ქ", name_en="S", geom=line)
    Block.objects.create(municipality=batumi, code="05.24.90", geom=multi(square(x, y, 300)))
    Building.objects.create(municipality=batumi, floors=3, geom=multi(square(x + 1, y + 1, 10)))


def test_every_layer_answers_items_as_valid_geojson(admin_client, one_of_each):
    # Signed in as a superuser: the staff-only layers are walked too.
    layers = registry.all()
    assert FILLED <= {layer.name for layer in layers}
    for layer in layers:
        response = admin_client.get(f"/ogcapi/collections/{layer.name}/items?limit=5")
        assert response.status_code == 200, layer.name
        body = response.json()
        assert body["type"] == "FeatureCollection"
        assert body["numberReturned"] == len(body["features"])
        if layer.name in FILLED:
            assert body["numberMatched"] >= 1, layer.name
        for feature in body["features"]:
            assert feature["type"] == "Feature"
            assert isinstance(feature["id"], int)
            assert feature["geometry"]["type"] == layer.geometry_type
            assert set(feature["properties"]) == set(layer.properties)


def test_decimal_properties_are_numbers(client, one_of_each):
    zone = client.get("/ogcapi/collections/zones/items").json()["features"][0]
    assert zone["properties"]["k1"] == 0.4
    assert zone["properties"]["max_height_m"] == 12.5
