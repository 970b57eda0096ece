"""Report periods as whole local days: quarters, years, and the instants that bound them.

Pure: the time zone is handed in. A period ``[first_day, last_day]`` (inclusive) covers the
instants ``[start of first_day, start of the day after last_day)`` in that zone, so a query on a
UTC column compares against two instants and keeps using its index."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

QUARTERS = (1, 2, 3, 4)


def quarter_days(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a calendar quarter (Q1 = January to March)."""
    if quarter not in QUARTERS:
        raise ValueError(f"quarter must be 1..4, not {quarter!r}")
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of a day."""
    return day.year, (day.month - 1) // 3 + 1


def previous_quarter(day: date) -> tuple[int, int]:
    """The quarter before the one ``day`` is in: the one a provider reports at the start of a quarter."""
    year, quarter = quarter_of(day)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def instants(first_day: date, last_day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC ``[start, end)`` of the local days ``first_day..last_day`` inclusive."""
    start = datetime.combine(first_day, time(0), tz).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end
