"""Helpers of the OGC API tests: a small grid of parcels in Batumi and temporary layers.

Geometries are squares in EPSG:32638 near BATUMI_ORIGIN: parcel i lies in row i // 10 and
column i % 10 of a grid with 40 m between corners; even parcels are 20 m squares (400 m²),
odd ones 15 m squares (225 m²). Land use cycles residential, commercial, green.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date

from django.core.cache import caches
from pyproj import Transformer

from layers.registry import Layer, Visibility, registry
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.parcels.factories import ParcelFactory

GRID_X = BATUMI_ORIGIN[0] + 100
GRID_Y = BATUMI_ORIGIN[1] + 100
STEP = 40.0
USES = (LandUse.RESIDENTIAL, LandUse.COMMERCIAL, LandUse.GREEN)
TO_LONLAT = Transformer.from_crs(32638, 4326, always_xy=True)


def parcel_grid(municipality, count: int = 30) -> list[Parcel]:
    parcels = []
    for i in range(count):
        size = 20.0 if i % 2 == 0 else 15.0
        x, y = GRID_X + (i % 10) * STEP, GRID_Y + (i // 10) * STEP
        parcels.append(
            ParcelFactory(
                municipality=municipality,
                cadastral_code=f"05.24.90.{i:03d}",
                geom=multi(square(x, y, size)),
                land_use=USES[i % 3],
                is_municipal_property=i % 5 == 0,
                valid_from=date(2024, 1 + i % 12, 1),
            )
        )
    return parcels


def row_ring_lonlat(row: int) -> list[tuple[float, float]]:
    """A ring (lon, lat) around the parcels of one row of the grid, 10 m clear of the others."""
    y0, y1 = GRID_Y + row * STEP - 10, GRID_Y + row * STEP + 30
    x0, x1 = GRID_X - 10, GRID_X + 10 * STEP
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    return [TO_LONLAT.transform(x, y) for x, y in corners]


def wkt_polygon(ring: list[tuple[float, float]]) -> str:
    return "POLYGON((" + ", ".join(f"{x:.8f} {y:.8f}" for x, y in ring) + "))"


def ids(response) -> list:
    body = response.json() if hasattr(response, "json") else json.loads(response)
    return [feature["id"] for feature in body["features"]]


def parcels_layer(name: str, **options) -> Layer:
    """A layer over the current parcels, declared here only for a test."""
    defaults = {
        "title_ka": "სატესტო ნაკვეთები",
        "title_en": "Test parcels",
        "queryset": lambda: Parcel.objects.current(),
        "properties": ("cadastral_code", "land_use", "area_m2"),
    }
    return Layer(name=name, **(defaults | options))


@contextmanager
def temporary_layer(layer: Layer):
    """Register a layer for one test and remove it after, as tests/layers/test_tiles.py does."""
    registry.register(layer)
    try:
        yield layer
    finally:
        registry.unregister(layer.name)


def staff_layer() -> Layer:
    return parcels_layer(
        "staff-parcels",
        title_en="Internal parcels",
        properties=("cadastral_code",),
        visibility=Visibility.STAFF,
    )


def clear_extent_cache() -> None:
    """Extents are cached by layer version; a test's rolled-back writes may reuse a version."""
    caches["local"].clear()
