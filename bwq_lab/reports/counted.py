"""The figures counted directly from the rows (sessions, batches, service records), per any
grouping: the frame of a count (dialect, scope, period, grouping), the SQL of each kind of row
and its aggregates, the median approval time and the opening hours.

``figures.summary`` counts from here the groupings finer than the rollup's key (instrument,
instrument category, service kind, service, record kind), and always the median approval time
and the opening hours (no rollup can hold them); the tests count every figure from here too, as
the oracle the rollup (``reports.rolled``) is checked against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, case, cast, func, literal_column, or_, select, text, tuple_, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bwq_lab.domain import indicators
from bwq_lab.models import Booking, Enterprise, Instrument, LabService, Provider, ServiceOrder, ServiceRecord
from bwq_lab.models.reports import PROVINCIAL_PROJECT_PAID_FEN, service_record_staff
from bwq_lab.reports.local_time import LocalCalendar, minutes_between, utc_bounds
from bwq_lab.reports.scope import Scope

COMPLETED, NO_SHOW = "completed", "no_show"


# ------------------------------------------------------------------------------------ the frame
@dataclass(frozen=True)
class Frame:
    """One count's circumstances: the database dialect, scope, period (local and UTC) and grouping."""

    dialect: str
    scope: Scope
    first_day: date
    last_day: date
    tz: ZoneInfo
    group_by: str | None = None
    #: count only these groups (a ranking's candidates; groupings counted from the rows only)
    keys: tuple | None = None

    @property
    def calendar(self) -> LocalCalendar:
        return LocalCalendar(self.dialect, self.tz, self.first_day, self.last_day)

    @property
    def bounds(self):
        return utc_bounds(self.first_day, self.last_day, self.tz)

    def regrouped(self, group_by: str | None) -> Frame:
        return Frame(self.dialect, self.scope, self.first_day, self.last_day, self.tz, group_by)


#: PostgreSQL's memory for one hash or sort of a report (the default 4 MB spills a year's distinct
#: visits to disk; a spilling parallel hash aggregate took minutes on a busy two-core machine)
REPORT_WORK_MEM = "64MB"


def tune(session: Session) -> None:
    """Give this transaction's report queries enough memory to hash and sort in memory (PostgreSQL;
    ``SET LOCAL`` ends with the transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


_PROVIDER_OF = {
    "sessions": Instrument.provider_id,
    "approvals": Instrument.provider_id,
    "opening": Instrument.provider_id,
    "batches": ServiceOrder.provider_id,
    "records": ServiceRecord.provider_id,
}
_ENTERPRISE_OF = {
    "sessions": Booking.enterprise_id,
    "approvals": Booking.enterprise_id,
    "batches": ServiceOrder.enterprise_id,
    "records": ServiceRecord.enterprise_id,
}
_PROVIDER_COLUMN = {"provider_kind": Provider.kind, "city": Provider.city_id, "county": Provider.region_id}
NOT_APPLICABLE = object()
#: the one key of a count without grouping (no GROUP BY: one row, even over no rows)
NO_KEY = literal_column("0")


def grouped(query: Select, *names: str, keyed: bool = True) -> Select:
    """GROUP BY the select's own output columns, by name (PostgreSQL and SQLite both allow it),
    so that an expression with parameters is not repeated with new ones; ``group_key`` only when
    ``keyed``. A count without any grouping column stays one aggregate row."""
    columns = (["group_key"] if keyed else []) + list(names)
    return query.group_by(*(literal_column(name) for name in columns)) if columns else query


def group_key(frame: Frame, source: str):
    """The grouping's key for a kind of row, NO_KEY without a grouping, or NOT_APPLICABLE."""
    by, calendar = frame.group_by, frame.calendar
    if by is None:
        return NO_KEY
    if by == "provider":
        return _PROVIDER_OF[source]
    if by in _PROVIDER_COLUMN:
        return _PROVIDER_COLUMN[by]
    if by == "instrument" and source in ("sessions", "approvals", "opening"):
        return Instrument.id
    if by == "instrument_category" and source in ("sessions", "approvals", "opening"):
        return Instrument.category
    if by == "service_kind" and source == "batches":
        return LabService.kind
    if by == "service" and source == "batches":
        return ServiceOrder.service_id
    if by == "record_kind" and source == "records":
        return ServiceRecord.kind
    if by == "enterprise_category" and source != "opening":
        return Enterprise.category
    if by == "month":
        return {
            "sessions": lambda: calendar.month(Booking.start_at),
            "approvals": lambda: calendar.month(Booking.decided_at),
            "batches": lambda: calendar.month(ServiceOrder.first_delivered_at),
            "records": lambda: calendar.month_of_day(ServiceRecord.day),
            "opening": lambda: NOT_APPLICABLE,  # opening hours are split by month in Python
        }[source]()
    return NOT_APPLICABLE


