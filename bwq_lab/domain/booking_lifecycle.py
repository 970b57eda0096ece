"""The booking status state machine, and the time windows for cancelling and checking in.

::

    pending  --approve-->  approved  --check_in-->  in_use  --complete-->  completed
       |  \\--reject-->  rejected       |  \\--no_show-->  no_show
       |  \\--expire-->  expired        \\--complete--> completed (use recorded afterwards)
       \\--cancel-->  cancelled  <--cancel--/

``move`` keeps the status (pending or approved); whether a moved booking needs approval again
is the operation's call. Live statuses (pending, approved, in_use) hold their slot; the others
are final and stay in the database for the reports. ``MACHINE`` is the one table; the one place
that applies it to a row is ``operations.lifecycle.transition``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bwq_lab.domain.lifecycle import StateMachine

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
    EXPIRED = "expired"


class BookingAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    CHECK_IN = "check_in"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    MOVE = "move"
    #: a user's move of an approved booking that needs approving again
    MOVE_FOR_APPROVAL = "move_for_approval"
    EXPIRE = "expire"


S, A = BookingStatus, BookingAction

#: Statuses that hold their slot (the database's "live" predicate).
LIVE_STATUSES = (S.PENDING, S.APPROVED, S.IN_USE)

MACHINE: StateMachine[BookingStatus, BookingAction] = StateMachine(
    "booking",
    BookingStatus,
    BookingAction,
    {
        S.PENDING: {
            A.APPROVE: S.APPROVED,
            A.REJECT: S.REJECTED,
            A.CANCEL: S.CANCELLED,
            A.MOVE: S.PENDING,
            A.EXPIRE: S.EXPIRED,
        },
        S.APPROVED: {
            A.CANCEL: S.CANCELLED,
            A.CHECK_IN: S.IN_USE,
            A.COMPLETE: S.COMPLETED,
            A.NO_SHOW: S.NO_SHOW,
            A.MOVE: S.APPROVED,
            A.MOVE_FOR_APPROVAL: S.PENDING,
        },
        S.IN_USE: {A.COMPLETE: S.COMPLETED},
        S.REJECTED: {},
        S.CANCELLED: {},
        S.COMPLETED: {},
        S.NO_SHOW: {},
        S.EXPIRED: {},
    },
    # the history records what happened, in the past tense
    event_names={
        A.APPROVE: "approved",
        A.REJECT: "rejected",
        A.CANCEL: "cancelled",
        A.CHECK_IN: "checked_in",
        A.COMPLETE: "checked_out",
        A.NO_SHOW: "no_show",
        A.MOVE: "moved",
        A.MOVE_FOR_APPROVAL: "moved",
        A.EXPIRE: "expired",
    },
)
TRANSITIONS = MACHINE.transitions


def initial_status(policy: BookingPolicy, *, by_manager: bool = False) -> BookingStatus:
    """approved when the instrument needs no approval (or its manager books it), else pending."""
    if by_manager or not policy.approval_required:
        return S.APPROVED
    return S.PENDING


def cancellation_allowed(
    start: datetime, now: datetime, deadline_hours: float, by_manager: bool, late_allowed: bool = False
) -> bool:
    """A user may cancel until ``deadline_hours`` before the start (and never after it), or, on
    an instrument whose policy allows late cancellation, until the start (counted as late); a
    manager at any time. The caller still checks that the status allows ``cancel``."""
    if by_manager:
        return True
    if late_allowed:
        return now < start
    return now < start and now <= start - timedelta(hours=deadline_hours)


def free_cancellation_until(start: datetime, deadline_hours: float) -> datetime:
    """The last moment the owner may cancel free of charge (and, by default, at all)."""
    return start - timedelta(hours=deadline_hours)


def is_late_cancellation(start: datetime, now: datetime, deadline_hours: float) -> bool:
    return now > free_cancellation_until(start, deadline_hours)


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


def no_show_cutoff(now: datetime, grace_minutes: int = 15) -> datetime:
    """Approved bookings that started at or before this instant and were never checked in are
    no-shows at ``now``."""
    return now - timedelta(minutes=grace_minutes)


# ---------------------------------------------------------------- recording actual use (issue 7)
#: recorded use may start this long before the booking (preparation) ...
USE_BEFORE = timedelta(minutes=60)
#: ... and end this long after it (necessary post-processing)
USE_AFTER = timedelta(minutes=120)
#: the user's own check-out stays open this long after the booking's end
CHECK_OUT_GRACE = timedelta(minutes=30)


def use_problems(start: datetime, end: datetime, used_from: datetime, used_until: datetime, now: datetime) -> list[str]:
    """Codes for recorded use times that cannot be true: effective hours feed the programme's
    figures, so the use must lie around the booking (``USE_BEFORE`` .. ``USE_AFTER``), must have
    happened already and must not end before it starts."""
    problems: list[str] = []
    if used_until <= used_from:
        problems.append("END_BEFORE_START")
    if used_from < start - USE_BEFORE or used_until > end + USE_AFTER:
        problems.append("USE_OUTSIDE_BOOKING")
    if used_until > now:
        problems.append("USE_IN_FUTURE")
    return problems


def owner_check_out_allowed(checked_in_at: datetime | None, end: datetime, now: datetime) -> bool:
    """The user checks out only after checking in, during the session or just after it."""
    return checked_in_at is not None and checked_in_at <= now <= end + CHECK_OUT_GRACE
