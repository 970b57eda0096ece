"""Service lines: one row per service given, for the reports that list them (the quarterly
carrier report lists a provider's, an enterprise's statement its own).

A line is
- a **session** (台次) for each completed booking, on the local day it started; its minutes are the
  effective use (check-in to check-out) when both were recorded, else the booked time; its fee
  from the booking's fee snapshot;
- a **batch** (批次) for each lab-service order delivered for the first time in the period
  (``first_delivered_at``: a re-test after reopening is not listed again); its samples and the
  order's fee snapshot;
- a **service record** on its day (consultation, training, …): its minutes and content; no fee
  snapshot, but the amount actually paid under a cooperation agreement, when one was signed.
These are the rows the figures count as sessions, batches and service records
(``bwq_lab.reports.figures``), so a listing's line counts agree with the summary's.

Read-side only: no Flask, the time zone handed in. One query per kind over indexed columns (the
period as two UTC instants, or two dates for records), rows read as plain tuples.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bwq_lab.domain.booking_lifecycle import BookingStatus
from bwq_lab.models import Booking, Enterprise, Instrument, LabService, Provider, ServiceOrder
from bwq_lab.models.reports import ServiceRecord, Staff, service_record_staff
from bwq_lab.reports.local_time import utc_bounds

SESSION, BATCH, RECORD = "session", "batch", "record"
LINE_KINDS = (SESSION, BATCH, RECORD)  # the order of lines within one day


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs ~5x (the busiest quarter has 15,000)
class Line:
    kind: str  # session | batch | record
    id: int  # the booking's, order's or record's id
    day: date  # local day
    provider: str
    provider_en: str
    enterprise: str  # "" for a session or batch without an enterprise (a provider's own people)
    uscc: str
    item: str  # instrument or lab-service name (zh); for a record, its kind code
    item_en: str
    minutes: int | None  # sessions and records
    samples: int | None  # batches
    content: str  # purpose / sample description / record content
    project_code: str  # the enterprise's R&D project ("" = none)
    fee_fen: int | None  # the fee snapshot (sessions and batches)
    paid_fen: int | None  # paid under a signed cooperation agreement (records)
    staff: tuple[str, ...]  # names

    @property
    def hours(self) -> float | None:
        return None if self.minutes is None else round(self.minutes / 60, 2)


@dataclass(frozen=True)
class Sums:
    """What a group of lines adds up to (a totals or subtotal row)."""

    lines: int
    sessions: int
    batches: int
    records: int
    minutes: int
    samples: int
    fee_fen: int
    paid_fen: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


def sums(lines: list[Line]) -> Sums:
    count: dict[str, int] = defaultdict(int)
    for line in lines:
        count[line.kind] += 1
    return Sums(
        lines=len(lines),
        sessions=count[SESSION],
        batches=count[BATCH],
        records=count[RECORD],
        minutes=sum(line.minutes or 0 for line in lines),
        samples=sum(line.samples or 0 for line in lines),
        fee_fen=sum(line.fee_fen or 0 for line in lines),
        paid_fen=sum(line.paid_fen or 0 for line in lines),
    )


def service_lines(
    session: Session,
    first_day: date,
    last_day: date,
    *,
    tz: ZoneInfo,
    provider_id: int | None = None,
    enterprise_id: int | None = None,
) -> list[Line]:
    """Every line of one provider or one enterprise (exactly one of them) in whole local days
    ``first_day..last_day``, sorted by day, kind (sessions, batches, records) and id."""
    if (provider_id is None) == (enterprise_id is None):
        raise ValueError("give a provider_id or an enterprise_id")
    start, end = utc_bounds(first_day, last_day, tz)
    lines = [
        *_sessions(session, start, end, tz, provider_id, enterprise_id),
        *_batches(session, start, end, tz, provider_id, enterprise_id),
        *_records(session, first_day, last_day, provider_id, enterprise_id),
    ]
    order = {kind: n for n, kind in enumerate(LINE_KINDS)}
    lines.sort(key=lambda line: (line.day, order[line.kind], line.id))
    return lines


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _who() -> tuple:
    """The columns every line has: provider and enterprise names (joined by the caller)."""
    return (
        Provider.name.label("provider"),
        Provider.name_en.label("provider_en"),
        Enterprise.name.label("enterprise"),
        Enterprise.uscc.label("uscc"),
    )


def _line(kind: str, row, day: date, minutes: int | None, **values) -> Line:
    return Line(
        kind=kind,
        id=row.id,
        day=day,
        provider=row.provider,
        provider_en=row.provider_en or row.provider,
        enterprise=row.enterprise or "",
        uscc=row.uscc or "",
        item=row.item,
        item_en=row.item_en or row.item,
        minutes=minutes,
        content=row.content or "",
        project_code=row.project or "",
        **values,
    )


def _sessions(session, start, end, tz, provider_id, enterprise_id) -> list[Line]:
    query = (
        select(
            Booking.id,
            Booking.start_at,
            Booking.end_at,
            Booking.checked_in_at,
            Booking.checked_out_at,
            Booking.purpose.label("content"),
            Booking.project_code.label("project"),
            Booking.fee_fen,
            Instrument.name.label("item"),
            Instrument.name_en.label("item_en"),
            Staff.name.label("staff"),
            *_who(),
        )
        .join(Instrument, Instrument.id == Booking.instrument_id)
        .join(Provider, Provider.id == Instrument.provider_id)
        .outerjoin(Enterprise, Enterprise.id == Booking.enterprise_id)
        .outerjoin(Staff, Staff.id == Booking.staff_id)
        .where(Booking.status == BookingStatus.COMPLETED, Booking.start_at >= start, Booking.start_at < end)
        .where(Instrument.provider_id == provider_id if provider_id else Booking.enterprise_id == enterprise_id)
    )
    lines = []
    for row in session.execute(query):
        used = row.checked_in_at is not None and row.checked_out_at is not None
        minutes = _minutes(row.checked_in_at, row.checked_out_at) if used else _minutes(row.start_at, row.end_at)
        lines.append(
            _line(
                SESSION,
                row,
                row.start_at.astimezone(tz).date(),
                minutes,
                samples=None,
                fee_fen=row.fee_fen,
                paid_fen=None,
                staff=(row.staff,) if row.staff else (),
            )
        )
    return lines


def _batches(session, start, end, tz, provider_id, enterprise_id) -> list[Line]:
    query = (
        select(
            ServiceOrder.id,
            ServiceOrder.first_delivered_at,
            ServiceOrder.samples,
            ServiceOrder.sample_description.label("content"),
            ServiceOrder.project_code.label("project"),
            ServiceOrder.fee_fen,
            LabService.name.label("item"),
            LabService.name_en.label("item_en"),
            Staff.name.label("staff"),
            *_who(),
        )
        .join(LabService, LabService.id == ServiceOrder.service_id)
        .join(Provider, Provider.id == ServiceOrder.provider_id)
        .outerjoin(Enterprise, Enterprise.id == ServiceOrder.enterprise_id)
        .outerjoin(Staff, Staff.id == ServiceOrder.staff_id)
        .where(ServiceOrder.first_delivered_at >= start, ServiceOrder.first_delivered_at < end)
        .where(ServiceOrder.provider_id == provider_id if provider_id else ServiceOrder.enterprise_id == enterprise_id)
    )
    return [
        _line(
            BATCH,
            row,
            row.first_delivered_at.astimezone(tz).date(),
            None,
            samples=row.samples,
            fee_fen=row.fee_fen,
            paid_fen=None,
            staff=(row.staff,) if row.staff else (),
        )
        for row in session.execute(query)
    ]


def _records(session, first_day, last_day, provider_id, enterprise_id) -> list[Line]:
    where = [ServiceRecord.day >= first_day, ServiceRecord.day <= last_day]
    if provider_id is not None:
        where.append(ServiceRecord.provider_id == provider_id)
    else:
        where.append(ServiceRecord.enterprise_id == enterprise_id)
    rows = session.execute(
        select(
            ServiceRecord.id,
            ServiceRecord.day,
            ServiceRecord.kind.label("item"),
            ServiceRecord.kind.label("item_en"),
            ServiceRecord.minutes,
            ServiceRecord.content,
            ServiceRecord.project_code.label("project"),
            ServiceRecord.agreement_signed,
            ServiceRecord.paid_fen,
            *_who(),
        )
        .join(Provider, Provider.id == ServiceRecord.provider_id)
        .join(Enterprise, Enterprise.id == ServiceRecord.enterprise_id)
        .where(*where)
    ).all()
    staff = _staff_of_records(session, where)
    return [
        _line(
            RECORD,
            row,
            row.day,
            row.minutes,
            samples=None,
            fee_fen=None,
            paid_fen=row.paid_fen if row.agreement_signed else None,
            staff=staff.get(row.id, ()),
        )
        for row in rows
    ]


def _staff_of_records(session, where) -> dict[int, tuple[str, ...]]:
    """Staff names of the records matching ``where``, in staff order: driven from the records'
    own index into the link table's primary key (record_id, staff_id)."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(ServiceRecord.id, Staff.name)
        .join(service_record_staff, service_record_staff.c.record_id == ServiceRecord.id)
        .join(Staff, Staff.id == service_record_staff.c.staff_id)
        .where(*where)
        .order_by(ServiceRecord.id, Staff.id)
    )
    for record_id, name in rows:
        names[record_id].append(name)
    return {k: tuple(v) for k, v in names.items()}
