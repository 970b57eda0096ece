"""The figures' arithmetic outside SQL: opening hours of a period, months, running totals."""

from __future__ import annotations

from datetime import date

import pytest

from bwq_lab.domain import indicators

WEEKDAYS = [[d, "08:30", "12:00"] for d in range(5)] + [[d, "13:30", "17:30"] for d in range(5)]


def test_weekday_counts_of_november_2026():
    # 1 November 2026 is a Sunday: five Sundays and Mondays, four of every other day
    assert indicators.weekday_counts(date(2026, 11, 1), date(2026, 11, 30)) == (5, 4, 4, 4, 4, 4, 5)
    assert indicators.weekday_counts(date(2026, 11, 2), date(2026, 11, 1)) == (0,) * 7


@pytest.mark.parametrize(
    ("rows", "first", "last", "minutes"),
    [
        (WEEKDAYS, date(2026, 11, 1), date(2026, 11, 30), 450 * 21),
        (WEEKDAYS, date(2026, 11, 7), date(2026, 11, 8), 0),  # a weekend
        ([], date(2026, 11, 1), date(2026, 11, 1), 24 * 60),  # no opening hours: around the clock
        ([[5, "09:00", "24:00"]], date(2026, 11, 1), date(2026, 11, 30), 4 * 15 * 60),
        (WEEKDAYS, date(2026, 1, 1), date(2026, 12, 31), 450 * 261),  # 2026: 261 weekdays
    ],
)
def test_open_minutes(rows, first, last, minutes):
    assert indicators.open_minutes(rows, first, last) == minutes


def test_months_of_a_period_are_clipped_to_it():
    assert indicators.months(date(2026, 11, 15), date(2027, 1, 10)) == [
        ("2026-11", date(2026, 11, 15), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2027-01", date(2027, 1, 1), date(2027, 1, 10)),
    ]


def test_cumulative_and_unknown_months():
    assert indicators.cumulative([1, 0, 2, 5], known_months=3) == [1, 1, 3, None]


def test_hours_and_ratios():
    assert indicators.hours(390) == 6.5 and indicators.hours(None) == 0.0
    assert indicators.ratio(1, 3) == 0.333 and indicators.ratio(1, 0) is None
