"""Class I needs no permit (with the rule that says so); class V goes to the national agency."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import Polygon

from permits.compliance import PASS, WARNING, compliance_check
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.permits.factories import ZoneFactory

X, Y = BATUMI_ORIGIN[0] + 1000, BATUMI_ORIGIN[1] + 1000


def rect(width, depth) -> Polygon:
    polygon = Polygon.from_bbox((X, Y, X + width, Y + depth))
    polygon.srid = settings.SRID_STORAGE
    return polygon


@pytest.fixture
def site(batumi):
    ZoneFactory(municipality=batumi)
    return multi(square(X, Y, 20))


def test_a_class_i_shed_needs_no_permit_and_says_which_rule(site):
    report = compliance_check(
        site=site, footprint=rect(6, 8), floors=1, height_m=4, building_class="I"
    )

    rule = report.rule("class_i")
    assert rule.status == PASS
    assert "no construction permit" in rule.message.en
    assert "Resolution 255" in rule.message.en
    assert report.outcome == "no_permit_needed"


def test_a_small_building_without_a_class_is_recognised_as_class_i(site):
    report = compliance_check(site=site, footprint=rect(5, 10), floors=1, height_m=4.5)

    assert report.rule("class_i").status == PASS
    assert report.outcome == "no_permit_needed"


def test_a_building_said_to_be_class_i_but_too_big_needs_a_permit(site):
    report = compliance_check(
        site=site, footprint=rect(8, 10), floors=1, height_m=4, building_class="I"
    )

    assert report.rule("class_i").status == WARNING
    assert report.outcome == "needs_review"


def test_class_v_is_referred_to_the_national_agency(site):
    report = compliance_check(
        site=site, footprint=rect(10, 10), floors=2, height_m=6, building_class="V"
    )

    rule = report.rule("class_v")
    assert "Technical and Construction Supervision Agency" in rule.message.en
    assert "ტექნიკური და სამშენებლო ზედამხედველობის სააგენტო" in rule.message.ka
    assert report.outcome == "national_agency"
