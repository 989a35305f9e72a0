"""The compliance arithmetic on a hand-made 400 m² parcel in a zone with K-1 0.5, K-2 1.8, K-3 0.3.

Geometries are squares and rectangles in EPSG:32638 (metres), so every area is exact.
"""

import pytest
from django.conf import settings
from django.contrib.gis.geos import Polygon

from permits.compliance import FAIL, PASS, WARNING, compliance_check
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.permits.factories import ZoneFactory

X, Y = BATUMI_ORIGIN[0] + 1000, BATUMI_ORIGIN[1] + 1000


def rect(width: float, depth: float, x: float = X, y: float = Y) -> Polygon:
    polygon = Polygon.from_bbox((x, y, x + width, y + depth))
    polygon.srid = settings.SRID_STORAGE
    return polygon


@pytest.fixture
def site(batumi):
    ZoneFactory(municipality=batumi)
    return multi(square(X, Y, 20))  # 400 m²


def check(site, footprint, floors=1, **kwargs):
    return compliance_check(site=site, footprint=footprint, floors=floors, **kwargs)


def test_the_400_m2_parcel_allows_200_m2_of_footprint_and_720_m2_of_floor_area(site):
    report = check(site, rect(20, 10), floors=1)

    assert report.site_area_m2 == 400
    assert report.rule("k1").limit_m2 == 200
    assert report.rule("k2").limit_m2 == 720
    assert report.rule("k1").value == 0.5
    assert report.rule("k1").status == PASS


def test_a_210_m2_footprint_fails_k1(site):
    report = check(site, rect(20, 10.5))

    k1 = report.rule("k1")
    assert k1.value_m2 == 210
    assert k1.status == FAIL
    assert report.outcome == "not_compliant"
    assert "210" in k1.message.en and "200" in k1.message.en


def test_four_floors_of_180_m2_make_720_and_pass_k2(site):
    report = check(site, rect(18, 10), floors=4, height_m=12)

    assert report.floor_area_m2 == 720
    assert report.rule("k2").status == PASS


def test_five_floors_of_180_m2_make_900_and_fail_k2(site):
    report = check(site, rect(18, 10), floors=5, height_m=12)

    assert report.floor_area_m2 == 900
    assert report.rule("k2").status == FAIL


def test_incomplete_floors_count_half(site):
    # 3 full floors and 2 incomplete: 180 × 3 + 180 × 2 × 1/2 = 720.
    report = check(site, rect(18, 10), floors=5, incomplete_floors=2, height_m=12)

    assert report.floor_area_m2 == 720
    assert report.rule("k2").status == PASS


def test_attic_parts_over_1_6_m_count_three_quarters(site):
    # 4 floors of 170 m² = 680, and 50 m² of tall attic × 3/4 = 37.5: 717.5 passes.
    passing = check(site, rect(17, 10), floors=4, attic_area_over_1_6m=50, height_m=12)
    # 60 m² of attic × 3/4 = 45: 725 fails.
    failing = check(site, rect(17, 10), floors=4, attic_area_over_1_6m=60, height_m=12)

    assert passing.floor_area_m2 == 717.5
    assert passing.rule("k2").status == PASS
    assert failing.floor_area_m2 == 725
    assert failing.rule("k2").status == FAIL


def test_a_given_floor_area_is_used_as_it_is(site):
    report = check(site, rect(10, 10), floors=2, floor_area_m2=800, height_m=6)

    assert report.rule("k2").value_m2 == 800
    assert report.rule("k2").status == FAIL


def test_k3_needs_120_m2_of_green_on_400_m2(site):
    enough = check(site, rect(10, 10), floors=2, green_area_m2=120, height_m=6)
    too_little = check(site, rect(10, 10), floors=2, green_area_m2=119, height_m=6)

    assert enough.rule("k3").limit_m2 == 120
    assert enough.rule("k3").status == PASS
    assert too_little.rule("k3").status == FAIL


def test_k3_assumes_the_site_less_the_footprint_and_notes_it(site):
    report = check(site, rect(10, 10), floors=2, height_m=6)

    k3 = report.rule("k3")
    assert k3.value_m2 == 300
    assert k3.assumed
    # An assumption is a note below the result, not a warning over it.
    assert k3.status == PASS
    assert any("green area is assumed" in note.en for note in report.notes)
    assert report.outcome == "compliant"


def test_k3_fails_when_even_the_upper_bound_is_too_small(site):
    report = check(site, rect(20, 15), floors=1, height_m=3)  # 400 - 300 = 100 < 120

    assert report.rule("k3").status == FAIL


def test_height_defaults_to_three_metres_a_floor_and_says_so(site):
    four = check(site, rect(10, 10), floors=4, green_area_m2=200)
    five = check(site, rect(10, 10), floors=5, green_area_m2=200)

    assert four.rule("height").value == 12
    assert four.rule("height").assumed
    assert four.rule("height").status == PASS
    assert five.rule("height").value == 15
    assert five.rule("height").status == FAIL
    assert any("height is assumed" in note.en for note in four.notes)


def test_a_given_height_is_checked_against_the_zone(site):
    report = check(site, rect(10, 10), floors=2, height_m=12.5, green_area_m2=200)

    assert report.rule("height").status == FAIL
    assert report.rule("height").limit == 12


def test_all_rules_met_is_compliant(site):
    report = check(site, rect(10, 10), floors=3, height_m=10, green_area_m2=200)

    assert report.outcome == "compliant"
    assert {r.status for r in report.rules} == {PASS}


def test_a_footprint_outside_the_site_fails(site):
    report = check(site, rect(10, 10, x=X + 15), floors=2, height_m=6, green_area_m2=200)

    rule = report.rule("footprint_inside_site")
    assert rule.status == FAIL
    assert rule.value == 50


def test_the_use_must_be_allowed_in_the_zone(site):
    allowed = check(site, rect(10, 10), floors=2, height_m=6, use="residential")
    refused = check(site, rect(10, 10), floors=2, height_m=6, use="industrial")

    assert allowed.rule("use").status == PASS
    assert refused.rule("use").status == FAIL


def test_the_zone_covering_most_of_the_site_is_used_and_the_others_listed(batumi):
    ZoneFactory(municipality=batumi, code="A", k1="0.50", geom=multi(square(X, Y, 15)))
    other = multi(Polygon.from_bbox((X, Y + 15, X + 20, Y + 20)))
    other.srid = settings.SRID_STORAGE
    ZoneFactory(municipality=batumi, code="B", k1="0.90", geom=multi(square(X, Y + 15, 20)))
    site = multi(square(X, Y, 20))

    report = check(site, rect(5, 5), floors=1, height_m=3)

    assert [z.code for z in report.zones] == ["A", "B"]
    assert report.zone.code == "A"
    assert report.rule("zone").status == WARNING
    assert "A (56%)" in report.rule("zone").message.en


def test_without_a_zone_the_k_rules_are_not_checked(batumi):
    report = check(multi(square(X, Y, 20)), rect(10, 10), floors=1, height_m=3)

    assert report.zone is None
    assert report.rule("zone").status == WARNING
    assert report.rule("k1") is None
