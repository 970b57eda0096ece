"""Notices the jobs send: who is due one, and the marker that it went out.

A notice is sent at most once per ``(kind, object, key)``: ``claim`` inserts the
``SentNotice`` marker in the job's transaction, next to the outbox row of the e-mail, so both
commit or neither does. The key carries what the notice was about (a qualification's expiry, a
booking's start): a renewed qualification or a moved booking is noticed again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased, joinedload

from bwq_lab.domain.booking_lifecycle import BookingStatus
from bwq_lab.domain.orders import OrderStatus
from bwq_lab.extensions import db
from bwq_lab.models import (
    Booking,
    Instrument,
    LabService,
    Provider,
    Qualification,
    Region,
    SentNotice,
    ServiceOrder,
    User,
)
from bwq_lab.models.user import managed_instruments, managed_services

QUALIFICATION_EXPIRY = "qualification_expiry"


def key_of(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sent_keys(kind: str, object_ids: list[int]) -> set[tuple[int, str]]:
    """Which ``(object, key)`` notices of ``kind`` went out already, for these objects."""
    if not object_ids:
        return set()
    rows = db.session.execute(
        select(SentNotice.object_id, SentNotice.key).where(
            SentNotice.kind == kind, SentNotice.object_id.in_(object_ids)
        )
    )
    return {(object_id, key) for object_id, key in rows}


def claim(kind: str, object_id: int, key: str, now: datetime) -> None:
    """Record that the notice goes out. Written with the job's commit (no flush per notice: the
    outbox e-mail and its marker go in one batch); the unique key refuses a second one then."""
    db.session.add(SentNotice(kind=kind, object_id=object_id, key=key, sent_at=now))


def expiring_qualifications(now: datetime, ahead: timedelta) -> list[Qualification]:
    """Live qualifications expiring within ``ahead`` whose holder was not warned about this
    expiry, and not renewed already (no other live one for the same instrument lasts longer)."""
    later = aliased(Qualification)
    renewed = exists().where(
        later.user_id == Qualification.user_id,
        later.instrument_id == Qualification.instrument_id,
        later.id != Qualification.id,
        later.revoked_at.is_(None),
        or_(later.expires_at.is_(None), later.expires_at > Qualification.expires_at),
    )
    candidates = (
        db.session.execute(
            select(Qualification)
            .where(
                Qualification.revoked_at.is_(None),
                Qualification.expires_at.is_not(None),
                and_(Qualification.expires_at > now, Qualification.expires_at <= now + ahead),
                ~renewed,
            )
            .options(
                joinedload(Qualification.user),
                joinedload(Qualification.instrument).joinedload(Instrument.provider),
            )
            .order_by(Qualification.expires_at, Qualification.id)
        )
        .scalars()
        .all()
    )
    sent = sent_keys(QUALIFICATION_EXPIRY, [q.id for q in candidates])
    return [q for q in candidates if (q.id, key_of(q.expires_at)) not in sent]


# ------------------------------------------------------------------ bookings
BOOKING_REMINDER = "booking_reminder"
MANAGER_DIGEST = "manager_digest"


def due_booking_reminders(now: datetime, ahead: timedelta) -> list[Booking]:
    """Approved sessions starting within ``ahead`` whose user was not reminded of this start
    (a session moved to a new time is reminded again; one already begun is not)."""
    candidates = (
        db.session.execute(
            select(Booking)
            .where(Booking.status == BookingStatus.APPROVED, Booking.start_at > now, Booking.start_at <= now + ahead)
            .options(
                joinedload(Booking.user),
                joinedload(Booking.instrument).joinedload(Instrument.provider),
            )
            .order_by(Booking.start_at, Booking.id)
        )
        .scalars()
        .all()
    )
    sent = sent_keys(BOOKING_REMINDER, [b.id for b in candidates])
    return [b for b in candidates if (b.id, key_of(b.start_at)) not in sent]


# ------------------------------------------------------------------ service orders
ORDER_REMINDER = "order_reminder"
#: orders the lab has promised a date for and not delivered yet
PROMISED = (OrderStatus.ACCEPTED, OrderStatus.SAMPLES_RECEIVED, OrderStatus.IN_PROGRESS)
#: orders whose results the lab still has to deliver, the samples being in
IN_THE_LAB = (OrderStatus.SAMPLES_RECEIVED, OrderStatus.IN_PROGRESS, OrderStatus.REOPENED)


def _with_service_and_user():
    return (
        joinedload(ServiceOrder.user),
        joinedload(ServiceOrder.enterprise),
        joinedload(ServiceOrder.service).joinedload(LabService.provider),
    )


def due_order_reminders(now: datetime, tz: ZoneInfo, days_ahead: int) -> list[ServiceOrder]:
    """Open orders (accepted, samples received, in progress) whose promised date is from today
    (local) to ``days_ahead`` days ahead, whose user was not reminded of this promised date yet
    (a new promised date is reminded again; a delivered, cancelled or past one is not)."""
    today = now.astimezone(tz).date()
    candidates = (
        db.session.execute(
            select(ServiceOrder)
            .where(
                ServiceOrder.status.in_(PROMISED),
                ServiceOrder.promised_date >= today,
                ServiceOrder.promised_date <= today + timedelta(days=days_ahead),
            )
            .options(*_with_service_and_user())
            .order_by(ServiceOrder.promised_date, ServiceOrder.id)
        )
        .scalars()
        .all()
    )
    sent = sent_keys(ORDER_REMINDER, [o.id for o in candidates])
    return [o for o in candidates if (o.id, o.promised_date.isoformat()) not in sent]


def _orders_waiting(now: datetime, older_than: timedelta, today: date) -> list[ServiceOrder]:
    """Orders a lab should act on: submitted longer than ``older_than`` ago and not decided;
    accepted whose first processing day is tomorrow or past while the samples are not in; in the
    lab (received, in progress) whose promised date is tomorrow or past; reopened for a re-test."""
    tomorrow = today + timedelta(days=1)
    return list(
        db.session.execute(
            select(ServiceOrder)
            .where(
                or_(
                    and_(ServiceOrder.status == OrderStatus.SUBMITTED, ServiceOrder.created_at <= now - older_than),
                    and_(ServiceOrder.status == OrderStatus.ACCEPTED, ServiceOrder.first_day <= tomorrow),
                    and_(
                        ServiceOrder.status.in_((OrderStatus.SAMPLES_RECEIVED, OrderStatus.IN_PROGRESS)),
                        ServiceOrder.promised_date <= tomorrow,
                    ),
                    ServiceOrder.status == OrderStatus.REOPENED,
                )
            )
            .options(*_with_service_and_user())
            .order_by(ServiceOrder.created_at, ServiceOrder.id)
        ).scalars()
    )


@dataclass
class Digest:
    manager: User
    bookings: list[Booking] = field(default_factory=list)  # requests waiting for a decision
    to_confirm: list[Booking] = field(default_factory=list)  # sessions closed by the system
    orders_to_accept: list[ServiceOrder] = field(default_factory=list)  # submitted, undecided
    orders_to_receive: list[ServiceOrder] = field(default_factory=list)  # accepted, samples awaited
    orders_to_deliver: list[ServiceOrder] = field(default_factory=list)  # in the lab, results due

    @property
    def orders(self) -> int:
        return len(self.orders_to_accept) + len(self.orders_to_receive) + len(self.orders_to_deliver)


def manager_digests(now: datetime, older_than: timedelta, day_key: str) -> list[Digest]:
    """For each active manager not yet sent the digest of ``day_key`` (their local date): the
    requests on instruments they manage that have waited longer than ``older_than``, the
    sessions the system closed whose actual use nobody confirmed yet, and the service orders of
    the services they manage waiting to be accepted, received or delivered (see
    ``_orders_waiting``). Managers with nothing waiting get none."""
    if not _a_manager_lacks_the_digest(day_key):
        return []  # a rerun: every manager had today's digest (nothing else need be read)
    waiting = _requests_waiting(now, older_than)
    unconfirmed = _uses_to_confirm()
    orders = _orders_waiting(now, older_than, date.fromisoformat(day_key))
    if not waiting and not unconfirmed and not orders:
        return []
    provider_ids = {b.instrument.provider_id for b in (*waiting, *unconfirmed)} | {o.provider_id for o in orders}
    managers = _active_managers(provider_ids)
    picks = _Picks.of([m.id for m in managers])
    sent = sent_keys(MANAGER_DIGEST, [m.id for m in managers])
    digests = [
        _digest(manager, waiting, unconfirmed, orders, picks)
        for manager in managers
        if (manager.id, day_key) not in sent
    ]
    return [d for d in digests if d.bookings or d.to_confirm or d.orders]


def _a_manager_lacks_the_digest(day_key: str) -> bool:
    unsent = exists().where(
        User.role == "manager",
        User.is_active_account.is_(True),
        ~exists().where(SentNotice.kind == MANAGER_DIGEST, SentNotice.object_id == User.id, SentNotice.key == day_key),
    )
    return bool(db.session.execute(select(unsent)).scalar())


def _requests_waiting(now: datetime, older_than: timedelta) -> list[Booking]:
    """Requests still undecided after ``older_than``, for sessions that have not started."""
    return list(
        db.session.execute(
            select(Booking)
            .where(
                Booking.status == BookingStatus.PENDING, Booking.created_at <= now - older_than, Booking.start_at > now
            )
            .options(joinedload(Booking.user), joinedload(Booking.instrument))
            .order_by(Booking.created_at, Booking.id)
        ).scalars()
    )


def _uses_to_confirm() -> list[Booking]:
    """Sessions the system closed whose actual use nobody has confirmed yet."""
    return list(
        db.session.execute(
            select(Booking)
            .where(Booking.use_to_confirm.is_(True))
            .options(joinedload(Booking.user), joinedload(Booking.instrument))
            .order_by(Booking.start_at, Booking.id)
        ).scalars()
    )


def _active_managers(provider_ids: set[int]) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(
                User.role == "manager", User.is_active_account.is_(True), User.provider_id.in_(provider_ids)
            )
        ).scalars()
    )


@dataclass(frozen=True)
class _Picks:
    """The instruments and services chosen for managers who do not manage all of their provider."""

    instruments: frozenset[tuple[int, int]]  # (user id, instrument id)
    services: frozenset[tuple[int, int]]  # (user id, service id)

    @classmethod
    def of(cls, manager_ids: list[int]) -> _Picks:
        instruments = db.session.execute(
            select(managed_instruments.c.user_id, managed_instruments.c.instrument_id).where(
                managed_instruments.c.user_id.in_(manager_ids)
            )
        )
        services = db.session.execute(
            select(managed_services.c.user_id, managed_services.c.service_id).where(
                managed_services.c.user_id.in_(manager_ids)
            )
        )
        return cls(frozenset(map(tuple, instruments)), frozenset(map(tuple, services)))

    def manages(self, manager: User, booking: Booking) -> bool:
        return booking.instrument.provider_id == manager.provider_id and (
            manager.manages_all or (manager.id, booking.instrument_id) in self.instruments
        )

    def serves(self, manager: User, order: ServiceOrder) -> bool:
        return order.provider_id == manager.provider_id and (
            manager.manages_all or (manager.id, order.service_id) in self.services
        )


def _digest(
    manager: User, waiting: list[Booking], unconfirmed: list[Booking], orders: list[ServiceOrder], picks: _Picks
) -> Digest:
    """What of everything waiting is this manager's: orders by what the lab must do next."""
    digest = Digest(
        manager,
        [b for b in waiting if picks.manages(manager, b)],
        [b for b in unconfirmed if picks.manages(manager, b)],
    )
    for order in orders:
        if not picks.serves(manager, order):
            continue
        if order.status == OrderStatus.SUBMITTED:
            digest.orders_to_accept.append(order)
        elif order.status == OrderStatus.ACCEPTED:
            digest.orders_to_receive.append(order)
        else:
            digest.orders_to_deliver.append(order)
    return digest


