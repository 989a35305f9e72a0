"""`?name=value` for each queryable property: equality in the property's type."""

import pytest

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    return ogc.parcel_grid(batumi, 15)


def test_filter_by_a_text_property(client, grid):
    response = client.get("/ogcapi/collections/parcels/items?land_use=green&limit=100")
    assert ogc.ids(response) == [p.pk for i, p in enumerate(grid) if i % 3 == 2]


def test_filter_by_a_boolean_property(client, grid):
    response = client.get("/ogcapi/collections/parcels/items?is_municipal_property=true")
    assert ogc.ids(response) == [grid[0].pk, grid[5].pk, grid[10].pk]


def test_property_filters_combine(client, grid):
    response = client.get(
        "/ogcapi/collections/parcels/items?is_municipal_property=true&land_use=green"
    )
    assert ogc.ids(response) == [grid[5].pk]


def test_filter_by_an_integer_property(client, batumi):
    from parcels.models import Building
    from tests.conftest import BATUMI_ORIGIN, multi, square

    x, y = BATUMI_ORIGIN
    low = Building.objects.create(municipality=batumi, floors=2, geom=multi(square(x, y, 10)))
    Building.objects.create(municipality=batumi, floors=9, geom=multi(square(x + 50, y, 10)))
    response = client.get("/ogcapi/collections/buildings/items?floors=2")
    assert ogc.ids(response) == [low.pk]
    assert client.get("/ogcapi/collections/buildings/items?floors=two").status_code == 400
