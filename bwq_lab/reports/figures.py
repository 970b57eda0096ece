"""The programme's figures, defined once (docs/indicators.md is their prose twin).

``summary(session, scope, first_day, last_day, group_by=..., tz=...)`` counts every figure over
whole local days ``first_day..last_day`` inside a :class:`~bwq_lab.reports.scope.Scope`, in total
and per group. Everything is a SQL aggregate (COUNT, SUM, COUNT DISTINCT, a median); Python only
adds a handful of numbers, names the groups and computes the opening hours of the instruments'
distinct policies (``bwq_lab.domain.indicators``).

What is counted, from which rows (counted at local time, Asia/Shanghai):

- *sessions* (台次): bookings completed, at the local day of their start; *no-shows* likewise;
- *batches* (批次): lab-service orders by their first delivery (a re-test never counts again);
- *service records*: by their (local) day.

Groupings that do not apply to a kind of row leave it out: grouped by instrument there are no
batches or service records, by service kind only batches, by record kind only service records.
Their figures are ``None`` in such groups (not 0: nothing was counted).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, case, cast, func, literal_column, or_, select, text, tuple_, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bwq_lab.domain import catalogue as vocabulary
from bwq_lab.domain import indicators
from bwq_lab.models import Booking, Enterprise, Instrument, LabService, Provider, Region, ServiceOrder, ServiceRecord
from bwq_lab.models.reports import PROVINCIAL_PROJECT_PAID_FEN, service_record_staff
from bwq_lab.models.rollup import ServiceDay, ServiceDayStaff
from bwq_lab.refusals import Problem, Refusal
from bwq_lab.reports.local_time import LocalCalendar, minutes_between, utc_bounds
from bwq_lab.reports.scope import Scope

#: figure keys in display order
FIGURES: tuple[str, ...] = (
    "sessions",
    "booked_hours",
    "effective_hours",
    "external_hours",
    "sharing_rate",
    "utilisation",
    "no_shows",
    "no_show_rate",
    "median_approval_hours",
    "batches",
    "samples",
    "service_records",
    "service_hours",
    "enterprises",
    "enterprise_visits",
    "staff",
    "providers",
    "agreements",
    "agreements_paid_fen",
    "provincial_projects",
    "results",
    "revenue_internal_fen",
    "revenue_external_fen",
)
#: figures whose groups add up to the total when every row falls in exactly one group (grouped by
#: provider, provider kind, city, county or month). Hours are rounded per group: their sum may
#: differ from the total by the rounding.
ADDITIVE: frozenset[str] = frozenset(
    {
        "sessions",
        "booked_hours",
        "effective_hours",
        "external_hours",
        "no_shows",
        "batches",
        "samples",
        "service_records",
        "service_hours",
        "enterprise_visits",
        "agreements",
        "agreements_paid_fen",
        "provincial_projects",
        "results",
        "revenue_internal_fen",
        "revenue_external_fen",
    }
)
GROUPINGS: tuple[str, ...] = (
    "provider",
    "provider_kind",
    "city",
    "county",
    "instrument",
    "instrument_category",
    "service_kind",
    "service",
    "record_kind",
    "enterprise_category",
    "month",
)

# which kinds of row each figure is made of (a figure is None in a group where none applies)
_SOURCES = {
    "sessions": ("sessions",),
    "booked_hours": ("sessions",),
    "effective_hours": ("sessions",),
    "external_hours": ("sessions",),
    "sharing_rate": ("sessions",),
    "utilisation": ("opening",),
    "no_shows": ("sessions",),
    "no_show_rate": ("sessions",),
    "median_approval_hours": ("approvals",),
    "batches": ("batches",),
    "samples": ("batches",),
    "service_records": ("records",),
    "service_hours": ("records",),
    "enterprises": ("sessions", "batches", "records"),
    "enterprise_visits": ("sessions", "batches", "records"),
    "staff": ("sessions", "batches", "records"),
    "providers": ("sessions", "batches", "records"),
    "agreements": ("records",),
    "agreements_paid_fen": ("records",),
    "provincial_projects": ("records",),
    "results": ("records",),
    "revenue_internal_fen": ("sessions", "batches"),
    "revenue_external_fen": ("sessions", "batches"),
}

COMPLETED, NO_SHOW = "completed", "no_show"


@dataclass
class Group:
    key: int | str | None  # an id, a vocabulary code, or "YYYY-MM"; None: rows without one
    name: str  # Chinese name
    name_en: str
    figures: dict[str, int | float | None] = field(default_factory=dict)


@dataclass
class Summary:
    first_day: date
    last_day: date
    group_by: str | None
    totals: dict[str, int | float | None]
    groups: list[Group]
    scope: Scope | None = None


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


def make_frame(
    session: Session, scope: Scope, first_day: date, last_day: date, *, tz: ZoneInfo, group_by=None
) -> Frame:
    problems = []
    if group_by is not None and group_by not in GROUPINGS:
        problems.append(Problem("UNKNOWN_GROUPING", field="group_by", params={"group_by": group_by}))
    if first_day > last_day:
        problems.append(
            Problem(
                "PERIOD_REVERSED", field="to", params={"first": first_day.isoformat(), "last": last_day.isoformat()}
            )
        )
    if problems:
        raise Refusal(422, problems)
    return Frame(session.get_bind().dialect.name, scope, first_day, last_day, tz, group_by)


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
        return [ServiceOrder.first_delivered_at >= lo, ServiceOrder.first_delivered_at < hi]
    if source == "records":
        return [ServiceRecord.day >= frame.first_day, ServiceRecord.day <= frame.last_day]
    raise ValueError(source)


# ------------------------------------------------------------------------------ the aggregates
def _sum_if(condition, value) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=None)), 0)


def _aggregate(session: Session, frame: Frame, source: str, *columns) -> dict:
    """``{group key: row of columns}`` over the source's rows in the period and scope."""
    raw = group_key(frame, source)
    query = based(frame, source, raw.label("group_key"), *columns).where(*in_period(frame, source))
    return {row.group_key: row for row in session.execute(grouped(query, keyed=raw is not NO_KEY))}


