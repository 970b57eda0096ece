"""The figures read from the rollup (``models/rollup.py``, kept exact by ``operations/rollup.py``):
one row per (enterprise, provider, local day) with its sums and staff, carrying its month and its
provider's and enterprise's attributes, so a summary by any grouping that is a function of the key
is one scan of one table per kind of figure, without a join.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bwq_lab.models.rollup import ServiceDay, ServiceDayStaff
from bwq_lab.reports.counted import NO_KEY, TOTAL, Frame, count_people, grouped, sum_if


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


def rolled_sums(session: Session, frame: Frame, with_total: bool = False, distinct: bool = True) -> dict:
    """``{group key: row}`` of every rollup sum, 家次 (``visits``: the keys with a service and an
    enterprise, each one distinct (enterprise, provider, day)) and, with ``distinct``, the distinct
    enterprises and providers served; with ``with_total`` also ``{TOTAL: row}`` of the distinct
    counts over all groups (the sums add up over the groups). SQLite reads the rollup once for all
    of it (reading rows is its cost); PostgreSQL hashes the sums in one pass and sorts the distinct
    counts of the groups and the total in another (``GROUPING SETS``): together they took 1.35 s
    where one pass doing both took 1.77 s (docs/decisions.md, the rollup)."""
    names = sorted({column for fields, _present in _ROLLED.values() for column in fields.values()})
    served = ServiceDay.services > 0
    columns = [
        *(func.sum(getattr(ServiceDay, name)).label(name) for name in names),
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


def rolled_part(sums: dict, source: str) -> dict:
    """One kind of row's raw numbers per group, for the groups that have rows of that kind."""
    fields, present = _ROLLED[source]
    return {
        key: _Row({name: getattr(row, column) for name, column in fields.items()})
        for key, row in sums.items()
        if key != TOTAL and any(getattr(row, column) for column in present)
    }


class _Row(dict):
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
