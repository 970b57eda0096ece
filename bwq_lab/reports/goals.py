"""The year's goals (百千万): the numbers only, month by month (the dashboard page draws them).

``cumulative_by_month`` gives, for each goal figure, twelve running totals over the year's local
months. Distinct figures are distinct *so far*: an enterprise served in January and again in March
counts once, in January (its first month), never summed month over month. 家次 (enterprise,
provider, day) fall in exactly one month each, so their months add up.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from bwq_lab.domain import indicators
from bwq_lab.models import Booking, ServiceDay, ServiceDayStaff, ServiceOrder, YearGoal
from bwq_lab.reports import figures
from bwq_lab.reports.counted import COMPLETED, Frame, based, group_key, grouped, in_period, served, staffed, tune
from bwq_lab.reports.figures import make_frame
from bwq_lab.reports.rolled import member_firsts, month_sums, rolled, rolled_key
from bwq_lab.reports.scope import Scope

GOAL_FIGURES = ("providers", "staff", "enterprises", "enterprise_visits", "sessions", "batches")
DEFAULT_TARGETS = {
    "providers": 100,
    "staff": 1000,
    "enterprises": 10000,
    "enterprise_visits": 100000,
    "sessions": 20000,
    "batches": 10000,
}


def targets(session: Session, year: int) -> dict[str, int]:
    """The year's targets: those the province set (``YearGoal``), the programme's defaults otherwise."""
    chosen = dict(session.execute(select(YearGoal.figure, YearGoal.target).where(YearGoal.year == year)).all())
    return {name: int(chosen.get(name, DEFAULT_TARGETS[name])) for name in GOAL_FIGURES}


def cumulative_by_month(
    session: Session, scope: Scope, year: int, *, tz: ZoneInfo, until: date
) -> dict[str, list[int | None]]:
    """For each goal figure, 12 cumulative values (January..December) counted from 1 January up
    to ``until`` (inclusive, a local day); months after ``until``'s are None."""
    first, last = date(year, 1, 1), min(date(year, 12, 31), until)
    known = 0 if until < first else (12 if until.year > year else until.month)
    if known == 0:
        return {name: [None] * 12 for name in GOAL_FIGURES}
    frame = make_frame(session, scope, first, last, tz=tz, group_by="month")
    tune(session)
    if "month" in figures.ROLLUP_GROUPINGS:
        firsts = member_firsts(session, frame)
        monthly = {**_rolled_sums(session, frame), **(_rolled_firsts(session, frame) if firsts is None else firsts)}
    else:  # counted from the rows themselves (what the rollup is checked against)
        monthly = {
            "sessions": _per_month(session, frame, "sessions"),
            "batches": _per_month(session, frame, "batches"),
            "staff": _staff_first_months(session, frame),
            **_served_per_month(session, frame),
        }
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    return {name: indicators.cumulative((monthly[name].get(m, 0) for m in months), known) for name in GOAL_FIGURES}


def _per_month(session: Session, frame: Frame, source: str) -> dict[str, int]:
    key = group_key(frame, source).label("group_key")
    query = based(frame, source, key, func.count()).where(*in_period(frame, source))
    if source == "sessions":
        query = query.where(Booking.status == COMPLETED)
    else:
        query = query.where(ServiceOrder.first_delivered_at.is_not(None))
    return dict(session.execute(grouped(query)).all())


def _served_per_month(session: Session, frame: Frame) -> dict[str, dict[str, int]]:
    """家次 per month, and how many enterprises and providers had their first service of the year in
    each month, in one statement over the distinct visits (read once)."""
    rows = served(frame)
    visits = (
        select(rows.c.group_key.label("month"), rows.c.enterprise_id, rows.c.provider_id, rows.c.day)
        .distinct()
        .cte("visits")
        .prefix_with("MATERIALIZED")
    )
    parts = [
        select(
            literal_column("'enterprise_visits'").label("figure"), visits.c.month, func.count(visits.c.enterprise_id)
        ).group_by(visits.c.month)
    ]
    for figure, column in (("enterprises", visits.c.enterprise_id), ("providers", visits.c.provider_id)):
        first = select(func.min(visits.c.month).label("month")).where(column.is_not(None)).group_by(column).subquery()
        parts.append(select(literal_column(f"'{figure}'"), first.c.month, func.count()).group_by(first.c.month))
    out: dict[str, dict[str, int]] = {"enterprise_visits": {}, "enterprises": {}, "providers": {}}
    for figure, month, number in session.execute(union_all(*parts)):
        out[figure][month] = number
    return out


