"""Downloads obey the layer's visibility: a staff-only layer is hidden from the public, opened to
the API key granted it, and a layer not offered for download is hidden like an unknown one."""

from dataclasses import replace

import pyogrio
import pytest

from core.models import Membership, Role
from layers.access import api_key_create
from layers.registry import registry
from tests.parcels.factories import ParcelFactory

FORMATS = ["gpkg", "geojson", "csv", "shp.zip", "kml"]


@pytest.fixture
def parcels(batumi):
    return ParcelFactory.create_batch(2, municipality=batumi)


@pytest.fixture
def undownloadable_layer():
    layer = registry.register(
        replace(registry.get("parcels"), name="parcels-no-download", downloadable=False)
    )
    yield layer
    registry.unregister(layer.name)


@pytest.mark.parametrize("fmt", FORMATS)
def test_staff_only_layer_answers_404_to_the_public(client, parcels, staff_only_layer, fmt):
    response = client.get(f"/api/v1/layers/staff-parcels/export.{fmt}")
    assert response.status_code == 404
    unknown = client.get(f"/api/v1/layers/no-such-layer/export.{fmt}")
    assert response.json().keys() == unknown.json().keys()


@pytest.mark.parametrize("fmt", FORMATS)
def test_api_key_granted_the_layer_downloads_it(client, parcels, staff_only_layer, fmt, tmp_path):
    _, secret = api_key_create(name="Cadastre agency", layers=["staff-parcels"])
    response = client.get(f"/api/v1/layers/staff-parcels/export.{fmt}", HTTP_X_API_KEY=secret)
    assert response.status_code == 200
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))
    source = f"/vsizip/{path}/staff-parcels.shp" if fmt == "shp.zip" else str(path)
    assert pyogrio.read_info(source)["features"] == 2


def test_api_key_in_the_query_opens_the_layer_for_gdal(client, parcels, staff_only_layer):
    _, secret = api_key_create(name="QGIS of the city", layers=["staff-parcels"])
    response = client.get(f"/api/v1/layers/staff-parcels/export.geojson?api_key={secret}")
    assert response.status_code == 200


def test_api_key_for_other_layers_does_not_open_it(client, parcels, staff_only_layer):
    _, other = api_key_create(name="Another system", layers=["zones"])
    response = client.get("/api/v1/layers/staff-parcels/export.gpkg", HTTP_X_API_KEY=other)
    assert response.status_code == 404


def test_staff_of_the_municipality_download_the_staff_layer(
    client, parcels, staff_only_layer, django_user_model
):
    user = django_user_model.objects.create_user("gis@example.ge", password="x", is_staff=True)
    Membership.objects.create(user=user, municipality=parcels[0].municipality, role=Role.PLANNER)
    client.force_login(user)
    assert client.get("/api/v1/layers/staff-parcels/export.csv").status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_layer_not_offered_for_download_answers_404(client, parcels, undownloadable_layer, fmt):
    assert client.get(f"/api/v1/layers/parcels-no-download/export.{fmt}").status_code == 404
    _, secret = api_key_create(name="Any", layers=["parcels-no-download"])
    response = client.get(f"/api/v1/layers/parcels-no-download/export.{fmt}", HTTP_X_API_KEY=secret)
    assert response.status_code == 404
