"""A lab service's working calendar and load, read from the database, and the capacity rows an
accepted order holds.

Every sample an accepted order will process on a day is counted in that day's
``ServiceDayLoad.used``; the row's CHECK (``used <= capacity``) is the guarantee that no day is
ever over capacity. Reserving adds to the rows in ascending day order (so two acceptors never
deadlock); a lost race (another manager filled the day first) raises inside a savepoint and the
plan is made again from the fresh load, a few times, before the lab is called full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bwq_lab.domain import capacity as cap
from bwq_lab.extensions import db
from bwq_lab.models import LabService, ProviderClosure, ProviderWorkday, ServiceDayLoad, ServiceOrder, ServiceOrderDay
from bwq_lab.refusals import Refusal, refuse

RESERVE_ATTEMPTS = 4

#: advisory-lock namespace for "holding days of one lab service" (pg_advisory_xact_lock(int, int))
SERVICE_LOCK_CLASS = 7302
_SERVICE_LOCK = select(
    func.pg_advisory_xact_lock(bindparam("lock_class", type_=Integer), bindparam("service_id", type_=Integer))
)


def lock_service_days(service_id: int) -> None:
    """PostgreSQL: acceptors of one service take turns until their commit, so a second acceptor
    plans from the first one's committed load instead of colliding with it and planning again.
    The CHECK on ``service_day_loads`` stays the guarantee; this only keeps the losers from
    retrying. SQLite: nothing to do (its write transaction holds the only write lock)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(_SERVICE_LOCK, {"lock_class": SERVICE_LOCK_CLASS, "service_id": service_id})


def calendar_for(service: LabService, first: date, last: date, tz: ZoneInfo) -> cap.WorkingCalendar:
    """The service's working calendar over ``[first, last]``: its weekdays, the provider's
    closures (a day any closure touches is closed) and its make-up working days."""
    lo = datetime.combine(first, time.min, tzinfo=tz)
    hi = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    spans = []
    for start_at, end_at in db.session.execute(
        select(ProviderClosure.start_at, ProviderClosure.end_at).where(
            ProviderClosure.provider_id == service.provider_id,
            ProviderClosure.start_at < hi,
            ProviderClosure.end_at > lo,
        )
    ):
        last_instant = end_at - timedelta(microseconds=1)  # [start, end): the end instant is open
        spans.append((start_at.astimezone(tz).date(), last_instant.astimezone(tz).date()))
    makeup = db.session.execute(
        select(ProviderWorkday.day).where(
            ProviderWorkday.provider_id == service.provider_id,
            ProviderWorkday.day >= first,
            ProviderWorkday.day <= last,
        )
    ).scalars()
    return cap.WorkingCalendar(
        weekdays=frozenset(int(d) for d in (service.working_weekdays or [])),
        closed=cap.closed_days(spans),
        makeup=frozenset(makeup),
    )


def load_for(service_id: int, first: date, last: date) -> dict[date, int]:
    rows = db.session.execute(
        select(ServiceDayLoad.day, ServiceDayLoad.used).where(
            ServiceDayLoad.service_id == service_id, ServiceDayLoad.day >= first, ServiceDayLoad.day <= last
        )
    )
    return {day: used for day, used in rows}


def plan_for(
    service: LabService,
    samples: int,
    *,
    today: date,
    tz: ZoneInfo,
    requested: date | None = None,
    horizon_days: int = cap.DEFAULT_HORIZON_DAYS,
) -> cap.Plan | cap.NoCapacity:
    """Plan ``samples`` for ``service`` from the day after ``today``, given the load as it is now."""
    first = today + timedelta(days=1)
    last = first + timedelta(days=horizon_days + 60)  # room for the report days after the last sample
    calendar = calendar_for(service, first, last, tz)
    return cap.plan(
        samples,
        calendar=calendar,
        daily_capacity=service.daily_capacity,
        load=load_for(service.id, first, last),
        earliest_start=first,
        report_days=service.turnaround_days,
        requested=requested,
        horizon_days=horizon_days,
    )


def no_capacity(result: cap.NoCapacity) -> Refusal:
    return refuse(409, "NO_CAPACITY", field="samples", **dict(result.params))


