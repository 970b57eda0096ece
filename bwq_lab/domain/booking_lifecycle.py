"""The booking status state machine, and the time windows for cancelling and checking in.

::

    pending  --approve-->  approved  --check_in-->  in_use  --complete-->  completed
       |  \\--reject-->  rejected       |  \\--no_show-->  no_show
       \\--cancel-->  cancelled  <--cancel--/  \\--complete--> completed (use recorded afterwards)

``move`` keeps the status (pending or approved); whether a moved booking needs approval again
is the operation's call. Live statuses (pending, approved, in_use) hold their slot; the others
are final and stay in the database for the reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bwq_lab.domain import messages

if TYPE_CHECKING:
    from bwq_lab.domain.booking_rules import BookingPolicy


class BookingStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    IN_USE = "in_use"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class BookingAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    CHECK_IN = "check_in"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    MOVE = "move"


S, A = BookingStatus, BookingAction

#: Statuses that hold their slot (the database's "live" predicate).
LIVE_STATUSES = frozenset({S.PENDING, S.APPROVED, S.IN_USE})
FINAL_STATUSES = frozenset(set(S) - LIVE_STATUSES)

TRANSITIONS: dict[BookingStatus, dict[BookingAction, BookingStatus]] = {
    S.PENDING: {
        A.APPROVE: S.APPROVED,
        A.REJECT: S.REJECTED,
        A.CANCEL: S.CANCELLED,
        A.MOVE: S.PENDING,
    },
    S.APPROVED: {
        A.CANCEL: S.CANCELLED,
        A.CHECK_IN: S.IN_USE,
        A.COMPLETE: S.COMPLETED,
        A.NO_SHOW: S.NO_SHOW,
        A.MOVE: S.APPROVED,
    },
    S.IN_USE: {A.COMPLETE: S.COMPLETED},
    S.REJECTED: {},
    S.CANCELLED: {},
    S.COMPLETED: {},
    S.NO_SHOW: {},
}


class TransitionError(Exception):
    """An action the booking's status does not allow (HTTP 409)."""

    code = "INVALID_TRANSITION"

    def __init__(self, status: str, action: str) -> None:
        self.status = str(status)
        self.action = str(action)
        self.params = {"status": self.status, "action": self.action}
        super().__init__(f"{self.code}: cannot {self.action} a {self.status} booking")

    def message(self, locale: str = "zh") -> str:
        return messages.render(self.code, self.params, locale)


def _parse(status: str | BookingStatus, action: str | BookingAction) -> tuple[S, A] | None:
    try:
        return S(status), A(action)
    except ValueError:
        return None


def can_transition(status: str | BookingStatus, action: str | BookingAction) -> bool:
    parsed = _parse(status, action)
    return parsed is not None and parsed[1] in TRANSITIONS[parsed[0]]


def next_status(status: str | BookingStatus, action: str | BookingAction) -> BookingStatus:
    """The status after ``action``; raises TransitionError when the status does not allow it."""
    parsed = _parse(status, action)
    if parsed is None or parsed[1] not in TRANSITIONS[parsed[0]]:
        raise TransitionError(str(status), str(action))
    return TRANSITIONS[parsed[0]][parsed[1]]


def initial_status(policy: BookingPolicy, *, by_manager: bool = False) -> BookingStatus:
    """approved when the instrument needs no approval (or its manager books it), else pending."""
    if by_manager or not policy.approval_required:
        return S.APPROVED
    return S.PENDING


def cancellation_allowed(start: datetime, now: datetime, deadline_hours: float, by_manager: bool) -> bool:
    """A user may cancel until ``deadline_hours`` before the start (and never after it); a
    manager at any time. The caller still checks that the status allows ``cancel``."""
    if by_manager:
        return True
    return now < start and now <= start - timedelta(hours=deadline_hours)


def check_in_allowed(
    start: datetime,
    end: datetime,
    now: datetime,
    early_minutes: int = 15,
    grace_minutes: int = 15,
) -> bool:
    """Check-in is open from ``early_minutes`` before the start until the booking becomes a
    no-show (``grace_minutes`` after the start), and never at or after the end."""
    opens = start - timedelta(minutes=early_minutes)
    closes = min(start + timedelta(minutes=grace_minutes), end)
    return opens <= now < closes


def is_no_show(start: datetime, now: datetime, grace_minutes: int = 15) -> bool:
    """An approved booking not checked in by ``grace_minutes`` after its start is a no-show."""
    return now >= start + timedelta(minutes=grace_minutes)
