"""What happens to bookings as time passes, for the jobs: requests nobody decided expire;
sessions left in use are closed and flagged for a manager to confirm the actual use.

Every status change goes through ``operations.lifecycle.transition`` (recorded with no actor: the
system did it). Selections are by time range, so a run after downtime catches up everything it
missed, and a second run finds nothing left to do."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bwq_lab.domain.booking_lifecycle import BookingAction as A
from bwq_lab.domain.booking_lifecycle import BookingStatus as S
from bwq_lab.extensions import db
from bwq_lab.models import Booking, Instrument, User
from bwq_lab.operations.bookings import fees
from bwq_lab.operations.bookings.notifications import notify_owner
from bwq_lab.operations.bookings.queries import get_booking, require_manager
from bwq_lab.operations.lifecycle import transition
from bwq_lab.operations.staff import staff_problem
from bwq_lab.refusals import Problem, Refusal, refuse


def expire_undecided(now: datetime, deadline: timedelta) -> list[Booking]:
    """Pending requests still undecided ``deadline`` before their start become ``expired``: the
    slot is free again (expired is not a live status) and the requester is told."""
    bookings = (
        db.session.execute(
            select(Booking)
            .where(Booking.status == S.PENDING, Booking.start_at <= now + deadline)
            # the e-mail's facts need the provider: loaded here, so no query (and no autoflush) per booking
            .options(joinedload(Booking.user), joinedload(Booking.instrument).joinedload(Instrument.provider))
            .order_by(Booking.start_at, Booking.id)
        )
        .scalars()
        .all()
    )
    for booking in bookings:
        transition(booking, A.EXPIRE, actor_id=None, now=now)
        notify_owner(booking, "expired", None)
    return list(bookings)


def close_the_day(now: datetime) -> list[Booking]:
    """Sessions still ``in_use`` after their end are closed at their end (the booked end is the
    best guess of the use) and flagged ``use_to_confirm`` for a manager to confirm the actual use."""
    bookings = (
        db.session.execute(select(Booking).where(Booking.status == S.IN_USE, Booking.end_at <= now)).scalars().all()
    )
    for booking in bookings:
        booking.checked_out_at = booking.end_at
        booking.use_to_confirm = True
        fees.settle_on_completion(booking, booking.instrument)
        transition(booking, A.COMPLETE, actor_id=None, now=now, record_as="closed_unconfirmed")
    return list(bookings)


def confirm_use(
    actor: User,
    booking_id: int,
    now: datetime,
    *,
    used_from: datetime,
    used_until: datetime,
    staff_id: int | None = None,
) -> Booking:
    """A manager confirms (or corrects) the actual use of a session the system closed, and may
    name the staff member who operated it (active staff of the instrument's provider)."""
    booking = get_booking(actor, booking_id, for_update=True)
    require_manager(actor, booking)
    if not booking.use_to_confirm:
        raise refuse(409, "USE_ALREADY_CONFIRMED")
    problems = [Problem("END_BEFORE_START", field="used_until")] if used_until <= used_from else []
    if (wrong_staff := staff_problem(booking.instrument.provider_id, staff_id)) is not None:
        problems.append(wrong_staff)
    if problems:
        raise Refusal(422, problems)
    booking.checked_in_at, booking.checked_out_at = used_from, used_until
    if staff_id is not None:
        booking.staff_id = staff_id
    booking.use_to_confirm = False
    fees.settle_on_completion(booking, booking.instrument)  # by use: the confirmed use
    booking.new_event(
        action="use_confirmed",
        from_status=str(booking.status),
        to_status=str(booking.status),
        actor_id=actor.id,
        at=now,
        reason=None,
    )
    return booking