def applies(frame: Frame, source: str) -> bool:
    if source == "opening" and frame.scope.level == "enterprise":
        return False  # an enterprise opens no instruments: its utilisation means nothing
    if source == "opening" and frame.group_by == "month":
        return True
    return group_key(frame, source) is not NOT_APPLICABLE


def based(frame: Frame, source: str, *columns) -> Select:
    """``SELECT columns FROM <the source's rows> [JOIN what the scope and grouping need] WHERE
    <inside the scope>`` (the period filter is the caller's)."""
    needs_provider = frame.scope.level in ("city", "county") or frame.group_by in _PROVIDER_COLUMN
    needs_enterprise = frame.group_by == "enterprise_category"
    if source in ("sessions", "approvals"):
        query = select(*columns).select_from(Booking).join(Instrument, Instrument.id == Booking.instrument_id)
    elif source == "opening":
        query = select(*columns).select_from(Instrument)
    elif source == "batches":
        query = select(*columns).select_from(ServiceOrder)
        if frame.group_by == "service_kind":
            query = query.join(LabService, LabService.id == ServiceOrder.service_id)
    else:
        query = select(*columns).select_from(ServiceRecord)
    if needs_provider:
        query = query.join(Provider, Provider.id == _PROVIDER_OF[source])
    if needs_enterprise and source != "opening":
        query = query.outerjoin(Enterprise, Enterprise.id == _ENTERPRISE_OF[source])
    return query.where(*scope_filter(frame.scope, source))


def scope_filter(scope: Scope, source: str) -> list:
    if scope.level == "province":
        return []
    if scope.level == "city":
        return [Provider.city_id == scope.id]
    if scope.level == "county":
        return [Provider.region_id == scope.id]
    if scope.level == "provider":
        return [_PROVIDER_OF[source] == scope.id]
    return [_ENTERPRISE_OF[source] == scope.id]


def in_period(frame: Frame, source: str) -> list:
    lo, hi = frame.bounds
    if source == "sessions":
        return [Booking.status.in_((COMPLETED, NO_SHOW)), Booking.start_at >= lo, Booking.start_at < hi]
    if source == "approvals":
        return [Booking.decided_at >= lo, Booking.decided_at < hi, Booking.decided_at > Booking.created_at]
    if source == "batches":
        return _long(frame, [ServiceOrder.first_delivered_at >= lo, ServiceOrder.first_delivered_at < hi])
    if source == "records":
        return _long(frame, [ServiceRecord.day >= frame.first_day, ServiceRecord.day <= frame.last_day])
    raise ValueError(source)


#: a period at least this long is read from the whole table on SQLite (below)
LONG_PERIOD_DAYS = 90


def _long(frame: Frame, bounds: list) -> list:
    """SQLite reads a long period's batches and records of an area by reading the table through,
    not the index on their day: rows of any one day are scattered across the table, and a range of a
    year of them through the index took 5-10 times longer (0.25 s against 2.3 s for the records of
    the bench's year). ``likely()`` tells the planner each bound keeps most rows."""
    if frame.dialect != "sqlite" or (frame.last_day - frame.first_day).days < LONG_PERIOD_DAYS:
        return bounds
    if frame.scope.level in ("provider", "enterprise"):  # their own (provider or enterprise, day) index
        return bounds
    return [func.likely(bound) for bound in bounds]


# ------------------------------------------------------------------------------ the aggregates
def sum_if(condition, value) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=None)), 0)


def _aggregate(session: Session, frame: Frame, source: str, *columns) -> dict:
    """``{group key: row of columns}`` over the source's rows in the period and scope."""
    raw = group_key(frame, source)
    query = based(frame, source, raw.label("group_key"), *columns).where(*in_period(frame, source))
    if frame.keys is not None:
        query = query.where(raw.in_(frame.keys))
    return {row.group_key: row for row in session.execute(grouped(query, keyed=raw is not NO_KEY))}


