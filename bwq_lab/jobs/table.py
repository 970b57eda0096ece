"""The jobs table: name, schedule, the function (taking ``now``) and what it does.

Every function is safe to run twice and catches up after a missed run: it selects its work by
time ranges and flags (``SentNotice`` markers), never by matching an exact minute. It returns
what it did as counts (``{"sent": 3}``); a second run right after the first returns zeros."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bwq_lab.jobs.schedule import Cron, Schedule, describe

Counts = Mapping[str, int]


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Schedule
    run: Callable[[datetime], int | Counts]
    description: str

    @property
    def every(self) -> timedelta | None:
        return self.schedule if isinstance(self.schedule, timedelta) else None

    @property
    def schedule_text(self) -> str:
        return describe(self.schedule)


def _deliver_mail(now: datetime) -> Counts:
    from bwq_lab.mail import deliver_pending

    return {"sent": deliver_pending(now)}


def _mark_no_shows(now: datetime) -> Counts:
    from bwq_lab.operations.bookings import mark_no_shows

    return {"no_shows": mark_no_shows(now)}


def _close_the_day(now: datetime) -> Counts:
    from bwq_lab.operations.bookings import close_the_day

    return {"closed": len(close_the_day(now))}


def _expire_requests(now: datetime) -> Counts:
    from flask import current_app

    from bwq_lab.operations.bookings import expire_undecided

    hours = float(current_app.config.get("BOOKING_DECISION_DEADLINE_HOURS", 2))
    return {"expired": len(expire_undecided(now, timedelta(hours=hours)))}


def _qualification_warnings(now: datetime) -> Counts:
    from bwq_lab.jobs.notices import qualification_warnings

    return qualification_warnings(now)


def _booking_reminders(now: datetime) -> Counts:
    from bwq_lab.jobs.notices import booking_reminders

    return booking_reminders(now)


def _order_reminders(now: datetime) -> Counts:
    from bwq_lab.jobs.notices import order_reminders

    return order_reminders(now)


def _monthly_summaries(now: datetime) -> Counts:
    from bwq_lab.jobs.notices import monthly_summaries

    return monthly_summaries(now)


def _quarterly_reports(now: datetime) -> Counts:
    from bwq_lab.jobs.notices import quarterly_reports

    return quarterly_reports(now)


def _manager_digests(now: datetime) -> Counts:
    from bwq_lab.jobs.notices import manager_digests

    return manager_digests(now)


def _close_delivered_orders(now: datetime) -> Counts:
    from flask import current_app

    from bwq_lab.operations.orders import close_expired

    return {"closed": close_expired(now, int(current_app.config["ORDER_RETEST_DAYS"]))}


def _prune_job_runs(now: datetime) -> Counts:
    from bwq_lab.jobs.runner import prune_history

    return {"pruned": prune_history(now)}


JOBS: tuple[Job, ...] = (
    Job("deliver_mail", timedelta(seconds=15), _deliver_mail, "send queued e-mail from the outbox"),
    Job("mark_no_shows", timedelta(minutes=1), _mark_no_shows, "approved bookings not checked in become no-shows"),
    Job(
        "close_the_day",
        timedelta(minutes=5),
        _close_the_day,
        "sessions still in use after their end close at their end, flagged for a manager to confirm the use",
    ),
    Job(
        "expire_requests",
        timedelta(minutes=5),
        _expire_requests,
        "requests undecided BOOKING_DECISION_DEADLINE_HOURS before their start expire",
    ),
    Job(
        "qualification_warnings",
        Cron("0 9 * * *"),
        _qualification_warnings,
        "warn users a week before a qualification expires",
    ),
    Job(
        "booking_reminders",
        timedelta(minutes=5),
        _booking_reminders,
        "remind users 24 h before an approved session",
    ),
    Job(
        "order_reminders",
        Cron("0 9 * * *"),
        _order_reminders,
        "remind enterprises ORDER_REMINDER_DAYS (1) before an open lab-service order's promised date",
    ),
    Job(
        "manager_digests",
        Cron("0 8 * * *"),
        _manager_digests,
        "managers' daily list of requests waiting > 1 day and of orders waiting to be accepted, received or delivered",
    ),
    Job(
        "close_delivered_orders",
        timedelta(hours=1),
        _close_delivered_orders,
        "delivered lab-service orders close themselves after the re-test window (ORDER_RETEST_DAYS)",
    ),
    Job(
        "monthly_summaries",
        Cron("0 7 1 * *"),
        _monthly_summaries,
        "on the 1st, the previous month's figures to each provider's managers and the city and county admins",
    ),
    Job(
        "quarterly_reports",
        Cron("30 7 1 1,4,7,10 *"),
        _quarterly_reports,
        "when a quarter ends, each provider's quarterly carrier report (Excel) to its managers",
    ),
    Job("prune_job_runs", Cron("30 3 * * *"), _prune_job_runs, "forget job runs older than JOB_HISTORY_DAYS"),
)


def find(name: str) -> Job | None:
    return next((job for job in JOBS if job.name == name), None)


def configured(config: Mapping) -> tuple[Job, ...]:
    """The table with the schedules ``JOB_SCHEDULES`` overrides (``{"deliver_mail": 5}``), less
    the jobs named in ``JOBS_DISABLED``."""
    from dataclasses import replace

    from bwq_lab.jobs.schedule import parse

    overrides = config.get("JOB_SCHEDULES") or {}
    unknown = set(overrides) - {job.name for job in JOBS}
    if unknown:
        raise ValueError(f"JOB_SCHEDULES names unknown jobs: {', '.join(sorted(unknown))}")
    disabled = set(config.get("JOBS_DISABLED") or ())
    return tuple(
        replace(job, schedule=parse(overrides[job.name])) if job.name in overrides else job
        for job in JOBS
        if job.name not in disabled
    )
