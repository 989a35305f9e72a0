"""Factories for permits: zones, constraints and monuments on small hand-made shapes in EPSG:32638."""

from __future__ import annotations

import datetime

import factory
from django.conf import settings
from django.contrib.gis.geos import Point
from factory.django import DjangoModelFactory

from parcels.models import LandUse, Zone
from permits.models import Constraint, ConstraintKind
from permits.services import monument_save
from tests.conftest import multi, square
from tests.parcels.factories import default_municipality


class ZoneFactory(DjangoModelFactory):
    """A zone over the whole test municipality unless given a geometry: K-1 0.5, K-2 1.8."""

    class Meta:
        model = Zone

    municipality = factory.LazyFunction(default_municipality)
    code = factory.Sequence(lambda n: f"SZ-{n + 1}")
    name_ka = "საცხოვრებელი ზონა"
    name_en = "Residential zone"
    k1 = "0.50"
    k2 = "1.80"
    k3 = "0.30"
    max_height_m = "12.0"
    allowed_uses = factory.LazyFunction(lambda: [LandUse.RESIDENTIAL, LandUse.COMMERCIAL])
    geom = factory.LazyAttribute(lambda o: o.municipality.boundary)


class ConstraintFactory(DjangoModelFactory):
    class Meta:
        model = Constraint

    municipality = factory.LazyFunction(default_municipality)
    kind = ConstraintKind.FLOOD_AREA
    name_ka = factory.Sequence(lambda n: f"შეზღუდვა {n}")
    name_en = factory.Sequence(lambda n: f"Constraint {n}")
    consultee_ka = ""
    consultee_en = ""
    source = "factory"
    valid_from = datetime.date(2024, 1, 1)
    geom = factory.LazyAttribute(lambda o: multi(square(*o.municipality.boundary.extent[:2], 10)))


def monument(municipality, *, x: float, y: float, height_m: float, name: str = "Tower"):
    """A monument at (x, y) in EPSG:32638, saved through the service with its protection zone."""
    return monument_save(
        municipality=municipality,
        name_ka=name,
        name_en=name,
        height_m=height_m,
        geom=Point(x, y, srid=settings.SRID_STORAGE),
    )