def _sessions(session: Session, frame: Frame) -> dict:
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
        _sum_if(completed, 1).label("sessions"),
        _sum_if(Booking.status == NO_SHOW, 1).label("no_shows"),
        func.coalesce(func.sum(minutes_between(frame.dialect, Booking.start_at, Booking.end_at)), 0).label("booked"),
        _sum_if(used, effective).label("effective"),
        _sum_if(and_(used, external), effective).label("external"),
        _sum_if(and_(completed, Booking.price_tier == "internal"), Booking.fee_fen).label("revenue_internal"),
        _sum_if(and_(completed, Booking.price_tier == "external"), Booking.fee_fen).label("revenue_external"),
    )


def _batches(session: Session, frame: Frame) -> dict:
    return _aggregate(
        session,
        frame,
        "batches",
        func.count().label("batches"),
        func.coalesce(func.sum(ServiceOrder.samples), 0).label("samples"),
        _sum_if(ServiceOrder.price_tier == "internal", ServiceOrder.fee_fen).label("revenue_internal"),
        _sum_if(ServiceOrder.price_tier == "external", ServiceOrder.fee_fen).label("revenue_external"),
    )


def _records(session: Session, frame: Frame) -> dict:
    signed = ServiceRecord.agreement_signed.is_(True)
    return _aggregate(
        session,
        frame,
        "records",
        func.count().label("records"),
        func.coalesce(func.sum(ServiceRecord.minutes), 0).label("minutes"),
        _sum_if(signed, 1).label("agreements"),
        _sum_if(signed, ServiceRecord.paid_fen).label("paid"),
        _sum_if(and_(signed, ServiceRecord.paid_fen >= PROVINCIAL_PROJECT_PAID_FEN), 1).label("projects"),
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


def _participation(session: Session, frame: Frame, with_total: bool = False) -> dict:
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


def _staff(session: Session, frame: Frame, with_total: bool = False) -> dict:
    rows = staffed(frame)
    if rows is None:
        return {}
    # (group, staff) pairs first: hashing them is cheaper than sorting every row for COUNT(DISTINCT)
    pairs = select(rows.c.group_key, rows.c.staff_id).where(rows.c.staff_id.is_not(None))
    return _count_people(session, pairs.group_by(rows.c.group_key, rows.c.staff_id), with_total)


def _count_people(session: Session, pairs: Select, with_total: bool) -> dict:
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


def _median_approval(session: Session, frame: Frame, with_total: bool = False) -> dict:
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


def _opening_minutes(session: Session, frame: Frame) -> dict:
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
    query = grouped(query, "policy", "since", keyed=raw is not NO_KEY)
    periods = indicators.months(frame.first_day, frame.last_day) if by_month else [(0, frame.first_day, frame.last_day)]
    out: dict = {}
    for row in session.execute(query):
        rows = _policy(row.policy)
        start = _as_date(row.since) if row.since is not None else frame.first_day
        for period_key, first, last in periods:
            group = period_key if by_month else row.group_key
            out[group] = out.get(group, 0) + row.n * indicators.open_minutes(rows, max(first, start), last)
    return out


@lru_cache(maxsize=4096)
def _policy(text: str | None) -> tuple:
    rows = json.loads(text) if text else []
    return tuple(tuple(r) for r in rows or [])


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# ------------------------------------------------------------------------------- the rollup
#: groupings whose every group is a function of the rollup's key (enterprise, provider, local day):
#: the rollup (``models/rollup.py``, kept by ``operations/rollup.py``) answers every figure made of
#: service rows; the others (instrument, instrument category, service kind, service, record kind)
#: count the rows themselves
ROLLUP_GROUPINGS: frozenset[str | None] = frozenset(
    {None, "provider", "provider_kind", "city", "county", "month", "enterprise_category"}
)


def rolled(frame: Frame, model, *columns) -> Select:
    """``SELECT columns FROM <the rollup table> WHERE <inside the scope and the period>``: one
    table, no join (the rows carry their provider's city, county and kind, their enterprise's
    category and their month); ``group_key`` is :func:`rolled_key`."""
    scope = frame.scope
    where = {
        "province": [],
        "city": [model.city_id == scope.id],
        "county": [model.county_id == scope.id],
        "provider": [model.provider_id == scope.id],
        "enterprise": [model.enterprise_id == scope.id],
    }[scope.level]
    return select(*columns).select_from(model).where(*where, model.day >= frame.first_day, model.day <= frame.last_day)


#: the rollup's column each of ROLLUP_GROUPINGS groups by
_ROLLED_KEY = {
    "provider": "provider_id",
    "provider_kind": "provider_kind",
    "city": "city_id",
    "county": "county_id",
    "enterprise_category": "enterprise_category",
    "month": "month",
}


def rolled_key(frame: Frame, model):
    if frame.group_by is None:
        return NO_KEY
    column = getattr(model, _ROLLED_KEY[frame.group_by])
    if frame.group_by == "month" and frame.dialect == "postgresql":
        return column.collate("C")  # sorted byte by byte: the locale's collation is slower, same order
    return column


#: the rollup's sums behind each kind of row's raw numbers (``_RAW_FIELDS``), and what says a
#: group has rows of that kind
_ROLLED = {
    "sessions": (
        {
            "sessions": "sessions",
            "no_shows": "no_shows",
            "booked": "booked_minutes",
            "effective": "effective_minutes",
            "external": "external_minutes",
            "revenue_internal": "session_internal_fen",
            "revenue_external": "session_external_fen",
        },
        ("sessions", "no_shows"),
    ),
    "batches": (
        {
            "batches": "batches",
            "samples": "samples",
            "revenue_internal": "batch_internal_fen",
            "revenue_external": "batch_external_fen",
        },
        ("batches",),
    ),
    "records": (
        {
            "records": "records",
            "minutes": "record_minutes",
            "agreements": "agreements",
            "paid": "agreements_paid_fen",
            "projects": "provincial_projects",
            "results": "results",
        },
        ("records",),
    ),
}


def _rolled_sums(session: Session, frame: Frame, with_total: bool = False, distinct: bool = True) -> dict:
    """``{group key: row}`` of every rollup sum, 家次 (``visits``: the keys with a service and an
    enterprise, each one distinct (enterprise, provider, day)) and, with ``distinct``, the distinct
    enterprises and providers served; with ``with_total`` also ``{TOTAL: row}`` of the distinct
    counts over all groups (the sums add up over the groups). SQLite reads the rollup once for all
    of it (reading rows is its cost); PostgreSQL hashes the sums in one pass and sorts the distinct
    counts of the groups and the total in another (``GROUPING SETS``): together they take half
    the time of one pass doing both (bench, docs/indicators.md)."""
    names = sorted({column for fields, _present in _ROLLED.values() for column in fields.values()})
    served = ServiceDay.services > 0
    columns = [
        *(func.sum(getattr(ServiceDay, name)).label(name) for name in names),
        _sum_if(and_(served, ServiceDay.enterprise_id.is_not(None)), 1).label("visits"),
    ]
    if not distinct:
        return _per_group(session, frame, ServiceDay, columns)
    if frame.dialect == "postgresql":
        counted = [
            func.count(ServiceDay.enterprise_id.distinct()).label("enterprises"),
            func.count(ServiceDay.provider_id.distinct()).label("providers"),
        ]
        sums = _per_group(session, frame, ServiceDay, columns)
        people = _per_group(session, frame, ServiceDay, counted, with_total=with_total, where=[served])
        nobody = dict.fromkeys(("enterprises", "providers"), 0)
        return {
            key: _Row({**nobody, **(people[key]._mapping if key in people else {}), **(row._mapping if row else {})})
            for key in sums.keys() | people.keys()
            for row in [sums.get(key)]
        }
    counted = [
        func.count(case((served, ServiceDay.enterprise_id)).distinct()).label("enterprises"),
        func.count(case((served, ServiceDay.provider_id)).distinct()).label("providers"),
    ]
    found = _per_group(session, frame, ServiceDay, columns + counted)
    if with_total:
        found[TOTAL] = session.execute(rolled(frame, ServiceDay, *counted)).one()
    return found


def _per_group(session: Session, frame: Frame, model, columns: list, *, with_total: bool = False, where=()) -> dict:
    """``{group key: row of columns}`` over the rollup table ``model`` in the frame (``{0: row}``
    without a grouping), and with ``with_total`` ``{TOTAL: row}`` over all of it in the same
    statement (PostgreSQL's ``GROUPING SETS``: the caller's SQLite path counts its total apart)."""
    raw = rolled_key(frame, model)
    if raw is NO_KEY:
        return {0: session.execute(rolled(frame, model, *columns).where(*where)).one()}
    if with_total:
        whole = func.grouping(raw).label("whole")
        query = rolled(frame, model, raw.label("group_key"), whole, *columns).where(*where)
        rows = session.execute(query.group_by(func.grouping_sets(tuple_(raw), tuple_())))
        return {TOTAL if row.whole else row.group_key: row for row in rows}
    query = grouped(rolled(frame, model, raw.label("group_key"), *columns).where(*where))
    return {row.group_key: row for row in session.execute(query)}


def _rolled_part(sums: dict, source: str) -> dict:
    """One kind of row's raw numbers per group, for the groups that have rows of that kind."""
    fields, present = _ROLLED[source]
    return {
        key: _Row({name: getattr(row, column) for name, column in fields.items()})
        for key, row in sums.items()
        if key != TOTAL and any(getattr(row, column) for column in present)
    }


class _Row(dict):
    __getattr__ = dict.__getitem__


def _rolled_staff(session: Session, frame: Frame, with_total: bool = False) -> dict:
    """Distinct staff per group (and in total) over the rollup's staff of each key: the (group,
    staff) pairs hashed first (cheaper than sorting every row for a DISTINCT), counted per group,
    and the total's distinct staff counted over the pairs, not the rows again."""
    raw = rolled_key(frame, ServiceDayStaff)
    if raw is NO_KEY:
        everyone = rolled(frame, ServiceDayStaff, func.count(ServiceDayStaff.staff_id.distinct()))
        return {0: session.execute(everyone).scalar_one()}
    pairs = rolled(frame, ServiceDayStaff, raw.label("group_key"), ServiceDayStaff.staff_id)
    return _count_people(session, grouped(pairs, "staff_id"), with_total)


# ------------------------------------------------------------------------------------ assembly
#: the raw numbers each kind of row gives (summed over groups when a grouping partitions every row)
_RAW_FIELDS = {
    "sessions": ("sessions", "no_shows", "booked", "effective", "external", "revenue_internal", "revenue_external"),
    "batches": ("batches", "samples", "revenue_internal", "revenue_external"),
    "records": ("records", "minutes", "agreements", "paid", "projects", "results"),
}
#: groupings that put every counted row in exactly one group: the totals' sums are the groups' sums
PARTITIONS = frozenset({"provider", "provider_kind", "city", "county", "month", "enterprise_category"})


#: the counts each figure is made from (a summary of some figures runs only theirs)
_NEEDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("sessions", "booked_hours", "effective_hours", "external_hours", "sharing_rate", "no_shows", "no_show_rate"),
        frozenset({"sessions"}),
    ),
    "utilisation": frozenset({"sessions", "opening"}),
    "median_approval_hours": frozenset({"approvals"}),
    **dict.fromkeys(("batches", "samples"), frozenset({"batches"})),
    **dict.fromkeys(
        (
            "service_records",
            "service_hours",
            "agreements",
            "agreements_paid_fen",
            "provincial_projects",
            "results",
        ),
        frozenset({"records"}),
    ),
    **dict.fromkeys(("enterprises", "enterprise_visits", "providers"), frozenset({"participation"})),
    "staff": frozenset({"staff"}),
    **dict.fromkeys(("revenue_internal_fen", "revenue_external_fen"), frozenset({"sessions", "batches"})),
}
assert set(_NEEDS) == set(FIGURES)


