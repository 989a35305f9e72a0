"""GET /api/v1/parcels/?bbox=: a paged GeoJSON FeatureCollection of the parcels in a box."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from core.geometry import transformer
from parcels.models import LandUse, Parcel, Zone
from tests.conftest import BATUMI_ORIGIN, multi, square

URL = "/api/v1/parcels/"
X0, Y0 = BATUMI_ORIGIN


def make_parcel(municipality, code: str, dx: float, dy: float, size: float = 20.0, **fields):
    """A square parcel `size` metres wide, `dx`, `dy` metres from BATUMI_ORIGIN (EPSG:32638)."""
    geom = multi(square(X0 + dx, Y0 + dy, size))
    values = {"area_m2": geom.area, "land_use": LandUse.RESIDENTIAL, "valid_from": date(2024, 1, 1)}
    values.update(fields)
    return Parcel.objects.create(
        cadastral_code=code, municipality=municipality, geom=geom, **values
    )


def lonlat_bbox(dx0: float, dy0: float, dx1: float, dy1: float) -> str:
    """The bbox parameter for a box given in metres from BATUMI_ORIGIN."""
    to_lonlat = transformer(settings.SRID_STORAGE, settings.SRID_API)
    minx, miny = to_lonlat.transform(X0 + dx0, Y0 + dy0)
    maxx, maxy = to_lonlat.transform(X0 + dx1, Y0 + dy1)
    return f"{minx},{miny},{maxx},{maxy}"


WHOLE_BATUMI = lonlat_bbox(0, 0, 4000, 4000)


def test_parcels_in_a_bbox_come_as_a_geojson_feature_collection(client, batumi):
    make_parcel(batumi, "05.24.11.001", 100, 100)
    make_parcel(batumi, "05.24.11.002", 3000, 3000)

    response = client.get(URL, {"bbox": lonlat_bbox(50, 50, 200, 200)})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    [feature] = body["features"]
    assert feature["type"] == "Feature"
    assert feature["id"] == "05.24.11.001"
    assert feature["geometry"]["type"] == "MultiPolygon"


def test_coordinates_come_back_in_epsg_4326_near_the_expected_lon_lat(client, batumi):
    # The corner (218100, 4613100) in UTM 38N is (41.6164357, 41.6198327) in EPSG:4326.
    make_parcel(batumi, "05.24.11.001", 100, 100)

    feature = client.get(URL, {"bbox": WHOLE_BATUMI}).json()["features"][0]

    ring = feature["geometry"]["coordinates"][0][0]
    lon, lat = ring[0]  # Polygon.from_bbox starts its ring at the south-west corner
    assert lon == pytest.approx(41.6164357, abs=1e-6)
    assert lat == pytest.approx(41.6198327, abs=1e-6)
    assert ring[0] == ring[-1]
    assert all(len(str(v).split(".")[1]) <= 7 for position in ring for v in position)


def test_a_feature_carries_the_properties_a_card_shows(client, batumi):
    zone = Zone.objects.create(
        municipality=batumi,
        code="R-2",
        name_ka="საცხოვრებელი ზონა 2",
        name_en="Residential zone 2",
        k1=Decimal("0.50"),
        k2=Decimal("1.80"),
        k3=Decimal("0.30"),
        max_height_m=Decimal("14.0"),
        geom=multi(square(X0, Y0, 1000)),
    )
    make_parcel(
        batumi,
        "05.24.11.001",
        100,
        100,
        area_m2=400.04,
        land_use=LandUse.COMMERCIAL,
        address_ka="რუსთაველის ქ. 10",
        address_en="10 Rustaveli St",
        zone=zone,
        is_municipal_property=True,
        valid_from=date(2023, 5, 1),
    )

    response = client.get(URL, {"bbox": WHOLE_BATUMI}, HTTP_ACCEPT_LANGUAGE="en")

    properties = response.json()["features"][0]["properties"]
    assert properties == {
        "cadastral_code": "05.24.11.001",
        "area_m2": 400.0,
        "land_use": "commercial",
        "land_use_label": "Commercial",
        "address": "10 Rustaveli St",
        "address_ka": "რუსთაველის ქ. 10",
        "address_en": "10 Rustaveli St",
        "municipality": "BTM",
        "zone": {
            "code": "R-2",
            "name": "Residential zone 2",
            "k1": 0.5,
            "k2": 1.8,
            "k3": 0.3,
            "max_height_m": 14.0,
        },
        "is_municipal_property": True,
        "valid_from": "2023-05-01",
    }


def test_the_address_follows_the_accept_language_header(client, batumi):
    make_parcel(
        batumi, "05.24.11.001", 100, 100, address_ka="გორგასალის ქ. 5", address_en="5 Gorgasali St"
    )

    english = client.get(URL, {"bbox": WHOLE_BATUMI}, HTTP_ACCEPT_LANGUAGE="en")
    georgian = client.get(URL, {"bbox": WHOLE_BATUMI}, HTTP_ACCEPT_LANGUAGE="ka")

    assert english.json()["features"][0]["properties"]["address"] == "5 Gorgasali St"
    assert georgian.json()["features"][0]["properties"]["address"] == "გორგასალის ქ. 5"
    assert "Accept-Language" in english["Vary"]


def test_a_parcel_without_a_zone_has_zone_null(client, batumi):
    make_parcel(batumi, "05.24.11.001", 100, 100)

    properties = client.get(URL, {"bbox": WHOLE_BATUMI}).json()["features"][0]["properties"]

    assert properties["zone"] is None


def test_retired_parcels_are_left_out(client, batumi):
    make_parcel(batumi, "05.24.11.001", 100, 100, valid_to=date(2024, 6, 1))
    make_parcel(batumi, "05.24.11.002", 100, 100)

    body = client.get(URL, {"bbox": WHOLE_BATUMI}).json()

    assert [f["id"] for f in body["features"]] == ["05.24.11.002"]


def test_paging_across_pages_returns_every_parcel_exactly_once_in_id_order(
    client, batumi, settings
):
    settings.API_PAGE_SIZE = 2
    parcels = [make_parcel(batumi, f"05.24.11.{n:03d}", 30 * n, 100) for n in (5, 1, 4, 2, 3)]
    by_id = [p.cadastral_code for p in sorted(parcels, key=lambda p: p.pk)]

    seen, url, params, pages = [], URL, {"bbox": WHOLE_BATUMI}, 0
    while url:
        body = client.get(url, params).json()
        assert body["count"] == 5
        assert len(body["features"]) <= 2
        seen += [f["id"] for f in body["features"]]
        url, params, pages = body["next"], None, pages + 1

    assert seen == by_id
    assert pages == 3


def test_the_second_page_links_back_to_the_first(client, batumi):
    for n in range(3):
        make_parcel(batumi, f"05.24.11.{n:03d}", 30 * n, 100)

    body = client.get(URL, {"bbox": WHOLE_BATUMI, "limit": 2, "offset": 2}).json()

    assert body["next"] is None
    assert body["previous"].startswith("http://testserver/api/v1/parcels/?")
    assert "offset" not in body["previous"]
    assert "bbox=" in body["previous"]


def test_limit_may_reach_the_maximum_page_size(client, batumi, settings):
    settings.API_MAX_PAGE_SIZE = 3
    make_parcel(batumi, "05.24.11.001", 100, 100)

    response = client.get(URL, {"bbox": WHOLE_BATUMI, "limit": 3})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("limit", "code"),
    [("abc", "not_an_integer"), ("0", "too_small"), ("-5", "too_small"), ("1001", "too_large")],
)
def test_a_bad_limit_is_refused_naming_limit(client, batumi, limit, code):
    response = client.get(URL, {"bbox": WHOLE_BATUMI, "limit": limit})

    assert response.status_code == 400
    assert response.json()["parameter"] == "limit"
    assert response.json()["code"] == code


def test_a_bad_offset_is_refused_naming_offset(client, batumi):
    response = client.get(URL, {"bbox": WHOLE_BATUMI, "offset": "x"})

    assert response.status_code == 400
    assert response.json()["parameter"] == "offset"


def test_municipality_narrows_the_parcels_to_one_municipality(client, batumi, rustavi):
    make_parcel(batumi, "05.24.11.001", 100, 100)
    # A Rustavi parcel drawn inside the box, to show the filter and not the box leaves it out.
    make_parcel(rustavi, "02.10.01.001", 200, 200)

    everyone = client.get(URL, {"bbox": WHOLE_BATUMI}).json()
    only_batumi = client.get(URL, {"bbox": WHOLE_BATUMI, "municipality": "BTM"}).json()

    assert everyone["count"] == 2
    assert [f["id"] for f in only_batumi["features"]] == ["05.24.11.001"]


def test_an_unknown_municipality_code_is_refused(client, batumi):
    response = client.get(URL, {"bbox": WHOLE_BATUMI, "municipality": "TBS"})

    assert response.status_code == 400
    assert response.json()["parameter"] == "municipality"
    assert "BTM" in response.json()["detail"]


@pytest.mark.parametrize(
    ("bbox", "code"),
    [
        ("", "required"),
        ("41.62,41.62,41.63", "bbox_format"),
        ("41.62,41.62,41.63,41.63,1", "bbox_format"),
        ("a,b,c,d", "bbox_format"),
        ("41.62,NaN,41.63,41.63", "not_finite"),
        ("41.62,41.62,inf,41.63", "not_finite"),
        ("41.63,41.62,41.62,41.63", "bbox_order"),
        ("41.62,41.63,41.63,41.62", "bbox_order"),
        ("41.62,41.62,41.62,41.63", "bbox_order"),
        ("41.55,41.60,41.70,41.70", "bbox_too_large"),
        ("10,10,10.01,10.01", "outside_georgia"),
        ("200,10,201,11", "out_of_range"),
        ("41.50,44.90,41.51,44.91", "swapped"),
    ],
)
def test_a_bad_bbox_is_refused_naming_bbox(client, batumi, bbox, code):
    response = client.get(URL, {"bbox": bbox})

    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "bbox"
    assert body["code"] == code
    assert body["detail"]


def test_a_missing_bbox_is_refused(client, db):
    response = client.get(URL)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The parameter bbox is required.",
        "parameter": "bbox",
        "code": "required",
    }


def test_the_swapped_bbox_message_says_to_give_longitude_first(client, db):
    response = client.get(URL, {"bbox": "41.50,44.90,41.51,44.91"})

    assert "longitude first" in response.json()["detail"]


def test_the_too_large_bbox_message_states_the_area_in_square_kilometres(client, db):
    response = client.get(URL, {"bbox": "41.55,41.60,41.70,41.70"})

    assert "km²" in response.json()["detail"]


@pytest.mark.parametrize("number_of_parcels", [1, 7])
def test_the_bbox_list_takes_two_queries_however_many_parcels(
    client, batumi, django_assert_num_queries, number_of_parcels
):
    zone = Zone.objects.create(
        municipality=batumi,
        code="R-1",
        name_ka="ზონა",
        name_en="Zone",
        k1=Decimal("0.4"),
        k2=Decimal("1.2"),
        k3=Decimal("0.3"),
        max_height_m=Decimal("10.0"),
        geom=multi(square(X0, Y0, 4000)),
    )
    for n in range(number_of_parcels):
        make_parcel(batumi, f"05.24.11.{n:03d}", 30 * n, 100, zone=zone)

    with django_assert_num_queries(2):  # the count and the page
        response = client.get(URL, {"bbox": WHOLE_BATUMI})

    assert len(response.json()["features"]) == number_of_parcels


@pytest.mark.parametrize("number_of_parcels", [1, 7])
def test_the_bbox_list_of_one_municipality_takes_three_queries(
    client, batumi, django_assert_num_queries, number_of_parcels
):
    for n in range(number_of_parcels):
        make_parcel(batumi, f"05.24.11.{n:03d}", 30 * n, 100)

    with django_assert_num_queries(3):  # the municipality, the count and the page
        response = client.get(URL, {"bbox": WHOLE_BATUMI, "municipality": "BTM"})

    assert response.json()["count"] == number_of_parcels
