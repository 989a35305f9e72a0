"""Factories for the cadastre: small hand-made parcels in EPSG:32638 unless told otherwise."""

from __future__ import annotations

import datetime

import factory
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Polygon
from factory.django import DjangoModelFactory

from core.models import Municipality
from parcels.models import LandUse, Parcel
from tests.conftest import BATUMI_ORIGIN, multi, square


def default_municipality() -> Municipality:
    """Batumi as the `batumi` fixture draws it, made only when no test made it already."""
    x, y = BATUMI_ORIGIN
    municipality, _ = Municipality.objects.get_or_create(
        code="BTM",
        defaults={
            "name_ka": "ბათუმი",
            "name_en": "Batumi",
            "ocha_code": "GE1511",
            "boundary": multi(square(x, y, 4000)),
            "center_lon": 41.64,
            "center_lat": 41.64,
        },
    )
    return municipality


def parcel_square(municipality: Municipality, n: int, size: float = 20.0) -> MultiPolygon:
    """The n-th square of a grid inside the municipality's boundary, 30 m apart, EPSG:32638."""
    x0, y0, _, _ = municipality.boundary.extent
    x = x0 + 10 + (n % 100) * 30
    y = y0 + 10 + (n // 100 % 100) * 30
    return multi(square(x, y, size, srid=settings.SRID_STORAGE))


def _storage(geom) -> MultiPolygon:
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=geom.srid)
    if geom.srid is None:
        raise ValueError("ParcelFactory needs a geometry with its SRID stated.")
    if geom.srid != settings.SRID_STORAGE:
        geom = geom.transform(settings.SRID_STORAGE, clone=True)
    return geom


class ParcelFactory(DjangoModelFactory):
    """`ParcelFactory(municipality=..., geom=...)`: area_m2 is computed from the geometry, which
    may be a Polygon or MultiPolygon in any SRID that it states (it is stored in 32638)."""

    class Meta:
        model = Parcel

    cadastral_code = factory.Sequence(lambda n: f"05.24.{n // 1000 % 100:02d}.{n % 1000:03d}")
    municipality = factory.LazyFunction(default_municipality)
    geom = factory.LazyAttributeSequence(lambda o, n: parcel_square(o.municipality, n))
    area_m2 = factory.LazyAttribute(lambda o: _storage(o.geom).area)
    land_use = LandUse.RESIDENTIAL
    valid_from = datetime.date(2024, 1, 1)
    source = "factory"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        kwargs["geom"] = _storage(kwargs["geom"])
        return kwargs
