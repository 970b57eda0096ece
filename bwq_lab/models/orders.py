"""Lab-service orders (批次): the order, its history, its planned days, its result files, and the
per-day capacity rows that let the database itself refuse an over-full day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bwq_lab.domain import orders as domain
from bwq_lab.domain.orders import Hazard, OrderStatus
from bwq_lab.extensions import db
from bwq_lab.models.base import StrEnumType, UTCDateTime, utcnow
from bwq_lab.models.catalogue import LabService
from bwq_lab.models.enterprise import Enterprise
from bwq_lab.models.user import User


class ServiceOrder(db.Model):
    """One batch of samples (or one commissioned job) for a lab service."""

    __tablename__ = "service_orders"
    __table_args__ = (
        Index("ix_service_orders_service_status", "service_id", "status"),
        Index("ix_service_orders_enterprise_created", "enterprise_id", "created_at"),
        Index("ix_service_orders_status_delivered", "status", "delivered_at"),
        Index("ix_service_orders_first_delivered", "first_delivered_at"),
        # a provider's orders, and its batches of a month (the rollup's item rows, recomputed per month)
        Index("ix_service_orders_provider_first_delivered", "provider_id", "first_delivered_at"),
    )

    LIFECYCLE = domain.MACHINE

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("lab_services.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    status: Mapped[OrderStatus] = mapped_column(StrEnumType(OrderStatus), default=OrderStatus.SUBMITTED)
    samples: Mapped[int] = mapped_column()
    sample_description: Mapped[str] = mapped_column(Text, default="")
    hazard: Mapped[Hazard] = mapped_column(StrEnumType(Hazard), default=Hazard.NONE)
    hazard_accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_date: Mapped[date | None] = mapped_column(Date)
    project_code: Mapped[str] = mapped_column(String(60), default="")
    # the quote shown when ordering, and the fee snapshot taken when the order is accepted
    price_tier: Mapped[str] = mapped_column(String(10), default="external")  # internal | external
    quoted_fee_fen: Mapped[int] = mapped_column(default=0)
    unit_price_fen: Mapped[int | None] = mapped_column()
    fee_fen: Mapped[int | None] = mapped_column()
    # the plan (set on acceptance)
    promised_date: Mapped[date | None] = mapped_column(Date)
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    # who decided, and the reasons given
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    analyst_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the manager who processed it
    # the staff member (科技人员) who analysed the samples; the figures count distinct staff
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # latest delivery (re-test window)
    first_delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # reports count this once
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    service: Mapped[LabService] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enterprise: Mapped[Enterprise | None] = relationship()
    staff: Mapped[Staff | None] = relationship()  # noqa: F821
    events: Mapped[list[ServiceOrderEvent]] = relationship(
        back_populates="order", order_by="ServiceOrderEvent.id", cascade="all, delete-orphan"
    )
    allocations: Mapped[list[ServiceOrderDay]] = relationship(
        back_populates="order", order_by="ServiceOrderDay.day", cascade="all, delete-orphan"
    )
    files: Mapped[list[ServiceOrderFile]] = relationship(
        back_populates="order", order_by="ServiceOrderFile.id", cascade="all, delete-orphan"
    )

    def new_event(self, **fields: Any) -> ServiceOrderEvent:
        event = ServiceOrderEvent(**fields)
        self.events.append(event)
        return event

    def __repr__(self) -> str:
        return f"<ServiceOrder {self.id} {self.status} service={self.service_id} samples={self.samples}>"


class ServiceOrderEvent(db.Model):
    """Append-only history of an order: every transition and every note (who, when, what)."""

    __tablename__ = "service_order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_orders.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # an OrderAction, "submit" or "note"
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)  # the note, or the reason given
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[ServiceOrder] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ServiceOrderDay(db.Model):
    """How many of an order's samples are processed on one working day (its share of the plan)."""

    __tablename__ = "service_order_days"
    __table_args__ = (CheckConstraint("samples > 0", name="positive"),)

    order_id: Mapped[int] = mapped_column(ForeignKey("service_orders.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    samples: Mapped[int] = mapped_column()

    order: Mapped[ServiceOrder] = relationship(back_populates="allocations")


class ServiceDayLoad(db.Model):
    """Samples held on one working day of one service. The CHECK is the guarantee that no day is
    ever over capacity: two managers accepting at once cannot both fill the last places (the
    second ``UPDATE used = used + n`` waits for the first, then violates the CHECK)."""

    __tablename__ = "service_day_loads"
    __table_args__ = (
        CheckConstraint("used >= 0", name="used_not_negative"),
        CheckConstraint("used <= capacity", name="within_capacity"),
    )

    service_id: Mapped[int] = mapped_column(ForeignKey("lab_services.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    used: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int] = mapped_column()


class ServiceOrderFile(db.Model):
    """A result file delivered with an order; stored outside ``static/`` under a random name."""

    __tablename__ = "service_order_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("service_orders.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # pdf | png | jpeg | gif | webp | csv | xlsx | zip
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[ServiceOrder] = relationship(back_populates="files")


class ProviderWorkday(db.Model):
    """A make-up working day (调休) of a provider: a weekend day its labs work."""

    __tablename__ = "provider_workdays"
    __table_args__ = (UniqueConstraint("provider_id", "day", name="uq_provider_workdays_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
