"""Booking use cases: load what the rules need, ask the domain, change rows, flush.

Nothing here commits: the request, job or command that called it commits once (and e-mail
queued with ``bwq_lab.mail.queue`` goes out only after that commit).

No double booking, ever: the check and the insert run in one write transaction. On SQLite that
transaction is ``BEGIN IMMEDIATE`` (taken before the request reads anything, see
``transactions.begin_write``), so no other writer can slip in between. On PostgreSQL the
exclusion constraint ``ex_bookings_no_overlap`` refuses the loser of a race with SQLSTATE 23P01
(or 40P01), which becomes a 409 ``OVERLAPS_BOOKING`` here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload, load_only, selectinload

from bwq_lab import mail
from bwq_lab.domain import booking_lifecycle as lifecycle
from bwq_lab.domain import booking_rules as rules
from bwq_lab.domain import messages
from bwq_lab.domain import slots as slot_finder
from bwq_lab.errors import OperationError, Problem
from bwq_lab.extensions import db
from bwq_lab.models import (
    Booking,
    BookingEvent,
    Instrument,
    MaintenanceWindow,
    Provider,
    ProviderClosure,
    Qualification,
    User,
)
from bwq_lab.models.booking import LIVE
from bwq_lab.models.user import managed_instruments
from bwq_lab.operations.transactions import begin_write, is_slot_taken, lock_instrument

#: No booking is ever longer than this (a hard cap whatever the policy says), so the overlap
#: probe can bound its index range scan: latency never grows with an instrument's history.
MAX_SPAN = timedelta(days=31)
MAX_BUFFER = timedelta(days=1)
SLOT_TAKEN_CODES = {rules.OVERLAPS_BOOKING, rules.INSIDE_BUFFER}
CHECK_IN_EARLY_MINUTES = 15
NO_SHOW_GRACE_MINUTES = 15


# ------------------------------------------------------------------ policy and context
def policy_of(instrument: Instrument) -> rules.BookingPolicy:
    return rules.BookingPolicy(
        timezone=current_app.config["TIMEZONE"],
        status=instrument.status,
        opening_hours=_opening_ranges(tuple(tuple(r) for r in instrument.opening_hours or ())),
        slot_minutes=instrument.slot_minutes,
        min_minutes=instrument.min_minutes,
        max_minutes=min(instrument.max_minutes, int(MAX_SPAN.total_seconds() // 60)),
        buffer_minutes=min(instrument.buffer_minutes, int(MAX_BUFFER.total_seconds() // 60)),
        min_notice_minutes=instrument.min_notice_minutes,
        max_days_ahead=instrument.max_days_ahead,
        approval_required=instrument.approval_required,
        qualification_required=instrument.qualification_required,
        weekly_quota_minutes=instrument.weekly_quota_minutes,
        monthly_quota_minutes=instrument.monthly_quota_minutes,
        max_future_bookings=instrument.max_future_bookings,
    )


@functools.lru_cache(maxsize=4096)
def _opening_ranges(stored: tuple[tuple, ...]) -> tuple[rules.OpeningRange, ...]:
    """Stored ``[[weekday, "HH:MM", "HH:MM"], ...]`` as domain values; most instruments share a
    handful of weekly patterns, so this is cached."""
    return tuple(rules.OpeningRange(int(weekday), _hhmm(start), _hhmm(end)) for weekday, start, end in stored)


def _hhmm(value: str) -> time:
    if value in ("24:00", "24:00:00"):
        return time(23, 59, 59, 999999)
    hours, minutes = value.split(":")[:2]
    return time(int(hours), int(minutes))


# Statements built once (hot path): building and cache-keying a select costs more than running it.
_BUSY = (
    select(
        Booking.id,
        Booking.instrument_id,
        Booking.start_at,
        Booking.end_at,
        Booking.blocked_until,
        Booking.user_id,
        Booking.enterprise_id,
    )
    .where(
        Booking.instrument_id.in_(bindparam("ids", expanding=True)),
        Booking.start_at >= bindparam("floor"),
        Booking.start_at < bindparam("hi"),
        Booking.blocked_until > bindparam("lo"),
        Booking.status.in_(LIVE),
    )
    .order_by(Booking.instrument_id, Booking.start_at)
)


_BUSY_ALL = select(*_BUSY.selected_columns).where(
    Booking.start_at >= bindparam("floor"),
    Booking.start_at < bindparam("hi"),
    Booking.blocked_until > bindparam("lo"),
    Booking.status.in_(LIVE),
)
#: above this many instruments, queries scan by time and filter the instruments in Python
#: instead of sending a long IN list
MANY = 50


def _busy_blocks(instrument_ids: Iterable[int], lo: datetime, hi: datetime) -> dict[int, list[rules.BusyBlock]]:
    """Live bookings whose ``[start_at, blocked_until)`` meets ``[lo, hi)``, per instrument.

    The lower bound on ``start_at`` (no booking is longer than MAX_SPAN) keeps the index range
    scan on (instrument_id, start_at) short however long the instrument's history is."""
    ids = list(instrument_ids)
    params = {"floor": lo - MAX_SPAN - MAX_BUFFER, "hi": hi, "lo": lo}
    # Core execution on the session's connection: these are plain rows, and the ORM's row
    # machinery costs more than the query for a search over thousands of instruments
    connection = db.session.connection()
    if len(ids) <= MANY:
        rows = connection.execute(_BUSY, {"ids": ids, **params}).all()
    else:  # a slot search across many instruments: one range scan on (status, start_at), filtered here
        rows = connection.execute(_BUSY_ALL, params).all()
    out: dict[int, list[rules.BusyBlock]] = {i: [] for i in ids}
    for bid, iid, start, end, blocked, uid, eid in rows:
        blocks = out.get(iid)
        if blocks is not None:
            blocks.append(rules.BusyBlock(bid, start, end, blocked, uid, eid))
    return out


