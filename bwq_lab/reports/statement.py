"""An enterprise's statement (研发费用归集): what it used and paid in a period, grouped by its R&D
project codes (the ``project_code`` of its bookings, orders and service records; blank = no
project), with a subtotal per project and the totals — for its R&D expense records.

The lines are the same service lines as the quarterly carrier report (``reports.lines``): completed
sessions at their local start, batches at their first delivery, service records on their day;
fees from the fee snapshots, and what was paid under a signed cooperation agreement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bwq_lab.models import Enterprise
from bwq_lab.refusals import refuse
from bwq_lab.reports.lines import LINE_KINDS, Line, Sums, service_lines, sums


@dataclass(frozen=True)
class Project:
    code: str  # "" = no project
    lines: list[Line]

    @property
    def subtotal(self) -> Sums:
        return sums(self.lines)


@dataclass(frozen=True)
class Statement:
    enterprise_id: int
    enterprise: str
    uscc: str
    first_day: date
    last_day: date
    projects: list[Project]  # by project code, "no project" last

    @property
    def lines(self) -> list[Line]:
        return [line for project in self.projects for line in project.lines]

    @property
    def totals(self) -> Sums:
        return sums(self.lines)


def statement(session: Session, enterprise_id: int, first_day: date, last_day: date, *, tz: ZoneInfo) -> Statement:
    """The statement of one enterprise for whole local days ``first_day..last_day`` inclusive."""
    if first_day > last_day:
        raise refuse(422, "PERIOD_REVERSED", field="from", first=first_day.isoformat(), last=last_day.isoformat())
    enterprise = session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.uscc).where(Enterprise.id == enterprise_id)
    ).one_or_none()
    if enterprise is None:
        raise refuse(404, "NOT_FOUND")
    lines = service_lines(session, first_day, last_day, tz=tz, enterprise_id=enterprise_id)
    order = {kind: n for n, kind in enumerate(LINE_KINDS)}

    def by_project(line: Line):
        return (line.project_code == "", line.project_code)

    lines.sort(key=lambda line: (*by_project(line), line.day, order[line.kind], line.id))
    projects = [Project(code=key[1], lines=list(group)) for key, group in groupby(lines, key=by_project)]
    return Statement(
        enterprise_id=enterprise.id,
        enterprise=enterprise.name,
        uscc=enterprise.uscc,
        first_day=first_day,
        last_day=last_day,
        projects=projects,
    )
