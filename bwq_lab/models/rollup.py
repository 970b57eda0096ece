"""The figures' rollup: what was served, per (enterprise, provider, local day), kept exact by the
write paths (``bwq_lab.operations.rollup``) so a year's figures add pre-computed keys instead of
hashing every session, batch and service record with its local day computed per row.

Derived data only: ``operations.rollup.rebuild`` makes both tables again from the source rows
(``flask --app app bwq rebuild-rollup``). No foreign keys: a key's rows are deleted and
re-inserted from the sources whenever one of its source rows changes.

Each row also carries what the figures group and scope by (:class:`Grouped`): the local ``month``
of its day, its provider's city, county and kind, its enterprise's category. So a summary by any
of them is one scan of one table, no join and no date function per row. They are copies, kept by
the same write paths: a provider moved to another city or county (or of another kind), an
enterprise of another category, has its rows' copies updated in the same transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Float, Index, String
from sqlalchemy.orm import Mapped, declarative_mixin, mapped_column

from bwq_lab.extensions import db


@declarative_mixin
class Grouped:
    """The key (enterprise, provider, local day) and the copies of what the figures group by."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column()  # None: internal users' sessions and batches
    provider_id: Mapped[int] = mapped_column()
    day: Mapped[date] = mapped_column(Date)  # the local day (TIMEZONE)
    month: Mapped[str] = mapped_column(String(7))  # "YYYY-MM" of ``day``
    city_id: Mapped[int] = mapped_column()  # the provider's
    county_id: Mapped[int] = mapped_column()  # the provider's region (its county)
    provider_kind: Mapped[str] = mapped_column(String(30))
    enterprise_category: Mapped[str | None] = mapped_column(String(30))  # None without an enterprise


@declarative_mixin
class SessionSums:
    """What completed and no-show sessions add up to."""

    sessions: Mapped[int] = mapped_column(default=0)  # completed
    no_shows: Mapped[int] = mapped_column(default=0)
    booked_minutes: Mapped[float] = mapped_column(Float, default=0)  # completed and no-shows
    effective_minutes: Mapped[float] = mapped_column(Float, default=0)
    external_minutes: Mapped[float] = mapped_column(Float, default=0)
    session_internal_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    session_external_fen: Mapped[int] = mapped_column(BigInteger, default=0)


@declarative_mixin
class BatchSums:
    """What batches (at their first delivery) add up to."""

    batches: Mapped[int] = mapped_column(default=0)
    samples: Mapped[int] = mapped_column(default=0)
    batch_internal_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    batch_external_fen: Mapped[int] = mapped_column(BigInteger, default=0)


@declarative_mixin
class RecordSums:
    """What service records add up to."""

    records: Mapped[int] = mapped_column(default=0)
    record_minutes: Mapped[int] = mapped_column(BigInteger, default=0)
    agreements: Mapped[int] = mapped_column(default=0)
    agreements_paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    provincial_projects: Mapped[int] = mapped_column(default=0)
    results: Mapped[int] = mapped_column(default=0)


def _names(mixin) -> tuple[str, ...]:
    return tuple(name for name in mixin.__dict__ if not name.startswith("_"))


SESSION_SUMS, BATCH_SUMS, RECORD_SUMS = _names(SessionSums), _names(BatchSums), _names(RecordSums)


@declarative_mixin
class Sums(SessionSums, BatchSums, RecordSums):
    """The sums the figures need, per key (``ServiceDay``) or per provider and month (``ServiceMonth``)."""

    services: Mapped[int] = mapped_column(default=0)  # completed sessions + batches + records


#: every sum, in column order
SUMS: tuple[str, ...] = ("services", *SESSION_SUMS, *BATCH_SUMS, *RECORD_SUMS)


class ServiceDay(Grouped, Sums, db.Model):
    """One (enterprise, provider, local day) with any counted row: completed or no-show sessions
    at their local start, batches at their first delivery, service records on their day, and the
    sums the figures need. ``services`` > 0 (a completed session, a batch or a record) makes it a
    visit (家次) when it has an enterprise; a key of no-shows only is not one."""

    __tablename__ = "service_days"
    __table_args__ = (
        # ``services`` in the key's index: a provider's first served day is read from it alone
        Index("ix_service_days_key", "provider_id", "day", "enterprise_id", "services"),
        Index("ix_service_days_day", "day"),
        Index("ix_service_days_enterprise_day", "enterprise_id", "day"),
        Index("ix_service_days_city_day", "city_id", "day"),
        Index("ix_service_days_county_day", "county_id", "day"),
        Index("ix_service_days_month_day", "month", "day"),  # SQLite groups by month in its order
    )


