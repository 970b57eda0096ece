"""Reading bookings: one booking (404 unless the actor may see it), lists and pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from bwq_lab.extensions import db
from bwq_lab.models import Booking, BookingEvent, Enterprise, Instrument, Provider, User
from bwq_lab.models.base import as_loaded
from bwq_lab.models.user import managed_instruments
from bwq_lab.operations.bookings.rule_inputs import MAX_BUFFER, MAX_SPAN, POLICY_COLUMNS, qualified_until
from bwq_lab.operations.paging import Page, paged
from bwq_lab.operations.regions import overseen_providers, oversees
from bwq_lab.refusals import forbidden, not_found, refuse


def instrument_or_404(instrument_id: int) -> Instrument:
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None:
        raise refuse(404, "NOT_FOUND", field="instrument_id")
    return instrument


#: what an instrument's booking page reads of it (its rules, what the page says, what a booking's
#: fee and e-mails take) and of its provider (the names, the address)
_BOOKABLE_KEYS = (
    *POLICY_COLUMNS,
    "location",
    "cancel_deadline_hours",
    "late_cancellation",
    "price_internal_fen",
    "price_external_fen",
)
_BOOKABLE_PROVIDER_KEYS = ("name", "name_en", "address")
_BOOKABLE = (
    select(*(getattr(Instrument, k) for k in _BOOKABLE_KEYS), *(getattr(Provider, k) for k in _BOOKABLE_PROVIDER_KEYS))
    .join_from(Instrument, Provider, Provider.id == Instrument.provider_id)
    .where(Instrument.id == bindparam("instrument_id"))
)


def bookable_instrument(instrument_id: int) -> Instrument:
    """The instrument as the public catalogue offers it (404 when there is none or it is
    retired, as ``catalogue.public_instrument``), with its provider: one Core row of the columns
    its booking page reads, made "as loaded" (``models.base.as_loaded``; any other column loads
    when first read). The catalogue's ORM load with the provider and its city joined cost
    three times as much, and the page shows no city."""
    row = db.session.connection().execute(_BOOKABLE, {"instrument_id": instrument_id}).first()
    if row is None or row.status == "retired":
        raise not_found("catalogue.no_such_instrument")
    n = len(_BOOKABLE_KEYS)
    instrument = as_loaded(db.session, Instrument, dict(zip(_BOOKABLE_KEYS, row[:n], strict=True)))
    provider = {"id": row.provider_id, **dict(zip(_BOOKABLE_PROVIDER_KEYS, row[n:], strict=True))}
    set_committed_value(instrument, "provider", as_loaded(db.session, Provider, provider))
    return instrument


def can_view(actor: User, booking: Booking) -> bool:
    if booking.user_id == actor.id or actor.is_province_admin:
        return True
    if actor.role in ("city_admin", "county_admin"):
        provider = booking.instrument.provider
        return oversees(actor, city_id=provider.city_id, region_id=provider.region_id)
    return actor.manages_instrument(booking.instrument)


def enterprise_user_id(email: str, *, field: str = "on_behalf_of") -> int:
    """The id of the active enterprise user with this e-mail (any case), for a manager booking
    on their behalf; refused (422) when there is none."""
    user = db.session.execute(select(User).where(func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if user is None or not user.is_active_member:
        raise refuse(422, "NOT_AN_ENTERPRISE_USER", field=field)
    return user.id


def may_read_purpose(actor: User, booking: Booking) -> bool:
    """A booking's purpose is seen by its user and the instrument's managers only; city and
    province administrators see that a booking exists (for the figures), not what it is for."""
    return booking.user_id == actor.id or actor.manages_instrument(booking.instrument)


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
        raise not_found()
    return booking


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
    nearest_first: bool = False,
) -> Page:
    """``scope="own"``: the actor's bookings; ``"managed"``: bookings on instruments they
    manage (managers), their city's (city admins) or all (province admins). Newest start
    first, or with ``nearest_first`` (upcoming bookings) the soonest first."""
    query = select(Booking)
    if scope == "managed":
        if actor.is_manager:
            query = query.where(Booking.instrument_id.in_(managed_instrument_ids_query(actor)))
        elif actor.role in ("city_admin", "county_admin"):
            query = query.join(Instrument, Instrument.id == Booking.instrument_id).where(
                Instrument.provider_id.in_(overseen_providers(actor))
            )
        elif not actor.is_province_admin:
            raise forbidden()
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
    return paged(
        query.options(joinedload(Booking.instrument), joinedload(Booking.user), joinedload(Booking.enterprise)),
        (Booking.start_at.asc(), Booking.id.asc()) if nearest_first else (Booking.start_at.desc(), Booking.id.desc()),
        page=page,
        per_page=per_page,
    )


# Statements built once (a week page's reads): building and cache-keying a select costs about as
# much as running it.
_CALENDAR_COLUMNS = (
    Booking.id,
    Booking.instrument_id,
    Booking.user_id,
    Booking.enterprise_id,
    Booking.status,
    Booking.start_at,
    Booking.end_at,
    Booking.blocked_until,
    Booking.purpose,
    Booking.project_code,
    Booking.checked_in_at,
    Booking.checked_out_at,
)


@dataclass(frozen=True, slots=True)
class CalendarBooking:
    """A booking as the managers' calendar shows it: one row with its user's name and e-mail
    and its enterprise's name (no ORM objects with two joined loads: a week draws dozens)."""

    id: int
    instrument_id: int
    user_id: int
    enterprise_id: int | None
    status: str
    start_at: datetime
    end_at: datetime
    blocked_until: datetime
    purpose: str
    project_code: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    user_name: str | None
    user_email: str | None
    enterprise_name: str | None  # None: no enterprise


