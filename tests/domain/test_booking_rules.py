"""The rule checker: one pass and one fail case per code, messages, override, ordering.

The instrument is in Asia/Shanghai and open Mon–Fri 08:30–12:00 and 13:30–17:30. ``NOW`` is
Monday 2026-11-30 00:00 local; ``at(day, "09:00")`` is a local time on day 30..31 of November
or 1..31 of December 2026 (Tuesday 2026-12-01 is ``at(1, ...)``).
"""

import json
import subprocess
import sys
import time as clock
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bwq_lab.domain import booking_rules as rules
from bwq_lab.domain.booking_rules import (
    RULE_CODES,
    Blackout,
    BookingContext,
    BookingPolicy,
    BookingRequest,
    BusyBlock,
    OpeningRange,
    Violation,
    blocking,
    check,
    quota_load_window,
)
from tests.edge.words import msg, words

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = tuple(
    OpeningRange(day, start, end)
    for day in range(5)
    for start, end in ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
)
POLICY = BookingPolicy(opening_hours=HOURS)
OPEN_24_7 = BookingPolicy()


def at(day: int, hhmm: str) -> datetime:
    """Local Shanghai time; day 30 = Mon 2026-11-30, days 1..31 are in December 2026."""
    hour, minute = map(int, hhmm.split(":"))
    month = 11 if day >= 30 else 12
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


NOW = at(30, "00:00")


def req(day, start, end, *, end_day=None, user=1, enterprise=10, moving=None):
    return BookingRequest(at(day, start), at(end_day or day, end), user, enterprise, moving_booking_id=moving)


def block(booking_id, day, start, end, *, buffer=0, user=2, enterprise=20):
    s, e = at(day, start), at(day, end)
    return BusyBlock(booking_id, s, e, e + timedelta(minutes=buffer), user, enterprise)


def codes(request, context=None, now=NOW):
    return [v.code for v in check(request, context or BookingContext(POLICY), now)]


def only(code, request, context=None, now=NOW):
    """The violation with ``code`` (asserting it is there)."""
    found = [v for v in check(request, context or BookingContext(POLICY), now) if v.code == code]
    assert found, f"{code} not reported"
    return found[0]


# --- a request that passes everything --------------------------------------------------------


def test_a_plain_request_inside_opening_hours_passes():
    assert codes(req(1, "09:00", "10:00")) == []


# --- one test per code -----------------------------------------------------------------------


def test_in_past():
    assert "IN_PAST" in codes(req(1, "09:00", "10:00"), now=at(1, "09:30"))
    assert "IN_PAST" not in codes(req(1, "09:00", "10:00"), now=at(1, "09:00"))


@pytest.mark.parametrize("end", ["09:00", "08:30"])
def test_end_before_start_skips_the_rules_that_need_an_interval(end):
    ctx = BookingContext(POLICY, busy=(block(1, 1, "08:00", "10:00"),))
    assert codes(req(1, "09:00", end), ctx) == ["END_BEFORE_START"]


@pytest.mark.parametrize("status", ["maintenance", "retired"])
def test_instrument_unavailable(status):
    ctx = BookingContext(replace(POLICY, status=status))
    assert codes(req(1, "09:00", "10:00"), ctx) == ["INSTRUMENT_UNAVAILABLE"]


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ("08:30", "12:00", True),  # exactly one range
        ("09:00", "10:00", True),
        ("08:00", "09:00", False),  # starts before opening
        ("11:30", "12:30", False),  # runs into lunch
        ("11:00", "14:00", False),  # spans two ranges
        ("17:00", "18:00", False),
    ],
)
def test_outside_opening_hours_on_a_weekday(start, end, ok):
    assert ("OUTSIDE_OPENING_HOURS" not in codes(req(1, start, end))) is ok


def test_outside_opening_hours_message_lists_that_weekdays_hours():
    v = only("OUTSIDE_OPENING_HOURS", req(1, "11:30", "12:30"))
    assert v.params["weekday"] == 1
    assert v.params["hours"] == [["08:30", "12:00"], ["13:30", "17:30"]]
    assert "周二开放时间为 08:30–12:00、13:30–17:30" in msg(v, "zh")
    assert "Opening hours on Tuesday are 08:30–12:00 and 13:30–17:30" in msg(v, "en")


