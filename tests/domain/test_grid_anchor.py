"""The slot grid is anchored at each opening interval's start, in the checker and the slot
finder alike, and after a cleanup buffer the next start is the first grid point at/after it.
Shanghai instrument open Mon–Fri 08:30–12:00 and 13:30–17:30; Monday = 2026-11-30."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bwq_lab.domain.booking_rules import (
    NOT_ON_SLOT_GRID,
    BookingContext,
    BookingPolicy,
    BookingRequest,
    BusyBlock,
    OpeningRange,
    ceil_from,
    ceil_to_policy_grid,
    check,
    grid_anchor,
    interval_anchor,
)
from bwq_lab.domain.slots import find_slots

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = tuple(
    OpeningRange(day, start, end)
    for day in range(5)
    for start, end in ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
)
HOURLY = BookingPolicy(opening_hours=HOURS, slot_minutes=60, min_minutes=30, max_minutes=240)
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=SHANGHAI)


def at(hhmm: str, day: int = 30) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def codes(policy, start, end, busy=()):
    context = BookingContext(policy=policy, busy=tuple(busy))
    return {v.code for v in check(BookingRequest(at(start), at(end), 1, 10), context, NOW)}


@pytest.mark.parametrize(
    ("start", "end", "on_grid"),
    [
        ("08:30", "09:30", True),  # the first hour of the morning is bookable at last
        ("09:30", "11:30", True),
        ("11:30", "12:00", True),  # ending at the opening's end is allowed
        ("09:00", "10:00", False),  # the midnight grid is not the lab's grid
        ("13:30", "14:30", True),
        ("16:30", "17:30", True),  # the end of the afternoon
        ("14:00", "15:00", False),
        ("08:30", "09:00", False),  # half an hour into a 1 h grid, and not the opening's end
    ],
)
def test_checker_grid_is_anchored_at_the_opening_start(start, end, on_grid):
    assert (NOT_ON_SLOT_GRID not in codes(HOURLY, start, end)) is on_grid


def test_grid_refusal_suggests_times_inside_the_hours():
    context = BookingContext(policy=HOURLY)
    [v] = [
        v for v in check(BookingRequest(at("09:00"), at("10:00"), 1, 10), context, NOW) if v.code == NOT_ON_SLOT_GRID
    ]
    assert v.params["suggested_start"].startswith("2026-11-30T08:30")
    assert v.params["suggested_end"].startswith("2026-11-30T10:30")


def test_slot_finder_offers_the_anchored_grid():
    found = find_slots(
        BookingContext(policy=HOURLY),
        user_id=1,
        enterprise_id=10,
        duration_minutes=60,
        window_start=at("00:00"),
        window_end=at("23:59"),
        now=NOW,
        limit=6,
    )
    starts = [s.astimezone(SHANGHAI).strftime("%H:%M") for s, _ in found]
    assert starts == ["08:30", "09:30", "10:30", "13:30", "14:30", "15:30"]


def test_after_a_buffer_the_next_start_is_the_first_grid_point_after_it():
    policy = BookingPolicy(opening_hours=HOURS, slot_minutes=15, min_minutes=30, max_minutes=240, buffer_minutes=15)
    taken = BusyBlock(7, at("10:00"), at("11:00"), at("11:15"), 2, 20)
    found = find_slots(
        BookingContext(policy=policy, busy=(taken,)),
        user_id=1,
        enterprise_id=10,
        duration_minutes=45,
        window_start=at("10:00"),
        window_end=at("12:00"),
        now=NOW,
        limit=1,
    )
    assert [s.astimezone(SHANGHAI).strftime("%H:%M") for s, _ in found] == ["11:15"]  # not 12:00 or 11:30
    assert NOT_ON_SLOT_GRID not in codes(policy, "11:15", "12:00", [taken])
    assert "INSIDE_BUFFER" in codes(policy, "11:00", "12:00", [taken])


def test_grid_helpers():
    assert grid_anchor(HOURLY, at("10:10")) == at("08:30")
    assert grid_anchor(HOURLY, at("15:00")) == at("13:30")
    assert ceil_from(at("11:15"), at("08:30"), 60) == at("11:30")
    assert ceil_from(at("08:00"), at("08:30"), 60) == at("08:30")
    around_the_clock = BookingPolicy(slot_minutes=60)
    assert grid_anchor(around_the_clock, at("10:10")) == at("00:00")
    assert NOT_ON_SLOT_GRID in codes(around_the_clock, "08:30", "09:30")
    assert timedelta(0) == at("09:00") - ceil_from(at("08:01"), at("00:00"), 60)


ANCHORED = BookingPolicy(opening_hours=HOURS, slot_minutes=60, min_minutes=60, max_minutes=240, slot_anchor=time(9))


@pytest.mark.parametrize(
    ("start", "end", "on_grid"),
    [
        ("09:00", "10:00", True),  # the policy's own anchor, not the opening's 08:30
        ("11:00", "12:00", True),
        ("08:30", "09:30", False),
        ("14:00", "15:00", True),  # the afternoon too: every hour from 09:00
        ("13:30", "14:30", False),
        ("16:00", "17:30", True),  # ending at the opening's end is still allowed
    ],
)
def test_an_explicit_anchor_sets_the_grid_in_every_opening(start, end, on_grid):
    assert (NOT_ON_SLOT_GRID not in codes(ANCHORED, start, end)) is on_grid


def test_the_slot_finder_and_the_helpers_follow_an_explicit_anchor():
    found = find_slots(
        BookingContext(policy=ANCHORED),
        user_id=1,
        enterprise_id=10,
        duration_minutes=60,
        window_start=at("00:00"),
        window_end=at("23:59"),
        now=NOW,
        limit=6,
    )
    assert [s.astimezone(SHANGHAI).strftime("%H:%M") for s, _ in found] == [
        "09:00", "10:00", "11:00", "14:00", "15:00", "16:00",
    ]  # fmt: skip
    assert grid_anchor(ANCHORED, at("10:10")) <= at("08:30")
    assert ceil_to_policy_grid(ANCHORED, at("13:00")) == at("14:00")  # closed at 13:00: the next grid time
    quarter = BookingPolicy(opening_hours=HOURS, slot_minutes=30, slot_anchor=time(8, 15))
    assert interval_anchor(quarter, at("13:30")) == at("13:15")
    [v] = [
        v
        for v in check(BookingRequest(at("09:00"), at("10:00"), 1, 10), BookingContext(policy=quarter), NOW)
        if v.code == NOT_ON_SLOT_GRID
    ]
    assert v.params["suggested_start"].startswith("2026-11-30T08:45")