def _calendar_statement(manages_all: bool):
    managed = (
        select(Instrument.id).where(Instrument.provider_id == bindparam("provider_id"))
        if manages_all
        else select(managed_instruments.c.instrument_id).where(managed_instruments.c.user_id == bindparam("user_id"))
    )
    return (
        select(*_CALENDAR_COLUMNS, User.name, User.email, Enterprise.name)
        .outerjoin(User, User.id == Booking.user_id)
        .outerjoin(Enterprise, Enterprise.id == Booking.enterprise_id)
        .where(
            Booking.instrument_id == bindparam("instrument_id"),
            Booking.instrument_id.in_(managed),
            Booking.status.in_(bindparam("statuses", expanding=True)),
            Booking.start_at >= bindparam("floor"),
            Booking.start_at < bindparam("hi"),
            Booking.blocked_until > bindparam("lo"),
        )
        .order_by(Booking.start_at, Booking.id)
    )


_CALENDAR = {manages_all: _calendar_statement(manages_all) for manages_all in (True, False)}


def calendar_bookings(
    manager: User, instrument_id: int, statuses: Iterable[str], lo: datetime, hi: datetime
) -> list[CalendarBooking]:
    """The bookings of an instrument the manager manages (else none) that meet ``[lo, hi)``
    (``[start_at, blocked_until)``), in time order, with their user's name and e-mail and their
    enterprise's name: the columns a calendar shows, read as rows on the session's connection."""
    if not manager.is_manager:
        return []
    params = {
        "instrument_id": instrument_id,
        "provider_id": manager.provider_id,
        "user_id": manager.id,
        "statuses": list(statuses),
        "floor": lo - MAX_SPAN - MAX_BUFFER,
        "hi": hi,
        "lo": lo,
    }
    rows = db.session.connection().execute(_CALENDAR[bool(manager.manages_all)], params)
    return [CalendarBooking(*row) for row in rows]


def bookings_by_id(ids: Iterable[int]) -> dict[int, Booking]:
    """Bookings as ORM objects by id, for the few rows of a page that ask the lifecycle which
    buttons they get (``allowed_actions``); the caller has already checked who may see them."""
    ids = list(ids)
    if not ids:
        return {}
    return {b.id: b for b in db.session.execute(select(Booking).where(Booking.id.in_(ids))).scalars()}


def lacks_qualification(actor: User, instrument: Instrument, now: datetime) -> bool:
    """The instrument needs a qualification and ``actor`` holds no valid one (managers of the
    instrument need none to see its calendar as bookable)."""
    if not instrument.qualification_required or actor.manages_instrument(instrument):
        return False
    until = qualified_until(actor, [instrument.id], now).get(instrument.id)
    return until is None or until <= now


def require_manager(actor: User, booking: Booking) -> None:
    if not actor.manages_instrument(booking.instrument):
        raise forbidden()


def owner_or_manager(actor: User, booking: Booking) -> bool:
    """The booking's owner or a manager of its instrument may act; returns "is a manager"."""
    by_manager = actor.manages_instrument(booking.instrument)
    if booking.user_id != actor.id and not by_manager:
        raise forbidden()
    return by_manager