def test_outside_opening_hours_on_a_closed_day():
    v = only("OUTSIDE_OPENING_HOURS", req(6, "09:00", "10:00"))  # Sunday 2026-12-06
    assert "周日不开放" in msg(v)
    assert "closed on Sunday" in msg(v, "en")


def test_no_opening_hours_means_open_around_the_clock():
    assert codes(req(6, "02:00", "03:00"), BookingContext(OPEN_24_7)) == []


def test_opening_ranges_that_touch_count_as_one_even_across_midnight():
    policy = BookingPolicy(
        opening_hours=(
            OpeningRange(0, time(8), time(12)),
            OpeningRange(0, time(12), time(14)),
            OpeningRange(0, time(22), time(0)),  # until 24:00
            OpeningRange(1, time(0), time(6)),
        )
    )
    ctx = BookingContext(policy)
    assert codes(req(30, "11:00", "13:00"), ctx) == []
    assert codes(req(30, "23:00", "01:00", end_day=1), ctx) == []
    assert "OUTSIDE_OPENING_HOURS" in codes(req(30, "23:00", "07:00", end_day=1), ctx)


def test_opening_hours_are_local_time_of_the_policy_zone():
    # 01:00Z on Tuesday is 09:00 in Shanghai: inside 08:30–12:00.
    ok = BookingRequest(datetime(2026, 12, 1, 1, 0, tzinfo=UTC), datetime(2026, 12, 1, 2, 0, tzinfo=UTC), 1, 10)
    assert codes(ok) == []
    # 00:00Z is 08:00 local: before opening.
    early = replace(ok, start=datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    assert codes(early) == ["OUTSIDE_OPENING_HOURS"]
    # The same instants in Berlin's zone: nothing changes, instants are instants.
    berlin = ZoneInfo("Europe/Berlin")
    moved = BookingRequest(ok.start.astimezone(berlin), ok.end.astimezone(berlin), 1, 10)
    assert codes(moved) == []


def test_not_on_slot_grid():
    v = only("NOT_ON_SLOT_GRID", req(1, "09:10", "10:10"))
    assert v.params["slot_minutes"] == 30
    assert v.params["suggested_start"] == "2026-12-01T09:00:00+08:00"
    assert v.params["suggested_end"] == "2026-12-01T10:30:00+08:00"
    assert "30 分钟" in msg(v) and "09:00–10:30" in msg(v)
    assert "30-minute grid" in msg(v, "en")
    assert "NOT_ON_SLOT_GRID" in codes(req(1, "09:00", "10:15"))
    # the grid is anchored at the opening's start (08:30), not at midnight
    hourly = BookingContext(replace(POLICY, slot_minutes=60))
    assert "NOT_ON_SLOT_GRID" in codes(req(1, "09:00", "10:00"), hourly)
    assert "NOT_ON_SLOT_GRID" not in codes(req(1, "09:30", "10:30"), hourly)


@pytest.mark.parametrize("slot", [0, 1])
def test_slot_minutes_zero_or_one_means_no_grid(slot):
    ctx = BookingContext(replace(POLICY, slot_minutes=slot, min_minutes=1))
    assert codes(req(1, "09:07", "10:13"), ctx) == []


def test_too_short():
    assert "TOO_SHORT" not in codes(req(1, "09:00", "09:30"))
    ctx = BookingContext(replace(POLICY, min_minutes=60))
    v = only("TOO_SHORT", req(1, "09:00", "09:30"), ctx)
    assert v.params == {"minutes": 30, "min_minutes": 60}
    assert "1 小时" in msg(v) and "30 分钟" in msg(v)
    assert "at least 1 hour" in msg(v, "en")


def test_too_long():
    ctx = BookingContext(OPEN_24_7)
    assert "TOO_LONG" not in codes(req(1, "09:00", "17:00"), ctx)
    v = only("TOO_LONG", req(1, "09:00", "17:30"), ctx)
    assert v.params == {"minutes": 510, "max_minutes": 480}
    assert "8 小时" in msg(v) and "8 小时 30 分钟" in msg(v)
    assert "at most 8 hours" in msg(v, "en")


def test_notice_too_short_says_the_earliest_allowed_start():
    ctx = BookingContext(replace(POLICY, min_notice_minutes=24 * 60))
    v = only("NOTICE_TOO_SHORT", req(30, "09:00", "10:00"), ctx)
    # the earliest start offered is a bookable one: the next opening (not midnight)
    assert v.params["earliest_start"] == "2026-12-01T08:30:00+08:00"
    assert "2026-12-01 周二 08:30" in msg(v) and "24 小时" in msg(v)  # with the day of the week
    assert "24 hours notice" in msg(v, "en")
    assert "NOTICE_TOO_SHORT" not in codes(req(1, "09:00", "10:00"), ctx)


def test_notice_is_not_reported_for_a_start_in_the_past():
    ctx = BookingContext(replace(POLICY, min_notice_minutes=24 * 60))
    assert codes(req(30, "09:00", "10:00"), ctx, now=at(30, "09:30")) == ["IN_PAST"]


def test_too_far_ahead():
    ctx = BookingContext(replace(POLICY, max_days_ahead=7))
    assert "TOO_FAR_AHEAD" not in codes(req(4, "09:00", "10:00"), ctx)
    v = only("TOO_FAR_AHEAD", req(8, "09:00", "10:00"), ctx)
    assert v.params["latest_start"] == "2026-12-07T00:00:00+08:00"
    assert "7 天" in msg(v) and "2026-12-07 周一 00:00" in msg(v)
    assert "7 days ahead" in msg(v, "en")


@pytest.mark.parametrize(
    ("start", "end", "overlap"),
    [
        ("08:30", "10:00", False),  # touching before
        ("08:30", "10:30", True),
        ("10:00", "11:00", True),  # same
        ("10:30", "11:30", True),
        ("09:30", "11:30", True),  # containing
        ("11:00", "12:00", False),  # touching after
    ],
)
def test_overlaps_booking(start, end, overlap):
    ctx = BookingContext(POLICY, busy=(block(7, 1, "10:00", "11:00"),))
    assert ("OVERLAPS_BOOKING" in codes(req(1, start, end), ctx)) is overlap


def test_overlaps_booking_message_shows_the_conflict_in_local_time():
    ctx = BookingContext(POLICY, busy=(block(7, 1, "10:00", "11:00"), block(8, 1, "11:00", "11:30")))
    v = only("OVERLAPS_BOOKING", req(1, "10:30", "11:30"), ctx)
    assert v.params == {
        "conflict_start": "2026-12-01T10:00:00+08:00",
        "conflict_end": "2026-12-01T11:00:00+08:00",
        "count": 2,
    }
    assert "2026-12-01 周二 10:00–11:00" in msg(v)
    assert "2026-12-01 Tuesday 10:00–11:00 and 1 more" in msg(v, "en")


def test_the_moving_booking_is_ignored():
    busy = (block(7, 1, "10:00", "11:00", buffer=30),)
    ctx = BookingContext(
        replace(POLICY, buffer_minutes=30, weekly_quota_minutes=60), busy=busy, enterprise_bookings=busy
    )
    moving = req(1, "10:30", "11:30", enterprise=20, moving=7)
    assert codes(moving, ctx) == []
    assert {"OVERLAPS_BOOKING", "QUOTA_EXCEEDED"} <= set(codes(replace(moving, moving_booking_id=None), ctx))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("08:00", "09:00", None),  # ends exactly when its own 30 min buffer reaches the block
        ("08:30", "09:30", None),  # its buffer ends exactly when the block starts
        ("08:30", "10:00", "before"),  # its buffer runs into the 10:00 booking
        ("09:30", "10:00", "before"),
        ("11:00", "12:00", "after"),  # starts inside the block's buffer (until 11:30)
        ("11:30", "12:30", None),
        ("10:30", "11:30", "overlap"),
    ],
)
def test_inside_buffer(start, end, expected):
    policy = replace(OPEN_24_7, buffer_minutes=30)
    ctx = BookingContext(policy, busy=(block(7, 1, "10:00", "11:00", buffer=30),))
    found = {v.code: v for v in check(req(1, start, end), ctx, NOW)}
    if expected is None:
        assert found == {}
    elif expected == "overlap":
        assert set(found) == {"OVERLAPS_BOOKING"}
    else:
        assert set(found) == {"INSIDE_BUFFER"}
        assert found["INSIDE_BUFFER"].params["position"] == expected