def completed_sessions(session: Session, frame: Frame) -> dict:
    """``{group key: completed sessions}`` of the groups with any (a ranking's first key)."""
    raw = group_key(frame, "sessions")
    query = based(frame, "sessions", raw.label("group_key"), func.count().label("n"))
    query = query.where(*in_period(frame, "sessions"), Booking.status == COMPLETED)
    return {row.group_key: row.n for row in session.execute(grouped(query))}


def leaders(counts: dict, top: int) -> tuple | None:
    """The groups that can rank among the ``top`` by ``counts``: every group with at least as many
    as the ``top``-th has, ties included; None when there are no more than ``top`` groups (all of
    them can)."""
    if len(counts) <= top:
        return None
    least = sorted(counts.values(), reverse=True)[top - 1]
    return tuple(key for key, n in counts.items() if n >= least)


def session_sums(session: Session, frame: Frame) -> dict:
    completed = Booking.status == COMPLETED
    used = and_(completed, Booking.checked_in_at.is_not(None), Booking.checked_out_at.is_not(None))
    external = or_(
        Booking.price_tier == "external", and_(Booking.price_tier.is_(None), Booking.enterprise_id.is_not(None))
    )
    effective = minutes_between(frame.dialect, Booking.checked_in_at, Booking.checked_out_at)
    return _aggregate(
        session,
        frame,
        "sessions",
        sum_if(completed, 1).label("sessions"),
        sum_if(Booking.status == NO_SHOW, 1).label("no_shows"),
        func.coalesce(func.sum(minutes_between(frame.dialect, Booking.start_at, Booking.end_at)), 0).label("booked"),
        sum_if(used, effective).label("effective"),
        sum_if(and_(used, external), effective).label("external"),
        sum_if(and_(completed, Booking.price_tier == "internal"), Booking.fee_fen).label("revenue_internal"),
        sum_if(and_(completed, Booking.price_tier == "external"), Booking.fee_fen).label("revenue_external"),
    )


def batch_sums(session: Session, frame: Frame) -> dict:
    return _aggregate(
        session,
        frame,
        "batches",
        func.count().label("batches"),
        func.coalesce(func.sum(ServiceOrder.samples), 0).label("samples"),
        sum_if(ServiceOrder.price_tier == "internal", ServiceOrder.fee_fen).label("revenue_internal"),
        sum_if(ServiceOrder.price_tier == "external", ServiceOrder.fee_fen).label("revenue_external"),
    )


def record_sums(session: Session, frame: Frame) -> dict:
    signed = ServiceRecord.agreement_signed.is_(True)
    return _aggregate(
        session,
        frame,
        "records",
        func.count().label("records"),
        func.coalesce(func.sum(ServiceRecord.minutes), 0).label("minutes"),
        sum_if(signed, 1).label("agreements"),
        sum_if(signed, ServiceRecord.paid_fen).label("paid"),
        sum_if(and_(signed, ServiceRecord.paid_fen >= PROVINCIAL_PROJECT_PAID_FEN), 1).label("projects"),
        func.coalesce(func.sum(ServiceRecord.results_count), 0).label("results"),
    )


SERVICES = ("sessions", "batches", "records")


def _service_rows(frame: Frame, name: str, columns: dict[str, tuple]):
    """UNION ALL over the services in the period (completed sessions, first deliveries, service
    records) of ``(group_key, *columns[source])``; None when no kind of service applies."""
    parts = []
    for source in SERVICES:
        if not applies(frame, source):
            continue
        query = based(frame, source, group_key(frame, source).label("group_key"), *columns[source])
        if source == "records" and name == "staffed":
            query = query.join(service_record_staff, service_record_staff.c.record_id == ServiceRecord.id)
        query = query.where(*in_period(frame, source))
        if source == "sessions":
            query = query.where(Booking.status == COMPLETED)
        parts.append(query)
    if not parts:
        return None
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery(name)


