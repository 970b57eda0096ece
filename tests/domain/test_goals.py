"""Progress toward the year's goals, by hand (bwq_lab.domain.goals): no app, no database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bwq_lab.domain.goals import YearClock, even_pace, latest, progress, progress_all
from bwq_lab.web.goal_chart import chart, divisions, nice_ceiling


def test_the_clock_counts_local_days_of_the_year_inclusive():
    clock = YearClock(2026, date(2026, 12, 1))  # 2026 has 365 days; 1 December is day 335
    assert (clock.days_in_year, clock.elapsed_days, clock.remaining_days) == (365, 335, 30)
    assert clock.known_months == 12 - 0 and YearClock(2026, date(2026, 3, 31)).known_months == 3
    assert YearClock(2028, date(2028, 12, 31)).days_in_year == 366
    assert clock.months_left == pytest.approx(30 * 12 / 365)
    assert clock.weeks_left == pytest.approx(30 / 7)


def test_progress_on_1_december():
    # 20,000 sessions a year; 15,000 by 1 December (335 of 365 days)
    p = progress("sessions", 15_000, 20_000, YearClock(2026, date(2026, 12, 1)))
    assert p.share == 0.75
    assert p.remaining == 5_000
    assert p.per_month_needed == pytest.approx(5_000 / (30 * 12 / 365))  # ≈ 5,069.4 a month
    assert p.per_week_needed == pytest.approx(5_000 * 7 / 30)  # ≈ 1,166.7 a week
    assert p.projection == 16_343  # floor(15,000 × 365 / 335)
    assert p.expected == 18_356  # floor(20,000 × 335 / 365)
    assert not p.on_track and not p.reached
    assert p.as_dict()["per_month_needed"] == 5069.4


def test_ahead_of_pace_is_on_track_and_a_reached_target_needs_nothing_more():
    clock = YearClock(2026, date(2026, 7, 2))  # day 183 of 365
    ahead = progress("batches", 5_100, 10_000, clock)
    assert ahead.projection == 10_172 and ahead.on_track
    done = progress("providers", 120, 100, clock)
    assert done.reached and done.on_track and done.remaining == 0 and done.per_month_needed == 0


def test_a_past_year_projects_its_count_and_needs_no_pace():
    p = progress("staff", 900, 1_000, YearClock(2025, date(2025, 12, 31)))
    assert (p.projection, p.per_month_needed, p.per_week_needed) == (900, None, None)
    assert not p.on_track and p.expected == 1_000


def test_a_year_not_started_has_no_projection_and_the_whole_target_ahead():
    p = progress("enterprises", 0, 12_000, YearClock(2027, date(2026, 12, 31)))
    assert p.projection is None and p.on_track
    assert p.per_month_needed == pytest.approx(1_000)
    assert YearClock(2027, date(2026, 12, 31)).known_months == 0


def test_targets_are_positive_and_counts_not_negative():
    clock = YearClock(2026, date(2026, 6, 1))
    with pytest.raises(ValueError):
        progress("sessions", 1, 0, clock)
    with pytest.raises(ValueError):
        progress("sessions", -1, 10, clock)


def test_progress_all_keeps_the_order_and_counts_missing_figures_as_zero():
    out = progress_all(("a", "b"), {"b": 3}, {"a": 10, "b": 10}, YearClock(2026, date(2026, 1, 1)))
    assert [(p.figure, p.count) for p in out] == [("a", 0), ("b", 3)]


def test_latest_and_even_pace():
    assert latest([1, 2, 5, None, None]) == 5 and latest([None] * 12) == 0
    pace = even_pace(365, 2026)
    assert pace[0] == 31 and pace[1] == 59 and pace[-1] == 365


@given(
    count=st.integers(0, 10**6),
    target=st.integers(1, 10**6),
    day=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
)
def test_the_projection_reaches_the_target_exactly_when_the_pace_so_far_would(count, target, day):
    clock = YearClock(2026, day)
    p = progress("x", count, target, clock)
    # the pace so far: count per elapsed day; at that pace the year ends at count × 365 / elapsed
    assert p.on_track == (count * 365 >= target * clock.elapsed_days)
    assert p.projection >= count
    if p.per_month_needed is not None:
        # spread over the months left, the pace needed closes the gap exactly
        assert p.per_month_needed * clock.months_left == pytest.approx(p.remaining)


def test_the_chart_places_months_on_a_round_scale():
    assert [nice_ceiling(v) for v in (0.5, 7, 10, 21, 240, 20_001)] == [1, 10, 10, 25, 250, 25_000]
    c = chart([10, 25, None, None, None, None, None, None, None, None, None, None], 100, even_pace(100, 2026), 150)
    assert c.top_value == 200  # 150 × 1.05 = 157.5 → 200
    assert [p.value for p in c.actual] == [0, 10, 25]
    assert c.actual[0].x == c.left and c.actual[0].y == c.bottom
    assert c.target_y == pytest.approx(c.bottom - (c.bottom - c.top) * 100 / 200, abs=0.1)
    assert c.projection is not None and c.projection.month == 12 and c.projection.value == 150
    assert len(c.pace) == 13 and c.pace[-1].value == 100
    assert [t.value for t in c.ticks] == [0, 50, 100, 150, 200]
    assert chart([None] * 12, 100, even_pace(100, 2026)).actual == []
    # steps of 1, 2 or 5 × 10^k where five fit, else four
    assert [divisions(v) for v in (1, 2, 10, 20, 25, 50, 100, 250, 25_000, 20_000)] == [1, 2, 5, 4, 5, 5, 5, 5, 5, 4]