def test_inside_buffer_messages_say_when_it_would_work():
    policy = replace(OPEN_24_7, buffer_minutes=30)
    ctx = BookingContext(policy, busy=(block(7, 1, "10:00", "11:00", buffer=30),))
    after = only("INSIDE_BUFFER", req(1, "11:00", "12:00"), ctx)
    assert after.params["available_from"] == "2026-12-01T11:30:00+08:00"
    assert "2026-12-01 周二 11:30" in msg(after) and "30 分钟" in msg(after)
    assert "earliest start is 2026-12-01 Tuesday 11:30" in msg(after, "en")
    before = only("INSIDE_BUFFER", req(1, "09:00", "10:00"), ctx)
    assert before.params["latest_end"] == "2026-12-01T09:30:00+08:00"
    assert "09:30" in msg(before) and "must end by 2026-12-01 Tuesday 09:30" in msg(before, "en")


def test_overlaps_maintenance_and_provider_closed_are_separate_codes():
    blackouts = (
        Blackout(at(1, "09:00"), at(1, "10:00"), "年度校准", "maintenance"),
        Blackout(at(2, "00:00"), at(3, "00:00"), "校庆放假", "closure"),
    )
    ctx = BookingContext(POLICY, blackouts=blackouts)
    v = only("OVERLAPS_MAINTENANCE", req(1, "09:30", "10:30"), ctx)
    assert "2026-12-01 周二 09:00–10:00" in msg(v) and "年度校准" in msg(v)
    assert codes(req(1, "10:00", "11:00"), ctx) == []  # touching after
    assert codes(req(1, "08:30", "09:00"), ctx) == []  # touching before
    closed = only("PROVIDER_CLOSED", req(2, "09:00", "10:00"), ctx)
    assert closed.overridable
    assert "校庆放假" in msg(closed) and "closed" in msg(closed, "en")
    assert codes(req(2, "09:00", "10:00"), ctx) == ["PROVIDER_CLOSED"]


