"""datetime: an instant or an interval on the time field of a layer that has one."""

import pytest

from tests.layers import ogc_helpers as ogc


@pytest.fixture
def grid(batumi):
    # valid_from is the first of month 1 + i % 12 of 2024.
    return ogc.parcel_grid(batumi, 12)


@pytest.fixture
def timed():
    with ogc.temporary_layer(ogc.parcels_layer("timed-parcels", time_field="valid_from")) as layer:
        yield layer


def months(client, value: str, collection: str = "timed-parcels") -> list[int]:
    response = client.get(f"/ogcapi/collections/{collection}/items?limit=100&datetime={value}")
    assert response.status_code == 200, response.content
    return [int(f["properties"]["cadastral_code"][-3:]) + 1 for f in response.json()["features"]]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-03-01", [3]),
        ("2024-03-01T00:00:00Z", [3]),
        ("2024-03-01/2024-05-01", [3, 4, 5]),
        ("../2024-02-15", [1, 2]),
        ("2024-11-01/..", [11, 12]),
        ("2024-11-01/", [11, 12]),
        ("2024-03-15T10:00:00Z/2024-04-02T00:00:00%2B04:00", [4]),
    ],
)
def test_datetime_selects_instants_and_intervals(client, grid, timed, value, expected):
    assert months(client, value) == expected


def test_a_layer_without_time_ignores_a_valid_datetime(client, grid):
    assert len(months(client, "2024-03-01", collection="parcels")) == 12


@pytest.mark.parametrize("value", ["2024-13-01", "../..", "2024-05-01/2024-03-01", "a/b/c", "soon"])
def test_bad_datetime_answers_400(client, grid, timed, value):
    response = client.get(f"/ogcapi/collections/timed-parcels/items?datetime={value}")
    assert response.status_code == 400
    assert response.json()["parameter"] == "datetime"


@pytest.fixture
def dated():
    """A layer that declares no time field but has one date property: valid_from."""
    layer = ogc.parcels_layer("dated-parcels", properties=("cadastral_code", "valid_from"))
    with ogc.temporary_layer(layer):
        yield layer


def test_a_layers_only_date_property_is_its_time_field(client, grid, dated):
    assert months(client, "2024-03-01/2024-04-01", collection="dated-parcels") == [3, 4]
    assert months(client, "2024-12-01", collection="dated-parcels") == [12]


def test_the_temporal_extent_spans_the_only_date_property(client, grid, dated):
    ogc.clear_extent_cache()
    body = client.get("/ogcapi/collections/dated-parcels?f=json").json()
    assert body["extent"]["temporal"]["interval"] == [
        ["2024-01-01T00:00:00Z", "2024-12-01T00:00:00Z"]
    ]


def test_a_declared_time_field_has_a_temporal_extent(client, grid, timed):
    ogc.clear_extent_cache()
    body = client.get("/ogcapi/collections/timed-parcels?f=json").json()
    assert body["extent"]["temporal"]["interval"] == [
        ["2024-01-01T00:00:00Z", "2024-12-01T00:00:00Z"]
    ]


def test_a_layer_with_no_time_property_has_no_temporal_extent(client, grid):
    ogc.clear_extent_cache()
    body = client.get("/ogcapi/collections/parcels?f=json").json()
    assert "temporal" not in body["extent"]
