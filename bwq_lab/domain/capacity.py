"""Lab capacity: the working calendar of a lab service and the plan of a batch's processing days.

A **working day** is an opening weekday (Mon–Fri by default) that no provider closure touches, or
a make-up working day (调休, e.g. the Sunday before National Day) that a manager added. A closure
wins over a make-up day: a day the provider said it is closed stays closed.

:func:`plan` puts a batch's samples on working days, earliest first, never above the daily
capacity of any day (given what earlier orders already hold), and promises completion
``report_days`` working days after the last processing day. When a requested completion date
cannot be met it says so and the plan's promised date is the earliest feasible one.

Pure Python: dates and integers, no clock, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

#: how far ahead a plan may reach before the lab is called full
DEFAULT_HORIZON_DAYS = 366


@dataclass(frozen=True)
class WorkingCalendar:
    weekdays: frozenset[int] = frozenset(range(5))  # 0 = Monday
    closed: frozenset[date] = frozenset()  # days a provider closure touches
    makeup: frozenset[date] = frozenset()  # 调休: extra working days

    def is_working(self, day: date) -> bool:
        if day in self.closed:
            return False
        return day in self.makeup or day.weekday() in self.weekdays

    def working_days(self, start: date, end: date) -> Iterator[date]:
        """Working days in ``[start, end]``."""
        day = start
        while day <= end:
            if self.is_working(day):
                yield day
            day += timedelta(days=1)

    def next_working_day(self, day: date, *, horizon_days: int = DEFAULT_HORIZON_DAYS) -> date | None:
        """The first working day on or after ``day`` (None when none within the horizon)."""
        for offset in range(horizon_days + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working(candidate):
                return candidate
        return None

    def add_working_days(self, day: date, n: int, *, horizon_days: int = DEFAULT_HORIZON_DAYS) -> date | None:
        """The ``n``-th working day after ``day`` (``day`` itself when ``n`` is 0)."""
        current = day
        for _ in range(n):
            nxt = self.next_working_day(current + timedelta(days=1), horizon_days=horizon_days)
            if nxt is None:
                return None
            current = nxt
        return current

    @property
    def has_working_weekday(self) -> bool:
        return bool(self.weekdays) or bool(self.makeup)


def closed_days(spans: Iterable[tuple[date, date]]) -> frozenset[date]:
    """Every day of inclusive ``(first, last)`` spans (closures turned into local dates)."""
    out: set[date] = set()
    for first, last in spans:
        day = first
        while day <= last:
            out.add(day)
            day += timedelta(days=1)
    return frozenset(out)


@dataclass(frozen=True)
class Plan:
    allocations: tuple[tuple[date, int], ...]  # (working day, samples processed that day)
    promised: date  # completion date: last processing day + report days (working days)
    requested: date | None = None
    meets_request: bool = True
    earliest_feasible: date | None = None  # set when the requested date cannot be met

    @property
    def first_day(self) -> date:
        return self.allocations[0][0]

    @property
    def last_day(self) -> date:
        return self.allocations[-1][0]

    @property
    def samples(self) -> int:
        return sum(n for _, n in self.allocations)


@dataclass(frozen=True)
class NoCapacity:
    """The batch does not fit within the horizon (or the service has no working day at all)."""

    code: str = "NO_CAPACITY"
    params: Mapping[str, object] = field(default_factory=dict)


def plan(
    samples: int,
    *,
    calendar: WorkingCalendar,
    daily_capacity: int,
    load: Mapping[date, int],
    earliest_start: date,
    report_days: int,
    requested: date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> Plan | NoCapacity:
    """Place ``samples`` on working days from ``earliest_start`` on, earliest first, filling
    each day up to ``daily_capacity`` minus what ``load`` says is already held there."""
    if samples <= 0:
        raise ValueError("a batch has at least one sample")
    if daily_capacity <= 0 or not calendar.has_working_weekday:
        return NoCapacity(params={"days": horizon_days})
    remaining = samples
    allocations: list[tuple[date, int]] = []
    last_allowed = earliest_start + timedelta(days=horizon_days)
    day = earliest_start
    while remaining > 0 and day <= last_allowed:
        if calendar.is_working(day):
            free = daily_capacity - load.get(day, 0)
            if free > 0:
                take = min(free, remaining)
                allocations.append((day, take))
                remaining -= take
        day += timedelta(days=1)
    if remaining > 0:
        return NoCapacity(params={"days": horizon_days})
    promised = calendar.add_working_days(allocations[-1][0], report_days, horizon_days=horizon_days)
    if promised is None:
        return NoCapacity(params={"days": horizon_days})
    meets = requested is None or promised <= requested
    return Plan(
        allocations=tuple(allocations),
        promised=promised,
        requested=requested,
        meets_request=meets,
        earliest_feasible=None if meets else promised,
    )


def earliest_completion(
    samples: int,
    *,
    calendar: WorkingCalendar,
    daily_capacity: int,
    load: Mapping[date, int],
    earliest_start: date,
    report_days: int,
) -> date | None:
    """The earliest date a batch of ``samples`` ordered now could be promised (None: no room)."""
    result = plan(
        samples,
        calendar=calendar,
        daily_capacity=daily_capacity,
        load=load,
        earliest_start=earliest_start,
        report_days=report_days,
    )
    return result.promised if isinstance(result, Plan) else None


def first_processing_day(today: date, calendar: WorkingCalendar) -> date | None:
    """Samples ordered today can be processed from the next working day on (they must arrive)."""
    return calendar.next_working_day(today + timedelta(days=1))
