"""Running one job: its own transaction, and a ``JobRun`` row that says what happened.

A run is three short transactions: record the start (for a scheduled run this claims its
period: the unique ``(job, period)`` key refuses a second claim from any process), run the job
(commit on success, roll back everything on an error, outbox e-mail included), record the end
(outcome, counts, or the traceback). A failing job is logged and recorded; callers that run
several jobs carry on with the next one."""

from __future__ import annotations

import os
import socket
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bwq_lab import clock
from bwq_lab.extensions import db
from bwq_lab.jobs.table import Job

HOLDER = f"{socket.gethostname()}:{os.getpid()}"


class PeriodTaken(Exception):
    """Another process already ran (or is running) this job for this period."""


def _wall() -> datetime:
    return datetime.now(UTC)


def _counts(result: int | Mapping[str, int] | None) -> dict[str, int]:
    if result is None:
        return {}
    if isinstance(result, Mapping):
        return {str(k): int(v) for k, v in result.items()}
    return {"handled": int(result)}


def run_job(
    app: Flask,
    job: Job,
    now: datetime | None = None,
    *,
    period: datetime | None = None,
    holder: str | None = None,
) -> int:
    """One run of one job. Returns how many things it changed or sent (0 on a rerun).

    Raises ``PeriodTaken`` when ``period`` was already claimed, and re-raises the job's own
    exception after recording it (rolled back, logged with its traceback)."""
    from bwq_lab.models import JobRun
    from bwq_lab.operations.transactions import begin_write

    with app.app_context():
        now = now or clock.now()
        try:
            begin_write()
            run = JobRun(
                job=job.name,
                period=period,
                as_of=now,
                started_at=_wall(),
                outcome="running",
                counts={},
                holder=holder or HOLDER,
            )
            db.session.add(run)
            db.session.commit()
            run_id = run.id
        except IntegrityError as exc:
            db.session.rollback()
            raise PeriodTaken(f"{job.name} already ran for {period}") from exc
        finally:
            db.session.remove()

        try:
            begin_write()
            counts = _counts(job.run(now))
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            db.session.remove()
            app.logger.exception("job %s failed", job.name)
            _finish(run_id, "failed", {}, "".join(traceback.format_exception(exc)))
            raise
        finally:
            db.session.remove()
        _finish(run_id, "ok", counts, None)
        return sum(counts.values())


def _finish(run_id: int, outcome: str, counts: dict, error: str | None) -> None:
    from bwq_lab.models import JobRun
    from bwq_lab.operations.transactions import begin_write

    try:
        begin_write()
        run = db.session.get(JobRun, run_id)
        run.outcome, run.counts, run.error, run.finished_at = outcome, counts, error, _wall()
        db.session.commit()
    finally:
        db.session.remove()


@dataclass(frozen=True)
class Outcome:
    job: str
    total: int | None  # None: the job failed
    error: str | None = None


def run_all(app: Flask, jobs: Iterable[Job], now: datetime | None = None) -> list[Outcome]:
    """Run each job once, in order; a failing job does not stop the others."""
    outcomes = []
    for job in jobs:
        try:
            outcomes.append(Outcome(job.name, run_job(app, job, now)))
        except Exception as exc:  # noqa: BLE001 - recorded and logged by run_job
            outcomes.append(Outcome(job.name, None, f"{exc.__class__.__name__}: {exc}"))
    return outcomes


def prune_history(now: datetime, keep_days: int | None = None) -> int:
    """Forget finished runs older than ``JOB_HISTORY_DAYS`` (the table would grow by thousands a
    day: the outbox runs every 15 s). Unfinished runs stay, they are worth a look."""
    from flask import current_app

    from bwq_lab.models import JobRun

    days = keep_days if keep_days is not None else int(current_app.config.get("JOB_HISTORY_DAYS") or 14)
    result = db.session.execute(
        delete(JobRun).where(JobRun.started_at < now - timedelta(days=days), JobRun.finished_at.is_not(None))
    )
    return result.rowcount or 0