def served(frame: Frame):
    """Every service in the period as ``(group_key, enterprise_id, provider_id, day)``, ``day``
    local: the rows the distinct figures (enterprises, 家次, providers) count."""
    calendar = frame.calendar

    def columns(enterprise, provider, day) -> tuple:
        return enterprise.label("enterprise_id"), provider.label("provider_id"), day.label("day")

    return _service_rows(
        frame,
        "served",
        {
            "sessions": columns(Booking.enterprise_id, Instrument.provider_id, calendar.day(Booking.start_at)),
            "batches": columns(
                ServiceOrder.enterprise_id, ServiceOrder.provider_id, calendar.day(ServiceOrder.first_delivered_at)
            ),
            "records": columns(
                ServiceRecord.enterprise_id, ServiceRecord.provider_id, calendar.plain_day(ServiceRecord.day)
            ),
        },
    )


def staffed(frame: Frame):
    """``(group_key, staff_id)`` of every staff member on a service in the period (sessions and
    batches name one, a service record any number); ``staff_id`` may be NULL."""
    return _service_rows(
        frame,
        "staffed",
        {
            "sessions": (Booking.staff_id.label("staff_id"),),
            "batches": (ServiceOrder.staff_id.label("staff_id"),),
            "records": (service_record_staff.c.staff_id.label("staff_id"),),
        },
    )


#: the key of the whole frame's row beside its groups (``with_total``)
TOTAL = "__total__"


def _with_total(session: Session, base, aggregates, with_total: bool, total_aggregates=None) -> dict:
    """``{group key: row of aggregates}`` over ``base`` (a CTE with ``group_key``), and with
    ``with_total`` also ``{TOTAL: row}`` (of ``total_aggregates``, by default the same) over all of
    it, in one statement reading ``base`` once."""
    per_group = select(literal_column("0").label("whole"), base.c.group_key, *aggregates).group_by(base.c.group_key)
    whole = select(literal_column("1"), literal_column("NULL"), *(total_aggregates or aggregates))
    query = union_all(per_group, whole) if with_total else per_group
    return {TOTAL if row.whole else row.group_key: row for row in session.execute(query)}


def _materialized(query, name: str, reused: bool):
    """A CTE, computed once even when two SELECTs read it (PostgreSQL 12+, SQLite 3.35+)."""
    cte = query.cte(name)
    return cte.prefix_with("MATERIALIZED") if reused else cte


def participation(session: Session, frame: Frame, with_total: bool = False) -> dict:
    """Per group: 家次 (distinct enterprise, provider, day), distinct enterprises and providers."""
    rows = served(frame)
    if rows is None:
        return {}
    visits = select(rows.c.group_key, rows.c.enterprise_id, rows.c.provider_id, rows.c.day).distinct()
    return _count_visits(session, visits, with_total)


def _count_visits(session: Session, visits: Select, with_total: bool) -> dict:
    """家次, distinct enterprises and providers per group over distinct visits ``(group_key,
    enterprise_id, provider_id, ...)``."""
    visits = _materialized(visits, "visits", with_total)
    aggregates = (
        func.count(visits.c.enterprise_id).label("visits"),
        func.count(visits.c.enterprise_id.distinct()).label("enterprises"),
        func.count(visits.c.provider_id.distinct()).label("providers"),
    )
    return _with_total(session, visits, aggregates, with_total)


def staff(session: Session, frame: Frame, with_total: bool = False) -> dict:
    rows = staffed(frame)
    if rows is None:
        return {}
    # (group, staff) pairs first: hashing them is cheaper than sorting every row for COUNT(DISTINCT)
    pairs = select(rows.c.group_key, rows.c.staff_id).where(rows.c.staff_id.is_not(None))
    return count_people(session, pairs.group_by(rows.c.group_key, rows.c.staff_id), with_total)


def count_people(session: Session, pairs: Select, with_total: bool) -> dict:
    """Distinct staff per group over distinct ``(group_key, staff_id)`` pairs."""
    people = _materialized(pairs, "people", with_total)
    found = _with_total(
        session,
        people,
        (func.count().label("staff"),),
        with_total,
        total_aggregates=(func.count(people.c.staff_id.distinct()).label("staff"),),
    )
    return {key: row.staff for key, row in found.items()}