def _needed(wanted: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(_NEEDS[name] for name in wanted))


def _parts(session: Session, frame: Frame, needed: frozenset[str], with_total: bool = False) -> dict:
    def run(part: str, count, source: str | None = None):
        return count() if part in needed and applies(frame, source or part) else None

    if frame.group_by in ROLLUP_GROUPINGS:  # every service row's key: the rollup answers
        counts = needed & {"sessions", "batches", "records", "participation"}
        distinct = "participation" in needed
        sums = _rolled_sums(session, frame, with_total and distinct, distinct) if counts else {}
        return {
            "sessions": run("sessions", lambda: _rolled_part(sums, "sessions")),
            "batches": run("batches", lambda: _rolled_part(sums, "batches")),
            "records": run("records", lambda: _rolled_part(sums, "records")),
            "participation": sums if distinct else {},
            "staff": _rolled_staff(session, frame, with_total) if "staff" in needed else {},
            "approvals": run("approvals", lambda: _median_approval(session, frame, with_total)),
            "opening": run("opening", lambda: _opening_minutes(session, frame)),
            "serves": True,
        }
    return {
        "sessions": run("sessions", lambda: _sessions(session, frame)),
        "batches": run("batches", lambda: _batches(session, frame)),
        "records": run("records", lambda: _records(session, frame)),
        "participation": _participation(session, frame, with_total) if "participation" in needed else {},
        "staff": _staff(session, frame, with_total) if "staff" in needed else {},
        "approvals": run("approvals", lambda: _median_approval(session, frame, with_total)),
        "opening": run("opening", lambda: _opening_minutes(session, frame)),
        "serves": any(applies(frame, source) for source in SERVICES),
    }


