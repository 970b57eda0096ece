"""Creating, moving and previewing a booking: every rule at once, and never a double booking.

The check and the insert run in one write transaction. On SQLite that transaction is
``BEGIN IMMEDIATE`` (``transactions.begin_write``), so no other writer can slip in between. On
PostgreSQL the exclusion constraint ``ex_bookings_no_overlap`` refuses the loser of a race with
SQLSTATE 23P01 (or 40P01), which becomes a 409 ``OVERLAPS_BOOKING`` here.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, insert, literal_column, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value

from bwq_lab.domain import booking_lifecycle as lifecycle
from bwq_lab.domain import booking_rules as rules
from bwq_lab.domain.booking_lifecycle import BookingAction as A
from bwq_lab.domain.booking_lifecycle import BookingStatus as S
from bwq_lab.extensions import db
from bwq_lab.models import Booking, BookingEvent, Instrument, OutboxMessage, Provider, User
from bwq_lab.models.base import UTCDateTime, as_loaded, scalar_defaults
from bwq_lab.models.prepared import Prepared
from bwq_lab.operations import audit
from bwq_lab.operations.bookings import fees
from bwq_lab.operations.bookings.notifications import created_mail, notify_created, notify_moved
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
    # PostgreSQL: and the instrument's write lock, and the new booking's id
    instrument, new_id = _instrument_for_booking(instrument_id)
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
    row = {
        **_BOOKING_DEFAULTS,
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
    }
    event = {
        **_EVENT_DEFAULTS,
        "actor_id": booker.id,
        "action": "created",
        "to_status": str(status),
        "new_start_at": start,
        "new_end_at": end,
        "reason": override,
        "at": now,
    }
    booking = _write_created(row, event, instrument, actor, new_id)
    if overridden:  # (rare: a manager's override; the audit row goes with the commit)
        audit.record(actor, "booking.override", booking, now=now, codes=overridden, reason=override)
    return booking


# The create path writes its three rows (the booking, its "created" history event, its e-mail in
# the outbox) with prebuilt Core INSERTs on the request's transaction, without the unit of work's
# flush machinery (about 40% of the operation). The booking's INSERT names every column; the ORM
# object is then made from the very values stored (``as_loaded``, as the ORM's own INSERT ...
# RETURNING would load it, at a fraction of the cost) and joins the session as persistent and
# clean, so the commit has nothing to flush; its history stays reachable as ``booking.events``.
# SQLite: three statements (no round trips; the INSERT returns the new id). PostgreSQL: the id
# was drawn with the instrument's read, and the three rows go in ONE statement (data-modifying
# CTEs): one round trip instead of three.
_BOOKINGS = Booking.__table__
_EVENTS = BookingEvent.__table__
#: every column but the id (``Prepared`` runs no Python-side default: the row gives them all)
_INSERT_BOOKING = Prepared(
    insert(_BOOKINGS).returning(_BOOKINGS.c.id), keys=[c.key for c in _BOOKINGS.c if not c.primary_key]
)
_INSERT_EVENT = Prepared(insert(_EVENTS), keys=[c.key for c in _EVENTS.c if not c.primary_key])
#: what a new booking (its event) stores where the create path says nothing
_BOOKING_DEFAULTS = scalar_defaults(_BOOKINGS)
_EVENT_DEFAULTS = scalar_defaults(_EVENTS)
_UTC_COLUMNS = tuple(c.key for c in _BOOKINGS.c if isinstance(c.type, UTCDateTime))


def _write_created(row: dict, event: dict, instrument: Instrument, actor: User, new_id: int | None) -> Booking:
    """INSERT the booking ``row``, its ``event`` and its e-mails; the booking as stored."""
    connection = db.session.connection()
    try:
        if new_id is None:  # SQLite
            ((new_id,),) = _INSERT_BOOKING.rows(connection, row)
            booking = _as_stored(new_id, row, instrument)
            _INSERT_EVENT.rows(connection, {**event, "booking_id": new_id})
            notify_created(booking, instrument, actor)  # the outbox rows
            return booking
        booking = _as_stored(new_id, row, instrument)
        params = {**row, "id": new_id, **{f"event_{k}": v for k, v in event.items()}, "event_booking_id": new_id}
        mails = created_mail(booking, instrument, actor)
        for i, mail_row in enumerate(mails):
            params.update({f"mail{i}_{k}": v for k, v in mail_row.items()})
        _insert_created(len(mails)).rows(connection, params)
        return booking
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()  # the transaction is dead on PostgreSQL; the request answers 409
        if is_slot_taken(exc):
            raise _slot_taken_error() from exc
        raise


def _as_stored(booking_id: int, row: dict, instrument: Instrument) -> Booking:
    values = {"id": booking_id, **row}
    for key in _UTC_COLUMNS:  # as read back: UTC
        if values.get(key) is not None:
            values[key] = values[key].astimezone(UTC)
    booking = as_loaded(db.session, Booking, values)  # no pending INSERT, no history
    set_committed_value(booking, "instrument", instrument)  # as loaded: no lazy load later
    return booking


def _binds(table, prefix: str = "") -> dict:
    """Every column of ``table`` as a typed bind ``<prefix><column>``; with a prefix, the primary
    key is the column's DEFAULT (its sequence)."""
    return {
        c.key: literal_column("DEFAULT") if prefix and c.primary_key else bindparam(prefix + c.key, type_=c.type)
        for c in table.c
    }


