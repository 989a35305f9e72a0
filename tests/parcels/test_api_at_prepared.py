"""The point lookup runs one prepared statement and answers exactly what the serializer writes."""

from datetime import date

import pytest
from django.contrib.gis.geos import Point
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from parcels import selectors
from parcels.api import parcel_at, parcel_feature
from parcels.models import LandUse, Parcel, Zone
from parcels.serializers import ParcelFeatureSerializer
from tests.conftest import BATUMI_ORIGIN, multi, square


@pytest.fixture
def parcels(batumi):
    x, y = BATUMI_ORIGIN
    zone = Zone.objects.create(
        municipality=batumi,
        code="BTM-SZ-3",
        name_ka="ზონა",
        name_en="Zone",
        k1="0.60",
        k2="2.40",
        k3="0.25",
        max_height_m="24.0",
        geom=multi(square(x, y, 100)),
    )
    made = []
    for n, (dx, with_zone) in enumerate([(10, True), (50, False)]):
        geom = multi(square(x + dx, y + 10, 20))
        made.append(
            Parcel.objects.create(
                cadastral_code=f"05.24.11.00{n}",
                municipality=batumi,
                geom=geom,
                area_m2=geom.area,
                land_use=LandUse.COMMERCIAL,
                address_ka="მისამართი 1",
                address_en="1 Address Street",
                zone=zone if with_zone else None,
                valid_from=date(2024, 1, 1),
            )
        )
    return made


@pytest.mark.parametrize("language", ["ka", "en"])
def test_the_prepared_lookup_answers_like_the_serializer(parcels, language):
    for parcel in parcels:
        centre = parcel.geom.point_on_surface.transform(4326, clone=True)
        point = Point(centre.x, centre.y, srid=4326)
        with translation.override(language):
            expected = selectors.parcel_at(point, queryset=selectors.parcels_for_api())
            found = parcel_at(point)
            assert JSONRenderer().render(parcel_feature(found)) == JSONRenderer().render(
                ParcelFeatureSerializer(expected).data
            )


def test_no_parcel_at_a_point_outside_every_parcel(parcels):
    assert parcel_at(Point(41.0, 42.5, srid=4326)) is None


def test_the_view_costs_one_query(client, parcels, django_assert_num_queries):
    centre = parcels[0].geom.point_on_surface.transform(4326, clone=True)
    with django_assert_num_queries(1):
        response = client.get(f"/api/v1/parcels/at/?lon={centre.x}&lat={centre.y}")
    assert response.status_code == 200
    assert response.json()["id"] == parcels[0].cadastral_code