# ------------------------------------------------------------------ monthly summaries
MONTHLY_SUMMARY = "monthly_summary"


@dataclass(frozen=True)
class SummaryReader:
    """Someone the month's summary goes to, and what it counts for them."""

    user: User
    level: str  # "provider" | "city" | "county": a reports.scope.Scope level
    object_id: int
    name: str
    name_en: str


def monthly_summary_readers(month_key: str) -> list[SummaryReader]:
    """The active managers (their provider), city admins (their city) and county admins (their
    county) not yet sent the summary of ``month_key`` ("YYYY-MM"), in a stable order."""
    readers: list[SummaryReader] = []
    managers = db.session.execute(
        select(User, Provider)
        .join(Provider, User.provider_id == Provider.id)
        .where(User.role == "manager", User.is_active_account.is_(True))
        .order_by(Provider.id, User.id)
    )
    readers += [SummaryReader(u, "provider", p.id, p.name, p.name_en or p.name) for u, p in managers]
    for role, level, column in (("city_admin", "city", User.city_id), ("county_admin", "county", User.county_id)):
        admins = db.session.execute(
            select(User, Region)
            .join(Region, column == Region.id)
            .where(User.role == role, User.is_active_account.is_(True))
            .order_by(Region.id, User.id)
        )
        readers += [SummaryReader(u, level, r.id, r.name, r.name_en or r.name) for u, r in admins]
    sent = sent_keys(MONTHLY_SUMMARY, [r.user.id for r in readers])
    return [r for r in readers if (r.user.id, month_key) not in sent]


QUARTERLY_REPORT = "quarterly_report"


def quarterly_report_readers(provider_ids: list[int], quarter_key: str) -> list[User]:
    """The active managers of the whole provider (those who file its quarterly carrier report) of
    ``provider_ids`` not yet sent the report of ``quarter_key`` ("2026Q4"), in a stable order."""
    if not provider_ids:
        return []
    managers = list(
        db.session.execute(
            select(User)
            .where(
                User.role == "manager",
                User.manages_all.is_(True),
                User.is_active_account.is_(True),
                User.provider_id.in_(provider_ids),
            )
            .order_by(User.provider_id, User.id)
        ).scalars()
    )
    sent = sent_keys(QUARTERLY_REPORT, [u.id for u in managers])
    return [u for u in managers if (u.id, quarter_key) not in sent]
