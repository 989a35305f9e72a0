"""Reference numbers count per municipality and year; the municipality comes from the location."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from cases import calendar, services
from cases.models import Status
from tests.cases.factories import applicant, draft_case, point_in


def test_references_count_per_municipality_and_year(service, batumi, rustavi):
    year = calendar.today().year
    first = draft_case(service=service, municipality=batumi)
    second = draft_case(service=service, municipality=batumi)
    other = draft_case(service=service, municipality=rustavi)
    assert first.reference == f"BTM-{year}-000001"
    assert second.reference == f"BTM-{year}-000002"
    assert other.reference == f"RST-{year}-000001"


def test_another_year_starts_its_own_count(batumi):
    assert services._reference_next(municipality=batumi, year=2025) == "BTM-2025-000001"
    assert services._reference_next(municipality=batumi, year=2026) == "BTM-2026-000001"
    assert services._reference_next(municipality=batumi, year=2025) == "BTM-2025-000002"


def test_the_municipality_is_the_one_whose_boundary_covers_the_location(service, batumi, rustavi):
    case = draft_case(service=service, municipality=rustavi)
    assert case.municipality == rustavi
    assert case.status == Status.DRAFT
    assert list(case.status_changes.values_list("to_status", flat=True)) == [Status.DRAFT]


def test_a_location_outside_every_municipality_is_refused(service, batumi):
    outside = Point(300000, 4650000, srid=settings.SRID_STORAGE)
    with pytest.raises(ValidationError, match="does not lie within one municipality"):
        services.case_create(service=service, applicant=applicant(), location=outside)


def test_a_location_that_contradicts_the_given_municipality_is_refused(service, batumi, rustavi):
    with pytest.raises(ValidationError, match="lies in"):
        services.case_create(
            service=service, applicant=applicant(), location=point_in(batumi), municipality=rustavi
        )


def test_a_service_without_a_place_takes_the_given_municipality(service, rustavi):
    case = services.case_create(service=service, applicant=applicant(), municipality=rustavi)
    assert case.reference.startswith("RST-")
    assert case.location is None


def test_geojson_in_wgs84_is_accepted_as_location(service, batumi):
    lonlat = point_in(batumi).transform(4326, clone=True)
    geojson = {"type": "Point", "coordinates": [lonlat.x, lonlat.y]}
    case = services.case_create(service=service, applicant=applicant(), location=geojson)
    assert case.municipality == batumi
    assert case.location.srid == settings.SRID_STORAGE
