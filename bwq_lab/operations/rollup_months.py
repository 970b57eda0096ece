"""The rollup's month and area tables (``models.rollup.ServiceMonth``, ``AreaMember``), derived from
``service_days`` and ``service_day_staff`` and kept with them by ``operations.rollup``: whenever
keys are refreshed, the (provider, month) rows and the enterprises' and staff's area rows of
their months are recomputed from the day tables in the same transaction (never incremented:
deleted and inserted again, so naming a month twice is harmless).

- ``service_months``: the sums and 家次 of a provider's keys of one local month.
- ``area_members``: for each enterprise served (provider that served, staff member who delivered)
  in a month, one row per area it was seen in (the province, the provider's city, the provider's county) with the
  first day it was seen there that month; and the same per year (the first day of the year).

:func:`derive` recomputes given (provider, month) and (member, month) pairs; :func:`derive_all`
everything (``rollup.rebuild``, the migration that made them).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, case, delete, func, insert, literal_column, select, union_all
from sqlalchemy.orm import Session

from bwq_lab.domain.indicators import month_bounds
from bwq_lab.models.rollup import SUMS, AreaMember, ServiceDay, ServiceDayStaff, ServiceMonth

_MONTH_COPIES = ("city_id", "county_id", "provider_kind")
_MONTH_NAMES = ("provider_id", "month", *_MONTH_COPIES, *SUMS, "visits")
_MEMBER_COLUMNS = ("kind", "member_id", "period", "level", "area_id", "city_id", "first_day")
#: how many members one statement names
_CHUNK = 200
#: the member kinds of ``area_members`` (providers: served in the month, with or without an enterprise)
KINDS = ("enterprise", "provider", "staff")


def _chunks(items: list) -> Iterable[list]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def per_month(pairs: Iterable[tuple[int, str]]) -> Iterable[tuple[str, list[int]]]:
    """``(month, members)`` of (member, month) pairs, a month's members in chunks: a statement then
    names one month and its members (``member IN (...)``), one index range per member on both
    databases. An OR of (member, month) pairs made SQLite scan every row of the kind instead (2 s
    to delete 20 enterprises' month rows at ten times programme scale; docs/decisions.md 79)."""
    months: dict[str, set[int]] = {}
    for member, month in pairs:
        months.setdefault(month, set()).add(member)
    for month in sorted(months):
        for chunk in _chunks(sorted(months[month])):
            yield month, chunk


def _in_month(model, column, month: str, members: list[int]):
    """The rows of ``members`` (``column``) in ``month``: index ranges (column, day)."""
    return and_(column.in_(members), model.day.between(*month_bounds(month)))


def _provider_months(*where) -> select:
    """``service_days`` grouped by (provider, month): the sums, 家次 and the provider's copies."""
    visit = case((and_(ServiceDay.services > 0, ServiceDay.enterprise_id.is_not(None)), 1), else_=0)
    return (
        select(
            ServiceDay.provider_id,
            ServiceDay.month,
            *(func.min(getattr(ServiceDay, name)) for name in _MONTH_COPIES),
            *(func.sum(getattr(ServiceDay, name)) for name in SUMS),
            func.sum(visit),
        )
        .where(*where)
        .group_by(ServiceDay.provider_id, ServiceDay.month)
    )


def _source(kind: str):
    """(table, member column, what makes a row count) of a member kind."""
    if kind == "enterprise":
        return ServiceDay, ServiceDay.enterprise_id, [ServiceDay.services > 0, ServiceDay.enterprise_id.is_not(None)]
    if kind == "provider":
        return ServiceDay, ServiceDay.provider_id, [ServiceDay.services > 0]
    return ServiceDayStaff, ServiceDayStaff.staff_id, []


def _month_members(kind: str, *where):
    """The month rows of ``kind``: per (member, month) the province, each city and each county
    it was seen in, with its first day there."""
    model, column, counts = _source(kind)
    zero = literal_column("0")
    parts = []
    for level, area, city in (
        ("province", None, None),
        ("city", model.city_id, model.city_id),
        ("county", model.county_id, model.city_id),
    ):
        keys = [column, model.month] + ([] if area is None else [area, city])
        parts.append(
            select(
                literal_column(f"'{kind}'"),
                column,
                model.month,
                literal_column(f"'{level}'"),
                zero if area is None else area,
                zero if city is None else city,
                func.min(model.day),
            )
            .where(*counts, *where)
            .group_by(*keys)
        )
    return union_all(*parts)


def _year_members(kind: str, *where):
    """The year rows of ``kind`` from its month rows: the first day of the year per area."""
    year = func.substr(AreaMember.period, literal_column("1"), literal_column("4"))
    keys = (AreaMember.member_id, year, AreaMember.level, AreaMember.area_id, AreaMember.city_id)
    return (
        select(literal_column(f"'{kind}'"), *keys, func.min(AreaMember.first_day))
        .where(AreaMember.kind == kind, func.length(AreaMember.period) == 7, *where)
        .group_by(*keys)
    )


def derive(session: Session, months: Iterable[tuple[int, str]], members: dict[str, Iterable[tuple[int, str]]]) -> None:
    """Recompute the ``service_months`` rows of (provider, month) ``months`` and the
    ``area_members`` rows (those months' and their years') of ``members``: ``{kind: (member, month)}``."""
    connection = session.connection()
    for month, providers in per_month(months):
        connection.execute(
            delete(ServiceMonth).where(ServiceMonth.month == month, ServiceMonth.provider_id.in_(providers))
        )
        rows = _provider_months(_in_month(ServiceDay, ServiceDay.provider_id, month, providers))
        connection.execute(insert(ServiceMonth).from_select(_MONTH_NAMES, rows))
    for kind, pairs in members.items():
        pairs = sorted(set(pairs))
        model, column, _counts = _source(kind)
        for month, chunk in per_month(pairs):
            mine = [AreaMember.kind == kind, AreaMember.period == month, AreaMember.member_id.in_(chunk)]
            connection.execute(delete(AreaMember).where(*mine))
            rows = _month_members(kind, _in_month(model, column, month, chunk))
            connection.execute(insert(AreaMember).from_select(_MEMBER_COLUMNS, rows))
        years: dict[str, set[int]] = {}
        for member, month in pairs:
            years.setdefault(month[:4], set()).add(member)
        for year, ids in sorted(years.items()):
            for chunk in _chunks(sorted(ids)):
                mine = [AreaMember.kind == kind, AreaMember.member_id.in_(chunk)]
                connection.execute(delete(AreaMember).where(*mine, AreaMember.period == year))
                in_year = AreaMember.period.between(f"{year}-01", f"{year}-12")
                connection.execute(
                    insert(AreaMember).from_select(_MEMBER_COLUMNS, _year_members(kind, *mine[1:], in_year))
                )


def derive_all(session: Session) -> None:
    """Empty both tables and fill them again from the whole rollup."""
    connection = session.connection()
    connection.execute(delete(ServiceMonth))
    connection.execute(delete(AreaMember))
    connection.execute(insert(ServiceMonth).from_select(_MONTH_NAMES, _provider_months()))
    for kind in KINDS:
        connection.execute(insert(AreaMember).from_select(_MEMBER_COLUMNS, _month_members(kind)))
        connection.execute(insert(AreaMember).from_select(_MEMBER_COLUMNS, _year_members(kind)))


def months_of_providers(session: Session, providers: list[int]) -> dict:
    """Every (provider, month) of ``providers``, and every (member, month) of the enterprises
    and staff they served: what a provider's move to another city or county changes."""
    connection = session.connection()
    found: dict = {"months": set(), "members": {kind: set() for kind in KINDS}}
    for chunk in _chunks(sorted(set(providers))):
        found["months"] |= set(
            connection.execute(
                select(ServiceMonth.provider_id, ServiceMonth.month).where(ServiceMonth.provider_id.in_(chunk))
            ).all()
        )
        for kind in KINDS:
            model, column, counts = _source(kind)
            query = select(column, model.month).where(model.provider_id.in_(chunk), *counts).distinct()
            found["members"][kind] |= set(connection.execute(query).all())
    return found
