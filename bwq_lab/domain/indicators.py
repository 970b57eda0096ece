"""The arithmetic of the programme's figures that is not SQL: opening hours of a period (the
denominator of utilisation), hours from minutes, rates, months of a period, cumulative series.

Pure Python (no clock, no database): ``bwq_lab.reports`` counts rows with SQL aggregates and hands
the few numbers it gets here. docs/indicators.md gives every definition and its source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

#: minutes in a day an instrument with no opening hours is open (its policy says "around the clock")
WHOLE_DAY = 24 * 60


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def weekday_minutes(rows: Sequence[Sequence] | None) -> tuple[int, ...]:
    """Open minutes on each weekday (0 = Monday) from stored opening hours
    ``[[weekday, "HH:MM", "HH:MM"], ...]``; an empty policy is open around the clock."""
    if not rows:
        return (WHOLE_DAY,) * 7
    per_day = [0] * 7
    for weekday, start, end in rows:
        per_day[int(weekday)] += max(0, _minutes(end) - _minutes(start))
    return tuple(per_day)


def weekday_counts(first_day: date, last_day: date) -> tuple[int, ...]:
    """How many Mondays, Tuesdays, ... lie in ``[first_day, last_day]`` (0 each when empty)."""
    days = (last_day - first_day).days + 1
    if days <= 0:
        return (0,) * 7
    weeks, rest = divmod(days, 7)
    counts = [weeks] * 7
    for k in range(rest):
        counts[(first_day.weekday() + k) % 7] += 1
    return tuple(counts)


def open_minutes(rows: Sequence[Sequence] | None, first_day: date, last_day: date) -> int:
    """Minutes an instrument with these opening hours is open over whole days ``first..last``.

    Closures and maintenance are not subtracted: the national assessment's quota hours are a fixed
    denominator too, and utilisation compares use with what the policy offers."""
    per_day = weekday_minutes(rows)
    return sum(m * n for m, n in zip(per_day, weekday_counts(first_day, last_day), strict=True))


def hours(minutes: float | int | None) -> float:
    """Hours to one decimal place (the figures' unit for time)."""
    return round(float(minutes or 0) / 60, 1)


def ratio(part: float | int | None, whole: float | int | None, digits: int = 3) -> float | None:
    """``part / whole`` rounded, or None when there is nothing to divide by."""
    if not whole:
        return None
    return round(float(part or 0) / float(whole), digits)


def months(first_day: date, last_day: date) -> list[tuple[str, date, date]]:
    """The calendar months touching ``[first_day, last_day]``: ``("YYYY-MM", first, last)`` with
    each month clipped to the period."""
    out: list[tuple[str, date, date]] = []
    day = first_day
    while day <= last_day:
        key = month_key(day)
        end = min(last_day, month_bounds(key)[1])
        out.append((key, day, end))
        day = end + timedelta(days=1)
    return out


def month_bounds(key: str) -> tuple[date, date]:
    """The first and last day of the month ``"YYYY-MM"``."""
    first = date(int(key[:4]), int(key[5:7]), 1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def cumulative(per_month: Iterable[int], known_months: int) -> list[int | None]:
    """Running totals of twelve monthly counts; months from ``known_months`` on are None."""
    out: list[int | None] = []
    total = 0
    for index, value in enumerate(per_month):
        total += value
        out.append(total if index < known_months else None)
    return out
