"""Live bookings that the lab's own changes left stranded — inside a new maintenance window or
closure, or outside opening hours changed since — and the one action that resolves them all at
once, with a reason: cancel them, or move each to the first free time of the same length from
its old start on; either way each user is told (e-mail and on-page notice)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bwq_lab.domain import booking_rules as rules
from bwq_lab.domain import slots as slot_finder
from bwq_lab.domain.booking_lifecycle import BookingStatus as S
from bwq_lab.extensions import db
from bwq_lab.models import Booking
from bwq_lab.operations.bookings.create import move_booking
from bwq_lab.operations.bookings.lifecycle import cancel_booking, rules_now
from bwq_lab.operations.bookings.queries import instrument_or_404
from bwq_lab.operations.bookings.rule_inputs import build_context, policy_of
from bwq_lab.refusals import Problem, Refusal, forbidden, refuse

#: how far from its old start a stranded booking may be moved
MOVE_SEARCH_DAYS = 14

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
    move_to: tuple[datetime, datetime] | None = None  # where "move them" would put it


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
    for collision, slot in zip(found, plan_moves([c.booking for c in found], now, tz=tz), strict=True):
        collision.move_to = slot
    return found


def plan_moves(
    bookings: list[Booking], now: datetime, *, tz: str = rules.DEFAULT_TIMEZONE
) -> list[tuple[datetime, datetime] | None]:
    """For each booking (in start order), the first slot of the same length from its old start
    (or now) on, within ``MOVE_SEARCH_DAYS``, that passes every rule for its owner — the slots
    planned for the bookings before it counted as taken. ``None`` where there is none."""
    planned: list[rules.BusyBlock] = []
    plan = []
    for booking in bookings:
        instrument, owner = booking.instrument, booking.user
        policy = policy_of(instrument, tz)
        lo = max(booking.start_at, now)
        hi = lo + timedelta(days=MOVE_SEARCH_DAYS)
        context = build_context(instrument, owner, lo, hi, now, moving_booking_id=booking.id, policy=policy)
        # the lab moves anyone's booking; the slots already planned are taken
        context = replace(context, permitted=True, busy=(*context.busy, *planned))
        found = slot_finder.find_slots(
            context,
            user_id=owner.id,
            enterprise_id=booking.enterprise_id,
            duration_minutes=booking.minutes,
            window_start=lo,
            window_end=hi,
            now=now,
            limit=1,
            moving_booking_id=booking.id,
        )
        slot = found[0] if found else None
        if slot is not None:
            start, end = slot
            planned.append(
                rules.BusyBlock(
                    -booking.id, start, end, end + timedelta(minutes=policy.buffer_minutes), owner.id,
                    booking.enterprise_id,
                )
            )  # fmt: skip
        plan.append(slot)
    return plan


def _chosen(actor, instrument_id: int, booking_ids, reason: str | None) -> tuple[list[Booking], str]:
    """The chosen bookings of one instrument the actor manages (by id; 404 for any other) and
    the reason, which is required."""
    if not reason or not reason.strip():
        raise refuse(422, "REASON_REQUIRED", field="reason")
    instrument = instrument_or_404(instrument_id)
    if not actor.manages_instrument(instrument):
        raise forbidden()
    bookings = []
    for booking_id in sorted({int(i) for i in booking_ids}):
        booking = db.session.get(Booking, booking_id)
        if booking is None or booking.instrument_id != instrument.id:
            raise refuse(404, "NOT_FOUND", field="booking_ids")
        bookings.append(booking)
    return bookings, reason.strip()


def cancel_and_notify(actor, instrument_id: int, booking_ids, reason: str | None, now: datetime) -> list[Booking]:
    """Cancel the chosen colliding bookings of one instrument, each with the reason, telling each
    user (``cancel_booking`` queues the e-mail and the notice). All or nothing."""
    bookings, reason = _chosen(actor, instrument_id, booking_ids, reason)
    return [cancel_booking(actor, b.id, now, reason=reason) for b in bookings]


def move_and_notify(
    actor, instrument_id: int, booking_ids, reason: str | None, now: datetime, *, tz: str = rules.DEFAULT_TIMEZONE
) -> list[Booking]:
    """Move the chosen bookings of one instrument, each to the first free time of its length
    from its old start on (``plan_moves``), with the reason, telling each user (``move_booking``
    queues the e-mail and the notice). All or nothing: when one has no free time within
    ``MOVE_SEARCH_DAYS`` nothing moves (409 ``NO_FREE_SLOT`` naming each such booking)."""
    bookings, reason = _chosen(actor, instrument_id, booking_ids, reason)
    bookings.sort(key=lambda b: (b.start_at, b.id))
    plan = plan_moves(bookings, now, tz=tz)
    stuck = [b for b, slot in zip(bookings, plan, strict=True) if slot is None]
    if stuck:
        raise Refusal(
            409,
            [Problem("NO_FREE_SLOT", field="booking_ids", params={"booking_id": b.id, "days": MOVE_SEARCH_DAYS})
             for b in stuck],
        )  # fmt: skip
    return [
        move_booking(actor, b.id, start, end, now, reason=reason, tz=tz)
        for b, (start, end) in zip(bookings, plan, strict=True)
    ]
