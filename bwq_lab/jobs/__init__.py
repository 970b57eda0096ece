"""Background jobs as a declarative table of plain functions that take ``now``.

Each job is safe to run twice and catches up after a missed run: it selects its work by time
ranges and flags, never by matching an exact minute. ``run_job`` gives each run one transaction
(commit on success, rollback on any error).

The scheduler (APScheduler) runs in its own process (``flask --app app bwq scheduler``), or, for
the one-command local run, inside ``bwq serve`` once. With several scheduler processes (several
machines) only the holder of the database lease runs jobs (``SchedulerLease``)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from bwq_lab import clock
from bwq_lab.extensions import db


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], int]
    description: str


def _deliver_mail(now: datetime) -> int:
    from bwq_lab.mail import deliver_pending

    return deliver_pending(now)


def _mark_no_shows(now: datetime) -> int:
    from bwq_lab.operations.bookings import mark_no_shows

    return mark_no_shows(now)


def _complete_finished(now: datetime) -> int:
    from bwq_lab.operations.bookings import complete_finished

    return complete_finished(now)


JOBS: tuple[Job, ...] = (
    Job("deliver_mail", timedelta(seconds=15), _deliver_mail, "send queued e-mail from the outbox"),
    Job("mark_no_shows", timedelta(minutes=1), _mark_no_shows, "approved bookings not checked in become no-shows"),
    Job("complete_finished", timedelta(minutes=5), _complete_finished, "checked-in bookings past their end complete"),
)

LEASE_NAME = "scheduler"
LEASE_SECONDS = 60
HOLDER = f"{socket.gethostname()}:{os.getpid()}"


def run_job(app: Flask, job: Job, now: datetime | None = None) -> int:
    """One run of one job in its own transaction. Returns the number of rows it handled."""
    from bwq_lab.operations.transactions import begin_write

    with app.app_context():
        try:
            begin_write()
            count = job.run(now or clock.now())
            db.session.commit()
            return count
        except Exception:
            db.session.rollback()
            app.logger.exception("job %s failed", job.name)
            raise
        finally:
            db.session.remove()


def hold_lease(app: Flask, now: datetime | None = None, holder: str = HOLDER) -> bool:
    """Take or renew the scheduler lease; True when this process is the leader."""
    from bwq_lab.models.outbox import SchedulerLease
    from bwq_lab.operations.transactions import begin_write

    now = now or clock.now()
    expires = now + timedelta(seconds=LEASE_SECONDS)
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


def build_scheduler(app: Flask, *, background: bool):
    """An APScheduler with one interval trigger per job; every tick first holds the lease."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = (BackgroundScheduler if background else BlockingScheduler)(timezone="UTC")

    def tick(job: Job):
        if not hold_lease(app):
            return
        try:
            run_job(app, job)
        except Exception:  # noqa: BLE001 - logged in run_job; the next tick tries again
            pass

    for job in JOBS:
        scheduler.add_job(
            tick,
            "interval",
            seconds=job.every.total_seconds(),
            args=[job],
            id=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(job.every.total_seconds()),
        )
    return scheduler
