from datetime import UTC, datetime, timedelta

import pytest

from bwq_lab.domain.booking_lifecycle import (
    LIVE_STATUSES,
    MACHINE,
    BookingAction,
    BookingStatus,
    cancellation_allowed,
    check_in_allowed,
    initial_status,
    no_show_cutoff,
)
from bwq_lab.domain.booking_rules import BookingPolicy
from bwq_lab.domain.lifecycle import TransitionError

can_transition, next_status = MACHINE.can, MACHINE.next

P, AP, RJ, CA, IU, CO, NS, EX = (
    "pending",
    "approved",
    "rejected",
    "cancelled",
    "in_use",
    "completed",
    "no_show",
    "expired",
)

# status -> {action: next status}; every pair not listed is forbidden.
ALLOWED = {
    P: {"approve": AP, "reject": RJ, "cancel": CA, "move": P, "expire": EX},
    AP: {"cancel": CA, "check_in": IU, "complete": CO, "no_show": NS, "move": AP, "move_for_approval": P},
    IU: {"complete": CO},
    RJ: {},
    CA: {},
    CO: {},
    NS: {},
    EX: {},
}
TABLE = [
    pytest.param(status, action, ALLOWED[status].get(action), id=f"{status}-{action}")
    for status in ALLOWED
    for action in [a.value for a in BookingAction]
]


@pytest.mark.parametrize(("status", "action", "expected"), TABLE)
def test_transition_table(status, action, expected):
    assert can_transition(status, action) is (expected is not None)
    if expected is None:
        with pytest.raises(TransitionError) as caught:
            next_status(status, action)
        assert caught.value.code == "INVALID_TRANSITION"
        assert caught.value.params == {"kind": "booking", "status": status, "action": action}
    else:
        assert next_status(status, action) == BookingStatus(expected)
        assert next_status(BookingStatus(status), BookingAction(action)) == expected


def test_unknown_status_or_action_is_an_invalid_transition():
    assert not can_transition("pending", "teleport")
    assert not can_transition("lost", "approve")
    with pytest.raises(TransitionError):
        next_status("pending", "teleport")


def test_statuses_are_strings_and_live_ones_hold_the_slot():
    assert BookingStatus.IN_USE == "in_use" and str(BookingStatus.NO_SHOW) == "no_show"
    assert {s.value for s in LIVE_STATUSES} == {"pending", "approved", "in_use"}


def test_initial_status_follows_the_approval_setting():
    assert initial_status(BookingPolicy(approval_required=True)) == "pending"
    assert initial_status(BookingPolicy(approval_required=False)) == "approved"
    assert initial_status(BookingPolicy(approval_required=True), by_manager=True) == "approved"


START = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


@pytest.mark.parametrize(
    ("now", "by_manager", "allowed"),
    [
        (START - timedelta(hours=25), False, True),
        (START - timedelta(hours=24), False, True),  # exactly at the deadline
        (START - timedelta(hours=23, minutes=59), False, False),
        (START + timedelta(minutes=1), False, False),
        (START - timedelta(hours=1), True, True),
        (START + timedelta(minutes=30), True, True),
    ],
)
def test_cancellation_deadline(now, by_manager, allowed):
    assert cancellation_allowed(START, now, 24, by_manager) is allowed


def test_cancellation_without_deadline_is_allowed_until_the_start():
    assert cancellation_allowed(START, START - timedelta(seconds=1), 0, False)
    assert not cancellation_allowed(START, START, 0, False)


@pytest.mark.parametrize(
    ("offset_minutes", "allowed"),
    [(-16, False), (-15, True), (0, True), (14, True), (15, False), (200, False)],
)
def test_check_in_window(offset_minutes, allowed):
    now = START + timedelta(minutes=offset_minutes)
    assert check_in_allowed(START, END, now) is allowed


def test_check_in_closes_at_the_end_of_a_short_booking():
    short_end = START + timedelta(minutes=10)
    assert check_in_allowed(START, short_end, START + timedelta(minutes=9), grace_minutes=30)
    assert not check_in_allowed(START, short_end, short_end, grace_minutes=30)


def _is_no_show(start, now, grace):
    return start <= no_show_cutoff(now, grace)


def test_no_show_after_the_grace_period():
    assert not _is_no_show(START, START + timedelta(minutes=14), 15)
    assert _is_no_show(START, START + timedelta(minutes=15), 15)
    # check-in and no-show never both apply
    for minutes in range(-30, 60):
        now = START + timedelta(minutes=minutes)
        assert not (check_in_allowed(START, END, now) and _is_no_show(START, now, 15))