_MAINTENANCE = select(
    MaintenanceWindow.instrument_id, MaintenanceWindow.start_at, MaintenanceWindow.end_at, MaintenanceWindow.reason
).where(
    MaintenanceWindow.instrument_id.in_(bindparam("ids", expanding=True)),
    MaintenanceWindow.start_at < bindparam("hi"),
    MaintenanceWindow.end_at > bindparam("lo"),
)
_CLOSURES = select(
    ProviderClosure.provider_id, ProviderClosure.start_at, ProviderClosure.end_at, ProviderClosure.reason
).where(
    ProviderClosure.provider_id.in_(bindparam("ids", expanding=True)),
    ProviderClosure.start_at < bindparam("hi"),
    ProviderClosure.end_at > bindparam("lo"),
)


_MAINTENANCE_ALL = select(*_MAINTENANCE.selected_columns).where(
    MaintenanceWindow.start_at < bindparam("hi"), MaintenanceWindow.end_at > bindparam("lo")
)
_CLOSURES_ALL = select(*_CLOSURES.selected_columns).where(
    ProviderClosure.start_at < bindparam("hi"), ProviderClosure.end_at > bindparam("lo")
)


def _blackouts(instruments: list[Instrument], lo: datetime, hi: datetime) -> dict[int, list[rules.Blackout]]:
    """Maintenance windows of the instruments and closures of their providers meeting ``[lo, hi)``."""
    ids = [i.id for i in instruments]
    out: dict[int, list[rules.Blackout]] = {i: [] for i in ids}
    window = {"lo": lo, "hi": hi}
    many = len(ids) > MANY
    maintenance = _MAINTENANCE_ALL if many else _MAINTENANCE
    for iid, start, end, reason in db.session.execute(maintenance, window if many else {"ids": ids, **window}):
        if iid in out:
            out[iid].append(rules.Blackout(start, end, reason, "maintenance"))
    by_provider: dict[int, list[rules.Blackout]] = {}
    provider_ids = list({i.provider_id for i in instruments})
    closures = _CLOSURES_ALL if len(provider_ids) > MANY else _CLOSURES
    closure_params = window if len(provider_ids) > MANY else {"ids": provider_ids, **window}
    for pid, start, end, reason in db.session.execute(closures, closure_params):
        by_provider.setdefault(pid, []).append(rules.Blackout(start, end, reason, "closure"))
    if by_provider:
        for instrument in instruments:
            out[instrument.id].extend(by_provider.get(instrument.provider_id, ()))
    return out


def _qualified_until(user: User, instrument_ids: list[int], now: datetime) -> dict[int, datetime | None]:
    far = now + timedelta(days=365 * 100)
    out: dict[int, datetime | None] = {}
    for iid, expires in db.session.execute(
        select(Qualification.instrument_id, Qualification.expires_at).where(
            Qualification.user_id == user.id,
            Qualification.instrument_id.in_(instrument_ids),
            Qualification.revoked_at.is_(None),
        )
    ):
        value = expires or far
        if out.get(iid) is None or value > out[iid]:
            out[iid] = value
    return out


def lacks_qualification(actor: User, instrument: Instrument, now: datetime) -> bool:
    """The instrument needs a qualification and ``actor`` holds no valid one (managers of the
    instrument need none to see its calendar as bookable)."""
    if not instrument.qualification_required or actor.manages_instrument(instrument):
        return False
    until = _qualified_until(actor, [instrument.id], now).get(instrument.id)
    return until is None or until <= now


def may_book(actor: User, instrument: Instrument) -> bool:
    """Who may book: active members of an enterprise, and the instrument's own managers."""
    return actor.is_active_member or actor.manages_instrument(instrument)


def build_context(
    instrument: Instrument,
    actor: User,
    lo: datetime,
    hi: datetime,
    now: datetime,
    *,
    moving_booking_id: int | None = None,
    policy: rules.BookingPolicy | None = None,
) -> rules.BookingContext:
    """Everything the rules need for a request (or a slot search) over ``[lo, hi)``."""
    policy = policy or policy_of(instrument)
    busy_lo, busy_hi = rules.busy_load_window(policy, lo, hi)
    busy = _busy_blocks([instrument.id], busy_lo, busy_hi)[instrument.id]
    blackouts = _blackouts([instrument], lo, hi)[instrument.id]
    qualified_until = None
    if policy.qualification_required:
        qualified_until = _qualified_until(actor, [instrument.id], now).get(instrument.id)
    enterprise_bookings: list[rules.BusyBlock] = []
    window = rules.quota_load_window(policy, lo, hi)
    if window is not None and actor.enterprise_id is not None:
        enterprise_bookings = _enterprise_bookings(instrument.id, actor.enterprise_id, *window)
    user_future = 0
    if policy.max_future_bookings is not None:
        query = select(func.count(Booking.id)).where(
            Booking.instrument_id == instrument.id,
            Booking.user_id == actor.id,
            Booking.status.in_(LIVE),
            Booking.end_at > now,
        )
        if moving_booking_id is not None:
            query = query.where(Booking.id != moving_booking_id)
        user_future = db.session.execute(query).scalar_one()
    return rules.BookingContext(
        policy=policy,
        busy=tuple(busy),
        blackouts=tuple(blackouts),
        qualified_until=qualified_until,
        permitted=may_book(actor, instrument),
        enterprise_bookings=tuple(enterprise_bookings),
        user_future_count=user_future,
    )


def _enterprise_bookings(instrument_id: int, enterprise_id: int, lo: datetime, hi: datetime) -> list[rules.BusyBlock]:
    rows = db.session.execute(
        select(
            Booking.id,
            Booking.start_at,
            Booking.end_at,
            Booking.blocked_until,
            Booking.user_id,
        ).where(
            Booking.instrument_id == instrument_id,
            Booking.enterprise_id == enterprise_id,
            Booking.status.in_((*LIVE, "completed")),
            Booking.start_at >= lo - MAX_SPAN,
            Booking.start_at < hi,
            Booking.end_at > lo,
        )
    ).all()
    return [rules.BusyBlock(bid, s, e, b, uid, enterprise_id) for bid, s, e, b, uid in rows]


