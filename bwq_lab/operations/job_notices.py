"""Notices the jobs send: who is due one, and the marker that it went out.

A notice is sent at most once per ``(kind, object, key)``: ``claim`` inserts the
``SentNotice`` marker in the job's transaction, next to the outbox row of the e-mail, so both
commit or neither does. The key carries what the notice was about (a qualification's expiry, a
booking's start): a renewed qualification or a moved booking is noticed again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased, joinedload

from bwq_lab.domain.booking_lifecycle import BookingStatus
from bwq_lab.extensions import db
from bwq_lab.models import Booking, Instrument, Qualification, SentNotice, User
from bwq_lab.models.user import managed_instruments

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


@dataclass
class Digest:
    manager: User
    bookings: list[Booking] = field(default_factory=list)  # requests waiting for a decision
    to_confirm: list[Booking] = field(default_factory=list)  # sessions closed by the system


def manager_digests(now: datetime, older_than: timedelta, day_key: str) -> list[Digest]:
    """For each active manager not yet sent the digest of ``day_key`` (their local date): the
    requests on instruments they manage that have waited longer than ``older_than``, and the
    sessions the system closed whose actual use nobody confirmed yet. Managers with nothing
    waiting get none."""
    unconfirmed = (
        db.session.execute(
            select(Booking)
            .where(Booking.use_to_confirm.is_(True))
            .options(joinedload(Booking.user), joinedload(Booking.instrument))
            .order_by(Booking.start_at, Booking.id)
        )
        .scalars()
        .all()
    )
    waiting = (
        db.session.execute(
            select(Booking)
            .where(
                Booking.status == BookingStatus.PENDING, Booking.created_at <= now - older_than, Booking.start_at > now
            )
            .options(joinedload(Booking.user), joinedload(Booking.instrument))
            .order_by(Booking.created_at, Booking.id)
        )
        .scalars()
        .all()
    )
    if not waiting and not unconfirmed:
        return []
    provider_ids = {b.instrument.provider_id for b in (*waiting, *unconfirmed)}
    managers = (
        db.session.execute(
            select(User).where(
                User.role == "manager", User.is_active_account.is_(True), User.provider_id.in_(provider_ids)
            )
        )
        .scalars()
        .all()
    )
    picked = {
        (user_id, instrument_id)
        for user_id, instrument_id in db.session.execute(
            select(managed_instruments.c.user_id, managed_instruments.c.instrument_id).where(
                managed_instruments.c.user_id.in_([m.id for m in managers])
            )
        )
    }
    sent = sent_keys(MANAGER_DIGEST, [m.id for m in managers])
    digests = []
    for manager in managers:
        if (manager.id, day_key) in sent:
            continue

        def manages(b: Booking, manager: User = manager) -> bool:
            return b.instrument.provider_id == manager.provider_id and (
                manager.manages_all or (manager.id, b.instrument_id) in picked
            )

        mine, to_confirm = [b for b in waiting if manages(b)], [b for b in unconfirmed if manages(b)]
        if mine or to_confirm:
            digests.append(Digest(manager, mine, to_confirm))
    return digests