def _raw(parts: dict, key) -> dict[str, dict | float | None]:
    """The raw numbers of one group: per kind of row a dict of sums (None: the kind does not
    apply), and the distinct counts, the median and the opening minutes."""
    raw: dict[str, Any] = {}
    for source, names in _RAW_FIELDS.items():
        rows = parts[source]
        row = rows.get(key) if rows is not None else None
        raw[source] = None if rows is None else {n: float(getattr(row, n) or 0) if row else 0.0 for n in names}
    participation = parts["participation"].get(key)
    for name in ("visits", "enterprises", "providers"):
        raw[name] = getattr(participation, name) if participation else 0
    raw["staff"] = parts["staff"].get(key, 0)
    raw["median"] = parts["approvals"].get(key) if parts["approvals"] is not None else None
    raw["opening"] = parts["opening"].get(key, 0) if parts["opening"] is not None else None
    raw["serves"] = parts["serves"]
    return raw


def _sum_raws(raws: list[dict]) -> dict:
    """The totals' raw numbers as the sum of a partition's groups (distinct counts, the median and
    the opening minutes are the caller's: they do not add up)."""
    total: dict[str, Any] = {}
    for source, names in _RAW_FIELDS.items():
        present = [r[source] for r in raws if r[source] is not None]
        total[source] = {n: sum(p[n] for p in present) for n in names} if present or not raws else None
    total["visits"] = sum(r["visits"] for r in raws)
    total["serves"] = True
    return total


