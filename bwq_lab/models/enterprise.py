from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow
from bwq_lab.models.region import Region


class Enterprise(db.Model):
    """A company, identified by its unified social credit code (统一社会信用代码)."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    category: Mapped[str] = mapped_column(String(30), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set by the city (or province) administrator; needed to book where the city asks for it
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the administrator's user id; no foreign key, or users and enterprises would reference each other
    verified_by_id: Mapped[int | None] = mapped_column()

    region: Mapped[Region] = relationship(foreign_keys=[region_id])
    city: Mapped[Region] = relationship(foreign_keys=[city_id])

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc} {self.name}>"