@functools.cache
def _insert_created(mails: int) -> Prepared:
    """PostgreSQL: the booking (its id given), its event and ``mails`` outbox rows in one INSERT
    with data-modifying CTEs (binds: the booking's columns, ``event_<column>``,
    ``mail<i>_<column>``). Every column is named: a CTE's INSERT runs no Python-side default."""
    outbox = OutboxMessage.__table__
    ctes = [insert(_EVENTS).values(_binds(_EVENTS, "event_")).cte("created_event")]
    ctes += [insert(outbox).values(_binds(outbox, f"mail{i}_")).cte(f"created_mail{i}") for i in range(mails)]
    return Prepared(insert(_BOOKINGS).values(_binds(_BOOKINGS)).add_cte(*ctes))


#: what creating a booking reads of the instrument: its policy and what the e-mails show, with
#: its provider's name and address, in one prebuilt Core statement (not the whole row, not two
#: queries); the objects are made "as loaded" from its row (``as_loaded``: an ORM load with a
#: joined provider cost ~200 us, this ~70)
_INSTRUMENT_KEYS = (*POLICY_COLUMNS, "location", "price_internal_fen", "price_external_fen")
_PROVIDER_KEYS = ("name", "name_en", "address")
_INSTRUMENT_SELECT = (
    select(*(getattr(Instrument, k) for k in _INSTRUMENT_KEYS), *(getattr(Provider, k) for k in _PROVIDER_KEYS))
    .join_from(Instrument, Provider, Provider.id == Instrument.provider_id)
    .where(Instrument.id == bindparam("instrument_id"))
)
_INSTRUMENT_FOR_BOOKING = Prepared(_INSTRUMENT_SELECT)


#: PostgreSQL: the same read takes the instrument's write lock (``transactions.lock_instrument``) in
#: the same round trip; the reads the rules need come after it, in later statements, so they see
#: whatever a writer that held the lock before committed. It also draws the new booking's id (a
#: refused request leaves a gap, as a rolled-back INSERT does), so that the booking, its event and
#: its e-mails can be written in one statement (``_insert_created``)
_INSTRUMENT_FOR_BOOKING_LOCKED = Prepared(
    _INSTRUMENT_SELECT.add_columns(
        INSTRUMENT_LOCK, func.nextval(func.pg_get_serial_sequence(_BOOKINGS.name, _BOOKINGS.c.id.name))
    )
)
_PROVIDER_ID = _INSTRUMENT_KEYS.index("provider_id")


def _instrument_for_booking(instrument_id: int) -> tuple[Instrument, int | None]:
    """The instrument as loaded, and on PostgreSQL the new booking's id."""
    if is_sqlite():  # its write lock is taken later (begin_write), after the reads outside it
        statement, params = _INSTRUMENT_FOR_BOOKING, {"instrument_id": instrument_id}
    else:
        statement = _INSTRUMENT_FOR_BOOKING_LOCKED
        params = {"instrument_id": instrument_id, "lock_class": INSTRUMENT_LOCK_CLASS}
    row = statement.first(db.session.connection(), params)
    if row is None:
        raise refuse(404, "NOT_FOUND", field="instrument_id")
    n, m = len(_INSTRUMENT_KEYS), len(_INSTRUMENT_KEYS) + len(_PROVIDER_KEYS)
    instrument = as_loaded(db.session, Instrument, dict(zip(_INSTRUMENT_KEYS, row[:n], strict=True)))
    provider = {"id": row[_PROVIDER_ID], **dict(zip(_PROVIDER_KEYS, row[n:m], strict=True))}
    set_committed_value(instrument, "provider", as_loaded(db.session, Provider, provider))
    return instrument, (row[-1] if len(row) > m else None)


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
