"""Report periods as whole local days: quarters (the instants that bound a period are
``reports.local_time.utc_bounds``)."""

from __future__ import annotations

from datetime import date, timedelta

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
