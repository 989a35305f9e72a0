"""A Rustavi cycle for the tests of proposals: two districts with budgets and the city-wide one,
with the phases chained so that a chosen phase is open now."""

from __future__ import annotations

import datetime
import io

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from budgeting.models import PHASE_ORDER, Budget, Cycle, CyclePhase, Phase
from core.models import District
from tests.conftest import RUSTAVI_ORIGIN, multi, square

DAY = datetime.timedelta(days=1)


def districts(rustavi) -> tuple[District, District]:
    """West and east halves of the first half of Rustavi's square (x..x+4000, y..y+2000); the
    north half (y+2000..y+4000) is in no district."""
    x, y = RUSTAVI_ORIGIN
    west = District.objects.create(
        municipality=rustavi,
        code="west",
        name_ka="დასავლეთი",
        name_en="West",
        boundary=multi(square(x, y, 2000)),
        population=30000,
    )
    east = District.objects.create(
        municipality=rustavi,
        code="east",
        name_ka="აღმოსავლეთი",
        name_en="East",
        boundary=multi(square(x + 2000, y, 2000)),
        population=20000,
    )
    return west, east


def set_phase(cycle: Cycle, current: str | None) -> None:
    """Chain every phase a week long, the `current` one holding now (None: all in the future)."""
    CyclePhase.objects.filter(cycle=cycle).delete()
    now = timezone.now()
    index = PHASE_ORDER.index(current) if current else -1
    start = now - DAY * (7 * index + 1) if current else now + DAY
    for kind in PHASE_ORDER:
        CyclePhase.objects.create(
            municipality_id=cycle.municipality_id,
            cycle=cycle,
            kind=kind,
            starts_at=start,
            ends_at=start + 7 * DAY,
        )
        start += 7 * DAY
    # Drop the prefetched phases of callers that hold the cycle.
    if hasattr(cycle, "_prefetched_objects_cache"):
        cycle._prefetched_objects_cache.clear()


def make_cycle(rustavi, phase: str | None = Phase.ACCEPTING, slug: str = "2027") -> Cycle:
    found = {d.code: d for d in District.objects.filter(municipality=rustavi)}
    west, east = (found["west"], found["east"]) if "west" in found else districts(rustavi)
    cycle = Cycle.objects.create(
        municipality=rustavi, slug=slug, name_ka="რუსთავის ბიუჯეტი 2027", name_en="Rustavi 2027"
    )
    for district, amount in ((west, 300_000), (east, 200_000)):
        Budget.objects.create(
            municipality=rustavi,
            cycle=cycle,
            district=district,
            name_ka=district.name_ka,
            name_en=district.name_en,
            amount=amount,
            population=district.population,
        )
    Budget.objects.create(
        municipality=rustavi,
        cycle=cycle,
        name_ka="მთელი ქალაქი",
        name_en="Whole city",
        amount=500_000,
    )
    set_phase(cycle, phase)
    return cycle


def at(dx: float, dy: float) -> Point:
    x, y = RUSTAVI_ORIGIN
    return Point(x + dx, y + dy, srid=32638)


def lonlat(dx: float, dy: float) -> tuple[float, float]:
    point = at(dx, dy).transform(4326, clone=True)
    return point.x, point.y


def photo(name: str = "photo.png", kind: str = "PNG", size=(20, 10)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(buffer, format=kind)
    types = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=types[kind])
