"""When a job runs: every N seconds (``timedelta``) or on a calendar (``Cron``).

Interval triggers are aligned to a fixed epoch, so every scheduler process fires a job at the
same instants; together with cron fire times this gives each run a *period* (the fire time it
is for) that is the same in every process. ``JobRun``'s unique ``(job, period)`` key relies on it.

Cron expressions are read in the programme's time zone (``TIMEZONE``): ``0 8 * * *`` is 08:00
in Asia/Shanghai. Five fields (minute hour day month weekday) as in crontab, or six with the
seconds first (short test schedules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cron:
    expression: str

    def __str__(self) -> str:
        return f"cron {self.expression}"


Schedule = timedelta | Cron


def parse(value: object) -> Schedule:
    """A schedule from configuration: a number of seconds, or a cron expression."""
    if isinstance(value, (timedelta, Cron)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=value)
    if isinstance(value, str) and len(value.split()) in (5, 6):
        make_trigger(Cron(value), "UTC")  # refuse a bad expression at start-up, not at 08:00
        return Cron(value)
    raise ValueError(f"not a schedule (seconds or a cron expression): {value!r}")


def describe(schedule: Schedule) -> str:
    if isinstance(schedule, Cron):
        return str(schedule)
    seconds = int(schedule.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"every {seconds // size} {unit}"
    return f"every {seconds} s"


def make_trigger(schedule: Schedule, timezone: str):
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if isinstance(schedule, Cron):
        fields = schedule.expression.split()
        if len(fields) == 5:
            return CronTrigger.from_crontab(schedule.expression, timezone=timezone)
        second, minute, hour, day, month, day_of_week = fields
        return CronTrigger(
            second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=timezone
        )
    return IntervalTrigger(seconds=schedule.total_seconds(), start_date=EPOCH, timezone="UTC")


_LOOKBACK = (
    timedelta(seconds=2),
    timedelta(minutes=1),
    timedelta(hours=1),
    timedelta(days=1),
    timedelta(days=32),
    timedelta(days=400),
)


def last_fire(schedule: Schedule, now: datetime, timezone: str) -> datetime | None:
    """The newest fire time at or before ``now``: the period a run at ``now`` belongs to."""
    now = now.astimezone(UTC)
    if isinstance(schedule, timedelta):
        step = schedule.total_seconds()
        return EPOCH + timedelta(seconds=((now - EPOCH).total_seconds() // step) * step)
    trigger = make_trigger(schedule, timezone)
    for window in _LOOKBACK:
        fire = trigger.get_next_fire_time(None, now - window)
        if fire is None or fire > now:
            continue
        while True:  # walk forward to the newest fire time not after now
            later = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
            if later is None or later > now:
                return fire.astimezone(UTC)
            fire = later
    return None
