"""Creating, moving and previewing a booking: every rule at once, and never a double booking.

The check and the insert run in one write transaction. On SQLite that transaction is
``BEGIN IMMEDIATE`` (``transactions.begin_write``), so no other writer can slip in between. On
PostgreSQL the exclusion constraint ``ex_bookings_no_overlap`` refuses the loser of a race with
SQLSTATE 23P01 (or 40P01), which becomes a 409 ``OVERLAPS_BOOKING`` here.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload, load_only, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from bwq_lab.domain import booking_lifecycle as lifecycle
from bwq_lab.domain import booking_rules as rules
from bwq_lab.domain.booking_lifecycle import BookingAction as A
from bwq_lab.domain.booking_lifecycle import BookingStatus as S
from bwq_lab.extensions import db
from bwq_lab.models import Booking, BookingEvent, Instrument, Provider, User
from bwq_lab.models.base import UTCDateTime
from bwq_lab.operations import audit
from bwq_lab.operations.bookings import fees
from bwq_lab.operations.bookings.notifications import notify_created, notify_moved
from bwq_lab.operations.bookings.queries import get_booking, instrument_or_404, owner_or_manager
from bwq_lab.operations.bookings.rule_inputs import MAX_SPAN, POLICY_COLUMNS, build_context, policy_of
from bwq_lab.operations.lifecycle import check, transition
from bwq_lab.operations.transactions import (
    INSTRUMENT_LOCK,
    INSTRUMENT_LOCK_CLASS,
    begin_write,
    is_slot_taken,
    is_sqlite,
    lock_instrument,
)
from bwq_lab.refusals import Problem, Refusal, forbidden, refuse

SLOT_TAKEN_CODES = {rules.OVERLAPS_BOOKING, rules.INSIDE_BUFFER}


def violations_refusal(violations: list[rules.Violation]) -> Refusal:
    status = 409 if any(v.code in SLOT_TAKEN_CODES for v in violations) else 422
    return Refusal(
        status,
        [Problem(v.code, field=v.field, params=dict(v.params), overridable=v.overridable) for v in violations],
    )


def _slot_taken_error() -> Refusal:
    v = rules.violation(rules.OVERLAPS_BOOKING, "start")
    return Refusal(409, [Problem(v.code, field=v.field, params={}, overridable=False)])


def validate_interval(start: datetime, end: datetime) -> None:
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise refuse(422, "NAIVE_DATETIME", field=name)
    if end - start > MAX_SPAN:
        v = rules.violation(
            rules.TOO_LONG,
            "end",
            minutes=int((end - start).total_seconds() // 60),
            max_minutes=int(MAX_SPAN.total_seconds() // 60),
        )
        raise violations_refusal([v])


def _decide(
    actor: User,
    instrument: Instrument,
    request: rules.BookingRequest,
    context: rules.BookingContext,
    now: datetime,
    override_reason: str | None,
) -> list[str]:
    """Run the rules; raise with every blocking violation. Returns the overridden codes."""
    violations = rules.check(request, context, now)
    override = bool(override_reason and override_reason.strip()) and actor.manages_instrument(instrument)
    stopping = rules.blocking(violations, override)
    if stopping:
        raise violations_refusal(stopping)
    return [v.code for v in violations]  # what remains was overridden


def create_booking(  # noqa: PLR0913 - the request's fields
    actor: User,
    instrument_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    purpose: str = "",
    project_code: str = "",
    override_reason: str | None = None,
    tz: str = rules.DEFAULT_TIMEZONE,
    on_behalf_of: int | None = None,
) -> Booking:
    """Book for ``actor`` — or, by one of the instrument's managers, for an enterprise user
    (``on_behalf_of``): the user's rules apply, the booking is theirs, and who made it is
    recorded (``booked_by_id`` and the first event's actor)."""
    validate_interval(start, end)
    if not (purpose or "").strip():  # one rule for the page and the API: say what will be measured
        raise refuse(422, "REQUIRED", field="purpose")
    instrument = _instrument_for_booking(instrument_id)  # PostgreSQL: and the instrument's write lock
    booker = actor
    if on_behalf_of is not None and on_behalf_of != actor.id:
        if not actor.manages_instrument(instrument):
            raise forbidden()
        user = db.session.get(User, on_behalf_of)
        if user is None or not user.is_active_member:
            raise refuse(422, "NOT_AN_ENTERPRISE_USER", field="on_behalf_of")
        actor = user
    policy = policy_of(instrument, tz)
    # From here to the commit no other writer runs on SQLite (BEGIN IMMEDIATE); the reads above
    # (the actor, the instrument's policy) stay outside the lock. PostgreSQL: a no-op.
    begin_write()
    request = rules.BookingRequest(start, end, actor.id, actor.enterprise_id)
    context = build_context(instrument, actor, start, end, now, policy=policy)
    overridden = _decide(actor, instrument, request, context, now, override_reason)
    by_manager = booker.manages_instrument(instrument)
    status = lifecycle.initial_status(policy, by_manager=by_manager)
    override = override_reason.strip() if overridden and override_reason else None
    decided = status == S.APPROVED and policy.approval_required
    booking = _insert_booking(
        {
            "instrument_id": instrument.id,
            "user_id": actor.id,
            "enterprise_id": actor.enterprise_id if actor.is_enterprise else None,
            "status": status,
            "start_at": start,
            "end_at": end,
            "blocked_until": end + timedelta(minutes=policy.buffer_minutes),
            "purpose": (purpose or "").strip(),
            "project_code": (project_code or "").strip(),
            "override_reason": override,
            "overridden_codes": overridden or None,
            "booked_by_id": booker.id if booker is not actor else None,
            "decided_by_id": booker.id if decided else None,
            "decided_at": now if decided else None,
            "created_at": now,
            "updated_at": now,
            **(
                fees.approval_values(instrument, actor, int((end - start).total_seconds() // 60))
                if status == S.APPROVED
                else fees.NO_FEE
            ),
        },
    )
    set_committed_value(booking, "instrument", instrument)  # as loaded above: no lazy load later
    db.session.connection().execute(
        _INSERT_EVENT,
        {
            "booking_id": booking.id,
            "actor_id": booker.id,
            "action": "created",
            "to_status": str(status),
            "new_start_at": start,
            "new_end_at": end,
            "reason": override,
            "at": now,
        },
    )
    if overridden:  # (rare: a manager's override; the audit row goes with the commit)
        audit.record(actor, "booking.override", booking, now=now, codes=overridden, reason=override)
    notify_created(booking, instrument, actor)  # the outbox rows
    return booking


# The create path writes its three rows (the booking, its "created" history event, its e-mail in
# the outbox) with prebuilt Core INSERTs on the request's transaction, without the unit of work's
# flush machinery (about 40% of the operation). The booking's INSERT names every column and
# returns only the new id: the ORM object is then made from the very values stored (as the ORM's
# own INSERT ... RETURNING would load it, at half the cost) and joins the session as persistent
# and clean, so the commit has nothing to flush; its history stays reachable as ``booking.events``.
_BOOKINGS = Booking.__table__
_INSERT_BOOKING = insert(_BOOKINGS).returning(_BOOKINGS.c.id)
_INSERT_EVENT = insert(BookingEvent.__table__)
#: what a new booking stores where the create path says nothing: the columns' constant defaults
#: (a column with a computed default the path does not give is left to Core, and the object
#: loads it when read)
_BOOKING_DEFAULTS = {
    c.key: c.default.arg if c.default is not None else None
    for c in _BOOKINGS.c
    if c.key != "id" and (c.default is None or c.default.is_scalar)
}
_UTC_COLUMNS = tuple(c.key for c in _BOOKINGS.c if isinstance(c.type, UTCDateTime))


def _insert_booking(values: dict) -> Booking:
    row = {**_BOOKING_DEFAULTS, **values}
    try:
        booking_id = db.session.connection().execute(_INSERT_BOOKING, row).scalar_one()
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()  # the transaction is dead on PostgreSQL; the request answers 409
        if is_slot_taken(exc):
            raise _slot_taken_error() from exc
        raise
    for key in _UTC_COLUMNS:  # as read back: UTC
        if row.get(key) is not None:
            row[key] = row[key].astimezone(UTC)
    booking = Booking(id=booking_id, **row)
    make_transient_to_detached(booking)  # "as loaded": no pending INSERT, no history
    db.session.add(booking)
    return booking


#: what creating a booking reads of the instrument: its policy and what the e-mails show, with
#: its provider's name and address, in one prebuilt statement (not the whole row, not two queries)
_INSTRUMENT_FOR_BOOKING = (
    select(Instrument)
    .where(Instrument.id == bindparam("instrument_id"))
    .options(
        load_only(
            *(
                getattr(Instrument, name)
                for name in (*POLICY_COLUMNS, "location", "price_internal_fen", "price_external_fen")
            )
        ),
        joinedload(Instrument.provider).load_only(Provider.name, Provider.name_en, Provider.address),
    )
)


#: PostgreSQL: the same read takes the instrument's write lock (``transactions.lock_instrument``) in
#: the same round trip; the reads the rules need come after it, in later statements, so they see
#: whatever a writer that held the lock before committed
_INSTRUMENT_FOR_BOOKING_LOCKED = _INSTRUMENT_FOR_BOOKING.add_columns(INSTRUMENT_LOCK)


def _instrument_for_booking(instrument_id: int) -> Instrument:
    if is_sqlite():  # its write lock is taken later (begin_write), after the reads outside it
        row = db.session.execute(_INSTRUMENT_FOR_BOOKING, {"instrument_id": instrument_id}).first()
    else:
        params = {"instrument_id": instrument_id, "lock_class": INSTRUMENT_LOCK_CLASS}
        row = db.session.execute(_INSTRUMENT_FOR_BOOKING_LOCKED, params).first()
    if row is None:
        raise refuse(404, "NOT_FOUND", field="instrument_id")
    return row[0]


def _flush_or_conflict() -> None:
    try:
        db.session.flush()
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()  # the transaction is dead on PostgreSQL; the request answers 409
        if is_slot_taken(exc):
            raise _slot_taken_error() from exc
        raise


def move_booking(
    actor: User,
    booking_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    override_reason: str | None = None,
    reason: str | None = None,
    tz: str = rules.DEFAULT_TIMEZONE,
) -> Booking:
    """Move or shorten a live booking; re-checked against every rule, history kept. A user's
    move of an approved booking on an instrument that needs approval goes back to pending,
    unless it only shortens the booking inside its old interval. The other side is told (the
    owner of a move by the lab, with ``reason`` or the override reason; the managers of the
    owner's own move)."""
    validate_interval(start, end)
    booking = get_booking(actor, booking_id, for_update=True)
    instrument = booking.instrument
    lock_instrument(instrument.id)
    is_manager = owner_or_manager(actor, booking)
    check(booking, A.MOVE)  # pending or approved only
    if (start, end) == (booking.start_at, booking.end_at):
        return booking  # nothing moves: no rules to re-run, no history event, no new revision
    policy = policy_of(instrument, tz)
    owner = booking.user if booking.user_id != actor.id else actor
    request = rules.BookingRequest(start, end, owner.id, booking.enterprise_id, moving_booking_id=booking.id)
    context = build_context(instrument, owner, start, end, now, moving_booking_id=booking.id, policy=policy)
    if is_manager and not context.permitted:
        context = dataclasses.replace(context, permitted=True)  # managers move anyone's booking
    overridden = _decide(actor, instrument, request, context, now, override_reason)
    old_start, old_end = booking.start_at, booking.end_at
    shortened_inside = start >= old_start and end <= old_end
    action = A.MOVE
    if booking.status == S.APPROVED and policy.approval_required and not is_manager and not shortened_inside:
        action = A.MOVE_FOR_APPROVAL
        booking.decided_by_id = booking.decided_at = None
    booking.start_at, booking.end_at = start, end
    booking.blocked_until = end + timedelta(minutes=policy.buffer_minutes)
    fees.follow_move(booking)
    if overridden:
        booking.override_reason = override_reason
        booking.overridden_codes = overridden
    told = (reason or "").strip() or (override_reason or "").strip() or None
    transition(
        booking,
        action,
        actor_id=actor.id,
        now=now,
        reason=told,
        old_start_at=old_start,
        old_end_at=old_end,
        new_start_at=start,
        new_end_at=end,
    )
    _flush_or_conflict()
    if overridden:
        audit.record(actor, "booking.override", booking, now=now, codes=overridden, reason=override_reason)
    notify_moved(booking, actor, old_start, old_end, told)
    return booking


def preview_booking(
    actor: User,
    instrument_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    tz: str = rules.DEFAULT_TIMEZONE,
) -> list[rules.Violation]:
    """Every rule a booking of ``[start, end)`` by ``actor`` would break now, saving nothing.

    The same checks as :func:`create_booking` (a naive time or a span beyond ``MAX_SPAN`` is
    refused the same way); a manager's override is not applied, so the overridable violations
    show up with ``overridable=True``. It only reads, so it takes no write lock."""
    validate_interval(start, end)
    instrument = instrument_or_404(instrument_id)
    policy = policy_of(instrument, tz)
    request = rules.BookingRequest(start, end, actor.id, actor.enterprise_id)
    context = build_context(instrument, actor, start, end, now, policy=policy)
    return rules.check(request, context, now)
