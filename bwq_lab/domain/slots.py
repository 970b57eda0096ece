"""The slot finder and the week free/busy view.

The same rules decide: candidates are generated cheaply (grid points inside opening hours,
jumping past busy blocks, buffers and blackouts instead of testing every grid step) and every
candidate is then verified with :func:`booking_rules.check`, so each offered slot is bookable
as of ``now`` with the given context.

The context for a search over ``[window_start, window_end)`` needs the instrument's live
bookings with ``start_at < window_end + buffer and blocked_until > window_start``, the blackouts
overlapping the window and, with a quota, the enterprise's counted bookings over the weeks and
months the window touches (``quota_load_window(policy, window_start, window_end)``).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import islice
from typing import TypeVar

from bwq_lab.domain.booking_rules import (
    END_BEFORE_START,
    ENTERPRISE_NOT_VERIFIED,
    INSTRUMENT_UNAVAILABLE,
    NOT_PERMITTED,
    NOT_QUALIFIED,
    QUOTA_EXCEEDED,
    TOO_FAR_AHEAD,
    TOO_LONG,
    TOO_MANY_FUTURE_BOOKINGS,
    TOO_SHORT,
    Blackout,
    BookingContext,
    BookingPolicy,
    BookingRequest,
    ceil_from,
    check,
    day_openings,
    interval_anchor,
    local_midnight,
    open_intervals,
    quota_usage,
    to_utc,
)
from bwq_lab.domain.intervals import subtract

K = TypeVar("K", bound=Hashable)
Slot = tuple[datetime, datetime]

#: When check reports one of these for a candidate, no later candidate can pass either
#: (they do not depend on the start, or only get worse as it moves later).
_STOP_CODES = frozenset(
    {
        END_BEFORE_START,
        INSTRUMENT_UNAVAILABLE,
        NOT_PERMITTED,
        ENTERPRISE_NOT_VERIFIED,
        NOT_QUALIFIED,
        TOO_FAR_AHEAD,
        TOO_LONG,
        TOO_MANY_FUTURE_BOOKINGS,
        TOO_SHORT,
    }
)
_TICK = timedelta(microseconds=1)
#: Without a grid the finder still steps through whole minutes: a microsecond's step would take
#: billions of candidates to cross an exhausted quota period.
_NO_GRID_STEP = timedelta(minutes=1)


def _search_start(policy: BookingPolicy, window_start: datetime, now: datetime) -> datetime:
    notice = timedelta(minutes=policy.min_notice_minutes)
    return max(window_start, now, now + notice)


def iter_slots(
    context: BookingContext,
    *,
    user_id: int,
    enterprise_id: int | None,
    duration_minutes: int,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    moving_booking_id: int | None = None,
    step_minutes: int | None = None,
    openings: list[Slot] | None = None,
) -> Iterator[Slot]:
    """Bookable ``(start, end)`` slots (UTC) lying inside the window, earliest first, lazily.

    Starts are on the policy's slot grid; after a free slot the next candidate is
    ``step_minutes`` later (default: the slot grid, or 30 minutes when there is none).
    ``openings`` lets a caller share precomputed ``open_intervals`` between instruments.
    """
    policy = context.policy
    grid = policy.grid_minutes
    window_start, window_end = (
        to_utc(window_start, "window_start"),
        to_utc(window_end, "window_end"),
    )
    now = to_utc(now, "now")
    if duration_minutes <= 0 or (grid > 1 and duration_minutes % grid):
        return
    duration = timedelta(minutes=duration_minutes)
    step = timedelta(minutes=step_minutes or (grid if grid > 1 else 30))
    buffer = timedelta(minutes=policy.buffer_minutes)
    lo = _search_start(policy, window_start, now)
    if lo >= window_end:
        return
    if openings is None:
        openings = open_intervals(policy, lo, window_end)
    busy_spans = context.busy_index.overlapping_spans
    blackout_spans = context.blackout_index.overlapping_spans

    for open_start, open_end in openings:
        if open_end <= lo:
            continue
        if open_start >= window_end:
            return
        last_end = min(open_end, window_end)
        # the grid is anchored at the opening's start: 08:30–12:00 on a 1 h grid offers 08:30
        # (or at the policy's explicit anchor)
        anchor = interval_anchor(policy, open_start)
        start = ceil_from(max(open_start, lo), anchor, grid)
        while start + duration <= last_end:
            end = start + duration
            # Jump past whatever is in the way: no start before its end can work.
            jump = None
            for _, blocked_until, block in busy_spans(start, end + buffer):
                if moving_booking_id is not None and block.booking_id == moving_booking_id:
                    continue
                if jump is None or blocked_until > jump:
                    jump = blocked_until
            for _, blackout_end, _ in blackout_spans(start, end):
                if jump is None or blackout_end > jump:
                    jump = blackout_end
            if jump is not None:  # e.g. a buffer's end: the first grid point at or after it
                start = ceil_from(jump, anchor, grid)
                continue

            request = BookingRequest(start, end, user_id, enterprise_id, moving_booking_id)
            violations = check(request, context, now)
            if not violations:
                yield start, end
                start = ceil_from(start + step, anchor, grid)
                continue
            codes = {v.code for v in violations}
            if codes & _STOP_CODES:
                return
            following = ceil_from(start + (_TICK if grid > 1 else _NO_GRID_STEP), anchor, grid)
            if QUOTA_EXCEEDED in codes:
                # A slot inside an exhausted period asks for more than remains there; moving it
                # later only helps once its share (period end - start) fits what remains, so no
                # start before (period end - remaining) can pass.
                for usage in quota_usage(request, context):
                    if usage.exceeded:
                        fits_from = usage.end - timedelta(minutes=usage.remaining_minutes)
                        following = max(following, ceil_from(fits_from, anchor, grid))
            start = following


def find_slots(
    context: BookingContext,
    *,
    user_id: int,
    enterprise_id: int | None,
    duration_minutes: int,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    limit: int = 10,
    moving_booking_id: int | None = None,
    step_minutes: int | None = None,
) -> list[Slot]:
    """The earliest ``limit`` bookable slots of ``duration_minutes`` inside the window (UTC)."""
    slots = iter_slots(
        context,
        user_id=user_id,
        enterprise_id=enterprise_id,
        duration_minutes=duration_minutes,
        window_start=window_start,
        window_end=window_end,
        now=now,
        moving_booking_id=moving_booking_id,
        step_minutes=step_minutes,
    )
    return list(islice(slots, max(limit, 0)))


def find_slots_many(
    contexts: Mapping[K, BookingContext],
    *,
    user_id: int,
    enterprise_id: int | None,
    duration_minutes: int,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    limit: int = 20,
    per_instrument: int | None = None,
    step_minutes: int | None = None,
    policies: Mapping[K, BookingPolicy] | None = None,
) -> list[tuple[K, datetime, datetime]]:
    """The earliest ``limit`` slots across many instruments, as (instrument, start, end),
    ordered by start and then by the mapping's order.

    A heap merge of the per-instrument generators, primed lazily: each instrument enters the
    heap with a cheap lower bound (its first opening time), and its generator runs only when
    that bound reaches the top, so most instruments are never searched at all. Opening times
    are computed once per distinct (zone, hours, search start).

    With ``policies`` (each instrument's policy, in the order that breaks ties), the bounds come
    from them and an instrument's context is looked up in ``contexts`` only when its search
    begins: a lazy mapping then builds the contexts of the few instruments searched, not all.
    """
    window_start, window_end = (
        to_utc(window_start, "window_start"),
        to_utc(window_end, "window_end"),
    )
    now = to_utc(now, "now")
    openings_cache: dict[tuple[object, ...], list[Slot]] = {}
    #: by policy object: instruments often share one (hashing a policy's hours costs more)
    known: dict[int, tuple[list[Slot], datetime | None]] = {}
    heap: list[tuple[datetime, int, int]] = []
    keys: list[K] = []
    opening_lists: list[list[Slot]] = []
    pending: dict[int, Slot] = {}
    if policies is None:
        policies = {key: context.policy for key, context in contexts.items()}
    for order, (key, policy) in enumerate(policies.items()):
        openings_and_bound = known.get(id(policy))
        if openings_and_bound is None:
            lo = _search_start(policy, window_start, now)
            cache_key = (policy.timezone, policy.opening_hours, lo)
            openings = openings_cache.get(cache_key)
            if openings is None:
                openings = open_intervals(policy, lo, window_end) if lo < window_end else []
                openings_cache[cache_key] = openings
            bound = next((max(s, lo) for s, e in openings if e > lo), None)
            openings_and_bound = known[id(policy)] = (openings, bound)
        openings, bound = openings_and_bound
        keys.append(key)
        opening_lists.append(openings)
        if bound is not None and bound < window_end:
            heap.append((bound, order, 0))
    heapq.heapify(heap)
    sources: dict[int, Iterator[Slot]] = {}  # an instrument's search, begun when its bound first tops the heap

    result: list[tuple[K, datetime, datetime]] = []
    taken = [0] * len(keys)
    while heap and len(result) < limit:
        _, order, ready = heapq.heappop(heap)
        if not ready:  # a lower bound reached the top: find the real next slot
            source = sources.get(order)
            if source is None:
                source = sources[order] = iter_slots(
                    contexts[keys[order]],
                    user_id=user_id,
                    enterprise_id=enterprise_id,
                    duration_minutes=duration_minutes,
                    window_start=window_start,
                    window_end=window_end,
                    now=now,
                    step_minutes=step_minutes,
                    openings=opening_lists[order],
                )
            slot = next(source, None)
            if slot is not None:
                pending[order] = slot
                heapq.heappush(heap, (slot[0], order, 1))
            continue
        start, end = pending.pop(order)
        result.append((keys[order], start, end))
        taken[order] += 1
        if per_instrument is None or taken[order] < per_instrument:
            heapq.heappush(heap, (start, order, 0))
    return result


# --- week view --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BusyView:
    """A busy block as a calendar shows it, clipped to the day, in local time. Only the viewer's
    own bookings carry their ``booking_id``; other bookings are anonymous busy time."""

    start: datetime
    end: datetime
    blocked_until: datetime
    own: bool = False
    booking_id: int | None = None


@dataclass(frozen=True, slots=True)
class DayView:
    """One local day: opening ranges, busy blocks, blackouts (all clipped to the day, in local
    time) and the free time left (open, not before ``now``, not busy, buffered or blacked out;
    not every free stretch is long enough for a booking)."""

    day: date
    weekday: int
    opening: tuple[Slot, ...]
    busy: tuple[BusyView, ...]
    blackouts: tuple[Blackout, ...]
    free: tuple[Slot, ...]


def week_view(
    context: BookingContext,
    week_start: date | datetime,
    now: datetime,
    *,
    user_id: int | None = None,
    days: int = 7,
) -> list[DayView]:
    """``days`` local days (default seven) from ``week_start`` (a local date, or an aware
    instant whose local date is used). Safe for public calendars: others' bookings appear as
    busy time only."""
    policy = context.policy
    tz = policy.tz
    now = to_utc(now, "now")
    if isinstance(week_start, datetime):
        first = to_utc(week_start, "week_start").astimezone(tz).date()
    else:
        first = week_start
    n_days, days = days, []
    for offset in range(n_days):
        day = first + timedelta(days=offset)
        day_start, day_end = (
            local_midnight(day, tz),
            local_midnight(day + timedelta(days=1), tz),
        )
        opening = [(s, min(e, day_end)) for s, e in day_openings(policy, day)]

        busy = []
        holes = []
        for b_start, blocked_until, block in context.busy_index.overlapping_spans(day_start, day_end):
            own = user_id is not None and block.user_id == user_id
            busy.append(
                BusyView(
                    start=max(b_start, day_start).astimezone(tz),
                    end=max(min(block.end, day_end), day_start).astimezone(tz),
                    blocked_until=min(blocked_until, day_end).astimezone(tz),
                    own=own,
                    booking_id=block.booking_id if own else None,
                )
            )
            holes.append((b_start, blocked_until))
        blackouts = []
        for x_start, x_end, blackout in context.blackout_index.overlapping_spans(day_start, day_end):
            blackouts.append(
                replace(
                    blackout,
                    start=max(x_start, day_start).astimezone(tz),
                    end=min(x_end, day_end).astimezone(tz),
                )
            )
            holes.append((x_start, x_end))

        free = []
        not_before = max(day_start, now)
        for s, e in opening:
            s = max(s, not_before)
            if s < e:
                free.extend(subtract(s, e, holes))
        days.append(
            DayView(
                day=day,
                weekday=day.weekday(),
                opening=tuple((s.astimezone(tz), e.astimezone(tz)) for s, e in opening),
                busy=tuple(busy),
                blackouts=tuple(blackouts),
                free=tuple((s.astimezone(tz), e.astimezone(tz)) for s, e in free),
            )
        )
    return days