def test_not_qualified():
    policy = replace(POLICY, qualification_required=True)
    request = req(1, "09:00", "10:00")
    assert "NOT_QUALIFIED" in codes(request, BookingContext(policy))
    expired = BookingContext(policy, qualified_until=at(1, "09:30"))
    v = only("NOT_QUALIFIED", request, expired)
    assert "2026-12-01 周二 09:30" in msg(v) and "valid until 2026-12-01 Tuesday 09:30" in msg(v, "en")
    assert codes(request, BookingContext(policy, qualified_until=at(1, "10:00"))) == []
    assert codes(request, BookingContext(POLICY)) == []  # not required


def test_quota_exceeded_weekly_says_how_much_remains():
    policy = replace(POLICY, weekly_quota_minutes=240)
    mine = (block(1, 30, "09:00", "12:00", enterprise=10), block(2, 1, "09:00", "09:30", enterprise=99))
    ctx = BookingContext(policy, busy=mine, enterprise_bookings=mine)
    assert codes(req(2, "09:00", "10:00"), ctx) == []  # 180 + 60 = 240: exactly the quota
    v = only("QUOTA_EXCEEDED", req(2, "09:00", "10:30"), ctx)
    (period,) = v.params["periods"]
    assert period == {
        "period": "week",
        "start": "2026-11-30",
        "quota_minutes": 240,
        "used_minutes": 180,
        "requested_minutes": 90,
        "remaining_minutes": 60,
    }
    assert "剩余 1 小时" in msg(v) and "4 小时" in msg(v)
    assert "1 hour of 4 hours left" in msg(v, "en")
    # Next week has its own quota.
    assert codes(req(7, "09:00", "12:00"), ctx) == []


