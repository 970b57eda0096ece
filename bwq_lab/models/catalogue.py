"""What providers open: instruments (科研设施与仪器) and lab services (开放实验室服务)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow
from bwq_lab.models.provider import Provider
from bwq_lab.models.user import managed_instruments, managed_services

# Mon–Fri 08:30–12:00 and 13:30–17:30: the usual working day of a Chinese lab.
DEFAULT_OPENING_HOURS = [[d, "08:30", "12:00"] for d in range(5)] + [[d, "13:30", "17:30"] for d in range(5)]


def default_opening_hours() -> list[list]:
    return [list(r) for r in DEFAULT_OPENING_HOURS]


def default_working_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class Instrument(db.Model):
    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160), default="")
    model: Mapped[str] = mapped_column(String(80), default="")
    manufacturer: Mapped[str] = mapped_column(String(80), default="")
    category: Mapped[str] = mapped_column(String(30), index=True)
    capabilities: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(160), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    photo_path: Mapped[str | None] = mapped_column(String(200))  # relative to UPLOAD_FOLDER
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    price_internal_fen: Mapped[int] = mapped_column(default=0)  # per hour, integer fen
    price_external_fen: Mapped[int] = mapped_column(default=0)
    voucher_eligible: Mapped[bool] = mapped_column(default=True)
    charge_by_use: Mapped[bool] = mapped_column(default=False)  # fee from the actual use at completion

    # --- booking policy (the booking checker reads these)
    opening_hours: Mapped[list] = mapped_column(JSON, default=default_opening_hours)  # [[weekday, "HH:MM", "HH:MM"]]
    slot_minutes: Mapped[int] = mapped_column(default=30)
    slot_anchor: Mapped[str | None] = mapped_column(String(5))  # "HH:MM": the grid counts from it (else each opening)
    min_minutes: Mapped[int] = mapped_column(default=30)
    max_minutes: Mapped[int] = mapped_column(default=480)
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    min_notice_minutes: Mapped[int] = mapped_column(default=120)
    max_days_ahead: Mapped[int] = mapped_column(default=60)
    approval_required: Mapped[bool] = mapped_column(default=True)
    qualification_required: Mapped[bool] = mapped_column(default=False)
    weekly_quota_minutes: Mapped[int | None] = mapped_column()
    monthly_quota_minutes: Mapped[int | None] = mapped_column()
    max_future_bookings: Mapped[int | None] = mapped_column()
    cancel_deadline_hours: Mapped[int] = mapped_column(default=24)
    # inside the free-cancellation window: "refuse" (only a manager cancels) or "allow" (counted as late)
    late_cancellation: Mapped[str] = mapped_column(String(10), default="refuse")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    provider: Mapped[Provider] = relationship()
    managers: Mapped[list[User]] = relationship(  # noqa: F821
        secondary=managed_instruments, back_populates="instruments"
    )

    def display(self, locale: str = "zh") -> str:
        return (self.name_en or self.name) if locale.startswith("en") else self.name

    @property
    def bookable(self) -> bool:
        return self.status == "active"

    def __repr__(self) -> str:
        return f"<Instrument {self.id} {self.name}>"


class LabService(db.Model):
    __tablename__ = "lab_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160), default="")
    kind: Mapped[str] = mapped_column(String(30), index=True)
    capabilities: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(10), default="sample")
    price_internal_fen: Mapped[int] = mapped_column(default=0)  # per unit, integer fen (provider's own people)
    price_external_fen: Mapped[int] = mapped_column(default=0)  # per unit, integer fen (everyone else)
    turnaround_days: Mapped[int] = mapped_column(default=7)  # working days from the last processing day to the report
    voucher_eligible: Mapped[bool] = mapped_column(default=True)
    # --- ordering and capacity (the order planner reads these)
    min_samples: Mapped[int] = mapped_column(default=1)
    max_samples: Mapped[int] = mapped_column(default=100)
    daily_capacity: Mapped[int] = mapped_column(default=10)  # samples (or jobs) per working day
    working_weekdays: Mapped[list] = mapped_column(JSON, default=default_working_weekdays)  # 0 = Monday
    sample_requirements: Mapped[str] = mapped_column(Text, default="")
    hazardous_accepted: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)  # active | retired
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    provider: Mapped[Provider] = relationship()
    managers: Mapped[list[User]] = relationship(  # noqa: F821
        secondary=managed_services, back_populates="services"
    )

    def display(self, locale: str = "zh") -> str:
        return (self.name_en or self.name) if locale.startswith("en") else self.name

    def price_for(self, *, internal: bool) -> int:
        return self.price_internal_fen if internal else self.price_external_fen

    def __repr__(self) -> str:
        return f"<LabService {self.id} {self.name}>"


# a listing in name order reads its page from the index (migration a9c3e5f7b1d2)
Index("ix_instruments_name_id", Instrument.name, Instrument.id)