def _finish(raw: dict) -> dict[str, int | float | None]:
    """Figures from a group's raw numbers (hours to 0.1, rates to 3 decimals, money in fen)."""
    s, b, r = raw["sessions"], raw["batches"], raw["records"]
    f: dict[str, int | float | None] = dict.fromkeys(FIGURES)
    if s is not None:
        f.update(
            sessions=int(s["sessions"]),
            booked_hours=indicators.hours(s["booked"]),
            effective_hours=indicators.hours(s["effective"]),
            external_hours=indicators.hours(s["external"]),
            sharing_rate=indicators.ratio(s["external"], s["effective"]),
            no_shows=int(s["no_shows"]),
            no_show_rate=indicators.ratio(s["no_shows"], s["sessions"] + s["no_shows"]),
        )
        if raw["opening"] is not None:
            f["utilisation"] = indicators.ratio(s["effective"], raw["opening"])
    if raw["median"] is not None:
        f["median_approval_hours"] = round(raw["median"] / 60, 1)
    if b is not None:
        f.update(batches=int(b["batches"]), samples=int(b["samples"]))
    if r is not None:
        f.update(
            service_records=int(r["records"]),
            service_hours=indicators.hours(r["minutes"]),
            agreements=int(r["agreements"]),
            agreements_paid_fen=int(r["paid"]),
            provincial_projects=int(r["projects"]),
            results=int(r["results"]),
        )
    if raw["serves"]:
        f.update(
            enterprises=int(raw["enterprises"]),
            enterprise_visits=int(raw["visits"]),
            staff=int(raw["staff"]),
            providers=int(raw["providers"]),
        )
    if s is not None or b is not None:
        for tier in ("internal", "external"):
            f[f"revenue_{tier}_fen"] = int(sum(p[f"revenue_{tier}"] for p in (s, b) if p is not None))
    return f


