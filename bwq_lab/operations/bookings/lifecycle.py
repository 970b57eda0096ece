"""A booking's life after its creation: approve, reject, cancel, check in, check out, no-show,
close the day; the approval queue; which buttons a user has now.

Every status change goes through ``operations.lifecycle.transition`` (the domain's table checked,
the status set, one history event appended); what is left here is who may act and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bwq_lab.domain import booking_lifecycle as lifecycle
from bwq_lab.domain import booking_rules as rules
from bwq_lab.domain.booking_lifecycle import BookingAction as A
from bwq_lab.domain.booking_lifecycle import BookingStatus as S
from bwq_lab.extensions import db
from bwq_lab.models import Booking, User
from bwq_lab.operations import audit
from bwq_lab.operations.bookings import fees
from bwq_lab.operations.bookings.create import violations_refusal
from bwq_lab.operations.bookings.notifications import notify_managers, notify_no_show, notify_owner
from bwq_lab.operations.bookings.queries import (
    get_booking,
    managed_instrument_ids_query,
    owner_or_manager,
    require_manager,
)
from bwq_lab.operations.bookings.rule_inputs import build_context, policy_of
from bwq_lab.operations.lifecycle import check, transition
from bwq_lab.operations.staff import staff_problem
from bwq_lab.refusals import Problem, Refusal, forbidden, refuse

CHECK_IN_EARLY_MINUTES = 15
NO_SHOW_GRACE_MINUTES = 15


def _reason_required(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise refuse(422, "REASON_REQUIRED", field="reason")
    return reason.strip()


def rules_now(
    booking: Booking, now: datetime, tz: str = rules.DEFAULT_TIMEZONE
) -> tuple[rules.BookingPolicy, rules.BookingContext, list[rules.Violation]]:
    """The rules run again for an existing request as things stand at ``now`` (maintenance added,
    a qualification expired since): the policy, the context and every violation."""
    policy = policy_of(booking.instrument, tz)
    request = rules.BookingRequest(
        booking.start_at, booking.end_at, booking.user_id, booking.enterprise_id, moving_booking_id=booking.id
    )
    context = build_context(
        booking.instrument,
        booking.user,
        booking.start_at,
        booking.end_at,
        now,
        moving_booking_id=booking.id,
        policy=policy,
    )
    return policy, context, rules.check(request, context, now)


def approve_booking(
    actor: User, booking_id: int, now: datetime, *, reason: str | None = None, tz: str = rules.DEFAULT_TIMEZONE
) -> Booking:
    """Approve a pending request. The rules run again (maintenance may have been added, a
    qualification may have expired); the approving manager's decision overrides the soft ones."""
    booking = get_booking(actor, booking_id, for_update=True)
    require_manager(actor, booking)
    check(booking, A.APPROVE)
    _policy, _context, violations = rules_now(booking, now, tz)
    stopping = rules.blocking(violations, override=True)
    if stopping:
        raise violations_refusal(stopping)
    reason = (reason or "").strip() or None
    booking.decided_by_id, booking.decided_at, booking.decision_reason = actor.id, now, reason
    fees.snapshot_on_approval(booking, booking.instrument, booking.user)
    transition(booking, A.APPROVE, actor_id=actor.id, now=now, reason=reason)
    overridden = sorted({v.code for v in violations})
    audit.record(actor, "booking.approve", booking, now=now, reason=reason, overridden=overridden)
    notify_owner(booking, "approved", reason)
    return booking


def reject_booking(actor: User, booking_id: int, reason: str | None, now: datetime) -> Booking:
    booking = get_booking(actor, booking_id, for_update=True)
    require_manager(actor, booking)
    check(booking, A.REJECT)
    reason = _reason_required(reason)
    booking.decided_by_id, booking.decided_at, booking.decision_reason = actor.id, now, reason
    transition(booking, A.REJECT, actor_id=actor.id, now=now, reason=reason)
    audit.record(actor, "booking.reject", booking, now=now, reason=reason)
    notify_owner(booking, "rejected", reason)
    return booking


