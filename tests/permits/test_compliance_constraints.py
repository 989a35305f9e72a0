"""Constraints under the site or the footprint are listed with the areas they touch."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import Polygon

from permits.compliance import FAIL, WARNING, compliance_check
from permits.models import ConstraintKind
from tests.conftest import BATUMI_ORIGIN, multi, square
from tests.permits.factories import ConstraintFactory, ZoneFactory, monument

X, Y = BATUMI_ORIGIN[0] + 1000, BATUMI_ORIGIN[1] + 1000


def rect(x0, y0, x1, y1) -> Polygon:
    polygon = Polygon.from_bbox((x0, y0, x1, y1))
    polygon.srid = settings.SRID_STORAGE
    return polygon


@pytest.fixture
def site(batumi):
    ZoneFactory(municipality=batumi)
    return multi(square(X, Y, 20))


def check(site, footprint):
    return compliance_check(site=site, footprint=footprint, floors=2, height_m=6, green_area_m2=200)


def test_a_footprint_crossing_a_red_line_fails_with_the_area_on_public_land(batumi, site):
    # The street's strip covers the southern 4 m of the site; the footprint reaches 2 m into it.
    ConstraintFactory(
        municipality=batumi,
        kind=ConstraintKind.RED_LINE,
        name_en="Rustaveli Avenue",
        geom=multi(rect(X - 50, Y - 10, X + 50, Y + 4)),
    )

    report = check(site, rect(X + 5, Y + 2, X + 15, Y + 12))

    [hit] = report.constraints
    assert hit.kind == "red_line"
    assert hit.status == FAIL
    assert hit.site_area_m2 == 80
    assert hit.footprint_area_m2 == 20
    assert "crosses a red line" in hit.message.en
    assert report.outcome == "not_compliant"


def test_a_site_touching_a_red_line_with_the_footprint_clear_only_warns(batumi, site):
    ConstraintFactory(
        municipality=batumi,
        kind=ConstraintKind.RED_LINE,
        geom=multi(rect(X - 50, Y - 10, X + 50, Y + 4)),
    )

    report = check(site, rect(X + 5, Y + 6, X + 15, Y + 16))

    [hit] = report.constraints
    assert hit.status == WARNING
    assert hit.footprint_area_m2 == 0
    assert report.outcome == "needs_review"


def test_a_heritage_zone_warns_and_names_who_to_consult(batumi, site):
    # A 10 m monument 40 m east of the site: its 50 m circle reaches 10 m into the site.
    monument(batumi, x=X + 20 + 40, y=Y + 10, height_m=10, name="Clock tower")

    report = check(site, rect(X, Y, X + 10, Y + 10))

    [hit] = report.constraints
    assert hit.kind == "heritage_zone"
    assert hit.status == WARNING
    assert 0 < hit.site_area_m2 < 400
    assert hit.footprint_area_m2 == 0
    assert "National Agency for Cultural Heritage Preservation" in hit.message.en
    assert hit.geometry["type"] in ("Polygon", "MultiPolygon")


def test_a_protected_area_under_the_footprint_fails(batumi, site):
    ConstraintFactory(
        municipality=batumi, kind=ConstraintKind.PROTECTED_AREA, geom=multi(square(X, Y, 100))
    )

    report = check(site, rect(X, Y, X + 10, Y + 10))

    [hit] = report.constraints
    assert hit.status == FAIL
    assert hit.site_area_m2 == 400
    assert hit.footprint_area_m2 == 100


def test_a_flood_area_warns_with_its_area(batumi, site):
    ConstraintFactory(
        municipality=batumi,
        kind=ConstraintKind.FLOOD_AREA,
        geom=multi(rect(X + 10, Y, X + 40, Y + 40)),
    )

    report = check(site, rect(X, Y, X + 15, Y + 10))

    [hit] = report.constraints
    assert hit.status == WARNING
    assert hit.site_area_m2 == 200
    assert hit.footprint_area_m2 == 50


def test_constraints_that_only_touch_an_edge_or_lie_elsewhere_are_not_listed(batumi, site):
    ConstraintFactory(municipality=batumi, geom=multi(rect(X + 20, Y, X + 40, Y + 20)))
    ConstraintFactory(municipality=batumi, geom=multi(square(X + 500, Y + 500, 20)))

    report = check(site, rect(X, Y, X + 10, Y + 10))

    assert report.constraints == []


def test_without_a_footprint_constraints_are_measured_on_the_site(batumi, site):
    ConstraintFactory(
        municipality=batumi,
        kind=ConstraintKind.PROTECTED_AREA,
        geom=multi(square(X - 10, Y - 10, 100)),
    )

    report = compliance_check(
        site=site, footprint=None, footprint_area_m2=150, floors=2, height_m=6
    )

    [hit] = report.constraints
    assert hit.footprint_area_m2 is None
    assert hit.site_area_m2 == 400
    assert hit.status == FAIL
    assert report.rule("k1").value_m2 == 150
    assert report.rule("footprint_inside_site") is None
