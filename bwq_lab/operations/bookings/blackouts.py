"""Time an instrument cannot be booked: maintenance windows and provider closures, with the
live bookings each new one collides with (nothing is cancelled silently)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bwq_lab.domain import booking_rules as rules
from bwq_lab.extensions import db
from bwq_lab.models import Booking, Instrument, MaintenanceWindow, Provider, ProviderClosure, User
from bwq_lab.models.booking import LIVE
from bwq_lab.operations.bookings.create import validate_interval
from bwq_lab.operations.bookings.queries import instrument_or_404
from bwq_lab.refusals import Problem, Refusal, forbidden, not_found, refuse


def add_maintenance(
    actor: User,
    instrument_id: int,
    start: datetime,
    end: datetime,
    reason: str,
):
    """Block time for maintenance. Returns the window and the live bookings it now collides
    with (the manager decides what to do with them; nothing is cancelled silently)."""
    instrument = instrument_or_404(instrument_id)
    if not actor.manages_instrument(instrument):
        raise forbidden()
    validate_interval(start, end)
    if end <= start:
        raise refuse(422, "END_BEFORE_START", field="end")
    window = MaintenanceWindow(
        instrument_id=instrument.id,
        start_at=start,
        end_at=end,
        reason=(reason or "").strip(),
        created_by_id=actor.id,
    )
    db.session.add(window)
    db.session.flush()
    affected = live_bookings_meeting(start, end, Booking.instrument_id == instrument.id)
    return window, affected


def live_bookings_meeting(start: datetime, end: datetime, where) -> list[Booking]:
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


def delete_maintenance(actor: User, window_id: int) -> None:
    window = db.session.get(MaintenanceWindow, window_id)
    if window is None or not actor.manages_instrument(window.instrument):
        raise not_found()
    db.session.delete(window)
    db.session.flush()


def may_manage_closures(actor: User, provider_id: int) -> bool:
    """A provider's holidays and closures: its managers who manage all of it, or a province admin."""
    return actor.is_province_admin or (actor.is_manager and actor.manages_all and actor.provider_id == provider_id)


def add_closure(
    actor: User, provider_id: int, first_day: date, last_day: date, reason: str, *, tz: str = rules.DEFAULT_TIMEZONE
) -> tuple[ProviderClosure, list[Booking]]:
    """Close a provider for whole local days ``[first_day, last_day]`` (a holiday such as 国庆节).
    Returns the closure and the live bookings on its instruments it now collides with (nothing
    is cancelled silently: the manager decides)."""
    if db.session.get(Provider, provider_id) is None:
        raise not_found()
    if not may_manage_closures(actor, provider_id):
        raise forbidden()
    problems = []
    if last_day < first_day:
        problems.append(
            Problem(
                "END_BEFORE_START",
                field="last_day",
                params={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
            )
        )
    elif (last_day - first_day).days >= 366:
        problems.append(Problem("TOO_LONG", field="last_day", params={"max_days": 366}))
    if not (reason or "").strip():
        problems.append(Problem("REASON_REQUIRED", field="reason"))
    if problems:
        raise Refusal(422, problems)
    zone = ZoneInfo(tz)
    start = rules.local_midnight(first_day, zone)
    end = rules.local_midnight(last_day + timedelta(days=1), zone)
    closure = ProviderClosure(
        provider_id=provider_id, start_at=start, end_at=end, reason=reason.strip(), created_by_id=actor.id
    )
    db.session.add(closure)
    db.session.flush()
    affected = live_bookings_meeting(start, end, Instrument.provider_id == provider_id)
    return closure, affected


def delete_closure(actor: User, closure_id: int) -> None:
    closure = db.session.get(ProviderClosure, closure_id)
    if closure is None or not may_manage_closures(actor, closure.provider_id):
        raise not_found()
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
