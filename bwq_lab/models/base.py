"""Shared column types."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator


@functools.lru_cache(maxsize=16384)
def _utc_from_text(value: str) -> datetime:
    """SQLite's stored text as an aware UTC instant. Cached: bookings sit on a grid, so a search
    reading tens of thousands of rows sees a few hundred distinct instants (datetimes are
    immutable, sharing them is safe); parsing was a third of a 2,000-instrument slot search."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


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
            parse = _utc_from_text

            def process(value):
                if value is None:
                    return None
                if isinstance(value, str):
                    return parse(value)
                return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

            return process
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
