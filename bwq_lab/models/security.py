"""What security keeps in the database: signed-in sessions (so signing out really ends one),
rate-limit counters shared by every worker, and the append-only audit log of privileged actions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow


class UserSession(db.Model):
    """One signed-in browser. The session cookie and the remember-me cookie carry a random key;
    only its SHA-256 digest is stored. Signing out revokes this row, so a copied cookie stops
    working at once (sign-out-everywhere still bumps ``users.session_version`` as well)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User")

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def open(cls, user_id: int, *, ip: str | None, user_agent: str | None) -> tuple[UserSession, str]:
        key = secrets.token_urlsafe(24)
        row = cls(user_id=user_id, digest=cls.digest_of(key), ip=(ip or "")[:64] or None)
        row.user_agent = (user_agent or "")[:200] or None
        return row, key


class RateCounter(db.Model):
    """A fixed-window counter (``key`` within the window starting at ``window_start`` seconds since
    the epoch). One row per key and window; every worker and machine shares it."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(db.Model):
    """Who did what, when and from where: one row per privileged action. Rows are only ever
    inserted (``bwq_lab.operations.audit.record``); no page or API edits them, and the database
    refuses updates (and, on PostgreSQL, deletes) with a trigger."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))  # as it was then
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_kind: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User")


AUDIT_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
}


def _create_audit_triggers(target, connection, **_kw) -> None:
    for statement in AUDIT_TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


event.listen(AuditEvent.__table__, "after_create", _create_audit_triggers)
