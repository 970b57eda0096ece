"""Progress toward the year's goals (百千万): share, pace needed, projection, on track — pure.

The counts come from ``bwq_lab.reports.goals`` (SQL); this module only does the arithmetic, so the
dashboard page, the public home page and ``GET /api/v1/reports/goals`` give the same numbers.

Definitions (local days, Asia/Shanghai; ``until`` is the last local day counted, inclusive):

- *elapsed share* of the year: days from 1 January to ``until`` inclusive ÷ days in the year
  (0 before the year starts, 1 once it is over);
- *share* of the target: count ÷ target;
- *remaining*: what is still missing to reach the target (never negative);
- *pace needed*: remaining ÷ the months (or weeks) left after ``until``; a month is a twelfth of
  the year's days, a week seven days, so a part month counts as the part it is. None once the year
  is over;
- *projection*: the year's count at the current pace, count ÷ elapsed share (a distinct figure can
  only grow too, so this is the same straight line); None before the year has started. Once the
  year is over it is the count itself;
- *on track*: the projection reaches the target (before the year starts: nothing is behind yet).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class YearClock:
    """How much of ``year`` lies at or before the local day ``until``."""

    year: int
    until: date

    @property
    def days_in_year(self) -> int:
        return (date(self.year + 1, 1, 1) - date(self.year, 1, 1)).days

    @property
    def elapsed_days(self) -> int:
        """Days of the year counted so far (1 January..``until`` inclusive), 0..days_in_year."""
        days = (self.until - date(self.year, 1, 1)).days + 1
        return max(0, min(self.days_in_year, days))

    @property
    def remaining_days(self) -> int:
        return self.days_in_year - self.elapsed_days

    @property
    def elapsed_share(self) -> float:
        return self.elapsed_days / self.days_in_year

    @property
    def months_left(self) -> float:
        """Months left after ``until``, a month being a twelfth of the year."""
        return self.remaining_days * 12 / self.days_in_year

    @property
    def weeks_left(self) -> float:
        return self.remaining_days / 7

    @property
    def known_months(self) -> int:
        """How many of the year's months have begun by ``until`` (0..12)."""
        if self.until < date(self.year, 1, 1):
            return 0
        return 12 if self.until.year > self.year else self.until.month


@dataclass(frozen=True)
class Progress:
    """One goal figure's progress by ``until``."""

    figure: str
    target: int
    count: int
    share: float  # count / target (may exceed 1)
    remaining: int  # target - count, never below 0
    per_month_needed: float | None  # remaining / months left; None once the year is over
    per_week_needed: float | None
    projection: int | None  # the year's count at the current pace; None before the year starts
    expected: int  # where an even pace toward the target would be by ``until``
    on_track: bool
    reached: bool  # the count already reaches the target

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "count": self.count,
            "share": round(self.share, 4),
            "remaining": self.remaining,
            "per_month_needed": None if self.per_month_needed is None else round(self.per_month_needed, 1),
            "per_week_needed": None if self.per_week_needed is None else round(self.per_week_needed, 1),
            "projection": self.projection,
            "expected": self.expected,
            "on_track": self.on_track,
            "reached": self.reached,
        }


def progress(figure: str, count: int, target: int, clock: YearClock) -> Progress:
    """``figure``'s progress: ``count`` so far against a positive ``target`` (see the module's
    definitions)."""
    if target <= 0:
        raise ValueError("a target is a positive whole number")
    if count < 0:
        raise ValueError("a count is never negative")
    remaining = max(0, target - count)
    if clock.remaining_days:
        per_month: float | None = remaining / clock.months_left
        per_week: float | None = remaining / clock.weeks_left
    else:
        per_month = per_week = None
    if clock.elapsed_days == 0:
        projection = None
    elif clock.remaining_days == 0:
        projection = count
    else:
        # floor: the pace so far must really reach the target, not by rounding up
        projection = count * clock.days_in_year // clock.elapsed_days  # whole numbers: exact
    expected = target * clock.elapsed_days // clock.days_in_year
    return Progress(
        figure=figure,
        target=target,
        count=count,
        share=count / target,
        remaining=remaining,
        per_month_needed=per_month,
        per_week_needed=per_week,
        projection=projection,
        expected=expected,
        on_track=count >= target or projection is None or projection >= target,
        reached=count >= target,
    )


def progress_all(
    figures: Sequence[str], counts: Mapping[str, int], targets: Mapping[str, int], clock: YearClock
) -> list[Progress]:
    """Every goal figure's progress, in ``figures``' order (a figure without a count has 0)."""
    return [progress(name, int(counts.get(name) or 0), int(targets[name]), clock) for name in figures]


def latest(values: Sequence[int | None]) -> int:
    """The last known value of a cumulative series (0 when none is known yet)."""
    return next((v for v in reversed(values) if v is not None), 0)


def even_pace(target: int, year: int) -> list[int]:
    """Where an even pace toward ``target`` stands at the end of each month (the chart's target line)."""
    clock_days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    ends = [(date(year + (m == 12), m % 12 + 1, 1) - date(year, 1, 1)).days for m in range(1, 13)]
    return [target * days // clock_days for days in ends]
