"""The figures read from the rollup (``models/rollup.py``, kept exact by ``operations/rollup.py``):
one row per (enterprise, provider, local day) with its sums and staff, carrying its month and its
provider's and enterprise's attributes, so a summary by any grouping that is a function of the key
is one scan of one table per kind of figure, without a join.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal_column, select, tuple_, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bwq_lab.domain import indicators
from bwq_lab.models import Region
from bwq_lab.models.rollup import (
    AreaMember,
    InstrumentMonth,
    LabServiceMonth,
    RecordKindMonth,
    ServiceDay,
    ServiceDayStaff,
    ServiceMonth,
)
from bwq_lab.reports.counted import NO_KEY, TOTAL, Frame, count_people, grouped, sum_if


def rolled(frame: Frame, model, *columns) -> Select:
    """``SELECT columns FROM <the rollup table> WHERE <inside the scope and the period>``: one
    table, no join (the rows carry their provider's city, county and kind, their enterprise's
    category and their month); ``group_key`` is :func:`rolled_key`."""
    where = _in_scope(model, frame.scope)
    return select(*columns).select_from(model).where(*where, model.day >= frame.first_day, model.day <= frame.last_day)


#: the column of a rollup table each scope level is read by
_SCOPE_COLUMN = {"city": "city_id", "county": "county_id", "provider": "provider_id", "enterprise": "enterprise_id"}


def _in_scope(model, scope) -> list:
    """The rows of a rollup table (day, staff or month) inside ``scope``."""
    return [] if scope.level == "province" else [getattr(model, _SCOPE_COLUMN[scope.level]) == scope.id]


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


#: every rollup column the figures sum
_SUM_NAMES = sorted({column for fields, _present in _ROLLED.values() for column in fields.values()})


def rolled_sums(session: Session, frame: Frame, with_total: bool = False, distinct: bool = True) -> dict:
    """``{group key: row}`` of every rollup sum, 家次 (``visits``: the keys with a service and an
    enterprise, each one distinct (enterprise, provider, day)) and, with ``distinct``, the distinct
    enterprises and providers served; with ``with_total`` also ``{TOTAL: row}`` of the distinct
    counts over all groups (the sums add up over the groups). SQLite reads the rollup once for all
    of it (reading rows is its cost); PostgreSQL hashes the sums in one pass and sorts the distinct
    counts of the groups and the total in another (``GROUPING SETS``): together they took 1.35 s
    where one pass doing both took 1.77 s (docs/decisions.md, the rollup)."""
    served = ServiceDay.services > 0
    columns = [
        *(func.sum(getattr(ServiceDay, name)).label(name) for name in _SUM_NAMES),
        sum_if(and_(served, ServiceDay.enterprise_id.is_not(None)), 1).label("visits"),
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
            key: Row({**nobody, **(people[key]._mapping if key in people else {}), **(row._mapping if row else {})})
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


def rolled_part(sums: dict, source: str) -> dict:
    """One kind of row's raw numbers per group, for the groups that have rows of that kind."""
    fields, present = _ROLLED[source]
    return {
        key: Row({name: getattr(row, column) for name, column in fields.items()})
        for key, row in sums.items()
        if key != TOTAL and any(getattr(row, column) for column in present)
    }


class Row(dict):
    """A row of named numbers read as attributes (``row.visits``)."""

    __getattr__ = dict.__getitem__


def rolled_staff(session: Session, frame: Frame, with_total: bool = False) -> dict:
    """Distinct staff per group (and in total) over the rollup's staff of each key: the (group,
    staff) pairs hashed first (cheaper than sorting every row for a DISTINCT), counted per group,
    and the total's distinct staff counted over the pairs, not the rows again."""
    raw = rolled_key(frame, ServiceDayStaff)
    if raw is NO_KEY:
        everyone = rolled(frame, ServiceDayStaff, func.count(ServiceDayStaff.staff_id.distinct()))
        return {0: session.execute(everyone).scalar_one()}
    pairs = rolled(frame, ServiceDayStaff, raw.label("group_key"), ServiceDayStaff.staff_id)
    return count_people(session, grouped(pairs, "staff_id"), with_total)


# ------------------------------------------------------------- the month and area tables
def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _whole_months(frame: Frame) -> bool:
    return frame.first_day.day == 1 and _is_month_end(frame.last_day)


#: the groupings ``service_months`` answers (its rows carry the provider's city, county and kind)
_MONTH_KEY = {None: None, "provider": "provider_id", "provider_kind": "provider_kind", "city": "city_id",
              "county": "county_id", "month": "month"}  # fmt: skip


def month_sums(session: Session, frame: Frame) -> dict | None:
    """The sums and 家次 per group from ``service_months`` (a provider's month in one row), like
    :func:`rolled_sums` without its distinct counts; None when the frame is not whole months or
    its scope or grouping is not a provider's (an enterprise's, by enterprise category)."""
    if not _whole_months(frame) or frame.scope.level == "enterprise" or frame.group_by not in _MONTH_KEY:
        return None
    where = _in_scope(ServiceMonth, frame.scope)
    months = (_month(frame.first_day), _month(frame.last_day))
    key = NO_KEY if frame.group_by is None else getattr(ServiceMonth, _MONTH_KEY[frame.group_by])
    query = select(
        key.label("group_key"),
        *(func.sum(getattr(ServiceMonth, name)).label(name) for name in _SUM_NAMES),
        func.coalesce(func.sum(ServiceMonth.visits), 0).label("visits"),
    ).where(*where, ServiceMonth.month.between(*months))
    return {row.group_key: row for row in session.execute(grouped(query, keyed=key is not NO_KEY))}


