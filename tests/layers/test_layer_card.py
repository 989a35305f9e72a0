"""The card that the map shows for a feature of any layer, found by its id or by a point."""

import pytest
from django.conf import settings
from django.utils import translation

from parcels.models import Zone

pytestmark = pytest.mark.django_db


def lonlat_inside(geom) -> tuple[float, float]:
    point = geom.point_on_surface
    point.srid = settings.SRID_STORAGE
    point.transform(settings.SRID_API)
    return point.x, point.y


def test_zone_card_shows_its_properties_and_links(client, zone):
    response = client.get("/en/layers/zones/card/", {"id": zone.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-layer="zones"' in html and f'data-feature-id="{zone.pk}"' in html
    assert "Zoning" in html
    assert "Residential zone 6" in html
    for title in ("K-1 (max. coverage)", "K-2 (max. floor area ratio)", "Maximum height, m"):
        assert title in html
    assert f'href="/en/layers/zones/{zone.pk}/"' in html
    assert f'href="/ogcapi/collections/zones/items/{zone.pk}"' in html


def test_card_carries_where_to_fly(client, zone):
    html = client.get("/en/layers/zones/card/", {"id": zone.pk}).content.decode()

    minx, miny, maxx, maxy = (
        float(v) for v in html.split('data-bbox="')[1].split('"')[0].split(",")
    )
    assert 41 < minx < maxx < 42 and 41 < miny < maxy < 42
    assert 'data-min-zoom="11"' in html


def test_district_card_shows_its_name_and_municipality(client, batumi):
    district = batumi.districts.get()

    html = client.get("/en/layers/districts/card/", {"id": district.pk}).content.decode()

    assert "Districts" in html
    assert "<h2" in html and "Old Town" in html
    assert "Name (English)" in html
    # The municipality is named, not given by its database id.
    assert "<dt>Municipality</dt><dd>Batumi</dd>" in html


def test_card_titles_are_georgian_under_ka(client, zone):
    html = client.get("/ka/layers/zones/card/", {"id": zone.pk}).content.decode()

    with translation.override("ka"):
        k1_title = str(Zone._meta.get_field("k1").verbose_name)
    assert "ზონირება" in html
    assert "საცხოვრებელი ზონა 6" in html
    # Georgian has no capital to begin a title with: the verbose name is shown as it is.
    assert k1_title in html


def test_card_at_a_point_finds_the_zone_there(client, zone):
    lon, lat = lonlat_inside(zone.geom)

    html = client.get("/en/layers/zones/card/", {"lon": lon, "lat": lat}).content.decode()

    assert f'data-feature-id="{zone.pk}"' in html


def test_card_at_a_point_with_nothing_there_answers_404(client, zone):
    response = client.get("/en/layers/zones/card/", {"lon": 44.0, "lat": 42.0})

    assert response.status_code == 404
    assert "There is nothing of this layer here." in response.content.decode()


def test_card_of_a_missing_feature_answers_404(client, zone):
    assert client.get("/en/layers/zones/card/", {"id": 987654}).status_code == 404


def test_card_of_an_unknown_layer_answers_404(client, db):
    assert client.get("/en/layers/no-such-layer/card/", {"id": 1}).status_code == 404


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "id"),
        ({"id": "abc"}, "id"),
        ({"lon": "x", "lat": "41"}, "lon"),
        ({"lon": "41.6"}, "lat"),
    ],
)
def test_card_without_a_usable_id_or_point_answers_400_naming_it(client, zone, params, parameter):
    response = client.get("/en/layers/zones/card/", params)

    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_card_needs_one_query(client, zone, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/en/layers/zones/card/", {"id": zone.pk})
