"""Where the goal dashboard's chart puts things: a month-by-month cumulative line against the
target, drawn as server-side SVG (no script, nothing from outside: the CSP's script-src 'self').

Pure geometry (no Flask): ``chart(...)`` returns coordinates and ticks that
``templates/goals/_chart.html`` writes as SVG elements. The x axis runs from 1 January (0) to the
end of December; month m's value sits at the end of month m. The y axis starts at 0 and ends at a
round number above the target, the counts and the projection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 30


@dataclass(frozen=True)
class Point:
    month: int  # 0 = 1 January, m = the end of month m
    value: int
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float  # x of the plot's right edge
    top: float
    bottom: float  # y of the plot's bottom edge (value 0)
    top_value: int
    ticks: list[Tick]
    month_x: list[float]  # x of the end of each month, January..December
    actual: list[Point]  # 1 January (0) then each counted month
    pace: list[Point]  # the even pace toward the target, 1 January to 31 December
    target_y: float
    projection: Point | None  # the year's end at the current pace (drawn from the last count)

    @property
    def actual_points(self) -> str:
        return _points(self.actual)

    @property
    def pace_points(self) -> str:
        return _points(self.pace)


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return int(math.ceil(step * power))
    return int(10 * power)  # pragma: no cover - the loop always returns


def divisions(top_value: int) -> int:
    """How many steps the y axis has: five when each is then 1, 2 or 5 × 10^k, else four (whole
    numbers either way; fewer for a tiny axis)."""
    if top_value < 4:
        return max(1, top_value)
    step, rest = divmod(top_value, 5)
    if not rest and str(step)[0] in "125" and set(str(step)[1:]) <= {"0"}:
        return 5
    return 4


def chart(
    cumulative: Sequence[int | None], target: int, even_pace: Sequence[int], projection: int | None = None
) -> Chart:
    """The chart of twelve cumulative values (None after the last counted month) against ``target``."""
    known = [v for v in cumulative if v is not None]
    top_value = nice_ceiling(max([target, projection or 0, *known]) * 1.05)
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span_x, span_y = right - LEFT, bottom - TOP

    def at(month: int, value: int) -> Point:
        return Point(month, value, round(LEFT + span_x * month / 12, 1), round(bottom - span_y * value / top_value, 1))

    actual = [at(0, 0)] + [at(m, v) for m, v in enumerate(cumulative, start=1) if v is not None] if known else []
    pace = [at(0, 0)] + [at(m, v) for m, v in enumerate(even_pace, start=1)]
    parts = divisions(top_value)
    ticks = [Tick(top_value * k // parts, at(0, top_value * k // parts).y) for k in range(parts + 1)]
    last = actual[-1] if actual else None
    shown_projection = None
    if projection is not None and last is not None and last.month < 12:
        shown_projection = at(12, projection)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        top_value=top_value,
        ticks=ticks,
        month_x=[at(m, 0).x for m in range(1, 13)],
        actual=actual,
        pace=pace,
        target_y=at(0, target).y,
        projection=shown_projection,
    )


def _points(points: Sequence[Point]) -> str:
    return " ".join(f"{p.x:g},{p.y:g}" for p in points)