def median_approval(session: Session, frame: Frame, with_total: bool = False) -> dict:
    """Median minutes from a booking request to its decision, over the decisions taken in the
    period that a person took later than the request (not the bookings created approved); per
    group, and with ``with_total`` also over all of them (``TOTAL``), in one statement."""
    waited = minutes_between(frame.dialect, Booking.created_at, Booking.decided_at)
    raw = group_key(frame, "approvals")
    key = raw.label("group_key")
    keyed = raw is not NO_KEY
    both = with_total and keyed
    if frame.dialect == "postgresql":
        median = func.percentile_cont(0.5).within_group(waited).label("m")
        if both:  # the groups and the total in one pass (no bound parameter in ``raw``: safe to repeat)
            whole = func.grouping(raw).label("whole")
            query = based(frame, "approvals", key, whole, median).where(*in_period(frame, "approvals"))
            rows = session.execute(query.group_by(func.grouping_sets(tuple_(raw), tuple_())))
            return {TOTAL if row.whole else row.group_key: float(row.m) for row in rows if row.m is not None}
        query = based(frame, "approvals", key, median).where(*in_period(frame, "approvals"))
        return {
            row.group_key: float(row.m) for row in session.execute(grouped(query, keyed=keyed)) if row.m is not None
        }
    # SQLite (no percentile function): the middle row(s) of each group, and of all of them, by
    # ordered windows over the decisions, read once
    decisions = based(frame, "approvals", key, waited.label("minutes")).where(*in_period(frame, "approvals"))
    decisions = decisions.cte("decisions").prefix_with("MATERIALIZED") if both else decisions.cte("decisions")
    middles = []
    for whole in (False, True) if both else (not keyed,):
        by = None if whole else decisions.c.group_key
        ranked = select(
            decisions.c.group_key,
            decisions.c.minutes,
            func.row_number().over(partition_by=by, order_by=decisions.c.minutes).label("n"),
            func.count().over(partition_by=by).label("size"),
        ).subquery()
        middle = or_(ranked.c.n == (ranked.c.size + 1) // 2, ranked.c.n == (ranked.c.size + 2) // 2)
        flag = literal_column("1" if whole else "0").label("whole")
        group = NO_KEY if whole else ranked.c.group_key
        middles.append(
            select(flag, group.label("group_key"), func.avg(ranked.c.minutes).label("m"))
            .where(middle)
            .group_by(*([] if whole else [ranked.c.group_key]))
        )
    query = union_all(*middles) if len(middles) > 1 else middles[0]
    found = {}
    for row in session.execute(query):
        if row.m is not None:
            found[TOTAL if row.whole and keyed else row.group_key] = float(row.m)
    return found


def opening_minutes(session: Session, frame: Frame) -> dict:
    """Open minutes per group: the instruments created by the end of the period (and not retired),
    each open from the period's start (or its creation day) by its weekly opening hours."""
    if not applies(frame, "opening"):
        return {}
    lo, hi = frame.bounds
    by_month = frame.group_by == "month"
    raw = NO_KEY if by_month else group_key(frame, "opening")
    key = raw.label("group_key")
    policy = cast(Instrument.opening_hours, String).label("policy")
    since = case((Instrument.created_at < lo, None), else_=frame.calendar.day(Instrument.created_at)).label("since")
    query = based(frame, "opening", key, policy, since, func.count().label("n")).where(
        Instrument.created_at < hi, Instrument.status != "retired"
    )
    if frame.keys is not None and raw is not NO_KEY:
        query = query.where(raw.in_(frame.keys))
    query = grouped(query, "policy", "since", keyed=raw is not NO_KEY)
    periods = indicators.months(frame.first_day, frame.last_day) if by_month else [(0, frame.first_day, frame.last_day)]
    out: dict = {}
    for row in session.execute(query):
        rows = _policy(row.policy)
        start = _as_date(row.since) if row.since is not None else frame.first_day
        for period_key, first, last in periods:
            group = period_key if by_month else row.group_key
            out[group] = out.get(group, 0) + row.n * _open_minutes(rows, max(first, start), last)
    return out


@lru_cache(maxsize=4096)
def _open_minutes(rows: tuple, first_day: date, last_day: date) -> int:
    """``indicators.open_minutes``, once per policy and period (an instrument ranking asks it for
    thousands of instruments sharing a handful of policies)."""
    return indicators.open_minutes(rows, first_day, last_day)


@lru_cache(maxsize=4096)
def _policy(text: str | None) -> tuple:
    rows = json.loads(text) if text else []
    return tuple(tuple(r) for r in rows or [])


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
