"""The scheduler process: APScheduler fires the jobs; the database decides who works.

Every ``bwq scheduler`` process keeps the same timetable. Only the holder of the
``scheduler_leases`` row runs jobs: a heartbeat renews it every third of ``JOB_LEASE_SECONDS``,
and a process that stops renewing (killed, frozen, cut off) loses it when it expires; the next
heartbeat of another process takes it. Each tick claims its period in ``job_runs`` before it
works, so even two processes that both believed they led could not run one period twice, and
every notice is guarded by its ``sent_notices`` key. A new leader first runs the calendar jobs
whose newest period nobody ran (the daily jobs missed while no scheduler was up)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from bwq_lab.extensions import db
from bwq_lab.jobs.runner import HOLDER, PeriodTaken, run_job
from bwq_lab.jobs.schedule import Cron, last_fire, make_trigger
from bwq_lab.jobs.table import Job, configured

LEASE_NAME = "scheduler"
LEASE_SECONDS = 60


def lease_seconds(app: Flask) -> float:
    return float(app.config.get("JOB_LEASE_SECONDS") or LEASE_SECONDS)


def hold_lease(app: Flask, now: datetime | None = None, holder: str = HOLDER, seconds: float | None = None) -> bool:
    """Take or renew the scheduler lease; True when this process is the leader."""
    from bwq_lab.models.outbox import SchedulerLease
    from bwq_lab.operations.transactions import begin_write

    now = now or datetime.now(UTC)
    expires = now + timedelta(seconds=seconds if seconds is not None else lease_seconds(app))
    with app.app_context():
        try:
            begin_write()
            result = db.session.execute(
                update(SchedulerLease)
                .where(
                    SchedulerLease.name == LEASE_NAME,
                    or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
                )
                .values(holder=holder, expires_at=expires)
            )
            if result.rowcount == 0:
                if db.session.get(SchedulerLease, LEASE_NAME) is not None:
                    db.session.rollback()
                    return False
                db.session.add(SchedulerLease(name=LEASE_NAME, holder=holder, expires_at=expires))
            db.session.commit()
            return True
        except IntegrityError:  # another process created the lease first
            db.session.rollback()
            return False
        finally:
            db.session.remove()


def release_lease(app: Flask, holder: str = HOLDER) -> None:
    """A process stopping cleanly hands over at once instead of after the lease time."""
    from bwq_lab.models.outbox import SchedulerLease
    from bwq_lab.operations.transactions import begin_write

    with app.app_context():
        try:
            begin_write()
            db.session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
                .values(expires_at=datetime(2000, 1, 1, tzinfo=UTC))
            )
            db.session.commit()
        finally:
            db.session.remove()


class Runner:
    """What one scheduler process does on each tick and heartbeat."""

    def __init__(self, app: Flask, jobs: tuple[Job, ...], holder: str = HOLDER) -> None:
        self.app = app
        self.jobs = jobs
        self.holder = holder
        self.timezone = app.config["TIMEZONE"]
        self.leading = False
        # one run of a job at a time in this process (a catch-up and a tick could overlap)
        self._locks = {job.name: threading.Lock() for job in jobs}

    def heartbeat(self) -> None:
        leading = hold_lease(self.app, holder=self.holder)
        if leading and not self.leading:
            self.app.logger.info("scheduler %s leads", self.holder)
            self.leading = True
            self.catch_up()
        elif not leading and self.leading:
            self.app.logger.warning("scheduler %s lost the lease", self.holder)
        self.leading = leading

    def tick(self, job: Job) -> None:
        if not hold_lease(self.app, holder=self.holder):
            self.leading = False
            return
        self.run(job, last_fire(job.schedule, datetime.now(UTC), self.timezone))

    def run(self, job: Job, period: datetime | None) -> None:
        try:
            with self._locks[job.name]:
                run_job(self.app, job, period=period, holder=self.holder)
        except PeriodTaken:
            self.app.logger.info("job %s period %s already ran elsewhere", job.name, period)
        except Exception:  # noqa: BLE001 - logged and recorded by run_job; the next tick tries again
            pass

    def catch_up(self) -> None:
        """Calendar jobs whose newest period has no run yet run now, once."""
        from bwq_lab.models import JobRun

        now = datetime.now(UTC)
        for job in self.jobs:
            if not isinstance(job.schedule, Cron):
                continue
            period = last_fire(job.schedule, now, self.timezone)
            if period is None:
                continue
            with self.app.app_context():
                done = db.session.execute(
                    select(JobRun.id).where(JobRun.job == job.name, JobRun.period == period)
                ).first()
                db.session.remove()
            if done is None:
                self.app.logger.info("catching up %s for %s", job.name, period)
                self.run(job, period)


def build_scheduler(app: Flask, *, background: bool, holder: str = HOLDER):
    """An APScheduler with one trigger per job and a lease heartbeat."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    jobs = configured(app.config)
    runner = Runner(app, jobs, holder)
    scheduler = (BackgroundScheduler if background else BlockingScheduler)(timezone="UTC")
    scheduler.bwq_runner = runner
    beat = max(lease_seconds(app) / 3, 0.5)
    scheduler.add_job(
        runner.heartbeat,
        "interval",
        seconds=beat,
        id="_lease",
        next_run_time=datetime.now(UTC),
        coalesce=True,
        max_instances=1,
    )
    for job in jobs:
        scheduler.add_job(
            runner.tick,
            make_trigger(job.schedule, app.config["TIMEZONE"]),
            args=[job],
            id=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=_grace(job),
        )
    return scheduler


def _grace(job: Job) -> int:
    if isinstance(job.schedule, timedelta):
        return max(int(job.schedule.total_seconds()), 1)
    return 3600  # a calendar run late by up to an hour still runs (a later one is caught up by catch_up)
