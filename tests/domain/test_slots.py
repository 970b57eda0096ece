"""Slot finder and week view. Shanghai instrument open Mon–Fri 08:30–12:00 and 13:30–17:30."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bwq_lab.domain.booking_rules import (
    Blackout,
    BookingContext,
    BookingPolicy,
    BookingRequest,
    BusyBlock,
    OpeningRange,
    check,
)
from bwq_lab.domain.slots import find_slots, find_slots_many, iter_slots, week_view

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = tuple(
    OpeningRange(day, start, end)
    for day in range(5)
    for start, end in ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
)
POLICY = BookingPolicy(opening_hours=HOURS)


def at(day: int, hhmm: str) -> datetime:
    """Local time; day 30 = Monday 2026-11-30, 1..31 = December 2026."""
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 11 if day >= 30 else 12, day, hour, minute, tzinfo=SHANGHAI)


NOW = at(30, "00:00")
WEEK = (at(30, "00:00"), at(7, "00:00"))


def block(booking_id, day, start, end, *, buffer=0, user=2, enterprise=20):
    s, e = at(day, start), at(day, end)
    return BusyBlock(booking_id, s, e, e + timedelta(minutes=buffer), user, enterprise)


def slots(context, duration=60, *, window=WEEK, now=NOW, limit=10, **kw):
    found = find_slots(
        context,
        user_id=1,
        enterprise_id=10,
        duration_minutes=duration,
        window_start=window[0],
        window_end=window[1],
        now=now,
        limit=limit,
        **kw,
    )
    return [(s.astimezone(SHANGHAI), e.astimezone(SHANGHAI)) for s, e in found]


def hhmm(found):
    return [f"{s:%d %H:%M}–{e:%H:%M}" for s, e in found]


def assert_bookable(context, found, now=NOW, moving=None):
    for s, e in found:
        assert check(BookingRequest(s, e, 1, 10, moving), context, now) == [], (s, e)


def test_earliest_slots_follow_opening_hours_and_grid():
    ctx = BookingContext(POLICY)
    found = slots(ctx, 60, limit=8)
    assert hhmm(found) == [
        "30 08:30–09:30",
        "30 09:00–10:00",
        "30 09:30–10:30",
        "30 10:00–11:00",
        "30 10:30–11:30",
        "30 11:00–12:00",
        "30 13:30–14:30",
        "30 14:00–15:00",
    ]
    assert_bookable(ctx, found)


def test_slots_skip_busy_time_and_buffers():
    busy = (block(1, 30, "09:00", "10:00", buffer=30), block(2, 30, "15:00", "16:00"))
    ctx = BookingContext(replace(POLICY, buffer_minutes=30), busy=busy)
    found = slots(ctx, 60, limit=5)
    # 08:30–09:30 would keep its buffer until 10:00; 10:30 is the first block's blocked_until;
    # 14:00–15:00 and 14:30 would buffer into the 15:00 booking; it leaves no buffer itself.
    assert hhmm(found) == [
        "30 10:30–11:30",
        "30 11:00–12:00",
        "30 13:30–14:30",
        "30 16:00–17:00",
        "30 16:30–17:30",
    ]
    assert_bookable(ctx, found)


def test_slots_skip_blackouts_of_both_kinds():
    blackouts = (
        Blackout(at(30, "00:00"), at(30, "23:59"), "校准"),
        Blackout(at(1, "08:00"), at(1, "12:00"), "停电", "closure"),
    )
    ctx = BookingContext(POLICY, blackouts=blackouts)
    assert hhmm(slots(ctx, 120, limit=2)) == ["01 13:30–15:30", "01 14:00–16:00"]


def test_slots_respect_notice_and_now():
    ctx = BookingContext(replace(POLICY, min_notice_minutes=120))
    found = slots(ctx, 30, now=at(30, "09:10"), limit=1)
    assert hhmm(found) == ["30 11:30–12:00"]  # 09:10 + 2 h = 11:10, next grid point 11:30


def test_slots_lie_inside_the_window():
    ctx = BookingContext(POLICY)
    found = slots(ctx, 60, window=(at(1, "10:15"), at(1, "14:30")), limit=10)
    assert hhmm(found) == ["01 10:30–11:30", "01 11:00–12:00", "01 13:30–14:30"]


def test_no_slots_when_nothing_can_pass():
    for ctx in (
        BookingContext(replace(POLICY, status="maintenance")),
        BookingContext(POLICY, permitted=False),
        BookingContext(replace(POLICY, max_future_bookings=1), user_future_count=1),
        BookingContext(replace(POLICY, qualification_required=True)),
    ):
        assert slots(ctx) == []
    assert slots(BookingContext(POLICY), 45) == []  # not a multiple of the grid
    assert slots(BookingContext(POLICY), 600) == []  # longer than max_minutes
    assert slots(BookingContext(POLICY), 60, window=(at(30, "12:00"), at(30, "13:00"))) == []


def test_qualification_expiring_mid_week_stops_the_search():
    ctx = BookingContext(replace(POLICY, qualification_required=True), qualified_until=at(30, "10:00"))
    assert hhmm(slots(ctx, 60)) == ["30 08:30–09:30", "30 09:00–10:00"]


def test_too_far_ahead_stops_the_search():
    ctx = BookingContext(replace(POLICY, max_days_ahead=1))
    # Only Monday afternoon holds four hours before Tuesday 00:00, the latest allowed start.
    assert hhmm(slots(ctx, 240, limit=10)) == ["30 13:30–17:30"]


def test_an_exhausted_weekly_quota_moves_slots_to_next_week():
    mine = (block(1, 30, "08:30", "11:30", enterprise=10),)
    policy = replace(POLICY, weekly_quota_minutes=180)
    ctx = BookingContext(policy, busy=mine, enterprise_bookings=mine)
    found = slots(ctx, 60, window=(at(30, "00:00"), at(14, "00:00")), limit=2)
    assert hhmm(found) == ["07 08:30–09:30", "07 09:00–10:00"]
    assert_bookable(ctx, found)


def test_a_slot_may_straddle_into_the_next_quota_week():
    # 90 of 120 minutes used in the week of Nov 30: an hour fits only if half of it is next week.
    mine = (block(1, 30, "09:00", "10:30", enterprise=10),)
    ctx = BookingContext(BookingPolicy(weekly_quota_minutes=120), enterprise_bookings=mine)
    found = slots(ctx, 60, window=(at(6, "20:00"), at(7, "03:00")), limit=2)
    assert hhmm(found) == ["06 23:30–00:30", "07 00:00–01:00"]
    assert_bookable(ctx, found)


def test_without_a_grid_an_overspent_week_is_crossed_at_once():
    # 390 of 120 minutes already used (a manager's override): nothing fits before the week ends.
    # The finder used to step through that week a microsecond at a time (billions of candidates).
    mine = (block(1, 30, "08:00", "14:30", enterprise=10),)
    policy = BookingPolicy(slot_minutes=0, weekly_quota_minutes=120)
    ctx = BookingContext(policy, enterprise_bookings=mine)
    found = slots(ctx, 60, window=(at(6, "20:00"), at(7, "03:00")), limit=2)
    assert hhmm(found) == ["07 00:00–01:00", "07 00:30–01:30"]
    assert_bookable(ctx, found)


def test_without_a_grid_a_partly_used_week_is_left_where_the_rest_fits():
    # 90 of 120 minutes used: an hour fits from 23:30 on Sunday (half of it next week).
    mine = (block(1, 30, "09:00", "10:30", enterprise=10),)
    ctx = BookingContext(BookingPolicy(slot_minutes=0, weekly_quota_minutes=120), enterprise_bookings=mine)
    found = slots(ctx, 60, window=(at(6, "20:00"), at(7, "03:00")), limit=1)
    assert hhmm(found) == ["06 23:30–00:30"]


def test_moving_booking_does_not_block_its_own_new_time():
    busy = (block(7, 30, "08:30", "10:30", user=1, enterprise=10),)
    ctx = BookingContext(POLICY, busy=busy)
    assert hhmm(slots(ctx, 60, limit=1)) == ["30 10:30–11:30"]
    found = slots(ctx, 60, limit=1, moving_booking_id=7)
    assert hhmm(found) == ["30 08:30–09:30"]
    assert_bookable(ctx, found, moving=7)


def test_without_a_grid_slots_start_right_after_a_block():
    policy = BookingPolicy(slot_minutes=0, min_minutes=10)
    ctx = BookingContext(policy, busy=(BusyBlock(1, at(30, "00:00"), at(30, "00:07"), at(30, "00:17")),))
    found = slots(ctx, 25, limit=3)
    assert hhmm(found) == ["30 00:17–00:42", "30 00:47–01:12", "30 01:17–01:42"]
    assert_bookable(ctx, found)


def test_iter_slots_is_lazy_and_matches_find_slots():
    ctx = BookingContext(POLICY)
    it = iter_slots(
        ctx,
        user_id=1,
        enterprise_id=10,
        duration_minutes=30,
        window_start=WEEK[0],
        window_end=WEEK[1],
        now=NOW,
    )
    assert [next(it) for _ in range(3)] == find_slots(
        ctx,
        user_id=1,
        enterprise_id=10,
        duration_minutes=30,
        window_start=WEEK[0],
        window_end=WEEK[1],
        now=NOW,
        limit=3,
    )


def _many(contexts, **kw):
    return find_slots_many(
        contexts,
        user_id=1,
        enterprise_id=10,
        duration_minutes=60,
        window_start=WEEK[0],
        window_end=WEEK[1],
        now=NOW,
        **kw,
    )


def test_find_slots_many_merges_instruments_by_start_then_mapping_order():
    contexts = {
        "sem": BookingContext(POLICY, busy=(block(1, 30, "08:30", "12:00"),)),
        "xrd": BookingContext(POLICY, busy=(block(2, 30, "08:30", "10:00"),)),
        "nmr": BookingContext(replace(POLICY, status="retired")),
        "tem": BookingContext(POLICY),
    }
    found = _many(contexts, limit=5)
    got = [(k, f"{s.astimezone(SHANGHAI):%H:%M}") for k, s, _ in found]
    assert got == [("tem", "08:30"), ("tem", "09:00"), ("tem", "09:30"), ("xrd", "10:00"), ("tem", "10:00")]
    # The same as merging each instrument's own slots.
    expected = sorted(
        ((s, order, key, e) for order, (key, ctx) in enumerate(contexts.items()) for s, e in slots(ctx, 60, limit=5)),
    )[:5]
    assert [(k, s, e) for k, s, e in found] == [(k, s, e) for s, _, k, e in expected]


def test_find_slots_many_per_instrument_cap():
    contexts = {i: BookingContext(POLICY) for i in range(3)}
    found = _many(contexts, limit=5, per_instrument=1)
    assert [k for k, _, _ in found] == [0, 1, 2]


def test_find_slots_many_every_slot_is_bookable():
    contexts = {i: BookingContext(POLICY, busy=(block(i, 30, "08:30", f"{9 + i % 3:02d}:00"),)) for i in range(1, 30)}
    for key, s, e in _many(contexts, limit=40):
        assert check(BookingRequest(s, e, 1, 10), contexts[key], NOW) == []


def test_find_slots_many_with_policies_looks_up_only_the_instruments_it_searches():
    contexts = {
        "sem": BookingContext(POLICY, busy=(block(1, 30, "08:30", "12:00"),)),
        "xrd": BookingContext(POLICY, busy=(block(2, 30, "08:30", "10:00"),)),
        "nmr": BookingContext(replace(POLICY, status="retired")),
        "tem": BookingContext(POLICY),
        "ftir": BookingContext(POLICY),
    }
    looked_up = []

    class Lazy(dict):  # stands for a mapping that builds each context when it is looked up
        def __getitem__(self, key):
            looked_up.append(key)
            return super().__getitem__(key)

    policies = {key: context.policy for key, context in contexts.items()}
    assert _many(Lazy(contexts), limit=4, policies=policies) == _many(contexts, limit=4)
    looked_up.clear()
    found = _many(Lazy(contexts), limit=1, policies=policies)
    assert [(k, f"{s.astimezone(SHANGHAI):%H:%M}") for k, s, _ in found] == [("tem", "08:30")]
    # every bound is Monday 08:30: searched in mapping order until a slot is found, no further
    assert looked_up == ["sem", "xrd", "nmr", "tem"]


# --- week view --------------------------------------------------------------------------------


def test_week_view_shows_hours_busy_blocks_and_blackouts_per_local_day():
    busy = (
        block(1, 1, "09:00", "10:00", buffer=15, user=1),
        block(2, 1, "14:00", "15:00", user=2),
    )
    blackouts = (Blackout(at(2, "08:30"), at(2, "12:00"), "校准"),)
    ctx = BookingContext(replace(POLICY, buffer_minutes=15), busy=busy, blackouts=blackouts)
    days = week_view(ctx, date(2026, 11, 30), at(30, "00:00"), user_id=1)
    assert [d.day for d in days] == [date(2026, 11, 30) + timedelta(days=i) for i in range(7)]
    assert [d.weekday for d in days] == list(range(7))
    tuesday = days[1]
    assert [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in tuesday.opening] == [("08:30", "12:00"), ("13:30", "17:30")]
    own, other = tuesday.busy
    assert own.own and own.booking_id == 1 and f"{own.blocked_until:%H:%M}" == "10:15"
    assert not other.own and other.booking_id is None
    assert [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in tuesday.free] == [
        ("08:30", "09:00"),
        ("10:15", "12:00"),
        ("13:30", "14:00"),
        ("15:00", "17:30"),
    ]
    wednesday = days[2]
    assert [b.reason for b in wednesday.blackouts] == ["校准"]
    assert [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in wednesday.free] == [("13:30", "17:30")]
    assert days[6].opening == () and days[6].free == ()
    assert all(s.utcoffset() == timedelta(hours=8) for d in days for s, _ in d.opening)


def test_week_view_hides_the_past_from_free_time_and_accepts_an_instant():
    ctx = BookingContext(POLICY)
    days = week_view(ctx, at(30, "15:00"), at(30, "10:10"))  # any instant on Monday
    assert days[0].day == date(2026, 11, 30)
    assert [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in days[0].free] == [("10:10", "12:00"), ("13:30", "17:30")]


def test_week_view_without_hours_is_open_all_day():
    days = week_view(BookingContext(BookingPolicy()), date(2026, 11, 30), NOW)
    assert all(len(d.opening) == 1 and d.opening[0][1] - d.opening[0][0] == timedelta(days=1) for d in days)
