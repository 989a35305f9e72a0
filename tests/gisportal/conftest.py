"""A zone and three parcels drawn by hand (EPSG:32638) for the portal's page tests."""

import datetime

import pytest

from parcels.models import LandUse, Parcel, Zone
from tests.conftest import BATUMI_ORIGIN, RUSTAVI_ORIGIN, multi, square


def make_parcel(municipality, code: str, x: float, y: float, size: float = 30.0, **fields):
    geom = multi(square(x, y, size))
    defaults = {
        "land_use": LandUse.RESIDENTIAL,
        "valid_from": datetime.date(2024, 1, 1),
        "address_ka": "",
        "address_en": "",
    }
    defaults.update(fields)
    return Parcel.objects.create(
        cadastral_code=code, municipality=municipality, geom=geom, area_m2=geom.area, **defaults
    )


@pytest.fixture
def zone(batumi) -> Zone:
    x, y = BATUMI_ORIGIN
    return Zone.objects.create(
        municipality=batumi,
        code="SZ-6",
        name_ka="საცხოვრებელი ზონა 6",
        name_en="Residential zone 6",
        k1="0.50",
        k2="1.80",
        k3="0.30",
        max_height_m="25.0",
        geom=multi(square(x, y, 1000)),
    )


@pytest.fixture
def parcels(batumi, rustavi, zone) -> dict[str, Parcel]:
    x, y = BATUMI_ORIGIN
    rx, ry = RUSTAVI_ORIGIN
    return {
        # 20 m × 20 m = 400 m²: with K-1 0.5 and K-2 1.8 a 200 m² footprint, 720 m² of floors.
        "rustaveli": make_parcel(
            batumi,
            "05.24.11.005",
            x + 100,
            y + 100,
            size=20.0,
            zone=zone,
            address_ka="რუსთაველის ქ. 12",
            address_en="Rustaveli St. 12",
            is_municipal_property=True,
        ),
        "gorgiladze": make_parcel(
            batumi,
            "05.24.11.006",
            x + 200,
            y + 100,
            land_use=LandUse.COMMERCIAL,
            address_ka="გორგილაძის ქ. 3",
            address_en="Gorgiladze St. 3",
        ),
        "kostava": make_parcel(
            rustavi,
            "02.07.03.011",
            rx + 100,
            ry + 100,
            address_ka="კოსტავას გამზ. 20",
            address_en="Kostava Ave. 20",
        ),
    }
