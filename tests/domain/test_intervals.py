import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bwq_lab.domain.intervals import IntervalIndex, merge, subtract

Interval = tuple


# --- the truth-table oracle: plain half-open interval arithmetic, checked here and used to check
# the index and subtract below ----------------------------------------------------------------
def overlaps(a_start: Any, a_end: Any, b_start: Any, b_end: Any) -> bool:
    """True when ``[a_start, a_end)`` and ``[b_start, b_end)`` share at least one instant."""
    return a_start < a_end and b_start < b_end and a_start < b_end and b_start < a_end


def contains(outer_start: Any, outer_end: Any, start: Any, end: Any) -> bool:
    """True when ``[start, end)`` lies entirely inside ``[outer_start, outer_end)``."""
    return outer_start <= start and end <= outer_end


def clip(start: Any, end: Any, lo: Any, hi: Any) -> Interval | None:
    """The part of ``[start, end)`` inside ``[lo, hi)``, or None when they do not overlap."""
    s, e = max(start, lo), min(end, hi)
    return (s, e) if s < e else None


def overlap_length(a_start: Any, a_end: Any, b_start: Any, b_end: Any) -> Any:
    """Length of the intersection (``timedelta(0)`` / ``0`` when disjoint)."""
    s, e = max(a_start, b_start), min(a_end, b_end)
    if s < e:
        return e - s
    return a_start - a_start  # a zero of the right type


# The existing interval is always [10, 20).
OVERLAP_TABLE = [
    pytest.param(0, 5, False, id="disjoint-before"),
    pytest.param(0, 10, False, id="touching-before"),
    pytest.param(0, 11, True, id="partial-overlap-start"),
    pytest.param(5, 25, True, id="containing"),
    pytest.param(10, 20, True, id="same"),
    pytest.param(12, 18, True, id="inside"),
    pytest.param(10, 15, True, id="inside-same-start"),
    pytest.param(15, 20, True, id="inside-same-end"),
    pytest.param(19, 25, True, id="partial-overlap-end"),
    pytest.param(20, 30, False, id="touching-after"),
    pytest.param(25, 30, False, id="disjoint-after"),
    pytest.param(15, 15, False, id="empty-inside"),
]


@pytest.mark.parametrize(("start", "end", "expected"), OVERLAP_TABLE)
def test_overlaps_truth_table(start, end, expected):
    assert overlaps(start, end, 10, 20) is expected
    assert overlaps(10, 20, start, end) is expected  # symmetric


@pytest.mark.parametrize(("start", "end", "expected"), OVERLAP_TABLE)
def test_overlaps_with_aware_datetimes_in_different_zones(start, end, expected):
    base = datetime(2026, 12, 1, tzinfo=UTC)
    shanghai_base = base.astimezone(ZoneInfo("Asia/Shanghai"))

    def minutes(n, origin=base):
        return origin + timedelta(minutes=n)

    got = overlaps(minutes(start), minutes(end), minutes(10, shanghai_base), minutes(20, shanghai_base))
    assert got is expected


def test_contains_clip_and_overlap_length():
    assert contains(0, 10, 0, 10)
    assert contains(0, 10, 2, 5)
    assert not contains(0, 10, 5, 11)
    assert clip(0, 10, 5, 20) == (5, 10)
    assert clip(0, 10, 10, 20) is None
    assert overlap_length(0, 10, 5, 20) == 5
    assert overlap_length(0, 10, 10, 20) == 0


def test_merge_joins_overlapping_and_touching_in_any_order():
    assert merge([(5, 7), (0, 2), (2, 3), (6, 9), (11, 12), (4, 4)]) == [(0, 3), (5, 9), (11, 12)]
    assert merge([]) == []


def test_subtract_leaves_the_free_gaps():
    assert subtract(0, 20, [(2, 4), (3, 6), (10, 12), (19, 25)]) == [(0, 2), (6, 10), (12, 19)]
    assert subtract(0, 10, []) == [(0, 10)]
    assert subtract(0, 10, [(-5, 15)]) == []
    assert subtract(5, 10, [(0, 5), (10, 12)]) == [(5, 10)]


def test_interval_index_matches_brute_force():
    rng = random.Random(3)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for _ in range(500):
        start = rng.randrange(0, 10_000)
        items.append((start, start + rng.randrange(1, 300)))
    index = IntervalIndex(
        items,
        lambda it: base + timedelta(minutes=it[0]),
        lambda it: base + timedelta(minutes=it[1]),
    )
    assert len(index) == 500
    for _ in range(300):
        lo = rng.randrange(-100, 10_400)
        hi = lo + rng.randrange(1, 400)
        got = sorted(index.overlapping(base + timedelta(minutes=lo), base + timedelta(minutes=hi)))
        expected = sorted(it for it in items if overlaps(it[0], it[1], lo, hi))
        assert got == expected


def test_interval_index_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        IntervalIndex([datetime(2026, 1, 1)], lambda d: d, lambda d: d)
