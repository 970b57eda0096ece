"""The job run history as the operators' page reads it."""

from __future__ import annotations

from sqlalchemy import func, select

from bwq_lab.extensions import db
from bwq_lab.models import JobRun, SchedulerLease
from bwq_lab.operations.paging import Page, paged

OUTCOMES = ("running", "ok", "failed")


def recent_runs(*, job: str | None = None, outcome: str | None = None, page: int = 1, per_page: int = 50) -> Page:
    """Newest first; ``job`` and ``outcome`` narrow the list (an unknown value finds nothing)."""
    conditions = []
    if job:
        conditions.append(JobRun.job == job)
    if outcome:
        conditions.append(JobRun.outcome == outcome)
    return paged(select(JobRun).where(*conditions), (JobRun.id.desc(),), page=max(1, page), per_page=per_page)


def last_runs(names: list[str]) -> dict[str, JobRun]:
    """The newest run of each job (any outcome), and the newest failure, by job name."""
    newest = (
        select(JobRun.job, func.max(JobRun.id).label("id")).where(JobRun.job.in_(names)).group_by(JobRun.job)
    ).subquery()
    rows = db.session.execute(select(JobRun).join(newest, JobRun.id == newest.c.id)).scalars()
    return {run.job: run for run in rows}


def lease(name: str = "scheduler") -> SchedulerLease | None:
    return db.session.get(SchedulerLease, name)
