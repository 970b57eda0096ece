"""The job run history as the operators' page reads it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bwq_lab.extensions import db
from bwq_lab.models import JobRun, SchedulerLease

OUTCOMES = ("running", "ok", "failed")


@dataclass
class RunsPage:
    items: list[JobRun]
    total: int
    page: int
    per_page: int


def recent_runs(*, job: str | None = None, outcome: str | None = None, page: int = 1, per_page: int = 50) -> RunsPage:
    """Newest first; ``job`` and ``outcome`` narrow the list (an unknown value finds nothing)."""
    conditions = []
    if job:
        conditions.append(JobRun.job == job)
    if outcome:
        conditions.append(JobRun.outcome == outcome)
    page = max(1, page)
    total = db.session.execute(select(func.count(JobRun.id)).where(*conditions)).scalar_one()
    items = (
        db.session.execute(
            select(JobRun).where(*conditions).order_by(JobRun.id.desc()).limit(per_page).offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return RunsPage(list(items), total, page, per_page)


def last_runs(names: list[str]) -> dict[str, JobRun]:
    """The newest run of each job (any outcome), and the newest failure, by job name."""
    newest = (
        select(JobRun.job, func.max(JobRun.id).label("id")).where(JobRun.job.in_(names)).group_by(JobRun.job)
    ).subquery()
    rows = db.session.execute(select(JobRun).join(newest, JobRun.id == newest.c.id)).scalars()
    return {run.job: run for run in rows}


def lease(name: str = "scheduler") -> SchedulerLease | None:
    return db.session.get(SchedulerLease, name)