def test_quota_counts_each_local_week_a_request_touches():
    policy = replace(OPEN_24_7, weekly_quota_minutes=120)
    mine = (block(1, 6, "20:00", "22:00", enterprise=10),)  # Sunday: week of Nov 30 is full
    ctx = BookingContext(policy, enterprise_bookings=mine)
    # Sunday 23:00 to Monday 01:00 local puts 60 minutes in each week.
    v = only("QUOTA_EXCEEDED", req(6, "23:00", "01:00", end_day=7), ctx)
    assert [(p["start"], p["requested_minutes"]) for p in v.params["periods"]] == [("2026-11-30", 60)]
    assert codes(req(7, "00:00", "02:00"), ctx) == []


def test_quota_monthly_and_both_periods():
    policy = replace(OPEN_24_7, weekly_quota_minutes=240, monthly_quota_minutes=280)
    mine = (block(1, 1, "09:00", "12:00", enterprise=10), block(2, 30, "09:00", "11:00", enterprise=10))
    ctx = BookingContext(policy, enterprise_bookings=mine)
    v = only("QUOTA_EXCEEDED", req(8, "09:00", "11:00"), ctx)  # next week, same month
    assert [p["period"] for p in v.params["periods"]] == ["month"]
    assert v.params["periods"][0]["remaining_minutes"] == 100  # November 30 is another month
    assert "2026 年 12 月" in msg(v) and "December 2026" in msg(v, "en")
    both = only("QUOTA_EXCEEDED", req(2, "09:00", "11:00"), ctx)
    assert [p["period"] for p in both.params["periods"]] == ["week", "month"]


def test_quota_ignores_requests_without_an_enterprise():
    policy = replace(POLICY, weekly_quota_minutes=30)
    assert codes(req(1, "09:00", "10:00", enterprise=None), BookingContext(policy)) == []


def test_quota_load_window_covers_touched_weeks_and_months():
    policy = replace(POLICY, weekly_quota_minutes=60, monthly_quota_minutes=600)
    lo, hi = quota_load_window(policy, at(30, "09:00"), at(30, "10:00"))
    assert lo == at(1, "00:00").replace(month=11, day=1) and hi == at(6, "00:00") + timedelta(days=1)
    assert quota_load_window(POLICY, at(30, "09:00"), at(30, "10:00")) is None


def test_too_many_future_bookings():
    policy = replace(POLICY, max_future_bookings=2)
    assert codes(req(1, "09:00", "10:00"), BookingContext(policy, user_future_count=1)) == []
    v = only("TOO_MANY_FUTURE_BOOKINGS", req(1, "09:00", "10:00"), BookingContext(policy, user_future_count=2))
    assert "最多可保留 2 个" in msg(v) and "at most 2 upcoming" in msg(v, "en")


def test_not_permitted():
    assert codes(req(1, "09:00", "10:00"), BookingContext(POLICY, permitted=False)) == ["NOT_PERMITTED"]


# --- all at once, order, override -------------------------------------------------------------


def test_every_broken_rule_is_reported_at_once_in_a_stable_order():
    policy = replace(POLICY, max_days_ahead=7, qualification_required=True)
    ctx = BookingContext(policy, permitted=False)
    # Sunday next week at 09:10 for 20 minutes: closed day, off grid, too far, not qualified,
    # too short and not permitted.
    found = codes(req(13, "09:10", "09:30"), ctx)
    assert found == [
        "OUTSIDE_OPENING_HOURS",
        "NOT_ON_SLOT_GRID",
        "TOO_SHORT",
        "TOO_FAR_AHEAD",
        "NOT_QUALIFIED",
        "NOT_PERMITTED",
    ]


