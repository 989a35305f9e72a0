"""The parcel card that the map shows beside itself: found by a point or by a code."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

pytestmark = pytest.mark.django_db


def lonlat_inside(parcel) -> tuple[float, float]:
    point = parcel.geom.point_on_surface
    point.srid = settings.SRID_STORAGE
    point.transform(settings.SRID_API)
    return point.x, point.y


def test_card_at_a_point_shows_the_parcel_there(client, parcels):
    lon, lat = lonlat_inside(parcels["rustaveli"])

    response = client.get("/en/parcels/card/", {"lon": lon, "lat": lat})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'data-parcel-id="{parcels["rustaveli"].pk}"' in html
    assert "05.24.11.005" in html
    assert "Rustaveli St. 12" in html
    assert "SZ-6" in html and "25 m" in html


def test_card_is_georgian_under_ka(client, parcels):
    lon, lat = lonlat_inside(parcels["rustaveli"])

    html = client.get("/ka/parcels/card/", {"lon": lon, "lat": lat}).content.decode()

    assert "საკადასტრო ნაკვეთი" in html
    assert "რუსთაველის ქ. 12" in html


def test_card_carries_the_bounds_to_fly_to(client, parcels):
    html = client.get("/en/parcels/card/", {"code": "05.24.11.005"}).content.decode()

    bounds = html.split('data-bbox="')[1].split('"')[0]
    minx, miny, maxx, maxy = (float(v) for v in bounds.split(","))
    assert 41 < minx < maxx < 42 and 41 < miny < maxy < 42


def test_card_where_there_is_no_parcel_answers_404(client, parcels):
    response = client.get("/en/parcels/card/", {"lon": 44.0, "lat": 42.0})

    assert response.status_code == 404
    assert "There is no parcel here." in response.content.decode()


@pytest.mark.parametrize(
    "params", [{}, {"lon": "x", "lat": "41"}, {"lon": "41"}, {"lon": "200", "lat": "41"}]
)
def test_card_without_a_usable_point_answers_400(client, params):
    assert client.get("/en/parcels/card/", params).status_code == 400


def test_card_by_code_for_an_unknown_code_answers_404(client, parcels):
    assert client.get("/en/parcels/card/", {"code": "01.01.01.001"}).status_code == 404


def test_card_needs_few_queries(client, parcels, django_assert_max_num_queries):
    point = Point(*lonlat_inside(parcels["rustaveli"]), srid=settings.SRID_API)

    # The parcel, and whether a budget cycle accepts proposals there (budgeting's place action).
    with django_assert_max_num_queries(3):
        client.get("/en/parcels/card/", {"lon": point.x, "lat": point.y})
