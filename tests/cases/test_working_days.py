"""Working days skip weekends and Georgia's public holidays, which are data for 2025-2027."""

import datetime

from cases.calendar import add_working_days, holidays, is_working_day, working_days_between

D = datetime.date


def test_ten_working_days_from_the_friday_before_easter_week_skip_the_holidays():
    # 2026: 9 April (national unity), Good Friday 10, Holy Saturday 11, Easter 12 and 13 April.
    assert add_working_days(D(2026, 4, 3), 10) == D(2026, 4, 22)


def test_a_period_that_crosses_new_year_skips_the_first_two_days_of_january():
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 5)


def test_a_period_started_on_a_weekend_counts_from_monday():
    assert add_working_days(D(2026, 3, 14), 1) == D(2026, 3, 16)
    assert add_working_days(D(2026, 3, 14), 0) == D(2026, 3, 16)


def test_orthodox_easter_and_its_days_are_holidays_in_each_year():
    for easter in (D(2025, 4, 20), D(2026, 4, 12), D(2027, 5, 2)):
        for offset in (-2, -1, 0, 1):
            assert easter + datetime.timedelta(days=offset) in holidays()
    assert not is_working_day(D(2027, 5, 3))


def test_fixed_holidays_are_not_working_days():
    for month, day in [
        (1, 7),
        (1, 19),
        (3, 3),
        (3, 8),
        (4, 9),
        (5, 9),
        (5, 12),
        (5, 26),
        (8, 28),
        (10, 14),
        (11, 23),
    ]:
        assert D(2026, month, day) in holidays()
    assert not is_working_day(D(2026, 5, 26))  # a Tuesday


def test_working_days_between_counts_the_days_after_the_start_up_to_the_end():
    assert working_days_between(D(2026, 3, 4), D(2026, 3, 9)) == 3
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 4)) == 0