# ------------------------------------------------------------------ reading bookings
def _instrument_or_404(instrument_id: int) -> Instrument:
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None:
        raise OperationError(404, [Problem("NOT_FOUND", _t("instrument_not_found"), "instrument_id")])
    return instrument


def can_view(actor: User, booking: Booking) -> bool:
    if booking.user_id == actor.id or actor.is_province_admin:
        return True
    if actor.role == "city_admin":
        return booking.instrument.provider.city_id == actor.city_id
    return actor.manages_instrument(booking.instrument)


def get_booking(actor: User, booking_id: int, *, for_update: bool = False, with_history: bool = False) -> Booking:
    """The booking, if ``actor`` may see it; otherwise 404 (never reveal that it exists).
    ``with_history`` loads its events and their actors with it (the booking page shows them)."""
    query = select(Booking).where(Booking.id == booking_id).options(joinedload(Booking.instrument))
    if with_history:
        query = query.options(selectinload(Booking.events).joinedload(BookingEvent.actor))
    if for_update and db.engine.dialect.name == "postgresql":
        query = query.with_for_update(of=Booking)
    booking = db.session.execute(query).scalar_one_or_none()
    if booking is None or not can_view(actor, booking):
        raise OperationError(404, [Problem("NOT_FOUND", _t("booking_not_found"))])
    return booking


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int


def managed_instrument_ids_query(manager: User):
    """Ids of the instruments a manager manages, as a subquery."""
    if manager.manages_all:
        return select(Instrument.id).where(Instrument.provider_id == manager.provider_id)
    return select(managed_instruments.c.instrument_id).where(managed_instruments.c.user_id == manager.id)


