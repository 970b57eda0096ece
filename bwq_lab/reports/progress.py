"""The goal dashboard's numbers, read once for the page, the home page and the API: the year's
targets, the twelve cumulative months of every goal figure (``reports.goals``), each figure's
progress (``domain.goals``: share, pace needed, projection, on track) and the breakdown one level
down (``reports.figures.summary`` grouped by city, county or provider).

Nothing here counts anything its own way: counts come from ``goals.cumulative_by_month`` and
``figures.summary`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bwq_lab.domain import goals as rules
from bwq_lab.models import Provider, Region
from bwq_lab.reports import figures, goals
from bwq_lab.reports.scope import Scope

#: the breakdown one level below each scope (a provider's own figures are not broken down)
BREAKDOWN = {"province": "city", "city": "county", "county": "provider"}


@dataclass(frozen=True)
class Board:
    year: int
    until: date  # the last local day counted (before 1 January: nothing counted yet)
    scope: Scope
    targets: dict[str, int]
    cumulative: dict[str, list[int | None]]
    progress: list[rules.Progress]
    even_pace: dict[str, list[int]]  # where an even pace toward the target is at each month's end

    @property
    def months(self) -> list[str]:
        return [f"{self.year:04d}-{m:02d}" for m in range(1, 13)]

    @property
    def started(self) -> bool:
        return self.until >= date(self.year, 1, 1)

    @property
    def so_far(self) -> dict[str, int]:
        return {p.figure: p.count for p in self.progress}


def last_day_counted(year: int, today: date) -> date:
    """``today`` for this year, 31 December for a past one, the eve of 1 January for a future one."""
    if year < today.year:
        return date(year, 12, 31)
    if year > today.year:
        return date(year, 1, 1) - timedelta(days=1)
    return today


def board(
    session: Session,
    scope: Scope,
    year: int,
    *,
    today: date,
    tz: ZoneInfo,
    cumulative: dict[str, list[int | None]] | None = None,
) -> Board:
    """``year``'s goals inside ``scope`` as counted up to ``today`` (a local day). ``cumulative``:
    ``cumulative(...)``'s result when the caller already has it (e.g. from a cache); the targets
    are always read afresh."""
    until = last_day_counted(year, today)
    if cumulative is None:
        cumulative = goals.cumulative_by_month(session, scope, year, tz=tz, until=until)
    targets = goals.targets(session, year)
    counts = {name: rules.latest(series) for name, series in cumulative.items()}
    progress = rules.progress_all(goals.GOAL_FIGURES, counts, targets, rules.YearClock(year, until))
    even = {name: rules.even_pace(targets[name], year) for name in goals.GOAL_FIGURES}
    return Board(year, until, scope, targets, cumulative, progress, even)


def breakdown(session: Session, scope: Scope, year: int, *, today: date, tz: ZoneInfo) -> figures.Summary | None:
    """The goal figures one level below ``scope`` (cities of the province, counties of a city,
    providers of a county; only the goal figures are counted) from 1 January to the last day
    counted, every one of them listed (an area or provider that served nobody shows 0s: it
    matters most); None for a provider or enterprise scope, or a year that has not started."""
    group_by = BREAKDOWN.get(scope.level)
    until = last_day_counted(year, today)
    if group_by is None or until < date(year, 1, 1):
        return None
    counted = figures.summary(
        session, scope, date(year, 1, 1), until, group_by=group_by, tz=tz, figures=goals.GOAL_FIGURES
    )
    seen = {g.key for g in counted.groups}
    idle = [
        figures.Group(key, name, name_en or name, dict.fromkeys(goals.GOAL_FIGURES, 0))
        for key, name, name_en in session.execute(_children(scope)).all()
        if key not in seen
    ]
    counted.groups = sorted(counted.groups + idle, key=lambda g: (g.key is None, g.key or 0))
    return counted


def _children(scope: Scope):
    """(id, name, name_en) of the areas or providers one level below ``scope``."""
    if scope.level == "province":
        return select(Region.id, Region.name, Region.name_en).where(Region.level == "city")
    if scope.level == "city":
        return select(Region.id, Region.name, Region.name_en).where(Region.parent_id == scope.id)
    return select(Provider.id, Provider.name, Provider.name_en).where(Provider.region_id == scope.id)
