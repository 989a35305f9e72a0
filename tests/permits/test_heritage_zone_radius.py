"""A monument's protection zone: a circle of max(2 × height, 50 m), redrawn when it changes."""

import math

import pytest

from permits.models import Constraint, ConstraintKind
from permits.services import monument_save
from tests.conftest import BATUMI_ORIGIN
from tests.permits.factories import monument

X, Y = BATUMI_ORIGIN[0] + 2000, BATUMI_ORIGIN[1] + 2000


def radius_of(zone: Constraint) -> float:
    """The radius of a circle of this area (the polygon's area is within 0.2 % of the circle's)."""
    return math.sqrt(zone.geom.area / math.pi)


def test_a_20_m_monument_gets_the_minimum_of_50_m(batumi):
    tower = monument(batumi, x=X, y=Y, height_m=20)

    zone = Constraint.objects.get(monument=tower)
    assert zone.kind == ConstraintKind.HERITAGE_ZONE
    assert tower.protection_radius_m == 50
    assert radius_of(zone) == pytest.approx(50, rel=0.002)


def test_a_40_m_monument_gets_twice_its_height_80_m(batumi):
    tower = monument(batumi, x=X, y=Y, height_m=40)

    zone = Constraint.objects.get(monument=tower)
    assert tower.protection_radius_m == 80
    assert radius_of(zone) == pytest.approx(80, rel=0.002)
    assert zone.geom.centroid.distance(tower.geom) < 0.01


def test_the_zone_names_the_heritage_agency_to_consult(batumi):
    tower = monument(batumi, x=X, y=Y, height_m=10)

    zone = tower.protection_zone
    assert "Cultural Heritage" in zone.consultee_en
    assert zone.consultee_ka


def test_changing_the_height_redraws_the_same_zone(batumi):
    tower = monument(batumi, x=X, y=Y, height_m=20)
    zone_id = tower.protection_zone.pk

    monument_save(
        monument=tower,
        municipality=batumi,
        name_ka=tower.name_ka,
        name_en=tower.name_en,
        height_m=130,
        geom=tower.geom,
    )

    zone = Constraint.objects.get(monument=tower)
    assert zone.pk == zone_id
    assert radius_of(zone) == pytest.approx(260, rel=0.002)
    assert Constraint.objects.filter(kind=ConstraintKind.HERITAGE_ZONE).count() == 1