def group_keys(frame: Frame, parts: dict) -> list:
    keys: set = set()
    for part in parts.values():
        if isinstance(part, dict):
            keys.update(part)
    keys.discard(TOTAL)
    if frame.group_by == "month":
        keys.update(k for k, _first, _last in indicators.months(frame.first_day, frame.last_day))
    return list(keys)


def _distinct_totals(session: Session, whole: Frame, parts: dict, needed: frozenset[str]) -> dict:
    """The totals that do not add up over groups: distinct enterprises, providers and staff (the
    TOTAL rows counted beside the groups), the median approval time and the opening minutes."""
    participation = parts["participation"].get(TOTAL)
    return {
        "enterprises": participation.enterprises if participation else 0,
        "providers": participation.providers if participation else 0,
        "staff": parts["staff"].get(TOTAL, 0),
        "median": parts["approvals"].get(TOTAL) if parts["approvals"] is not None else None,
        "opening": (
            _opening_minutes(session, whole).get(0, 0) if "opening" in needed and applies(whole, "opening") else None
        ),
    }


def summary(
    session: Session,
    scope: Scope,
    first_day: date,
    last_day: date,
    *,
    group_by: str | None = None,
    tz: ZoneInfo,
    figures: Iterable[str] | None = None,
    with_totals: bool = True,
) -> Summary:
    """Every figure over whole local days ``first_day..last_day`` (inclusive, any length) inside
    ``scope``: totals, and per group when ``group_by`` is one of GROUPINGS. ``Refusal(422)`` for an
    unknown grouping or a reversed period. ``figures`` (keys of FIGURES) counts only those, and
    only what they are made of (e.g. the goal figures need no opening hours or median).
    ``with_totals=False``: the groups only (a ranking), the totals left None where they would need a
    count of their own (groupings that are not a partition)."""
    wanted = tuple(FIGURES) if figures is None else tuple(name for name in FIGURES if name in set(figures))
    unknown = set(figures or ()) - set(FIGURES)
    if unknown:
        raise ValueError(f"unknown figures: {sorted(unknown)}")
    needed = _needed(wanted)
    frame = make_frame(session, scope, first_day, last_day, tz=tz, group_by=group_by)
    tune(session)
    whole = frame.regrouped(None)
    groups: list[Group] = []

    def finish(raw: dict) -> dict:
        done = _finish(raw)
        return {name: done[name] for name in wanted}

    if group_by is None:
        totals = finish(_raw(_parts(session, whole, needed), 0))
    else:
        partition = group_by in PARTITIONS
        parts = _parts(session, frame, needed, with_total=partition)
        raws = {key: _raw(parts, key) for key in group_keys(frame, parts)}
        if partition:  # one pass: the totals add the groups up, the distinct ones are counted beside
            totals = finish({**_sum_raws(list(raws.values())), **_distinct_totals(session, whole, parts, needed)})
        else:
            totals = finish(_raw(_parts(session, whole, needed), 0)) if with_totals else dict.fromkeys(wanted)
        per_key = {key: finish(raw) for key, raw in raws.items()}
        names = _names(session, group_by, per_key.keys())
        groups = [
            Group(key, *names.get(key, _UNNAMED), figures=per_key[key]) for key in _ordered(group_by, per_key, names)
        ]
    return Summary(first_day, last_day, group_by, totals, groups, scope)


