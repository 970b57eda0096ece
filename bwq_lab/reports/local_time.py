"""Local days and months in SQL, one helper for both databases.

Figures count at local time (Asia/Shanghai): a session belongs to the local day and month of its
start, a batch to those of its first delivery. Instants are stored as UTC (``UTCDateTime``), so
the period's filter is a pair of UTC bounds (index-friendly), and only grouping by day or month
converts in SQL:

- PostgreSQL: ``(col AT TIME ZONE 'Asia/Shanghai')::date`` (any zone of the tz database).
- SQLite: ``date(col, '+480 minutes')``: a fixed offset. Asia/Shanghai has kept +08:00 since 1991
  (no daylight saving), so this is exact; a zone whose offset changes inside the period is refused
  (``ValueError``) rather than counted wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, String, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement


def utc_bounds(first_day: date, last_day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[first_day 00:00, last_day + 1 00:00)`` local, as UTC instants."""
    lo = datetime.combine(first_day, time(), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return lo, hi


def fixed_offset_minutes(tz: ZoneInfo, first_day: date, last_day: date) -> int:
    """The zone's offset in minutes if it is the same all through the period, else ``ValueError``."""
    offsets = set()
    for year in range(first_day.year, last_day.year + 1):
        for month in (1, 4, 7, 10):
            offsets.add(datetime(year, month, 1, 12, tzinfo=tz).utcoffset())
    offsets.add(datetime.combine(first_day, time(12), tzinfo=tz).utcoffset())
    offsets.add(datetime.combine(last_day, time(12), tzinfo=tz).utcoffset())
    if len(offsets) != 1:
        raise ValueError(f"{tz.key} changes its UTC offset in {first_day}..{last_day}; SQLite figures need a fixed one")
    return int(offsets.pop().total_seconds() // 60)


@dataclass(frozen=True)
class LocalCalendar:
    """Local day/month expressions for one dialect, zone and period."""

    dialect: str
    tz: ZoneInfo
    first_day: date
    last_day: date

    def _shift(self) -> ColumnElement:
        minutes = fixed_offset_minutes(self.tz, self.first_day, self.last_day)
        return _text(f"{minutes:+d} minutes")

    def _zone(self) -> ColumnElement:
        return _text(self.tz.key)

    def day(self, instant) -> ColumnElement:
        """The local day of a UTC instant column (a DATE on PostgreSQL, 'YYYY-MM-DD' on SQLite)."""
        if self.dialect == "postgresql":
            return cast(func.timezone(self._zone(), instant), Date)
        return func.date(instant, self._shift())

    def month(self, instant) -> ColumnElement:
        """'YYYY-MM' of the local day of a UTC instant column."""
        if self.dialect == "postgresql":
            return func.to_char(func.timezone(self._zone(), instant), _text("YYYY-MM"))
        return func.strftime(_text("%Y-%m"), instant, self._shift())

    def month_of_day(self, day_column) -> ColumnElement:
        """'YYYY-MM' of a DATE column that already holds a local day."""
        if self.dialect == "postgresql":
            return func.to_char(day_column, _text("YYYY-MM"))
        return func.strftime(_text("%Y-%m"), day_column)

    def plain_day(self, day_column) -> ColumnElement:
        """A DATE column that already holds a local day, typed like :meth:`day`'s result."""
        if self.dialect == "postgresql":
            return day_column
        return cast(day_column, String)


_SAFE = re.compile(r"^[A-Za-z0-9_/+%: -]+$")


def _text(value: str) -> ColumnElement:
    """A constant string written into the SQL itself (not a parameter): GROUP BY then sees the very
    expression of the SELECT list. Only zone names, formats and offsets, checked."""
    if not _SAFE.match(value):
        raise ValueError(f"not a safe SQL constant: {value!r}")
    return literal_column(f"'{value}'", String)


def minutes_between(dialect: str, start, end) -> ColumnElement:
    """Minutes from ``start`` to ``end`` (two UTC instant columns) as a number."""
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 60
    return (func.julianday(end) - func.julianday(start)) * literal_column("1440.0")