def test_a_request_breaking_four_rules_gets_four_codes():
    ctx = BookingContext(POLICY, busy=(block(5, 1, "09:00", "10:00"),), permitted=False)
    found = codes(req(1, "09:10", "10:10"), ctx, now=at(1, "09:20"))
    assert found == ["IN_PAST", "NOT_ON_SLOT_GRID", "OVERLAPS_BOOKING", "NOT_PERMITTED"]


def test_rule_codes_cover_the_design_list_in_order():
    assert RULE_CODES == (
        "IN_PAST",
        "END_BEFORE_START",
        "INSTRUMENT_UNAVAILABLE",
        "OUTSIDE_OPENING_HOURS",
        "NOT_ON_SLOT_GRID",
        "TOO_SHORT",
        "TOO_LONG",
        "NOTICE_TOO_SHORT",
        "TOO_FAR_AHEAD",
        "OVERLAPS_BOOKING",
        "INSIDE_BUFFER",
        "OVERLAPS_MAINTENANCE",
        "PROVIDER_CLOSED",
        "NOT_QUALIFIED",
        "QUOTA_EXCEEDED",
        "TOO_MANY_FUTURE_BOOKINGS",
        "NOT_PERMITTED",
        "ENTERPRISE_NOT_VERIFIED",  # new rules get new codes (issue 13: cities verify enterprises)
    )


def test_which_codes_a_manager_may_override():
    assert rules.OVERRIDABLE_CODES == {
        "NOTICE_TOO_SHORT",
        "QUOTA_EXCEEDED",
        "TOO_FAR_AHEAD",
        "OUTSIDE_OPENING_HOURS",
        "PROVIDER_CLOSED",
        "TOO_MANY_FUTURE_BOOKINGS",
    }
    for code in RULE_CODES:
        assert rules.violation(code).overridable is (code in rules.OVERRIDABLE_CODES)


def test_blocking_drops_only_soft_violations_when_overriding():
    policy = replace(POLICY, max_days_ahead=7, min_notice_minutes=60)
    ctx = BookingContext(policy, busy=(block(5, 13, "09:00", "10:00"),))
    found = check(req(13, "09:00", "10:00"), ctx, NOW)  # Sunday, too far, overlapping
    assert [v.code for v in found] == ["OUTSIDE_OPENING_HOURS", "TOO_FAR_AHEAD", "OVERLAPS_BOOKING"]
    assert blocking(found, override=False) == found
    assert [v.code for v in blocking(found, override=True)] == ["OVERLAPS_BOOKING"]
    soft_only = check(req(13, "10:00", "11:00"), ctx, NOW)
    assert soft_only and blocking(soft_only, override=True) == []


# --- messages and params ----------------------------------------------------------------------


def _every_violation() -> list[Violation]:
    """One request per code, collected, so messages can be checked for all of them."""
    policy = replace(
        POLICY,
        buffer_minutes=30,
        min_notice_minutes=60,
        max_days_ahead=7,
        qualification_required=True,
        weekly_quota_minutes=60,
        max_future_bookings=1,
        status="maintenance",
    )
    busy = (block(1, 2, "09:00", "10:00", buffer=30, enterprise=10),)
    blackouts = (
        Blackout(at(2, "14:00"), at(2, "15:00"), "校准", "maintenance"),
        Blackout(at(2, "16:00"), at(2, "17:00"), "停电", "closure"),
    )
    ctx = BookingContext(
        policy,
        busy=busy,
        blackouts=blackouts,
        enterprise_bookings=busy,
        permitted=False,
        user_future_count=1,
        enterprise_verified=False,
    )
    requests = [
        req(30, "00:00", "00:30"),  # past (now is 00:30) + outside hours
        req(2, "10:00", "09:00"),  # end before start
        req(2, "09:10", "09:20"),  # off grid, too short, overlap
        req(2, "08:30", "17:30"),  # too long, spans lunch
        req(30, "01:00", "02:00"),  # notice
        req(9, "09:00", "10:00"),  # too far ahead
        req(2, "10:00", "11:00"),  # inside buffer, quota
        req(2, "14:00", "15:00"),
        req(2, "16:00", "17:00"),
    ]
    found: dict[str, Violation] = {}
    for r in requests:
        for v in check(r, ctx, at(30, "00:30")):
            found.setdefault(v.code, v)
    return [found[c] for c in RULE_CODES if c in found]


