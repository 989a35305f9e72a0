"""GET /api/v1/parcels/search/?q=: the map's search box and the list view."""

from datetime import date

import pytest

from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, RUSTAVI_ORIGIN, multi, square

URL = "/api/v1/parcels/search/"


def make_parcel(municipality, code: str, dx: float, dy: float, size: float = 20.0, **fields):
    """A square parcel `size` metres wide, `dx`, `dy` metres from the municipality's origin."""
    x0, y0 = BATUMI_ORIGIN if municipality.code == "BTM" else RUSTAVI_ORIGIN
    geom = multi(square(x0 + dx, y0 + dy, size))
    values = {"area_m2": geom.area, "land_use": LandUse.RESIDENTIAL, "valid_from": date(2024, 1, 1)}
    values.update(fields)
    return Parcel.objects.create(
        cadastral_code=code, municipality=municipality, geom=geom, **values
    )


def codes(response) -> list[str]:
    return [row["cadastral_code"] for row in response.json()["results"]]


def test_a_code_prefix_finds_the_parcels_whose_code_starts_with_it(client, batumi):
    make_parcel(batumi, "05.24.11.002", 100, 100)
    make_parcel(batumi, "05.24.11.001", 200, 100)
    make_parcel(batumi, "05.24.12.001", 300, 100)

    response = client.get(URL, {"q": "05.24.11"})

    assert response.status_code == 200
    assert codes(response) == ["05.24.11.001", "05.24.11.002"]


def test_address_words_find_parcels_in_either_language(client, batumi):
    make_parcel(
        batumi,
        "05.24.11.001",
        100,
        100,
        address_ka="რუსთაველის ქ. 10",
        address_en="10 Rustaveli St",
    )
    make_parcel(
        batumi, "05.24.11.002", 200, 100, address_ka="გორგასალის ქ. 5", address_en="5 Gorgasali St"
    )

    assert codes(client.get(URL, {"q": "rustaveli 10"})) == ["05.24.11.001"]
    assert codes(client.get(URL, {"q": "გორგასალის"})) == ["05.24.11.002"]


def test_a_result_row_has_what_the_list_and_the_map_need(client, batumi):
    make_parcel(
        batumi,
        "05.24.11.001",
        100,
        100,
        area_m2=400.04,
        land_use=LandUse.GREEN,
        address_ka="ზღვის ქ. 1",
        address_en="1 Sea St",
    )

    response = client.get(URL, {"q": "05.24.11.001"}, HTTP_ACCEPT_LANGUAGE="en")

    [row] = response.json()["results"]
    assert set(row) == {
        "cadastral_code",
        "address",
        "area_m2",
        "land_use_label",
        "municipality",
        "center",
        "bbox",
    }
    assert row["address"] == "1 Sea St"
    assert row["area_m2"] == 400.0
    assert row["land_use_label"] == "Green space"
    assert row["municipality"] == "BTM"
    # The parcel spans (218100..218120, 4613100..4613120) in UTM 38N.
    minx, miny, maxx, maxy = row["bbox"]
    assert minx == pytest.approx(41.61642, abs=1e-4)
    assert miny == pytest.approx(41.61983, abs=1e-4)
    assert minx < maxx and miny < maxy
    lon, lat = row["center"]
    assert minx < lon < maxx and miny < lat < maxy


def test_municipality_narrows_the_search(client, batumi, rustavi):
    make_parcel(batumi, "05.24.11.001", 100, 100)
    make_parcel(rustavi, "05.24.11.002", 100, 100)

    response = client.get(URL, {"q": "05.24", "municipality": "RST"})

    assert codes(response) == ["05.24.11.002"]


def test_limit_caps_the_number_of_results(client, batumi):
    for n in range(5):
        make_parcel(batumi, f"05.24.11.{n:03d}", 30 * n, 100)

    response = client.get(URL, {"q": "05", "limit": 3})

    assert codes(response) == ["05.24.11.000", "05.24.11.001", "05.24.11.002"]


def test_a_query_that_matches_nothing_gives_an_empty_list(client, batumi):
    response = client.get(URL, {"q": "nowhere street"})

    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_retired_parcels_are_not_found(client, batumi):
    make_parcel(batumi, "05.24.11.001", 100, 100, valid_to=date(2024, 6, 1))

    assert codes(client.get(URL, {"q": "05.24.11.001"})) == []


@pytest.mark.parametrize(
    ("params", "parameter", "code"),
    [
        ({}, "q", "required"),
        ({"q": ""}, "q", "required"),
        ({"q": "   "}, "q", "required"),
        ({"q": "05", "limit": "abc"}, "limit", "not_an_integer"),
        ({"q": "05", "limit": "0"}, "limit", "too_small"),
        ({"q": "05", "limit": "101"}, "limit", "too_large"),
        ({"q": "05", "municipality": "XYZ"}, "municipality", "unknown"),
    ],
)
def test_bad_search_parameters_are_refused_naming_them(client, batumi, params, parameter, code):
    response = client.get(URL, params)

    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert response.json()["code"] == code


@pytest.mark.parametrize("number_of_parcels", [1, 8])
@pytest.mark.parametrize("query", ["05.24", "Sea"])
def test_a_search_takes_one_query_however_many_parcels_match(
    client, batumi, django_assert_num_queries, number_of_parcels, query
):
    for n in range(number_of_parcels):
        make_parcel(batumi, f"05.24.11.{n:03d}", 30 * n, 100, address_en=f"{n} Sea St")

    with django_assert_num_queries(1):
        response = client.get(URL, {"q": query})

    assert len(response.json()["results"]) == number_of_parcels
