"""The quarterly carrier report (载体季度报送): every service one provider gave in a quarter, one
line each (``reports.lines``), in the province's fixed template, with a totals row.

Provincial key labs, institutes, innovation service complexes and international cooperation bases
send it every quarter. The lines are the rows the figures count, so the counts of sessions,
batches and records agree with ``figures.summary`` for the provider and the quarter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bwq_lab.domain.periods import quarter_days
from bwq_lab.models import Provider
from bwq_lab.refusals import refuse
from bwq_lab.reports.lines import Line, Sums, service_lines, sums


@dataclass(frozen=True)
class QuarterlyReport:
    provider_id: int
    provider: str
    provider_en: str
    year: int
    quarter: int
    first_day: date
    last_day: date
    lines: list[Line]

    @property
    def totals(self) -> Sums:
        """Sums of the listed lines (the file's totals row)."""
        return sums(self.lines)


def quarterly_report(session: Session, provider_id: int, year: int, quarter: int, *, tz: ZoneInfo) -> QuarterlyReport:
    """The report of one provider for one quarter (404 for an unknown provider; who may read
    which provider is the caller's question, answered by ``scope_for``)."""
    provider = session.execute(
        select(Provider.id, Provider.name, Provider.name_en).where(Provider.id == provider_id)
    ).one_or_none()
    if provider is None:
        raise refuse(404, "NOT_FOUND")
    first_day, last_day = quarter_days(year, quarter)
    return QuarterlyReport(
        provider_id=provider.id,
        provider=provider.name,
        provider_en=provider.name_en or provider.name,
        year=year,
        quarter=quarter,
        first_day=first_day,
        last_day=last_day,
        lines=service_lines(session, first_day, last_day, tz=tz, provider_id=provider_id),
    )
