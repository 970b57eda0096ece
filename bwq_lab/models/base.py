"""Shared column types."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, String, type_coerce
from sqlalchemy.types import NullType, TypeDecorator


@functools.lru_cache(maxsize=16384)
def _utc_from_text(value: str) -> datetime:
    """SQLite's stored text as an aware UTC instant. Cached: bookings sit on a grid, so a search
    reading tens of thousands of rows sees a few hundred distinct instants (datetimes are
    immutable, sharing them is safe); parsing was a third of a 2,000-instrument slot search."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def instant_from_db(value: str | datetime | None) -> datetime | None:
    """A UTC column's value as the driver returns it (SQLite: naive UTC text; PostgreSQL: an aware
    ``datetime``) as an aware UTC instant: what :class:`UTCDateTime` gives on reads, for rows read
    raw (``raw_instant``) and converted only where they are used."""
    if value is None:
        return None
    if isinstance(value, str):
        return _utc_from_text(value)
    if value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def raw_instant(column):
    """``column`` (a UTCDateTime) selected as the driver returns it, without converting each
    value on read: for reads of tens of thousands of rows of which few are used. Convert the
    values used with :func:`instant_from_db`."""
    return type_coerce(column, NullType()).label(column.key)


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant, always stored in UTC.

    PostgreSQL keeps it as ``timestamptz``. SQLite keeps text and compares it as text, so every
    value (rows and query parameters alike) is converted to naive UTC with microseconds before it
    is written: one format, no mixed offsets (see DESIGN.md, pitfalls).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a timezone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def result_processor(self, dialect, coltype):
        if dialect.name == "sqlite":
            # hot path (a slot search reads tens of thousands): the stored text is naive UTC
            return instant_from_db
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class StrEnumType(TypeDecorator):
    """A ``StrEnum`` stored as its value in a plain ``VARCHAR`` (no database enum type to migrate
    when a lifecycle gains a status). Reads give the enum member; writes accept the member or
    its value and refuse anything else."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[StrEnum], length: int = 20) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_class(value)

    def copy(self, **kw):
        return StrEnumType(self.enum_class, self.impl.length)