def _staff_first_months(session: Session, frame: Frame) -> dict[str, int]:
    """How many staff had their first service of the year in each month."""
    rows = staffed(frame)
    first = (
        select(func.min(rows.c.group_key).label("month"))
        .where(rows.c.staff_id.is_not(None))
        .group_by(rows.c.staff_id)
        .subquery("first_months")
    )
    return dict(session.execute(select(first.c.month, func.count()).group_by(first.c.month)).all())


# ------------------------------------------------------------------------------- from the rollup
def _rolled_sums(session: Session, frame: Frame) -> dict[str, dict[str, int]]:
    """Sessions, batches and 家次 per month: the month rows (``service_months``) of the months
    that ended by the frame's last day, the rollup's keys of the month it ends inside."""
    ended = frame.last_day if (frame.last_day + timedelta(days=1)).day == 1 else frame.last_day.replace(day=1) - ONE_DAY
    months = None
    if ended >= frame.first_day:
        months = month_sums(session, Frame(frame.dialect, frame.scope, frame.first_day, ended, frame.tz, "month"))
    if months is None:
        return _day_sums(session, frame)
    out: dict[str, dict[str, int]] = {"sessions": {}, "batches": {}, "enterprise_visits": {}}
    for key, row in months.items():
        out["sessions"][key] = int(row.sessions or 0)
        out["batches"][key] = int(row.batches or 0)
        out["enterprise_visits"][key] = int(row.visits or 0)
    if ended < frame.last_day:
        rest = _day_sums(session, Frame(frame.dialect, frame.scope, ended + ONE_DAY, frame.last_day, frame.tz, "month"))
        for figure, per_month in rest.items():
            out[figure].update(per_month)
    return out


ONE_DAY = timedelta(days=1)


def _day_sums(session: Session, frame: Frame) -> dict[str, dict[str, int]]:
    """Sessions, batches and 家次 per month: sums and counts over the rollup's keys (a key with a
    service and an enterprise is one 家次)."""
    month = rolled_key(frame, ServiceDay).label("group_key")
    visit = case((and_(ServiceDay.services > 0, ServiceDay.enterprise_id.is_not(None)), 1), else_=0)
    query = rolled(
        frame,
        ServiceDay,
        month,
        func.sum(ServiceDay.sessions).label("sessions"),
        func.sum(ServiceDay.batches).label("batches"),
        func.sum(visit).label("visits"),
    )
    out: dict[str, dict[str, int]] = {"sessions": {}, "batches": {}, "enterprise_visits": {}}
    for row in session.execute(grouped(query)):
        out["sessions"][row.group_key] = int(row.sessions or 0)
        out["batches"][row.group_key] = int(row.batches or 0)
        out["enterprise_visits"][row.group_key] = int(row.visits or 0)
    return out


def _rolled_firsts(session: Session, frame: Frame) -> dict[str, dict[str, int]]:
    """How many enterprises, providers and staff had their first service of the year in each
    month: the first local day of each among the rollup's keys (a date: cheaper to compare than
    the month's text), counted per month."""
    calendar = frame.calendar
    parts = []
    served_keys = ServiceDay.services > 0
    for figure, model, column, extra in (
        ("enterprises", ServiceDay, ServiceDay.enterprise_id, [served_keys, ServiceDay.enterprise_id.is_not(None)]),
        ("providers", ServiceDay, ServiceDay.provider_id, [served_keys]),
        ("staff", ServiceDayStaff, ServiceDayStaff.staff_id, []),
    ):
        first = rolled(frame, model, func.min(model.day).label("day")).where(*extra).group_by(column).subquery()
        month = calendar.month_of_day(first.c.day).label("month")
        parts.append(select(literal_column(f"'{figure}'").label("figure"), month, func.count()).group_by(month))
    out: dict[str, dict[str, int]] = {"enterprises": {}, "providers": {}, "staff": {}}
    for figure, month, number in session.execute(union_all(*parts)):
        out[figure][month] = number
    return out