class ServiceDayStaff(Grouped, db.Model):
    """A staff member who delivered a service of the key (enterprise, provider, local day): the
    staff of completed sessions, of batches and of service records, once per key."""

    __tablename__ = "service_day_staff"
    __table_args__ = (
        Index("ix_service_day_staff_key", "provider_id", "day", "enterprise_id"),
        Index("ix_service_day_staff_day", "day"),
        Index("ix_service_day_staff_city_day", "city_id", "day"),
        Index("ix_service_day_staff_county_day", "county_id", "day"),
        Index("ix_service_day_staff_month_day", "month", "day"),
        Index("ix_service_day_staff_staff_day", "staff_id", "day"),  # a staff member's month (area_members)
    )

    staff_id: Mapped[int] = mapped_column()


# ------------------------------------------------------------- derived from the two tables above
@declarative_mixin
class ProviderMonth:
    """One provider's local month, with the copies of the provider's city, county and kind (kept
    like ``Grouped``'s)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column()
    month: Mapped[str] = mapped_column(String(7))
    city_id: Mapped[int] = mapped_column()
    county_id: Mapped[int] = mapped_column()
    provider_kind: Mapped[str] = mapped_column(String(30))


class ServiceMonth(ProviderMonth, Sums, db.Model):
    """One (provider, local month) of ``service_days``: the sums of the provider's keys of that
    month and its 家次 (``visits``: keys with a service and an enterprise). Whole months of a
    provider, a county, a city or the province add up these rows (12 per provider a year) instead
    of every key; a provider served in the month when ``services`` > 0."""

    __tablename__ = "service_months"
    __table_args__ = (
        Index("ix_service_months_key", "provider_id", "month", unique=True),
        Index("ix_service_months_month", "month"),
    )

    visits: Mapped[int] = mapped_column(default=0)


def _item_indexes(table: str) -> tuple:
    """A provider's month (recomputed together), and an area's months (read together)."""
    return (
        Index(f"ix_{table}_provider_month", "provider_id", "month"),
        Index(f"ix_{table}_month", "month"),
        Index(f"ix_{table}_city_month", "city_id", "month"),
        Index(f"ix_{table}_county_month", "county_id", "month"),
    )


class InstrumentMonth(ProviderMonth, SessionSums, db.Model):
    """One instrument's completed and no-show sessions of a local month (at their local start):
    a summary grouped by instrument over whole months adds up these rows, not the sessions."""

    __tablename__ = "instrument_months"
    __table_args__ = _item_indexes("instrument_months")

    instrument_id: Mapped[int] = mapped_column()


class LabServiceMonth(ProviderMonth, BatchSums, db.Model):
    """One lab service's batches first delivered in a local month."""

    __tablename__ = "lab_service_months"
    __table_args__ = _item_indexes("lab_service_months")

    service_id: Mapped[int] = mapped_column()


class RecordKindMonth(ProviderMonth, RecordSums, db.Model):
    """A provider's service records of one kind in a local month."""

    __tablename__ = "record_kind_months"
    __table_args__ = _item_indexes("record_kind_months")

    kind: Mapped[str] = mapped_column(String(30))


class AreaMember(db.Model):
    """An enterprise served (a provider that served, a staff member who delivered) in an area in a
    period: one row per (kind, member, period, area) with the first local day of the period the
    member was seen there. ``period`` is a local month ("YYYY-MM") or a year ("YYYY"); the area is the province
    (``level`` "province", ids 0), a city or a county (``city_id``: the county's city). So the
    distinct enterprises, providers or staff of an area in a month, or from 1 January (or a month's first day)
    up to any day, are a COUNT of rows (``first_day`` <= that day), not a distinct count over
    every key. Rows of enterprises and providers come from served keys of ``service_days``, of
    staff from ``service_day_staff`` (``operations.rollup_months``)."""

    __tablename__ = "area_members"
    __table_args__ = (
        Index("ix_area_members_area", "kind", "level", "period", "city_id", "area_id", "first_day"),
        Index("ix_area_members_member", "kind", "member_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "enterprise" | "provider" | "staff"
    member_id: Mapped[int] = mapped_column()
    period: Mapped[str] = mapped_column(String(7))
    level: Mapped[str] = mapped_column(String(8))  # "province" | "city" | "county"
    area_id: Mapped[int] = mapped_column()
    city_id: Mapped[int] = mapped_column()
    first_day: Mapped[date] = mapped_column(Date)
