"""Bad requests for downloads answer 400 naming the parameter, or 404 for what does not exist."""

import pytest

from layers.exports import parse_crs


@pytest.mark.parametrize(
    ("raw", "srid"),
    [
        (None, 4326),
        ("", 4326),
        ("4326", 4326),
        ("EPSG:32638", 32638),
        ("epsg:3857", 3857),
        ("urn:ogc:def:crs:EPSG::32638", 32638),
        ("http://www.opengis.net/def/crs/EPSG/0/3857", 3857),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326),
    ],
)
def test_crs_is_read_as_a_code_or_an_ogc_uri(raw, srid):
    assert parse_crs(raw) == srid


@pytest.mark.parametrize(
    "query",
    [
        "crs=2154",
        "crs=EPSG:32637",
        "crs=nonsense",
        "crs=http://www.opengis.net/def/crs/EPSG/0/4258",
    ],
)
def test_a_crs_that_is_not_offered_answers_400_naming_crs(client, db, query):
    response = client.get(f"/api/v1/layers/parcels/export.gpkg?{query}")
    assert response.status_code == 400
    data = response.json()
    assert data["parameter"] == "crs"
    assert data["code"] == "unsupported_crs"
    assert "EPSG:32638" in data["detail"]


def test_kml_in_another_crs_than_4326_answers_400(client, db):
    response = client.get("/api/v1/layers/parcels/export.kml?crs=32638")
    assert response.status_code == 400
    assert response.json()["parameter"] == "crs"
    assert client.get("/api/v1/layers/parcels/export.kml?crs=4326").status_code == 200


@pytest.mark.parametrize(
    ("bbox", "code"),
    [
        ("41.6,41.6,41.7", "bbox_format"),
        ("41.6,41.6,41.7,north", "bbox_format"),
        ("41.6,41.6,41.7,nan", "not_finite"),
        ("41.7,41.6,41.6,41.7", "bbox_order"),
        ("4615000,219000,4616000,220000", "out_of_range"),
    ],
)
def test_a_malformed_bbox_answers_400_naming_bbox(client, db, bbox, code):
    response = client.get(f"/api/v1/layers/parcels/export.geojson?bbox={bbox}")
    assert response.status_code == 400
    data = response.json()
    assert data["parameter"] == "bbox"
    assert data["code"] == code


def test_a_bbox_far_from_the_data_gives_an_empty_file(client, db):
    response = client.get("/api/v1/layers/parcels/export.geojson?bbox=2,48,3,49")
    assert response.status_code == 200
    assert b'"features":[\n\n]}' in b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["xlsx", "shp", "zip", "json", "GPKG"])
def test_an_unknown_format_answers_404_listing_the_formats(client, db, fmt):
    response = client.get(f"/api/v1/layers/parcels/export.{fmt}")
    assert response.status_code == 404
    assert "shp.zip" in response.json()["detail"]


def test_an_unknown_layer_answers_404(client, db):
    response = client.get("/api/v1/layers/nothing/export.gpkg")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_client_that_accepts_only_the_file_still_gets_a_json_error(client, db):
    response = client.get(
        "/api/v1/layers/parcels/export.gpkg?crs=1", HTTP_ACCEPT="application/geopackage+sqlite3"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