def cancel_booking(actor: User, booking_id: int, now: datetime, *, reason: str | None = None) -> Booking:
    """The owner cancels before the instrument's cancellation deadline; a manager at any time,
    with a reason."""
    booking = get_booking(actor, booking_id, for_update=True)
    by_manager = owner_or_manager(actor, booking)
    check(booking, A.CANCEL)
    if by_manager and booking.user_id != actor.id:
        reason = _reason_required(reason)
    deadline = booking.instrument.cancel_deadline_hours
    late_allowed = booking.instrument.late_cancellation == "allow"
    if not lifecycle.cancellation_allowed(
        booking.start_at, now, deadline, by_manager=by_manager, late_allowed=late_allowed
    ):
        raise refuse(409, "CANCELLATION_DEADLINE_PASSED", hours=deadline)
    reason = (reason or "").strip() or None
    booking.cancelled_by_id, booking.cancelled_at, booking.cancel_reason = actor.id, now, reason
    booking.cancelled_late = booking.user_id == actor.id and lifecycle.is_late_cancellation(
        booking.start_at, now, deadline
    )
    transition(booking, A.CANCEL, actor_id=actor.id, now=now, reason=reason)
    if booking.user_id != actor.id:
        notify_owner(booking, "cancelled", reason)
    else:  # either side is told: the lab learns its time is free again
        notify_managers(booking, "booking_cancelled_by_user", actor, reason)
    return booking


def check_in(actor: User, booking_id: int, now: datetime) -> Booking:
    """The owner within the check-in window, or a manager at any time before the end."""
    booking = get_booking(actor, booking_id, for_update=True)
    by_manager = owner_or_manager(actor, booking)
    check(booking, A.CHECK_IN)
    in_window = lifecycle.check_in_allowed(
        booking.start_at, booking.end_at, now, CHECK_IN_EARLY_MINUTES, NO_SHOW_GRACE_MINUTES
    )
    if not in_window and not (by_manager and now < booking.end_at):
        raise refuse(409, "CHECK_IN_CLOSED", early=CHECK_IN_EARLY_MINUTES, grace=NO_SHOW_GRACE_MINUTES)
    booking.checked_in_at = now
    transition(booking, A.CHECK_IN, actor_id=actor.id, now=now)
    return booking


