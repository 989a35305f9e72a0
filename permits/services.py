"""Writes of the permits app: constraints, and monuments with their protection zones.

A monument's heritage protection zone is derived here, when the monument is saved, and stored
as a `Constraint` of kind heritage_zone: the compliance check then finds every constraint with
one indexed intersection over one table, the zone is a layer with tiles, OGC API items and
downloads like any other, and a planner can see and cite the very polygon that was checked.
Deriving it in each query (ST_DWithin against the monument with the radius as an expression)
would work for the check, but every tile and export would have to buffer again, and a zone
drawn by hand (a listed ensemble) could not sit beside the derived ones.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import transaction

from core.geometry import as_multipolygon
from core.models import Municipality
from permits.models import Constraint, ConstraintKind, Monument, heritage_radius_m

# Segments per quarter circle of a protection zone: the polygon's area is within 0.2 % of
# the circle's, and a zone stays a few dozen vertices.
CIRCLE_QUADRANT_SEGMENTS = 16
HERITAGE_CONSULTEE_KA = "საქართველოს კულტურული მემკვიდრეობის დაცვის ეროვნული სააგენტო"
HERITAGE_CONSULTEE_EN = "National Agency for Cultural Heritage Preservation of Georgia"


def _storage(geom: GEOSGeometry) -> GEOSGeometry:
    if geom.srid is None:
        raise ValueError("A geometry without an SRID cannot be stored; name it.")
    if geom.srid != settings.SRID_STORAGE:
        geom = geom.transform(settings.SRID_STORAGE, clone=True)
    return geom


def protection_zone_geometry(*, point: Point, height_m: float) -> MultiPolygon:
    """The circle of radius max(2 × height, 50 m) around the monument, in the storage SRID."""
    point = _storage(point)
    circle = point.buffer(heritage_radius_m(height_m), CIRCLE_QUADRANT_SEGMENTS)
    return MultiPolygon(circle, srid=settings.SRID_STORAGE)


@transaction.atomic
def constraint_create(
    *,
    municipality: Municipality,
    kind: str,
    name_ka: str,
    name_en: str,
    geom: GEOSGeometry,
    consultee_ka: str = "",
    consultee_en: str = "",
    source: str = "",
    valid_from: date | None = None,
) -> Constraint:
    """A constraint area; heritage zones of monuments are made by `monument_save` instead."""
    constraint = Constraint(
        municipality=municipality,
        kind=kind,
        name_ka=name_ka,
        name_en=name_en,
        geom=as_multipolygon(_storage(geom)),
        consultee_ka=consultee_ka,
        consultee_en=consultee_en,
        source=source,
        valid_from=valid_from or date.today(),
    )
    constraint.full_clean()
    constraint.save()
    return constraint


@transaction.atomic
def monument_save(
    *,
    municipality: Municipality,
    name_ka: str,
    name_en: str,
    height_m: float,
    geom: Point,
    source: str = "",
    valid_from: date | None = None,
    monument: Monument | None = None,
) -> Monument:
    """Create or change a monument, and (re)draw its heritage protection zone with it."""
    if monument is None:
        monument = Monument()
    monument.municipality = municipality
    monument.name_ka = name_ka
    monument.name_en = name_en
    monument.height_m = height_m
    monument.geom = _storage(geom)
    monument.source = source
    monument.full_clean()
    monument.save()

    zone = Constraint.objects.filter(monument=monument).first() or Constraint(monument=monument)
    zone.municipality = municipality
    zone.kind = ConstraintKind.HERITAGE_ZONE
    zone.name_ka = f"{name_ka}: დაცვის ზონა"
    zone.name_en = f"{name_en}: protection zone"
    zone.geom = protection_zone_geometry(point=monument.geom, height_m=float(monument.height_m))
    zone.consultee_ka = zone.consultee_ka or HERITAGE_CONSULTEE_KA
    zone.consultee_en = zone.consultee_en or HERITAGE_CONSULTEE_EN
    zone.source = source
    zone.valid_from = valid_from or zone.valid_from or date.today()
    zone.full_clean()
    zone.save()
    return monument
