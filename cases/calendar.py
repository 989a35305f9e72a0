"""Working days: Monday to Friday, less Georgia's public holidays kept as data in
cases/data/holidays_ge.json (a calendar, not code: next year's dates are a data change).

Periods are counted the way the statutes count them: the day an application arrives is day 0,
the first working day after it is day 1, and the period ends on its last working day.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils import timezone

logger = logging.getLogger(__name__)

HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_ge.json"


@dataclass(frozen=True)
class Holiday:
    date: datetime.date
    name_en: str
    name_ka: str


@lru_cache(maxsize=1)
def holidays() -> dict[datetime.date, Holiday]:
    data = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    found = {}
    for row in data["holidays"]:
        day = datetime.date.fromisoformat(row["date"])
        found[day] = Holiday(day, row["name_en"], row["name_ka"])
    return found


@lru_cache(maxsize=1)
def known_years() -> frozenset[int]:
    return frozenset(day.year for day in holidays())


def _warn_unknown_year(day: datetime.date) -> None:
    if day.year not in known_years():
        logger.warning(
            "No public holidays are recorded for %s in %s; counting weekends only.",
            day.year,
            HOLIDAYS_FILE.name,
        )


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in holidays()


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted).

    With 0 days the answer is `start` when it is a working day, else the next working day.
    """
    if days < 0:
        raise ValueError("A period cannot be negative.")
    day = start
    if days == 0:
        while not is_working_day(day):
            day += datetime.timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    _warn_unknown_year(day)
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]: the days a clock paused on `start` and resumed on `end` lost."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def today() -> datetime.date:
    """Today in the portal's time zone (Asia/Tbilisi)."""
    return timezone.localdate()