def check_out(
    actor: User,
    booking_id: int,
    now: datetime,
    *,
    used_from: datetime | None = None,
    used_until: datetime | None = None,
    staff_id: int | None = None,
) -> Booking:
    """Record the end of use, which gives the effective hours (有效机时).

    - The user checks out their own booking only after checking in, during the session or up to
      ``CHECK_OUT_GRACE`` after it, at ``now``: they never give times (403 ``USE_RECORD_MANAGERS_ONLY``).
    - The instrument's managers record the actual use (``used_from``/``used_until``), also
      afterwards for an approved booking that was never checked in; the times must lie around
      the booking and in the past (``use_problems``). Recorded use is audited.
    - A manager may name the staff member who operated or assisted (``staff_id``: active staff of
      the instrument's provider, else 422 ``STAFF_NOT_OF_PROVIDER`` / ``STAFF_INACTIVE``)."""
    booking = get_booking(actor, booking_id, for_update=True)
    by_manager = owner_or_manager(actor, booking)
    check(booking, A.COMPLETE)
    if not by_manager:
        if used_from is not None or used_until is not None or staff_id is not None:
            raise refuse(403, "USE_RECORD_MANAGERS_ONLY", field="used_from" if staff_id is None else "staff_id")
        if booking.status != S.IN_USE:
            raise refuse(409, "NOT_CHECKED_IN")
        if not lifecycle.owner_check_out_allowed(booking.checked_in_at, booking.end_at, now):
            raise refuse(409, "CHECK_OUT_CLOSED", minutes=int(lifecycle.CHECK_OUT_GRACE.total_seconds() // 60))
    start = used_from or booking.checked_in_at or booking.start_at
    finish = used_until or (now if booking.status == S.IN_USE else min(now, booking.end_at))
    problems = [Problem(code, field="used_until" if code != "USE_OUTSIDE_BOOKING" else "used_from",
                        params=_use_params(booking))
                for code in lifecycle.use_problems(booking.start_at, booking.end_at, start, finish, now)]  # fmt: skip
    if (wrong_staff := staff_problem(booking.instrument.provider_id, staff_id)) is not None:
        problems.append(wrong_staff)
    if problems:
        raise Refusal(422, problems)
    booking.checked_in_at, booking.checked_out_at = start, finish
    if staff_id is not None:
        booking.staff_id = staff_id
    fees.settle_on_completion(booking, booking.instrument)
    transition(booking, A.COMPLETE, actor_id=actor.id, now=now)
    if by_manager:
        audit.record(
            actor, "booking.record_use", booking, now=now, used_from=start, used_until=finish,
            owner_id=booking.user_id, staff_id=booking.staff_id,
        )  # fmt: skip
    return booking


def _use_params(booking: Booking) -> dict:
    return {
        "before": int(lifecycle.USE_BEFORE.total_seconds() // 60),
        "after": int(lifecycle.USE_AFTER.total_seconds() // 60),
    }


def allowed_actions(booking: Booking, user: User, now: datetime) -> dict[str, bool]:
    """Which actions ``user`` may take on ``booking`` now, for the buttons a page shows: the
    lifecycle's table (``MACHINE``) and the same time windows the operations above check."""
    manager = user.manages_instrument(booking.instrument)
    if booking.user_id != user.id and not manager:
        return dict.fromkeys(("cancel", "move", "check_in", "check_out", "decide"), False)
    can = lifecycle.MACHINE.actions_from(booking.status)
    deadline = booking.instrument.cancel_deadline_hours
    late_allowed = booking.instrument.late_cancellation == "allow"
    in_window = lifecycle.check_in_allowed(
        booking.start_at, booking.end_at, now, CHECK_IN_EARLY_MINUTES, NO_SHOW_GRACE_MINUTES
    )
    return {
        "cancel": A.CANCEL in can
        and lifecycle.cancellation_allowed(
            booking.start_at, now, deadline, by_manager=manager, late_allowed=late_allowed
        ),
        "move": A.MOVE in can and booking.start_at > now,
        "check_in": A.CHECK_IN in can and (in_window or (manager and now < booking.end_at)),
        # a manager may also record the use of an approved booking afterwards
        "check_out": A.COMPLETE in can and (booking.status == S.IN_USE or (manager and booking.start_at <= now)),
        "decide": manager and A.APPROVE in can,
    }


def mark_no_shows(now: datetime) -> int:
    """Approved bookings not checked in by the grace period become no-shows, and their owners
    are told. Safe to run twice and catches up after a missed run (it selects by time, not by an
    exact minute; a no-show is not selected again)."""
    cutoff = lifecycle.no_show_cutoff(now, NO_SHOW_GRACE_MINUTES)
    bookings = (
        db.session.execute(
            select(Booking)
            .where(Booking.status == S.APPROVED, Booking.start_at <= cutoff)
            .options(joinedload(Booking.instrument), joinedload(Booking.user))
        )
        .scalars()
        .all()
    )
    for booking in bookings:
        transition(booking, A.NO_SHOW, actor_id=None, now=now)
        notify_no_show(booking)
    return len(bookings)


@dataclass
class QueueItem:
    booking: Booking
    qualified: bool | None
    problems: list[rules.Violation]


def approval_queue(
    manager: User, now: datetime, *, limit: int = 200, tz: str = rules.DEFAULT_TIMEZONE
) -> list[QueueItem]:
    """Pending requests on the manager's instruments, oldest first, each with what the rules
    say about it now (qualification, maintenance added since, ...)."""
    if not manager.is_manager:
        raise forbidden()
    bookings = (
        db.session.execute(
            select(Booking)
            .where(
                Booking.status == S.PENDING,
                Booking.instrument_id.in_(managed_instrument_ids_query(manager)),
            )
            .options(
                joinedload(Booking.instrument),
                joinedload(Booking.user),
                joinedload(Booking.enterprise),
            )
            .order_by(Booking.created_at, Booking.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    items = []
    for booking in bookings:
        policy, context, violations = rules_now(booking, now, tz)
        qualified = None
        if policy.qualification_required:
            qualified = context.qualified_until is not None and context.qualified_until >= booking.end_at
        items.append(QueueItem(booking, qualified, violations))
    return items