def list_bookings(
    actor: User,
    *,
    scope: str = "own",
    status: Iterable[str] | None = None,
    instrument_id: int | None = None,
    start_from: datetime | None = None,
    start_to: datetime | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """``scope="own"``: the actor's bookings; ``"managed"``: bookings on instruments they
    manage (managers), their city's (city admins) or all (province admins)."""
    query = select(Booking)
    if scope == "managed":
        if actor.is_manager:
            query = query.where(Booking.instrument_id.in_(managed_instrument_ids_query(actor)))
        elif actor.role == "city_admin":
            query = (
                query.join(Instrument, Instrument.id == Booking.instrument_id)
                .join(Provider)
                .where(Provider.city_id == actor.city_id)
            )
        elif not actor.is_province_admin:
            raise OperationError(403, [Problem("FORBIDDEN", _t("forbidden"))])
    else:
        query = query.where(Booking.user_id == actor.id)
    status = [s for s in (status or []) if s]
    if status:
        query = query.where(Booking.status.in_(status))
    if instrument_id is not None:
        query = query.where(Booking.instrument_id == instrument_id)
    if start_from is not None:
        query = query.where(Booking.start_at >= start_from)
    if start_to is not None:
        query = query.where(Booking.start_at < start_to)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = (
        db.session.execute(
            query.options(
                joinedload(Booking.instrument),
                joinedload(Booking.user),
                joinedload(Booking.enterprise),
            )
            .order_by(Booking.start_at.desc(), Booking.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return Page(list(items), total, page, per_page)


# ------------------------------------------------------------------ creating and moving
def _violations_error(violations: list[rules.Violation], locale: str) -> OperationError:
    status = 409 if any(v.code in SLOT_TAKEN_CODES for v in violations) else 422
    return OperationError(
        status,
        [Problem(v.code, v.message(locale), v.field, dict(v.params), v.overridable) for v in violations],
    )


def _slot_taken_error(locale: str) -> OperationError:
    v = rules.violation(rules.OVERLAPS_BOOKING, "start")
    return OperationError(409, [Problem(v.code, v.message(locale), v.field, {}, False)])


def _validate_interval(start: datetime, end: datetime, locale: str) -> None:
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise OperationError(422, [Problem("NAIVE_DATETIME", _t("naive", locale), name)])
    if end - start > MAX_SPAN:
        v = rules.violation(
            rules.TOO_LONG,
            "end",
            minutes=int((end - start).total_seconds() // 60),
            max_minutes=int(MAX_SPAN.total_seconds() // 60),
        )
        raise _violations_error([v], locale)


def _decide(
    actor: User,
    instrument: Instrument,
    request: rules.BookingRequest,
    context: rules.BookingContext,
    now: datetime,
    override_reason: str | None,
    locale: str,
) -> list[str]:
    """Run the rules; raise with every blocking violation. Returns the overridden codes."""
    violations = rules.check(request, context, now)
    override = bool(override_reason and override_reason.strip()) and actor.manages_instrument(instrument)
    stopping = rules.blocking(violations, override)
    if stopping:
        raise _violations_error(stopping, locale)
    return [v.code for v in violations]  # what remains was overridden


def create_booking(
    actor: User,
    instrument_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    purpose: str = "",
    project_code: str = "",
    override_reason: str | None = None,
    locale: str = "zh",
) -> Booking:
    _validate_interval(start, end, locale)
    instrument = _instrument_or_404(instrument_id)
    policy = policy_of(instrument)
    # From here to the commit no other writer runs on SQLite (BEGIN IMMEDIATE); the reads above
    # (the actor, the instrument's policy) stay outside the lock. PostgreSQL: a no-op.
    begin_write()
    lock_instrument(instrument.id)
    request = rules.BookingRequest(start, end, actor.id, actor.enterprise_id)
    context = build_context(instrument, actor, start, end, now, policy=policy)
    overridden = _decide(actor, instrument, request, context, now, override_reason, locale)
    by_manager = actor.manages_instrument(instrument)
    status = lifecycle.initial_status(policy, by_manager=by_manager).value
    booking = Booking(
        instrument=instrument,
        user_id=actor.id,
        enterprise_id=actor.enterprise_id if actor.is_enterprise else None,
        status=status,
        start_at=start,
        end_at=end,
        blocked_until=end + timedelta(minutes=policy.buffer_minutes),
        purpose=(purpose or "").strip(),
        project_code=(project_code or "").strip(),
        override_reason=override_reason.strip() if overridden and override_reason else None,
        overridden_codes=overridden or None,
        decided_by_id=actor.id if status == "approved" and policy.approval_required else None,
        decided_at=now if status == "approved" and policy.approval_required else None,
        created_at=now,
        updated_at=now,
    )
    booking.events.append(
        BookingEvent(
            actor_id=actor.id,
            action="created",
            to_status=status,
            new_start_at=start,
            new_end_at=end,
            reason=booking.override_reason,
            at=now,
        )
    )
    db.session.add(booking)
    _flush_or_conflict(locale)  # one flush: the booking, then its first event
    _notify_created(booking, instrument, actor, locale)
    return booking


def _flush_or_conflict(locale: str) -> None:
    try:
        db.session.flush()
    except (IntegrityError, OperationalError) as exc:
        db.session.rollback()  # the transaction is dead on PostgreSQL; the request answers 409
        if is_slot_taken(exc):
            raise _slot_taken_error(locale) from exc
        raise


def move_booking(
    actor: User,
    booking_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    override_reason: str | None = None,
    locale: str = "zh",
) -> Booking:
    """Move or shorten a live booking; re-checked against every rule, history kept. A user's
    move of an approved booking on an instrument that needs approval goes back to pending,
    unless it only shortens the booking inside its old interval."""
    _validate_interval(start, end, locale)
    booking = get_booking(actor, booking_id, for_update=True)
    instrument = booking.instrument
    lock_instrument(instrument.id)
    is_manager = _owner_or_manager(actor, booking, locale)
    _transition_or_409(booking, lifecycle.BookingAction.MOVE, locale)  # pending or approved only
    policy = policy_of(instrument)
    owner = booking.user if booking.user_id != actor.id else actor
    request = rules.BookingRequest(start, end, owner.id, booking.enterprise_id, moving_booking_id=booking.id)
    context = build_context(instrument, owner, start, end, now, moving_booking_id=booking.id, policy=policy)
    if is_manager and not context.permitted:
        context = dataclasses.replace(context, permitted=True)  # managers move anyone's booking
    overridden = _decide(actor, instrument, request, context, now, override_reason, locale)
    old_start, old_end = booking.start_at, booking.end_at
    shortened_inside = start >= old_start and end <= old_end
    from_status = booking.status
    if booking.status == "approved" and policy.approval_required and not is_manager and not shortened_inside:
        booking.status = "pending"
        booking.decided_by_id = booking.decided_at = None
    booking.start_at, booking.end_at = start, end
    booking.blocked_until = end + timedelta(minutes=policy.buffer_minutes)
    booking.updated_at = now
    if overridden:
        booking.override_reason = override_reason
        booking.overridden_codes = overridden
    _flush_or_conflict(locale)
    db.session.add(
        BookingEvent(
            booking_id=booking.id,
            actor_id=actor.id,
            action="moved",
            from_status=from_status,
            to_status=booking.status,
            old_start_at=old_start,
            old_end_at=old_end,
            new_start_at=start,
            new_end_at=end,
            reason=override_reason,
            at=now,
        )
    )
    return booking


# ------------------------------------------------------------------ lifecycle
def _refuse(status: int, code: str, message: str, field: str | None = None) -> OperationError:
    return OperationError(status, [Problem(code, message, field)])


def _transition_or_409(booking: Booking, action: lifecycle.BookingAction, locale: str) -> str:
    try:
        return lifecycle.next_status(booking.status, action).value
    except lifecycle.TransitionError:
        params = {"status": booking.status, "action": action.value}
        raise _refuse(409, "INVALID_TRANSITION", messages.render("INVALID_TRANSITION", params, locale)) from None


def _require_manager(actor: User, booking: Booking, locale: str) -> None:
    if not actor.manages_instrument(booking.instrument):
        raise _refuse(403, "FORBIDDEN", _t("forbidden", locale))


def _owner_or_manager(actor: User, booking: Booking, locale: str) -> bool:
    """The booking's owner or a manager of its instrument may act; returns "is a manager"."""
    by_manager = actor.manages_instrument(booking.instrument)
    if booking.user_id != actor.id and not by_manager:
        raise _refuse(403, "FORBIDDEN", _t("forbidden", locale))
    return by_manager


def _reason_required(reason: str | None, locale: str) -> str:
    if not reason or not reason.strip():
        raise _refuse(422, "REASON_REQUIRED", _t("reason_required", locale), "reason")
    return reason.strip()


def _apply(booking: Booking, actor: User | None, action: str, status: str, now: datetime, reason: str | None = None):
    """Move the booking to ``status`` and append the history row."""
    event = BookingEvent(
        booking_id=booking.id,
        actor_id=actor.id if actor else None,
        action=action,
        from_status=booking.status,
        to_status=status,
        reason=reason,
        at=now,
    )
    booking.status = status
    booking.updated_at = now
    db.session.add(event)


def _rules_now(
    booking: Booking, now: datetime
) -> tuple[rules.BookingPolicy, rules.BookingContext, list[rules.Violation]]:
    """The rules run again for an existing request as things stand at ``now`` (maintenance added,
    a qualification expired since): the policy, the context and every violation."""
    policy = policy_of(booking.instrument)
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
    actor: User, booking_id: int, now: datetime, *, reason: str | None = None, locale: str = "zh"
) -> Booking:
    """Approve a pending request. The rules run again (maintenance may have been added, a
    qualification may have expired); the approving manager's decision overrides the soft ones."""
    booking = get_booking(actor, booking_id, for_update=True)
    _require_manager(actor, booking, locale)
    new_status = _transition_or_409(booking, lifecycle.BookingAction.APPROVE, locale)
    _policy, _context, violations = _rules_now(booking, now)
    stopping = rules.blocking(violations, override=True)
    if stopping:
        raise _violations_error(stopping, locale)
    reason = (reason or "").strip() or None
    booking.decided_by_id, booking.decided_at, booking.decision_reason = actor.id, now, reason
    _apply(booking, actor, "approved", new_status, now, reason)
    _notify_owner(booking, "approved", reason)
    return booking


def reject_booking(actor: User, booking_id: int, reason: str | None, now: datetime, *, locale: str = "zh") -> Booking:
    booking = get_booking(actor, booking_id, for_update=True)
    _require_manager(actor, booking, locale)
    new_status = _transition_or_409(booking, lifecycle.BookingAction.REJECT, locale)
    reason = _reason_required(reason, locale)
    booking.decided_by_id, booking.decided_at, booking.decision_reason = actor.id, now, reason
    _apply(booking, actor, "rejected", new_status, now, reason)
    _notify_owner(booking, "rejected", reason)
    return booking


def cancel_booking(
    actor: User, booking_id: int, now: datetime, *, reason: str | None = None, locale: str = "zh"
) -> Booking:
    """The owner cancels before the instrument's cancellation deadline; a manager at any time,
    with a reason."""
    booking = get_booking(actor, booking_id, for_update=True)
    by_manager = _owner_or_manager(actor, booking, locale)
    new_status = _transition_or_409(booking, lifecycle.BookingAction.CANCEL, locale)
    if by_manager and booking.user_id != actor.id:
        reason = _reason_required(reason, locale)
    deadline = booking.instrument.cancel_deadline_hours
    if not lifecycle.cancellation_allowed(booking.start_at, now, deadline, by_manager=by_manager):
        raise _refuse(409, "CANCELLATION_DEADLINE_PASSED", _t("deadline", locale).format(hours=deadline))
    reason = (reason or "").strip() or None
    booking.cancelled_by_id, booking.cancelled_at, booking.cancel_reason = actor.id, now, reason
    _apply(booking, actor, "cancelled", new_status, now, reason)
    if booking.user_id != actor.id:
        _notify_owner(booking, "cancelled", reason)
    return booking


def check_in(actor: User, booking_id: int, now: datetime, *, locale: str = "zh") -> Booking:
    """The owner within the check-in window, or a manager at any time before the end."""
    booking = get_booking(actor, booking_id, for_update=True)
    by_manager = _owner_or_manager(actor, booking, locale)
    new_status = _transition_or_409(booking, lifecycle.BookingAction.CHECK_IN, locale)
    in_window = lifecycle.check_in_allowed(
        booking.start_at, booking.end_at, now, CHECK_IN_EARLY_MINUTES, NO_SHOW_GRACE_MINUTES
    )
    if not in_window and not (by_manager and now < booking.end_at):
        message = _t("check_in_closed", locale).format(early=CHECK_IN_EARLY_MINUTES, grace=NO_SHOW_GRACE_MINUTES)
        raise _refuse(409, "CHECK_IN_CLOSED", message)
    booking.checked_in_at = now
    _apply(booking, actor, "checked_in", new_status, now)
    return booking


def check_out(
    actor: User,
    booking_id: int,
    now: datetime,
    *,
    used_from: datetime | None = None,
    used_until: datetime | None = None,
    locale: str = "zh",
) -> Booking:
    """Record the end of use, which gives the effective hours (有效机时). A manager may also record
    the actual times afterwards for an approved booking that was never checked in."""
    booking = get_booking(actor, booking_id, for_update=True)
    _owner_or_manager(actor, booking, locale)
    new_status = _transition_or_409(booking, lifecycle.BookingAction.COMPLETE, locale)
    start = used_from or booking.checked_in_at or booking.start_at
    finish = used_until or now
    if finish <= start:
        raise _refuse(422, "END_BEFORE_START", messages.render("END_BEFORE_START", {}, locale), "used_until")
    booking.checked_in_at, booking.checked_out_at = start, finish
    _apply(booking, actor, "checked_out", new_status, now)
    return booking


def allowed_actions(booking: Booking, user: User, now: datetime) -> dict[str, bool]:
    """Which actions ``user`` may take on ``booking`` now, for the buttons a page shows (the
    operations below still decide when one is pressed)."""
    manager = user.manages_instrument(booking.instrument)
    if booking.user_id != user.id and not manager:
        return dict.fromkeys(("cancel", "move", "check_in", "check_out", "decide"), False)
    status = booking.status
    deadline = booking.instrument.cancel_deadline_hours
    in_window = lifecycle.check_in_allowed(
        booking.start_at, booking.end_at, now, CHECK_IN_EARLY_MINUTES, NO_SHOW_GRACE_MINUTES
    )
    return {
        "cancel": lifecycle.can_transition(status, "cancel")
        and lifecycle.cancellation_allowed(booking.start_at, now, deadline, by_manager=manager),
        "move": status in ("pending", "approved") and booking.start_at > now,
        "check_in": status == "approved" and (in_window or (manager and now < booking.end_at)),
        # a manager may also record the use of an approved booking afterwards
        "check_out": status == "in_use" or (manager and status == "approved" and booking.start_at <= now),
        "decide": manager and status == "pending",
    }


def mark_no_shows(now: datetime) -> int:
    """Approved bookings not checked in by the grace period become no-shows. Safe to run twice
    and catches up after a missed run (it selects by time, not by an exact minute)."""
    cutoff = now - timedelta(minutes=NO_SHOW_GRACE_MINUTES)
    bookings = (
        db.session.execute(select(Booking).where(Booking.status == "approved", Booking.start_at <= cutoff))
        .scalars()
        .all()
    )
    for booking in bookings:
        _apply(booking, None, "no_show", "no_show", now)
    return len(bookings)


def complete_finished(now: datetime) -> int:
    """Bookings still checked in after their end complete at their end time."""
    bookings = (
        db.session.execute(select(Booking).where(Booking.status == "in_use", Booking.end_at <= now)).scalars().all()
    )
    for booking in bookings:
        booking.checked_out_at = booking.end_at
        _apply(booking, None, "completed", "completed", now)
    return len(bookings)


# ------------------------------------------------------------------ approval queue
@dataclass
class QueueItem:
    booking: Booking
    qualified: bool | None
    problems: list[rules.Violation]


def approval_queue(manager: User, now: datetime, *, limit: int = 200) -> list[QueueItem]:
    """Pending requests on the manager's instruments, oldest first, each with what the rules
    say about it now (qualification, maintenance added since, ...)."""
    if not manager.is_manager:
        raise OperationError(403, [Problem("FORBIDDEN", _t("forbidden"))])
    bookings = (
        db.session.execute(
            select(Booking)
            .where(
                Booking.status == "pending",
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
        policy, context, violations = _rules_now(booking, now)
        qualified = None
        if policy.qualification_required:
            qualified = context.qualified_until is not None and context.qualified_until >= booking.end_at
        items.append(QueueItem(booking, qualified, violations))
    return items


# ------------------------------------------------------------------ availability and slots
def availability(instrument_id: int, viewer: User | None, week_start: datetime, now: datetime):
    """A week of free/busy for an instrument: the viewer's own bookings in full, others' only
    as busy time."""
    instrument = _instrument_or_404(instrument_id)
    policy = policy_of(instrument)
    lo, hi = week_start, week_start + timedelta(days=7)
    busy_lo, busy_hi = rules.busy_load_window(policy, lo, hi)
    context = rules.BookingContext(
        policy=policy,
        busy=tuple(_busy_blocks([instrument.id], busy_lo - MAX_BUFFER, busy_hi)[instrument.id]),
        blackouts=tuple(_blackouts([instrument], lo, hi)[instrument.id]),
    )
    return instrument, slot_finder.week_view(context, week_start, now, user_id=viewer.id if viewer else None)


_POLICY_COLUMNS = (
    "id",
    "provider_id",
    "name",
    "name_en",
    "status",
    "opening_hours",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "buffer_minutes",
    "min_notice_minutes",
    "max_days_ahead",
    "approval_required",
    "qualification_required",
    "weekly_quota_minutes",
    "monthly_quota_minutes",
    "max_future_bookings",
)


@contextlib.contextmanager
def _gc_paused():
    """A search over thousands of instruments allocates tens of thousands of short-lived
    objects; the cyclic garbage collector would scan them again and again (measured: ~40% of a
    2,000-instrument search). It is paused for the search and runs normally afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def find_slots(
    actor: User,
    now: datetime,
    *,
    duration_minutes: int,
    window_start: datetime,
    window_end: datetime,
    instrument_id: int | None = None,
    category: str | None = None,
    city_id: int | None = None,
    capability: str | None = None,
    limit: int = 20,
    max_instruments: int = 2000,
) -> list[tuple[Instrument, datetime, datetime]]:
    """The earliest free slots that pass every rule for this user, on one instrument or across
    the instruments matching a category / capability / city filter. Loads everything in a few
    set-based queries (no per-instrument queries)."""
    with _gc_paused():
        # only what the rules need; the few instruments offered get their provider loaded below
        query = (
            select(Instrument)
            .where(Instrument.status == "active")
            .options(load_only(*(getattr(Instrument, name) for name in _POLICY_COLUMNS)))
        )
        if instrument_id is not None:
            query = query.where(Instrument.id == instrument_id)
        if category:
            query = query.where(Instrument.category == category)
        if city_id is not None:
            query = query.join(Provider, Provider.id == Instrument.provider_id).where(Provider.city_id == city_id)
        if capability:
            needle = f"%{capability.strip().lower()}%"
            query = query.where(
                or_(
                    func.lower(Instrument.capabilities).like(needle),
                    func.lower(Instrument.name).like(needle),
                    func.lower(Instrument.name_en).like(needle),
                )
            )
        instruments = db.session.execute(query.order_by(Instrument.id).limit(max_instruments)).scalars().unique().all()
        if not instruments:
            return []
        ids = [i.id for i in instruments]
        busy = _busy_blocks(ids, window_start, window_end + MAX_BUFFER)
        blackouts = _blackouts(list(instruments), window_start, window_end)
        qualified = _qualified_until(actor, ids, now) if any(i.qualification_required for i in instruments) else {}
        enterprise_blocks: dict[int, list[rules.BusyBlock]] = {}
        future_counts: dict[int, int] = {}
        if actor.enterprise_id is not None and any(
            i.weekly_quota_minutes or i.monthly_quota_minutes for i in instruments
        ):
            lo, hi = window_start - timedelta(days=31), window_end + timedelta(days=31)
            for bid, iid, s, e, b, uid in db.session.execute(
                select(
                    Booking.id,
                    Booking.instrument_id,
                    Booking.start_at,
                    Booking.end_at,
                    Booking.blocked_until,
                    Booking.user_id,
                ).where(
                    Booking.enterprise_id == actor.enterprise_id,
                    Booking.instrument_id.in_(ids),
                    Booking.status.in_((*LIVE, "completed")),
                    Booking.start_at < hi,
                    Booking.end_at > lo,
                )
            ):
                enterprise_blocks.setdefault(iid, []).append(rules.BusyBlock(bid, s, e, b, uid, actor.enterprise_id))
        if any(i.max_future_bookings is not None for i in instruments):
            for iid, count in db.session.execute(
                select(Booking.instrument_id, func.count(Booking.id))
                .where(
                    Booking.user_id == actor.id,
                    Booking.instrument_id.in_(ids),
                    Booking.status.in_(LIVE),
                    Booking.end_at > now,
                )
                .group_by(Booking.instrument_id)
            ):
                future_counts[iid] = count
        by_id = {i.id: i for i in instruments}
        contexts = {
            i.id: rules.BookingContext(
                policy=policy_of(i),
                busy=tuple(busy[i.id]),
                blackouts=tuple(blackouts[i.id]),
                qualified_until=qualified.get(i.id),
                permitted=may_book(actor, i),
                enterprise_bookings=tuple(enterprise_blocks.get(i.id, ())),
                user_future_count=future_counts.get(i.id, 0),
            )
            for i in instruments
        }
        found = slot_finder.find_slots_many(
            contexts,
            user_id=actor.id,
            enterprise_id=actor.enterprise_id,
            duration_minutes=duration_minutes,
            window_start=window_start,
            window_end=window_end,
            now=now,
            limit=limit,
        )
        offered = {by_id[iid].provider_id for iid, _, _ in found}
        if offered:  # one query puts the providers in the identity map: instrument.provider needs no SQL
            db.session.execute(select(Provider).where(Provider.id.in_(offered))).scalars().all()
        return [(by_id[iid], s, e) for iid, s, e in found]


# ------------------------------------------------------------------ maintenance, closures, qualifications
def add_maintenance(
    actor: User,
    instrument_id: int,
    start: datetime,
    end: datetime,
    reason: str,
    *,
    locale: str = "zh",
):
    """Block time for maintenance. Returns the window and the live bookings it now collides
    with (the manager decides what to do with them; nothing is cancelled silently)."""
    instrument = _instrument_or_404(instrument_id)
    if not actor.manages_instrument(instrument):
        raise OperationError(403, [Problem("FORBIDDEN", _t("forbidden", locale))])
    _validate_interval(start, end, locale)
    if end <= start:
        raise OperationError(
            422,
            [
                Problem(
                    "END_BEFORE_START",
                    messages.render("END_BEFORE_START", {}, locale),
                    "end",
                )
            ],
        )
    window = MaintenanceWindow(
        instrument_id=instrument.id,
        start_at=start,
        end_at=end,
        reason=(reason or "").strip(),
        created_by_id=actor.id,
    )
    db.session.add(window)
    db.session.flush()
    affected = _live_bookings_meeting(start, end, Booking.instrument_id == instrument.id)
    return window, affected


def _live_bookings_meeting(start: datetime, end: datetime, where) -> list[Booking]:
    """Live bookings overlapping ``[start, end)`` on the instruments ``where`` selects: what a new
    maintenance window or closure collides with."""
    query = (
        select(Booking)
        .join(Instrument, Instrument.id == Booking.instrument_id)
        .where(where, Booking.status.in_(LIVE), Booking.start_at < end, Booking.end_at > start)
        .options(joinedload(Booking.instrument), joinedload(Booking.user), joinedload(Booking.enterprise))
        .order_by(Booking.start_at)
    )
    return list(db.session.execute(query).scalars())


def delete_maintenance(actor: User, window_id: int, *, locale: str = "zh") -> None:
    window = db.session.get(MaintenanceWindow, window_id)
    if window is None or not actor.manages_instrument(window.instrument):
        raise OperationError(404, [Problem("NOT_FOUND", _t("not_found", locale))])
    db.session.delete(window)
    db.session.flush()


def may_manage_closures(actor: User, provider_id: int) -> bool:
    """A provider's holidays and closures: its managers who manage all of it, or a province admin."""
    return actor.is_province_admin or (actor.is_manager and actor.manages_all and actor.provider_id == provider_id)


def add_closure(
    actor: User, provider_id: int, first_day: date, last_day: date, reason: str, *, locale: str = "zh"
) -> tuple[ProviderClosure, list[Booking]]:
    """Close a provider for whole local days ``[first_day, last_day]`` (a holiday such as 国庆节).
    Returns the closure and the live bookings on its instruments it now collides with (nothing
    is cancelled silently: the manager decides)."""
    if db.session.get(Provider, provider_id) is None:
        raise _refuse(404, "NOT_FOUND", _t("not_found", locale))
    if not may_manage_closures(actor, provider_id):
        raise _refuse(403, "FORBIDDEN", _t("forbidden", locale))
    problems = []
    if last_day < first_day:
        problems.append(Problem("END_BEFORE_START", _t("last_before_first", locale), "last_day"))
    elif (last_day - first_day).days >= 366:
        problems.append(Problem("TOO_LONG", _t("closure_too_long", locale), "last_day"))
    if not (reason or "").strip():
        problems.append(Problem("REASON_REQUIRED", _t("reason_required", locale), "reason"))
    if problems:
        raise OperationError(422, problems)
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    start = rules.local_midnight(first_day, tz)
    end = rules.local_midnight(last_day + timedelta(days=1), tz)
    closure = ProviderClosure(
        provider_id=provider_id, start_at=start, end_at=end, reason=reason.strip(), created_by_id=actor.id
    )
    db.session.add(closure)
    db.session.flush()
    affected = _live_bookings_meeting(start, end, Instrument.provider_id == provider_id)
    return closure, affected


def delete_closure(actor: User, closure_id: int, *, locale: str = "zh") -> None:
    closure = db.session.get(ProviderClosure, closure_id)
    if closure is None or not may_manage_closures(actor, closure.provider_id):
        raise _refuse(404, "NOT_FOUND", _t("not_found", locale))
    db.session.delete(closure)
    db.session.flush()


def closures_for(provider_id: int, since: datetime) -> list[ProviderClosure]:
    return list(
        db.session.execute(
            select(ProviderClosure)
            .where(ProviderClosure.provider_id == provider_id, ProviderClosure.end_at > since)
            .order_by(ProviderClosure.start_at)
        ).scalars()
    )


def grant_qualification(
    actor: User,
    instrument_id: int,
    user_email: str,
    expires_at: datetime | None,
    now: datetime,
    *,
    note: str = "",
    locale: str = "zh",
) -> Qualification:
    instrument = _instrument_or_404(instrument_id)
    if not actor.manages_instrument(instrument):
        raise OperationError(403, [Problem("FORBIDDEN", _t("forbidden", locale))])
    user = db.session.execute(select(User).where(User.email == (user_email or "").strip().lower())).scalar_one_or_none()
    if user is None:
        raise OperationError(422, [Problem("UNKNOWN_USER", _t("unknown_user", locale), "email")])
    for existing in db.session.execute(
        select(Qualification).where(
            Qualification.user_id == user.id,
            Qualification.instrument_id == instrument.id,
            Qualification.revoked_at.is_(None),
        )
    ).scalars():
        existing.revoked_at, existing.revoked_by_id = now, actor.id
    qualification = Qualification(
        user_id=user.id,
        instrument_id=instrument.id,
        granted_by_id=actor.id,
        granted_at=now,
        expires_at=expires_at,
        note=(note or "").strip(),
    )
    db.session.add(qualification)
    db.session.flush()
    return qualification


def revoke_qualification(actor: User, qualification_id: int, now: datetime, *, locale: str = "zh") -> Qualification:
    qualification = db.session.get(Qualification, qualification_id)
    if qualification is None or not actor.manages_instrument(qualification.instrument):
        raise OperationError(404, [Problem("NOT_FOUND", _t("not_found", locale))])
    if qualification.revoked_at is None:
        qualification.revoked_at, qualification.revoked_by_id = now, actor.id
    db.session.flush()
    return qualification


def qualification_status(qualification: Qualification, now: datetime) -> str:
    """``active``, ``expired`` or ``revoked`` at ``now``."""
    if qualification.revoked_at is not None:
        return "revoked"
    if qualification.expires_at is not None and qualification.expires_at <= now:
        return "expired"
    return "active"


def qualifications_for(instrument_id: int) -> list[Qualification]:
    return list(
        db.session.execute(
            select(Qualification)
            .where(Qualification.instrument_id == instrument_id)
            .options(joinedload(Qualification.user))
            .order_by(Qualification.revoked_at.is_not(None), Qualification.granted_at.desc())
        ).scalars()
    )


def maintenance_for(instrument_id: int, since: datetime) -> list[MaintenanceWindow]:
    return list(
        db.session.execute(
            select(MaintenanceWindow)
            .where(
                MaintenanceWindow.instrument_id == instrument_id,
                MaintenanceWindow.end_at > since,
            )
            .order_by(MaintenanceWindow.start_at)
        ).scalars()
    )


# ------------------------------------------------------------------ notifications (sent after commit)
def _managers_of(instrument: Instrument) -> list[str]:
    rows = db.session.execute(
        select(User.email).where(
            User.role == "manager",
            User.provider_id == instrument.provider_id,
            or_(
                User.manages_all.is_(True),
                exists().where(
                    managed_instruments.c.user_id == User.id,
                    managed_instruments.c.instrument_id == instrument.id,
                ),
            ),
        )
    ).scalars()
    return list(rows)


def _when(booking: Booking) -> str:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(current_app.config["TIMEZONE"])
    s, e = booking.start_at.astimezone(tz), booking.end_at.astimezone(tz)
    return f"{s:%Y-%m-%d %H:%M}–{e:%H:%M}" if s.date() == e.date() else f"{s:%Y-%m-%d %H:%M} – {e:%Y-%m-%d %H:%M}"


def _notify_created(booking: Booking, instrument: Instrument, actor: User, locale: str) -> None:
    if booking.status == "pending":
        mail.queue(
            actor.email,
            f"[BWQ Lab] 预约已提交 Booking request received: {instrument.name}",
            f"{instrument.name}\n{_when(booking)}\n状态 Status: {booking.status}\n#{booking.id}",
        )
        managers = [m for m in _managers_of(instrument) if m != actor.email]
        if managers:
            mail.queue(
                managers,
                f"[BWQ Lab] 新的预约申请 New booking request: {instrument.name}",
                f"{actor.name} <{actor.email}>\n{instrument.name}\n{_when(booking)}\n{booking.purpose}\n#{booking.id}",
            )
    else:
        mail.queue(
            actor.email,
            f"[BWQ Lab] 预约成功 Booking confirmed: {instrument.name}",
            f"{instrument.name}\n{_when(booking)}\n#{booking.id}",
        )


def _notify_owner(booking: Booking, what: str, reason: str | None) -> None:
    subjects = {
        "approved": "预约已批准 Booking approved",
        "rejected": "预约被拒绝 Booking rejected",
        "cancelled": "预约已取消 Booking cancelled",
    }
    body = f"{booking.instrument.name}\n{_when(booking)}\n#{booking.id}"
    if reason:
        body += f"\n原因 Reason: {reason}"
    mail.queue(
        booking.user.email,
        f"[BWQ Lab] {subjects[what]}: {booking.instrument.name}",
        body,
    )


# ------------------------------------------------------------------ small texts
_TEXTS = {
    "instrument_not_found": ("找不到该仪器。", "No such instrument."),
    "booking_not_found": ("找不到该预约。", "No such booking."),
    "not_found": ("找不到。", "Not found."),
    "forbidden": ("您无权执行此操作。", "You are not allowed to do that."),
    "naive": (
        "时间必须带时区，例如 2026-12-01T09:00:00+08:00。",
        "Times need an offset, e.g. 2026-12-01T09:00:00+08:00.",
    ),
    "reason_required": ("请填写原因。", "Please give a reason."),
    "last_before_first": ("最后一天不能早于第一天。", "The last day cannot be before the first day."),
    "closure_too_long": ("一次闭馆最长一年。", "A closure can last at most one year."),
    "unknown_user": ("没有使用该邮箱的用户。", "No user has that e-mail address."),
    "deadline": (
        "已过取消截止时间（开始前 {hours} 小时），请联系实验室管理员。",
        "The cancellation deadline ({hours} h before the start) has passed; please contact the lab manager.",
    ),
    "check_in_closed": (
        "签到时间为开始前 {early} 分钟至开始后 {grace} 分钟。",
        "Check-in is open from {early} minutes before the start until {grace} minutes after it.",
    ),
}


def _t(key: str, locale: str = "zh") -> str:
    zh, en = _TEXTS[key]
    return en if str(locale).startswith("en") else zh


# ------------------------------------------------------------------ preview (booking pages)
def preview_booking(
    actor: User,
    instrument_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    locale: str = "zh",
) -> list[rules.Violation]:
    """Every rule a booking of ``[start, end)`` by ``actor`` would break now, saving nothing.

    The same checks as :func:`create_booking` (a naive time or a span beyond ``MAX_SPAN`` is
    refused the same way); a manager's override is not applied, so the overridable violations
    show up with ``overridable=True``. It only reads, so it takes no write lock."""
    _validate_interval(start, end, locale)
    instrument = _instrument_or_404(instrument_id)
    policy = policy_of(instrument)
    request = rules.BookingRequest(start, end, actor.id, actor.enterprise_id)
    context = build_context(instrument, actor, start, end, now, policy=policy)
    return rules.check(request, context, now)