def test_every_code_has_a_message_in_both_locales():
    violations = _every_violation()
    assert [v.code for v in violations] == list(RULE_CODES)
    for v in violations:
        zh, en = msg(v), msg(v, "en")
        assert zh and en and zh != en
        assert zh != v.code and en != v.code
        assert msg(v, "zh_CN") == zh and msg(v, "en_GB") == en
        json.dumps(dict(v.params))  # params are JSON-serialisable (they go to API clients)


@pytest.mark.parametrize("code", [*RULE_CODES, "INVALID_TRANSITION"])
def test_missing_params_give_the_generic_sentence(code):
    params = {"kind": "booking", "status": "x", "action": "y"} if code == "INVALID_TRANSITION" else {}
    zh, en = words(code, params), words(code, None if code != "INVALID_TRANSITION" else params, "en")
    assert zh and en and zh != en and code not in (zh, en)
    assert "SOMETHING_NEW" in words("SOMETHING_NEW", {})  # an unknown code still says which


def test_opening_range_ending_at_24_00():
    assert OpeningRange(0, time(22), time.max) == OpeningRange(0, time(22), time(0))
    assert OpeningRange(0, time(22), time(0)).label == ("22:00", "24:00")
    policy = BookingPolicy(opening_hours=(OpeningRange(0, time(22), time.max),))
    assert codes(req(30, "23:00", "00:00", end_day=1), BookingContext(policy)) == []
    with pytest.raises(ValueError):
        OpeningRange(0, time(12), time(8))


def test_messages_default_to_chinese():
    v = only("NOT_PERMITTED", req(1, "09:00", "10:00"), BookingContext(POLICY, permitted=False))
    assert msg(v) == msg(v, "zh") == "您无权预约该仪器"


def test_naive_datetimes_are_refused():
    naive = BookingRequest(datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 10), 1, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        check(naive, BookingContext(POLICY), NOW)


def test_context_accepts_unsorted_lists_and_keeps_tuples():
    blocks = [block(2, 1, "11:00", "11:30"), block(1, 1, "09:00", "10:00")]
    ctx = BookingContext(POLICY, busy=blocks)  # type: ignore[arg-type]
    assert isinstance(ctx.busy, tuple)
    assert "OVERLAPS_BOOKING" in codes(req(1, "11:00", "12:00"), ctx)
    assert "OVERLAPS_BOOKING" in codes(req(1, "09:30", "10:30"), ctx)


def test_check_stays_fast_with_a_long_history():
    start = NOW - timedelta(hours=2 * 60_000)  # about 14 years of back-to-back history
    busy = tuple(
        BusyBlock(i, start + timedelta(hours=2 * i), start + timedelta(hours=2 * i + 1)) for i in range(60_000)
    )
    ctx = BookingContext(OPEN_24_7, busy=busy)
    began = clock.perf_counter()
    for i in range(500):
        s = NOW + timedelta(hours=2 * i + 3)
        assert check(BookingRequest(s, s + timedelta(minutes=30), 1, 10), ctx, NOW) == []
    elapsed = clock.perf_counter() - began
    assert elapsed < 1.0, f"500 checks against 60,000 blocks took {elapsed:.2f}s"
    within = busy[-5]
    clash = BookingRequest(within.start, within.end, 1, 10)
    assert "OVERLAPS_BOOKING" in [v.code for v in check(clash, ctx, start)]


def test_domain_imports_neither_flask_nor_sqlalchemy():
    code = (
        "import sys, bwq_lab.domain.booking_rules, bwq_lab.domain.slots,"
        " bwq_lab.domain.booking_lifecycle;"
        "sys.exit(any(m in sys.modules for m in ('flask', 'sqlalchemy')))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