#: the groupings the item tables answer: (table, its item column, the kind of row it sums)
_ITEMS = {
    "instrument": (InstrumentMonth, "instrument_id", "sessions"),
    "service": (LabServiceMonth, "service_id", "batches"),
    "record_kind": (RecordKindMonth, "kind", "records"),
}


def item_sums(session: Session, frame: Frame, source: str) -> dict | None:
    """One kind of row's raw numbers per instrument, lab service or record kind (as
    ``counted.session_sums``, ``batch_sums``, ``record_sums`` give them) from the item tables: for
    whole months in a province, city, county or provider scope, grouped by what the table holds
    (only the frame's ``keys`` when it names some); None for anything else."""
    table, column, kind = _ITEMS.get(frame.group_by, (None, None, None))
    if kind != source or not _whole_months(frame) or frame.scope.level == "enterprise":
        return None
    fields, _present = _ROLLED[source]
    key = getattr(table, column)
    query = select(key.label("group_key"), *(func.sum(getattr(table, c)).label(name) for name, c in fields.items()))
    query = query.where(
        *_in_scope(table, frame.scope), table.month.between(_month(frame.first_day), _month(frame.last_day))
    )
    if frame.keys is not None:
        query = query.where(key.in_(frame.keys))
    return {row.group_key: row for row in session.execute(grouped(query))}


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _periods(frame: Frame) -> str | None:
    """The ``area_members`` period whose rows up to ``last_day`` are exactly the frame's: the
    year from 1 January, or a month from its first day; None for any other period."""
    first, last = frame.first_day, frame.last_day
    if first == date(first.year, 1, 1) and last.year == first.year:
        return f"{first.year:04d}"
    if first.day == 1 and (last.year, last.month) == (first.year, first.month):
        return _month(first)
    return None


def _area(session: Session, scope) -> list:
    """``area_members`` rows of the scope's own area (province, city or county)."""
    if scope.level == "province":
        return [AreaMember.level == "province"]
    if scope.level == "city":
        return [AreaMember.level == "city", AreaMember.city_id == scope.id, AreaMember.area_id == scope.id]
    city = session.execute(select(Region.parent_id).where(Region.id == scope.id)).scalar()
    return [AreaMember.level == "county", AreaMember.city_id == (city or 0), AreaMember.area_id == scope.id]


def member_counts(session: Session, frame: Frame, kind: str, with_total: bool = False) -> dict | None:
    """Distinct enterprises, providers or staff (``kind``) per group, and with ``with_total`` in
    total (``TOTAL``), as COUNTs of ``area_members`` rows: for a province, city or county scope,
    grouped by nothing, month (from a month's first day), city (the province's) or county, over
    a period from 1 January or from a month's first day; None for anything else (the caller
    counts distinct keys of the rollup instead)."""
    scope, by = frame.scope, frame.group_by
    if scope.level not in ("province", "city", "county") or by not in (None, "month", "city", "county"):
        return None
    if by == "city" and scope.level != "province":
        return None
    period = _periods(frame)
    if by == "month" and frame.first_day.day != 1 or by != "month" and period is None:
        return None
    if by == "month" and (with_total and period is None):
        return None
    seen = [AreaMember.kind == kind, AreaMember.first_day <= frame.last_day]
    own = _area(session, scope)

    def count(key, where, period_filter) -> dict:
        query = select(key.label("group_key"), func.count().label("n")).where(*seen, *where, period_filter)
        return {row.group_key: row.n for row in session.execute(grouped(query, keyed=key is not NO_KEY))}

    if by is None:
        return {0: count(NO_KEY, own, AreaMember.period == period).get(0, 0)}
    if by == "month":
        months = [m for m, _first, _last in indicators.months(frame.first_day, frame.last_day)]
        found = count(AreaMember.period, own, AreaMember.period.in_(months))
    else:
        level = [AreaMember.level == by]
        if scope.level == "city":
            level.append(AreaMember.city_id == scope.id)
        elif scope.level == "county":
            level = own
        found = count(AreaMember.area_id, level, AreaMember.period == period)
    if with_total:
        found[TOTAL] = count(NO_KEY, own, AreaMember.period == period).get(0, 0)
    return found


def member_firsts(session: Session, frame: Frame) -> dict[str, dict[str, int]] | None:
    """How many enterprises, providers and staff were first seen in the year in each month, up to
    the frame's last day (a year's frame from 1 January): the year rows of ``area_members``
    counted by the month of their first day; None for a scope other than an area's."""
    if frame.scope.level not in ("province", "city", "county") or _periods(frame) != f"{frame.first_day.year:04d}":
        return None
    month = frame.calendar.month_of_day(AreaMember.first_day).label("month")
    own = _area(session, frame.scope)
    parts = [
        select(literal_column(f"'{figure}'").label("figure"), month, func.count())
        .where(AreaMember.kind == kind, AreaMember.period == _periods(frame), *own)
        .where(AreaMember.first_day <= frame.last_day)
        .group_by(literal_column("month"))
        for figure, kind in (("enterprises", "enterprise"), ("providers", "provider"), ("staff", "staff"))
    ]
    out: dict[str, dict[str, int]] = {"enterprises": {}, "providers": {}, "staff": {}}
    for figure, month_key, number in session.execute(union_all(*parts)):
        out[figure][month_key] = number
    return out
