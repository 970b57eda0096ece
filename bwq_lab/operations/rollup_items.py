"""The rollup's item tables (``models.rollup.InstrumentMonth``, ``LabServiceMonth``,
``RecordKindMonth``): per provider and local month, the sums of each instrument's sessions, each
lab service's batches and each kind of service record. Counted from the source rows (the day tables
do not know the item), and kept by ``operations.rollup`` beside the month tables: whenever keys are
refreshed, every item row of their (provider, month) is deleted and inserted again from the rows in
the same transaction (never incremented, so an item a row left — a booking moved to another
instrument of the provider — is recomputed too).

:func:`derive` recomputes given (provider, month) pairs; :func:`derive_all` everything
(``rollup.rebuild`` where the tables exist, the migration that made them).
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, insert, literal_column, select
from sqlalchemy.orm import Session

from bwq_lab.domain.indicators import month_bounds
from bwq_lab.models import Booking, Instrument, Provider, ServiceOrder, ServiceRecord
from bwq_lab.models.rollup import (
    BATCH_SUMS,
    RECORD_SUMS,
    SESSION_SUMS,
    InstrumentMonth,
    LabServiceMonth,
    RecordKindMonth,
)
from bwq_lab.operations.rollup_months import per_month
from bwq_lab.operations.rollup_sources import EVERYTHING, counted_rows
from bwq_lab.reports.local_time import LocalCalendar, utc_bounds

#: (table, the source rows it sums, the table's item column, the source's item column, its sums)
ITEMS = (
    (InstrumentMonth, "sessions", "instrument_id", Booking.instrument_id, SESSION_SUMS),
    (LabServiceMonth, "batches", "service_id", ServiceOrder.service_id, BATCH_SUMS),
    (RecordKindMonth, "records", "kind", ServiceRecord.kind, RECORD_SUMS),
)
_COPIES = ("provider_id", "month", "city_id", "county_id", "provider_kind")


def _in_month(source: str, month: str, providers: list[int], tz: ZoneInfo):
    """The source's rows of ``providers`` in ``month``: one index range per provider."""
    first, last = month_bounds(month)
    if source == "records":
        return and_(ServiceRecord.provider_id.in_(providers), ServiceRecord.day.between(first, last))
    lo, hi = utc_bounds(first, last, tz)
    if source == "sessions":
        return and_(Instrument.provider_id.in_(providers), Booking.start_at >= lo, Booking.start_at < hi)
    at = ServiceOrder.first_delivered_at
    return and_(ServiceOrder.provider_id.in_(providers), at >= lo, at < hi)


def _item_rows(calendar: LocalCalendar, source: str, item, sums: tuple[str, ...], *where):
    """The source's rows summed per (provider, local month, item), with the provider's copies."""
    rows = counted_rows(calendar.dialect, calendar)[source].add_columns(item.label("item")).where(*where)
    rows = rows.subquery("counted")
    month = calendar.month_of_day(rows.c.day).label("month")
    summed = (
        select(rows.c.provider_id, month, rows.c.item, *(func.sum(rows.c[name]).label(name) for name in sums))
        .group_by(rows.c.provider_id, literal_column("month"), rows.c.item)
        .subquery("summed")
    )
    return (
        select(
            summed.c.provider_id,
            summed.c.month,
            Provider.city_id,
            Provider.region_id,
            Provider.kind,
            summed.c.item,
            *(summed.c[name] for name in sums),
        )
        .join(Provider, Provider.id == summed.c.provider_id)
        .order_by(summed.c.month, summed.c.provider_id)
    )


def derive(session: Session, months: Iterable[tuple[int, str]], tz: ZoneInfo) -> None:
    """Recompute every item row of the (provider, month) ``months`` from the source rows."""
    connection = session.connection()
    dialect = connection.dialect.name
    for month, providers in per_month(months):
        calendar = LocalCalendar(dialect, tz, *month_bounds(month))
        for table, source, column, item, sums in ITEMS:
            connection.execute(delete(table).where(table.month == month, table.provider_id.in_(providers)))
            rows = _item_rows(calendar, source, item, sums, _in_month(source, month, providers, tz))
            connection.execute(insert(table).from_select([*_COPIES, column, *sums], rows))


def derive_all(session: Session, tz: ZoneInfo) -> None:
    """Empty the item tables and fill them again from every source row."""
    connection = session.connection()
    calendar = LocalCalendar(connection.dialect.name, tz, *EVERYTHING)
    for table, source, column, item, sums in ITEMS:
        connection.execute(delete(table))
        connection.execute(
            insert(table).from_select([*_COPIES, column, *sums], _item_rows(calendar, source, item, sums))
        )
