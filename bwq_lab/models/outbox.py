"""The transactional outbox: e-mail is a row written in the same transaction as the change it
reports, so it exists only if that change commits; a job delivers it afterwards (and retries)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_unsent", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipients: Mapped[list] = mapped_column(JSON)
    # a templated message (templates/mail/<template>.txt) is rendered when it is delivered, in
    # the recipients' language, from the facts in ``context``; subject and body then keep what went out
    template: Mapped[str | None] = mapped_column(String(60))
    context: Mapped[dict | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(5))
    # files to attach, named by kind and facts (e.g. {"kind": "booking_ics", "booking_id": 7}) and
    # made when the message is delivered, in its language (bwq_lab.mail.attachment)
    attachments: Mapped[list | None] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class SchedulerLease(db.Model):
    """Leader election for the scheduler: whoever holds an unexpired lease runs the jobs."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