def reserve(order: ServiceOrder, service: LabService, *, today: date, tz: ZoneInfo) -> cap.Plan:
    """Plan the order and hold its days; returns the plan. 409 ``NO_CAPACITY`` when it does not
    fit, 409 ``CAPACITY_TAKEN`` when other acceptors keep taking the days it was planned on."""
    lock_service_days(service.id)
    for _attempt in range(RESERVE_ATTEMPTS):
        result = plan_for(service, order.samples, today=today, tz=tz, requested=order.requested_date)
        if isinstance(result, cap.NoCapacity):
            raise no_capacity(result)
        try:
            with db.session.begin_nested():
                _hold(service, result.allocations)
        except IntegrityError:
            continue  # someone filled one of these days first: plan again from the new load
        for day, n in result.allocations:
            order.allocations.append(ServiceOrderDay(day=day, samples=n))
        return result
    raise refuse(409, "CAPACITY_TAKEN", field="samples")


def _hold(service: LabService, allocations) -> None:
    for day, n in sorted(allocations):
        changed = db.session.execute(
            update(ServiceDayLoad)
            .where(ServiceDayLoad.service_id == service.id, ServiceDayLoad.day == day)
            .values(used=ServiceDayLoad.used + n, capacity=service.daily_capacity)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            db.session.execute(
                insert(ServiceDayLoad).values(service_id=service.id, day=day, used=n, capacity=service.daily_capacity)
            )


def release(order: ServiceOrder) -> int:
    """Give back the days an order holds (cancelled or rejected); returns the samples freed."""
    freed = 0
    for allocation in sorted(order.allocations, key=lambda a: a.day):
        db.session.execute(
            update(ServiceDayLoad)
            .where(ServiceDayLoad.service_id == order.service_id, ServiceDayLoad.day == allocation.day)
            .values(used=ServiceDayLoad.used - allocation.samples)
            .execution_options(synchronize_session=False)
        )
        freed += allocation.samples
    order.allocations.clear()
    return freed


@dataclass(frozen=True)
class DayLoad:
    day: date
    working: bool
    used: int
    capacity: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.used) if self.working else 0

    @property
    def ratio(self) -> float:
        return min(1.0, self.used / self.capacity) if self.capacity else 0.0


MAX_WINDOW_DAYS = 92


def service_load(service: LabService, first: date, last: date, tz: ZoneInfo) -> list[DayLoad]:
    """Load per day over ``[first, last]`` (at most 92 days): what is held and what is left."""
    if last < first:
        raise refuse(422, "WINDOW_REVERSED", field="to")
    if (last - first).days >= MAX_WINDOW_DAYS:
        raise refuse(422, "WINDOW_TOO_LONG", field="to", days=MAX_WINDOW_DAYS)
    calendar = calendar_for(service, first, last, tz)
    used_by_day = load_for(service.id, first, last)
    out = []
    day = first
    while day <= last:
        working = calendar.is_working(day)
        out.append(DayLoad(day, working, used_by_day.get(day, 0), service.daily_capacity if working else 0))
        day += timedelta(days=1)
    return out


# ------------------------------------------------------------------------------ make-up working days
def may_manage_workdays(actor, provider_id: int) -> bool:
    """Like closures: the managers of a whole provider (``manages_all``)."""
    return actor.is_manager and actor.manages_all and actor.provider_id == provider_id


def workdays_for(provider_id: int, since: date) -> list[ProviderWorkday]:
    return list(
        db.session.execute(
            select(ProviderWorkday)
            .where(ProviderWorkday.provider_id == provider_id, ProviderWorkday.day >= since)
            .order_by(ProviderWorkday.day)
        ).scalars()
    )


def add_workday(actor, day: date, reason: str, *, now: datetime, tz: ZoneInfo) -> ProviderWorkday:
    if actor.provider_id is None or not may_manage_workdays(actor, actor.provider_id):
        raise refuse(403, "WORKDAYS_MANAGERS_ONLY")
    if day <= now.astimezone(tz).date():
        raise refuse(422, "WORKDAY_IN_PAST", field="day")
    exists = db.session.execute(
        select(ProviderWorkday.id).where(ProviderWorkday.provider_id == actor.provider_id, ProviderWorkday.day == day)
    ).first()
    if exists:
        raise refuse(409, "WORKDAY_EXISTS", field="day")
    row = ProviderWorkday(
        provider_id=actor.provider_id,
        day=day,
        reason=(reason or "").strip()[:200],
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row


def delete_workday(actor, workday_id: int) -> None:
    """Remove a make-up day. Days already planned on it stay planned (the orders were promised)."""
    row = db.session.get(ProviderWorkday, workday_id)
    if row is None or not may_manage_workdays(actor, row.provider_id):
        raise refuse(404, "WORKDAY_NOT_FOUND")
    db.session.delete(row)
    db.session.flush()
