"""Bookings (台次) and what constrains them: maintenance windows, provider closures, qualifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, false, func, literal_column, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from bwq_lab.domain import booking_lifecycle
from bwq_lab.domain.booking_lifecycle import BookingStatus
from bwq_lab.extensions import db
from bwq_lab.models.base import StrEnumType, UTCDateTime, utcnow
from bwq_lab.models.catalogue import Instrument
from bwq_lab.models.enterprise import Enterprise
from bwq_lab.models.user import User

LIVE = tuple(s.value for s in booking_lifecycle.LIVE_STATUSES)  # statuses that hold their slot
LIVE_SQL = "status IN ('pending', 'approved', 'in_use')"
assert LIVE == ("pending", "approved", "in_use"), "LIVE_SQL (the exclusion constraint's predicate) must match"


class Booking(db.Model):
    """One reserved interval ``[start_at, end_at)`` on one instrument.

    ``blocked_until = end_at + buffer`` (the cleanup buffer at booking time). On PostgreSQL the
    exclusion constraint makes ``[start_at, blocked_until)`` of live bookings disjoint per
    instrument, so the database itself refuses a double booking and the buffer too."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_instrument_start", "instrument_id", "start_at"),
        Index("ix_bookings_user_start", "user_id", "start_at"),
        Index("ix_bookings_enterprise_start", "enterprise_id", "start_at"),
        # live bookings by time, across instruments (slot search, no-show and completion jobs)
        Index("ix_bookings_status_start", "status", "start_at"),
        # calendar feeds: the newest change of a user's / an instrument's bookings (their ETag)
        Index("ix_bookings_user_updated", "user_id", "updated_at"),
        Index("ix_bookings_instrument_updated", "instrument_id", "updated_at"),
        # the figures' median approval time: the decisions taken in a period
        # the median approval time reads the year's decisions from this index alone (decision 76)
        Index("ix_bookings_decided_at", "decided_at", "created_at", "instrument_id"),
        ExcludeConstraint(
            ("instrument_id", "="),
            (
                func.tstzrange(text("start_at"), text("blocked_until"), text("'[)'")),
                "&&",
            ),
            name="ex_bookings_no_overlap",
            using="gist",
            where=text(LIVE_SQL),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    status: Mapped[BookingStatus] = mapped_column(StrEnumType(BookingStatus, 12))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime)
    purpose: Mapped[str] = mapped_column(Text, default="")
    project_code: Mapped[str] = mapped_column(String(60), default="")
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden_codes: Mapped[list | None] = mapped_column(JSON)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # the owner cancelled inside the free-cancellation window (where the policy allows it): counted
    cancelled_late: Mapped[bool] = mapped_column(default=False)
    # a manager who made the booking for its (enterprise) user; None when the user booked it
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the staff member (科技人员) who operated or assisted; the figures count distinct staff
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: closed by the system at its end while still in use: a manager should confirm the actual use
    use_to_confirm: Mapped[bool] = mapped_column(default=False, server_default=false())
    # the fee snapshot (integer fen): hourly price × booked hours when approved; by use at
    # completion when the instrument charges by use. Reports and vouchers read only these.
    price_tier: Mapped[str | None] = mapped_column(String(10))  # internal | external
    unit_price_fen: Mapped[int | None] = mapped_column()  # per hour, as it was when approved
    fee_fen: Mapped[int | None] = mapped_column()
    fee_basis: Mapped[str | None] = mapped_column(String(10))  # booked | used
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)
    #: revision number (iCalendar SEQUENCE): grows by one with every change of time or status
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    instrument: Mapped[Instrument] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enterprise: Mapped[Enterprise | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])
    staff: Mapped[Staff | None] = relationship()  # noqa: F821
    events: Mapped[list[BookingEvent]] = relationship(back_populates="booking", order_by="BookingEvent.id")

    #: the status table; ``operations.lifecycle.transition`` is the one place that applies it
    LIFECYCLE = booking_lifecycle.MACHINE

    def new_event(self, **fields) -> BookingEvent:
        """Append a history event (the lifecycle's transitions, moves, creation)."""
        event = BookingEvent(**fields)
        session = object_session(self)
        if session is None or self in session.new:
            self.events.append(event)  # a new booking: its (empty) history is not loaded from anywhere
        else:
            event.booking = self  # joins the history without loading it (backref on an unloaded collection)
            session.add(event)
        if fields.get("at") is not None:
            self.updated_at = fields["at"]
        if fields.get("action") != "created" and _changes_time_or_status(fields):
            self.sequence = (self.sequence or 0) + 1
        return event

    @property
    def minutes(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)

    @property
    def effective_minutes(self) -> int | None:
        """Actual use (有效机时) from check-in to check-out, when both are recorded."""
        if self.checked_in_at and self.checked_out_at:
            return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)
        return None

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.status} {self.instrument_id} {self.start_at:%Y-%m-%d %H:%M}>"


def _changes_time_or_status(fields: dict) -> bool:
    if fields.get("from_status") != fields.get("to_status"):
        return True
    return (fields.get("old_start_at"), fields.get("old_end_at")) != (
        fields.get("new_start_at"),
        fields.get("new_end_at"),
    )


#: "the booking holds its slot" in SQL with the statuses written in, like the exclusion
#: constraint's predicate: ``status.in_(LIVE)`` is an expanding list, rewritten into the statement
#: on every execution (a third of the create path's one read under the write lock)
IS_LIVE = Booking.status.in_([literal_column(f"'{status}'") for status in LIVE])


class BookingEvent(db.Model):
    """Append-only history of a booking: created, approved, moved, cancelled, checked in, ..."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    old_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    old_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class MaintenanceWindow(db.Model):
    __tablename__ = "maintenance_windows"
    __table_args__ = (Index("ix_maintenance_instrument_start", "instrument_id", "start_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    instrument: Mapped[Instrument] = relationship()


class ProviderClosure(db.Model):
    """A holiday or closure of a whole provider (e.g. 国庆节): blocks every instrument of it."""

    __tablename__ = "provider_closures"
    __table_args__ = (Index("ix_closures_provider_start", "provider_id", "start_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Qualification(db.Model):
    """A user's qualification to operate an instrument, granted by its manager, with an expiry."""

    __tablename__ = "qualifications"
    __table_args__ = (Index("ix_qualifications_user_instrument", "user_id", "instrument_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    instrument: Mapped[Instrument] = relationship()
