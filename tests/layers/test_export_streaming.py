"""GeoJSON and CSV are streamed from one server-side cursor, and every layer exports."""

import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, MultiLineString
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.registry import registry
from parcels.models import Block, Building, Street, Zone
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory


def queries_of_export(client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        assert response.streaming
        content = b"".join(response.streaming_content)
    return len(queries), content


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_streamed_export_takes_as_many_queries_for_many_features_as_for_few(client, batumi, fmt):
    ParcelFactory.create_batch(3, municipality=batumi)
    few, content = queries_of_export(client, f"/api/v1/layers/parcels/export.{fmt}")
    ParcelFactory.create_batch(60, municipality=batumi)
    many, content = queries_of_export(client, f"/api/v1/layers/parcels/export.{fmt}")
    assert many == few
    if fmt == "geojson":
        assert len(json.loads(content)["features"]) == 63


def test_streamed_geojson_fetches_its_chunks_from_one_query(client, batumi, monkeypatch):
    from layers import exports

    ParcelFactory.create_batch(5, municipality=batumi)
    whole, _ = queries_of_export(client, "/api/v1/layers/parcels/export.geojson")
    # Two rows a fetch: the rows arrive in three chunks of one server-side cursor, not in
    # three queries.
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    chunked, content = queries_of_export(client, "/api/v1/layers/parcels/export.geojson")
    assert chunked == whole
    assert len(json.loads(content)["features"]) == 5


@pytest.fixture
def one_of_everything(batumi):
    x, y = BATUMI_ORIGIN
    ParcelFactory(municipality=batumi, geom=multi(square(x + 100, y + 100, 20)))
    Zone.objects.create(
        municipality=batumi,
        code="K-2",
        name_ka="საცხოვრებელი",
        name_en="Residential",
        k1=Decimal("0.40"),
        k2=Decimal("1.20"),
        k3=Decimal("0.30"),
        max_height_m=Decimal("14.0"),
        geom=multi(square(x, y, 500)),
    )
    Street.objects.create(
        municipality=batumi,
        name_ka="რუსთაველის ქუჩა",
        name_en="Rustaveli Street",
        geom=MultiLineString(LineString((x, y + 50), (x + 400, y + 50)), srid=32638),
    )
    Block.objects.create(municipality=batumi, code="05.24.11", geom=multi(square(x, y, 300)))
    Building.objects.create(municipality=batumi, floors=4, geom=multi(square(x + 102, y + 102, 8)))


def test_every_layer_of_the_registry_exports_to_geojson(client, one_of_everything):
    layers = registry.all()
    assert {"municipalities", "districts", "zones", "streets", "blocks", "buildings"} <= {
        layer.name for layer in layers
    }
    for layer in layers:
        if not layer.downloadable or layer.visibility != "public":
            continue
        response = client.get(f"/api/v1/layers/{layer.name}/export.geojson?crs=32638")
        assert response.status_code == 200, layer.name
        data = json.loads(b"".join(response.streaming_content))
        assert data["type"] == "FeatureCollection"
        assert data["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::32638"
        for feature in data["features"]:
            assert set(feature["properties"]) == set(layer.properties), layer.name
        if layer.model._meta.app_label in ("core", "parcels"):
            assert len(data["features"]) == 1, layer.name


def test_zone_coefficients_go_out_as_numbers(client, one_of_everything):
    response = client.get("/api/v1/layers/zones/export.geojson")
    properties = json.loads(b"".join(response.streaming_content))["features"][0]["properties"]
    assert properties["k1"] == 0.4
    assert properties["max_height_m"] == 14.0
    assert properties["name_ka"] == "საცხოვრებელი"


def test_csv_neutralises_text_a_spreadsheet_would_run_as_a_formula(client, batumi):
    x, y = BATUMI_ORIGIN
    Street.objects.create(
        municipality=batumi,
        name_ka='=HYPERLINK("http://example.invalid")',
        name_en="-2+3",
        geom=MultiLineString(LineString((x, y), (x + 10, y)), srid=32638),
    )
    content = b"".join(client.get("/api/v1/layers/streets/export.csv").streaming_content)
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",'-2+3," in text
