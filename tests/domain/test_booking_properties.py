"""Property tests: whatever the policy and the order of requests, the rules keep bookings apart,
and every slot the finder offers passes the same rules (and none is skipped)."""

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bwq_lab.domain.booking_rules import (
    Blackout,
    BookingContext,
    BookingPolicy,
    BookingRequest,
    BusyBlock,
    OpeningRange,
    check,
    grid_anchor,
    is_on,
    local_midnight,
    on_grid,
)
from bwq_lab.domain.slots import find_slots

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Monday 2026-11-30 (no DST anywhere), and the two US daylight-saving weekends of 2026.
DAYS = [date(2026, 11, 30), date(2026, 3, 7), date(2026, 10, 31)]
ZONES = ["Asia/Shanghai", "UTC", "America/New_York"]


OFFICE = ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
LONG_DAY = ((time(8), time(20)),)
WHOLE_DAY = ((time(0), time(0)),)  # 00:00–24:00


@st.composite
def day_ranges(draw):
    kind = draw(st.sampled_from(["closed", "office", "long", "whole", "random"]))
    if kind != "random":
        return {"closed": (), "office": OFFICE, "long": LONG_DAY, "whole": WHOLE_DAY}[kind]
    marks = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
    return tuple(
        (time(a // 2, 30 * (a % 2)), time(0) if b == 48 else time(b // 2, 30 * (b % 2)))
        for a, b in zip(marks[::2], marks[1::2], strict=False)
    )


@st.composite
def opening_hours(draw):
    if draw(st.booleans()):
        return ()  # around the clock
    return tuple(OpeningRange(weekday, start, end) for weekday in range(7) for start, end in draw(day_ranges()))


@st.composite
def policies(draw):
    min_minutes = draw(st.sampled_from([15, 30, 60]))
    return BookingPolicy(
        timezone=draw(st.sampled_from(ZONES)),
        opening_hours=draw(opening_hours()),
        slot_minutes=draw(st.sampled_from([0, 1, 15, 30, 60])),
        min_minutes=min_minutes,
        max_minutes=draw(st.sampled_from([60, 120, 240, 480]).filter(lambda m: m >= min_minutes)),
        buffer_minutes=draw(st.sampled_from([0, 10, 15, 30])),
        min_notice_minutes=draw(st.sampled_from([0, 0, 60, 24 * 60])),
        max_days_ahead=draw(st.sampled_from([2, 30, 30])),
        weekly_quota_minutes=draw(st.none() | st.none() | st.sampled_from([120, 300, 600])),
        monthly_quota_minutes=draw(st.none() | st.none() | st.sampled_from([300, 900])),
        max_future_bookings=draw(st.none() | st.integers(1, 4)),
    )


def durations(policy: BookingPolicy):
    """Mostly durations the policy allows, on its grid; sometimes anything."""
    grid = max(policy.slot_minutes, 15)
    fitting = list(range(grid, policy.max_minutes + 1, grid))
    fitting = [m for m in fitting if m >= policy.min_minutes] or [policy.min_minutes]
    return st.sampled_from(fitting) | st.integers(1, 32).map(lambda n: 15 * n)


def base_instant(policy: BookingPolicy, day: date) -> datetime:
    return local_midnight(day, ZoneInfo(policy.timezone))


@st.composite
def blackouts(draw, base):
    result = []
    for _ in range(draw(st.integers(0, 2))):
        start = base + timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 4)))
        end = start + timedelta(minutes=15 * draw(st.integers(1, 4 * 12)))
        result.append(Blackout(start, end, "x", draw(st.sampled_from(["maintenance", "closure"]))))
    return tuple(result)


def requests_for(policy: BookingPolicy):
    """Either a raw (start offset in 5-minute steps, minutes) mostly on a 15-minute grid, or
    "take the n-th slot the finder offers" (n, minutes); with an enterprise and a user."""
    raw = st.tuples(
        st.just("raw"),
        st.integers(0, 4 * 24 * 4).map(lambda n: 3 * n) | st.integers(0, 4 * 24 * 12),
        durations(policy),
        st.sampled_from([1, 2]),
        st.sampled_from([1, 2, 3]),
    )
    slot = st.tuples(
        st.just("slot"),
        st.integers(0, 5),
        durations(policy),
        st.sampled_from([1, 2]),
        st.sampled_from([1, 2, 3]),
    )
    return raw | slot


def context_for(policy, accepted, blackout_list, user_id, now):
    future = sum(1 for b in accepted if b.user_id == user_id and b.end > now)
    return BookingContext(
        policy,
        busy=tuple(accepted),
        blackouts=blackout_list,
        enterprise_bookings=tuple(accepted),
        user_future_count=future,
    )


