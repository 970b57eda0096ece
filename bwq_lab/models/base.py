"""Shared column types, and objects made "as loaded" from rows read with Core (hot paths)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import DateTime, String, inspect, type_coerce
from sqlalchemy.orm import Session, make_transient_to_detached, scoped_session
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.types import NullType, TypeDecorator

M = TypeVar("M")


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


def as_loaded(session: Session, model: type[M], values: dict) -> M:
    """The ``model`` object of the row whose columns are ``values`` (attribute keys, the primary
    key among them), as if a query had just loaded it: persistent in ``session`` and clean; a
    column not in ``values`` is loaded when first read, relationships load lazily as usual. When
    the session already holds that row's object, that object, unchanged (as a query returns it).

    For hot paths that read or write a row with a Core statement: an ORM load of one row costs
    ~100-150 us of Python (compile state, row processors, loading); this costs a few."""
    mapper = inspect(model)
    key = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    held = session.identity_map.get(key)
    if held is not None:
        return held
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)  # as loaded: no pending INSERT, no history; the rest expired
    # what ``session.add`` does for a detached object, without its save-update cascade: the
    # object holds no related object to cascade to (its relationships are unloaded), and walking
    # every relationship of the mapper to find that out was half of this function's cost
    if isinstance(session, scoped_session):
        session = session()
    session._update_impl(instance_state(obj))
    return obj


def scalar_defaults(table) -> dict:
    """What a row of ``table`` stores in each column a Core INSERT does not name: the column's
    constant default, or NULL (the primary key and columns with a computed default left out: give
    those). For statements that must name every column (a data-modifying CTE)."""
    return {
        c.key: c.default.arg if c.default is not None else None
        for c in table.c
        if not c.primary_key and (c.default is None or c.default.is_scalar)
    }


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
