"""On-page notices: what changed under a user (a booking cancelled, rejected, hit by maintenance
or new opening hours), shown on their pages until they dismiss it. Written in the same
transaction as the change, like the e-mail in the outbox; the words are chosen when shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow


class Notice(db.Model):
    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))  # the mail template's name: booking_cancelled, ...
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    context: Mapped[dict] = mapped_column(JSON, default=dict)  # facts, no words
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
