from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow
from bwq_lab.models.enterprise import Enterprise
from bwq_lab.models.provider import Provider
from bwq_lab.models.region import Region

ROLES = ("enterprise", "manager", "county_admin", "city_admin", "province_admin")

managed_instruments = Table(
    "managed_instruments",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("instrument_id", Integer, ForeignKey("instruments.id", ondelete="CASCADE"), primary_key=True),
)
managed_services = Table(
    "managed_services",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", Integer, ForeignKey("lab_services.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    # enterprise users: their enterprise; "pending" until the enterprise's first user approves
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    membership: Mapped[str] = mapped_column(String(10), default="active")  # active | pending | rejected
    # lab managers: their provider; manages_all = every instrument and service of the provider
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    manages_all: Mapped[bool] = mapped_column(default=False)
    # city administrators: their city; county administrators: their county (and its city)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # bumped by "sign out everywhere" and by a password change: old sessions and cookies stop working
    session_version: Mapped[int] = mapped_column(default=1)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise | None] = relationship()
    provider: Mapped[Provider | None] = relationship()
    city: Mapped[Region | None] = relationship(foreign_keys=[city_id])
    county: Mapped[Region | None] = relationship(foreign_keys=[county_id])
    instruments: Mapped[list[Instrument]] = relationship(  # noqa: F821
        secondary=managed_instruments, back_populates="managers"
    )
    services: Mapped[list[LabService]] = relationship(  # noqa: F821
        secondary=managed_services, back_populates="managers"
    )
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", order_by="ApiToken.id.desc()")

    # --- Flask-Login: the id carries the session version (bumping it signs out everywhere) and the
    # key of this browser's server-side session (bwq_lab.edge.sessions; signing out revokes it)
    session_key = None  # (str) not a column: set by sign_in / the user loader
    # (bool) not a column: whether the user's enterprise may book (rule_inputs.enterprise_verified),
    # when a loader read it with the user (the API's token lookup); None: not read, ask the database
    enterprise_verified_as_loaded = None
    # (bool) not a column: whether the user had unread notices when the browser session's loader
    # read the user (edge.sessions, the same statement); None: not read, ask the database
    unread_notices_as_loaded = None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}:{self.session_key or ''}"

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def sign_out_everywhere(self) -> None:
        self.session_version += 1

    @property
    def is_enterprise(self) -> bool:
        return self.role == "enterprise"

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def is_province_admin(self) -> bool:
        return self.role == "province_admin"

    @property
    def is_active_member(self) -> bool:
        return self.role == "enterprise" and self.enterprise_id is not None and self.membership == "active"

    def manages_instrument(self, instrument) -> bool:
        if self.role != "manager" or instrument.provider_id != self.provider_id:
            return False
        return self.manages_all or any(i.id == instrument.id for i in self.instruments)

    def manages_service(self, service) -> bool:
        if self.role != "manager" or service.provider_id != self.provider_id:
            return False
        return self.manages_all or any(s.id == service.id for s in self.services)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A personal access token. Only its SHA-256 digest is stored: the token has 256 bits of
    entropy, so a fast digest is safe and keeps each API request cheap (a slow password hash
    would cap throughput)."""

    __tablename__ = "api_tokens"

    PREFIX = "bwq_"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(12))  # first characters, to recognise it in a list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """A new token row and the plain token, which is shown once and never stored."""
        plain = cls.PREFIX + secrets.token_urlsafe(32)
        return cls(user=user, name=name, digest=cls.digest_of(plain), hint=plain[:10]), plain

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now
