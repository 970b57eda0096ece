"""Live bookings that the lab's own changes left stranded — inside a new maintenance window or
closure, or outside opening hours changed since — and the one action that resolves them:
cancel each with a reason and tell its user (e-mail and on-page notice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bwq_lab.domain import booking_rules as rules
from bwq_lab.domain.booking_lifecycle import BookingStatus as S
from bwq_lab.extensions import db
from bwq_lab.models import Booking
from bwq_lab.operations.bookings.lifecycle import cancel_booking, rules_now
from bwq_lab.operations.bookings.queries import instrument_or_404
from bwq_lab.refusals import forbidden, refuse

#: rule code -> what collides
KINDS = {
    rules.OVERLAPS_MAINTENANCE: "maintenance",
    rules.PROVIDER_CLOSED: "closure",
    rules.OUTSIDE_OPENING_HOURS: "hours",
}


@dataclass
class Collision:
    booking: Booking
    kinds: list[str]  # maintenance | closure | hours


def collisions(
    actor, instrument_id: int, now: datetime, *, tz: str = rules.DEFAULT_TIMEZONE, limit: int = 300
) -> list[Collision]:
    """The instrument's upcoming live bookings that its maintenance, its provider's closures or
    its opening hours now exclude (the same rules that refuse a new booking decide)."""
    instrument = instrument_or_404(instrument_id)
    if not actor.manages_instrument(instrument):
        raise forbidden()
    bookings = (
        db.session.execute(
            select(Booking)
            .where(
                Booking.instrument_id == instrument.id,
                Booking.status.in_((S.PENDING, S.APPROVED)),
                Booking.start_at > now,
            )
            .options(joinedload(Booking.instrument), joinedload(Booking.user), joinedload(Booking.enterprise))
            .order_by(Booking.start_at, Booking.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    found = []
    for booking in bookings:
        _policy, _context, violations = rules_now(booking, now, tz)
        kinds = sorted({KINDS[v.code] for v in violations if v.code in KINDS})
        if kinds:
            found.append(Collision(booking, kinds))
    return found


def cancel_and_notify(actor, instrument_id: int, booking_ids, reason: str | None, now: datetime) -> list[Booking]:
    """Cancel the chosen colliding bookings of one instrument, each with the reason, telling each
    user (``cancel_booking`` queues the e-mail and the notice). All or nothing."""
    if not reason or not reason.strip():
        raise refuse(422, "REASON_REQUIRED", field="reason")
    instrument = instrument_or_404(instrument_id)
    if not actor.manages_instrument(instrument):
        raise forbidden()
    cancelled = []
    for booking_id in sorted({int(i) for i in booking_ids}):
        booking = db.session.get(Booking, booking_id)
        if booking is None or booking.instrument_id != instrument.id:
            raise refuse(404, "NOT_FOUND", field="booking_ids")
        cancelled.append(cancel_booking(actor, booking_id, now, reason=reason.strip()))
    return cancelled
