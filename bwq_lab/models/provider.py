from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow
from bwq_lab.models.region import Region


class Provider(db.Model):
    """An institution that opens its instruments and services (创新载体 / 服务机构)."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160), default="")
    kind: Mapped[str] = mapped_column(String(30), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship(foreign_keys=[region_id])
    city: Mapped[Region] = relationship(foreign_keys=[city_id])

    def display(self, locale: str = "zh") -> str:
        return (self.name_en or self.name) if locale.startswith("en") else self.name

    def __repr__(self) -> str:
        return f"<Provider {self.id} {self.name}>"
