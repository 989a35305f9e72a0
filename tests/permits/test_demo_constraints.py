"""The demo data brings monuments, red lines, a park and a flood strip to both cities."""

import pytest
from django.db import transaction
from django.db.models import Count

from fixtures.demo import load_demo
from permits.models import Constraint, ConstraintKind, Monument


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Both cities, loaded once for the module inside a transaction that is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(parcels_per_city=400)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_each_city_has_monuments_inside_it_with_their_protection_zones(demo):
    for code, expected in (("BTM", 4), ("RST", 3)):
        monuments = Monument.objects.filter(municipality__code=code).select_related("municipality")
        assert monuments.count() == expected
        for monument in monuments:
            assert monument.municipality.boundary.contains(monument.geom)
            assert monument.protection_zone.kind == ConstraintKind.HERITAGE_ZONE
    tower = Monument.objects.get(name_en="Alphabet Tower")
    assert tower.protection_radius_m == 260


def test_each_city_has_red_lines_a_protected_area_and_a_flood_area(demo):
    counts = {
        (row["municipality__code"], row["kind"]): row["n"]
        for row in Constraint.objects.values("municipality__code", "kind").annotate(n=Count("id"))
    }
    for code in ("BTM", "RST"):
        assert counts[(code, ConstraintKind.RED_LINE)] == 2
        assert counts[(code, ConstraintKind.FLOOD_AREA)] == 1
        assert counts.get((code, ConstraintKind.PROTECTED_AREA), 0) <= 1
    assert Constraint.objects.filter(kind=ConstraintKind.PROTECTED_AREA).exists()
    assert not Constraint.objects.exclude(source__startswith="demo").exists()