# ------------------------------------------------------------------------------- naming groups
_UNNAMED = ("未指定", "Not specified")
_VOCABULARY = {
    "provider_kind": vocabulary.PROVIDER_KINDS,
    "instrument_category": vocabulary.INSTRUMENT_CATEGORIES,
    "service_kind": vocabulary.SERVICE_KINDS,
    "record_kind": vocabulary.SERVICE_RECORD_KINDS,
    "enterprise_category": vocabulary.ENTERPRISE_CATEGORIES,
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _names(session: Session, group_by: str, keys: Iterable) -> dict[Any, tuple[str, str]]:
    wanted = [k for k in keys if k is not None]
    if group_by in _VOCABULARY:
        table = _VOCABULARY[group_by]
        return {k: table.get(k, (k, k)) for k in wanted}
    if group_by == "month":
        return {k: (f"{k[:4]}年{int(k[5:])}月", f"{_MONTHS_EN[int(k[5:]) - 1]} {k[:4]}") for k in wanted}
    model = {"provider": Provider, "city": Region, "county": Region, "instrument": Instrument, "service": LabService}[
        group_by
    ]
    if not wanted:
        return {}
    query = select(model.id, model.name, model.name_en)
    if len(wanted) <= _MANY:
        query = query.where(model.id.in_(wanted))
    # else every row: binding thousands of ids (an instrument ranking) costs more than reading them all
    return {row.id: (row.name, row.name_en or row.name) for row in session.execute(query)}


#: more ids than this are named by reading the whole table
_MANY = 500


def _ordered(group_by: str, per_key: dict, names: dict) -> list:
    """Months and ids in order, vocabulary codes in the vocabulary's order; rows without a key last."""
    keys = [k for k in per_key if k is not None]
    if group_by in _VOCABULARY:
        order = {code: i for i, code in enumerate(_VOCABULARY[group_by])}
        keys.sort(key=lambda k: (order.get(k, len(order)), str(k)))
    else:
        keys.sort()
    return keys + ([None] if None in per_key else [])