@SETTINGS
@given(data=st.data(), policy=policies(), day=st.sampled_from(DAYS))
def test_accepted_bookings_never_overlap_nor_break_quotas(data, policy, day):
    base = base_instant(policy, day)
    now = base + timedelta(minutes=data.draw(st.integers(0, 600)))
    blackout_list = data.draw(blackouts(base))
    requests = data.draw(st.lists(requests_for(policy), min_size=4, max_size=15))
    accepted: list[BusyBlock] = []
    for kind, a, b, enterprise, user in requests:
        ctx = context_for(policy, accepted, blackout_list, user, now)
        if kind == "raw":
            start = base + timedelta(minutes=5 * a)
            end = start + timedelta(minutes=b)
        else:
            offered = find_slots(
                ctx,
                user_id=user,
                enterprise_id=enterprise,
                duration_minutes=b,
                window_start=base,
                window_end=base + timedelta(days=4),
                now=now,
                limit=a + 1,
            )
            if len(offered) <= a:
                continue
            start, end = offered[a]
        request = BookingRequest(start, end, user, enterprise)
        violations = check(request, ctx, now)
        if kind == "slot":
            assert violations == [], "an offered slot must be bookable"
        if not violations:
            blocked = end + timedelta(minutes=policy.buffer_minutes)
            accepted.append(BusyBlock(len(accepted) + 1, start, end, blocked, user, enterprise))

    event(f"accepted bookings: {min(len(accepted), 4)}{'+' if len(accepted) >= 4 else ''}")
    # What the database's exclusion constraint on [start, blocked_until) would enforce.
    spans = sorted((b.start, b.blocked_until) for b in accepted)
    for (_, first_blocked), (second_start, _) in zip(spans, spans[1:], strict=False):
        assert first_blocked <= second_start
    # No blackout is booked over, and every booking lies inside opening hours.
    for booking in accepted:
        for x in blackout_list:
            assert not (booking.start < x.end and x.start < booking.end)
    # Quotas: per enterprise per local week (Monday 00:00) the booked minutes stay within quota.
    if policy.weekly_quota_minutes is not None:
        tz = ZoneInfo(policy.timezone)
        used: Counter = Counter()
        for booking in accepted:
            cursor = booking.start
            while cursor < booking.end:
                local_day = cursor.astimezone(tz).date()
                monday = local_day - timedelta(days=local_day.weekday())
                week_end = local_midnight(monday + timedelta(days=7), tz)
                piece_end = min(booking.end, week_end)
                used[booking.enterprise_id, monday] += (piece_end - cursor) / timedelta(minutes=1)
                cursor = piece_end
        assert all(minutes <= policy.weekly_quota_minutes for minutes in used.values())
    if policy.max_future_bookings is not None:
        per_user = defaultdict(int)
        for booking in accepted:
            per_user[booking.user_id] += 1
        assert all(n <= policy.max_future_bookings for n in per_user.values())


@SETTINGS
@given(data=st.data(), policy=policies(), day=st.sampled_from(DAYS))
def test_offered_slots_are_bookable_and_none_is_skipped(data, policy, day):
    base = base_instant(policy, day)
    now = base + timedelta(minutes=15 * data.draw(st.integers(0, 40)))
    blackout_list = data.draw(blackouts(base))
    busy = []
    for i in range(data.draw(st.integers(0, 6))):
        start = base + timedelta(minutes=15 * data.draw(st.integers(0, 4 * 48)))
        end = start + timedelta(minutes=15 * data.draw(st.integers(1, 12)))
        blocked = end + timedelta(minutes=data.draw(st.sampled_from([0, 15, 30])))
        busy.append(BusyBlock(i + 1, start, end, blocked, 9, data.draw(st.sampled_from([1, 2]))))
    ctx = BookingContext(
        policy,
        busy=tuple(busy),
        blackouts=blackout_list,
        enterprise_bookings=tuple(busy),
        qualified_until=data.draw(st.none() | st.just(base + timedelta(days=1))),
    )
    duration = data.draw(durations(policy))
    window_start = base + timedelta(minutes=15 * data.draw(st.integers(0, 8)))
    window_end = window_start + timedelta(days=2)
    limit = data.draw(st.integers(1, 12))
    offered = find_slots(
        ctx,
        user_id=1,
        enterprise_id=1,
        duration_minutes=duration,
        window_start=window_start,
        window_end=window_end,
        now=now,
        limit=limit,
    )
    event(f"slots offered: {'none' if not offered else 'all' if len(offered) == limit else 'some'}")
    assert len(offered) <= limit
    assert offered == sorted(offered) and len(set(offered)) == len(offered)
    for start, end in offered:
        assert window_start <= start and end <= window_end
        assert end - start == timedelta(minutes=duration)
        assert check(BookingRequest(start, end, 1, 1), ctx, now) == []

    if policy.slot_minutes > 1:
        # Brute force: every grid start in the window, in order; the finder returns the first ones.
        # The grid is anchored at each opening interval's start (all drawn hours are on 15 min).
        step = timedelta(minutes=15)
        expected = []
        candidate = base
        while candidate + timedelta(minutes=duration) <= window_end and len(expected) < limit:
            end = candidate + timedelta(minutes=duration)
            anchor = grid_anchor(policy, candidate)
            if candidate >= window_start and is_on(candidate, anchor, policy.slot_minutes):
                if not check(BookingRequest(candidate, end, 1, 1), ctx, now):
                    expected.append((candidate, end))
            candidate += step
        assert offered == expected


def test_brute_force_reference_sees_all_grid_points():
    """The reference above steps through UTC from local midnight: on these days and zones every
    such step is a local grid point (daylight-saving shifts are whole hours)."""
    for zone in ZONES:
        tz = ZoneInfo(zone)
        for day in DAYS:
            start = local_midnight(day, tz)
            for k in range(4 * 24 * 2):
                assert on_grid(start + timedelta(minutes=15 * k), tz, 15)
    assert datetime(2026, 3, 8, 7, 0, tzinfo=UTC).astimezone(ZoneInfo("America/New_York")).hour == 3
