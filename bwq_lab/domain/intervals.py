"""Half-open interval helpers: ``[start, end)``.

Touching intervals do not overlap: a booking that ends at 10:00 and one that starts at
10:00 are back to back. An empty interval (``start == end``) overlaps nothing.

Works with anything ordered (datetimes, ints). Datetimes must be timezone-aware; compare
them in UTC (two datetimes sharing one ``ZoneInfo`` compare by wall clock, which is wrong
in a daylight-saving fold), which is what :class:`IntervalIndex` does.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Interval = tuple[Any, Any]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping *and touching* intervals; the input may be in any order.

    Empty intervals are dropped. Touching intervals merge because no time is free between
    them (``[9, 10) + [10, 11) -> [9, 11)``).
    """
    result: list[Interval] = []
    for s, e in sorted((s, e) for s, e in intervals if s < e):
        if result and s <= result[-1][1]:
            if e > result[-1][1]:
                result[-1] = (result[-1][0], e)
        else:
            result.append((s, e))
    return result


def subtract(start: Any, end: Any, holes: Iterable[Interval]) -> list[Interval]:
    """``[start, end)`` minus every hole, as sorted disjoint intervals."""
    result: list[Interval] = []
    cursor = start
    for hs, he in merge(holes):
        if he <= cursor:
            continue
        if hs >= end:
            break
        if hs > cursor:
            result.append((cursor, hs))
        cursor = max(cursor, he)
        if cursor >= end:
            break
    if cursor < end:
        result.append((cursor, end))
    return result


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
    return value.astimezone(UTC)


class IntervalIndex(Generic[T]):
    """Items with an aware ``[start, end)`` interval, sorted by start, queried in O(log n + k).

    A query for ``[lo, hi)`` bisects the sorted starts: an item can only overlap when its
    start is before ``hi`` and after ``lo - longest item``, so only that slice is scanned.
    Building is one sort, which is O(n) when the items already come sorted by start.
    """

    __slots__ = ("_ends", "_items", "_max_span", "_starts")

    def __init__(
        self,
        items: Iterable[T],
        start: Callable[[T], datetime],
        end: Callable[[T], datetime],
    ) -> None:
        rows = sorted(((_utc(start(it)), _utc(end(it)), it) for it in items), key=_first)
        self._starts = [r[0] for r in rows]
        self._ends = [r[1] for r in rows]
        self._items = [r[2] for r in rows]
        self._max_span = max((e - s for s, e, _ in rows), default=timedelta(0))

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def overlapping(self, lo: datetime, hi: datetime) -> Iterator[T]:
        """Items whose interval overlaps ``[lo, hi)`` (UTC-aware bounds), by start."""
        starts, ends, items = self._starts, self._ends, self._items
        first = bisect_right(starts, lo - self._max_span)
        last = bisect_left(starts, hi)
        for i in range(first, last):
            if ends[i] > lo and starts[i] < ends[i]:
                yield items[i]

    def overlapping_spans(self, lo: datetime, hi: datetime) -> Iterator[tuple[datetime, datetime, T]]:
        """Like :meth:`overlapping`, also giving each item's UTC start and end."""
        starts, ends, items = self._starts, self._ends, self._items
        first = bisect_right(starts, lo - self._max_span)
        last = bisect_left(starts, hi)
        for i in range(first, last):
            if ends[i] > lo and starts[i] < ends[i]:
                yield starts[i], ends[i], items[i]


def _first(row: tuple[datetime, datetime, Any]) -> datetime:
    return row[0]
