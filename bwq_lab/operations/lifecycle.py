"""The one place a lifecycle transition is applied to a row (bookings, lab-service orders, …).

A row that has a lifecycle declares its state machine and how to make a history event::

    class Booking(db.Model):
        LIFECYCLE = booking_lifecycle.MACHINE          # a domain.lifecycle.StateMachine
        status: Mapped[BookingStatus] = mapped_column(StrEnumType(BookingStatus))
        def new_event(self, **fields) -> BookingEvent: ...   # appended to its history

    transition(booking, A.APPROVE, actor=manager, now=now, reason=None)

:func:`transition` checks the action against the machine (a forbidden one is a 409
``INVALID_TRANSITION`` refusal), sets the status, and appends one history event stamped with the
actor and ``now``. Jobs, pages and the API all go through it; nothing else writes ``status``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from bwq_lab.domain.lifecycle import StateMachine, TransitionError
from bwq_lab.refusals import Problem, Refusal


class HasLifecycle(Protocol):
    LIFECYCLE: StateMachine
    status: Any

    def new_event(self, **fields: Any) -> Any: ...


def invalid_transition(error: TransitionError) -> Refusal:
    return Refusal(409, [Problem(error.code, params=error.params)])


def check(subject: HasLifecycle, action: str | StrEnum) -> StrEnum:
    """The status ``action`` would lead to, or a 409 refusal."""
    try:
        return subject.LIFECYCLE.next(subject.status, action)
    except TransitionError as exc:
        raise invalid_transition(exc) from None


def transition(
    subject: HasLifecycle,
    action: str | StrEnum,
    *,
    actor_id: int | None,
    now: datetime,
    reason: str | None = None,
    record_as: str | None = None,
    **event_fields: Any,
):
    """Apply ``action``: check it, set the status, append the history event (returned).
    ``record_as`` names the event when it differs from the machine's name for the action (a
    session closed by the end-of-day job is recorded as ``completed``, not ``checked_out``)."""
    old = subject.status
    new = check(subject, action)
    subject.status = new
    event = subject.new_event(
        action=record_as or subject.LIFECYCLE.event_name(action),
        from_status=str(old),
        to_status=str(new),
        actor_id=actor_id,
        at=now,
        reason=reason,
        **event_fields,
    )
    return event
