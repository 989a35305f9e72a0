"""datetime on every registered layer: filtered on its time property, if it has one, else
accepted and without effect; its collection has a temporal extent exactly when it has one."""

import pytest
from django.contrib.auth.models import AnonymousUser

from layers.ogcapi.queryables import time_field
from layers.registry import registry
from tests.layers import ogc_helpers as ogc

VALUES = ("2024-03-01", "2024-03-01T10:00:00Z", "2024-01-01/2024-06-30", "../2024-06-30")


@pytest.fixture(autouse=True)
def fresh_extents():
    ogc.clear_extent_cache()


@pytest.mark.parametrize("value", VALUES)
def test_every_layer_takes_a_datetime(admin_client, batumi, value):
    ogc.parcel_grid(batumi, 2)
    for layer in registry.all():
        url = f"/ogcapi/collections/{layer.name}/items?datetime={value}"
        response = admin_client.get(url)
        assert response.status_code == 200, (layer.name, response.content)


def test_layers_with_a_date_property_have_a_time_field(db):
    timed = {layer.name for layer in registry.visible_to(AnonymousUser()) if time_field(layer)}
    assert "constraints" in timed
    assert "parcels" not in timed
