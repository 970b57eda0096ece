"""Qualifications to operate an instrument: granted by its managers, with an expiry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bwq_lab.extensions import db
from bwq_lab.models import Qualification, User
from bwq_lab.operations.bookings.queries import instrument_or_404
from bwq_lab.refusals import forbidden, not_found, refuse


def grant_qualification(
    actor: User,
    instrument_id: int,
    user_email: str,
    expires_at: datetime | None,
    now: datetime,
    *,
    note: str = "",
) -> Qualification:
    instrument = instrument_or_404(instrument_id)
    if not actor.manages_instrument(instrument):
        raise forbidden()
    user = db.session.execute(select(User).where(User.email == (user_email or "").strip().lower())).scalar_one_or_none()
    if user is None:
        raise refuse(422, "UNKNOWN_USER", field="email")
    for existing in db.session.execute(
        select(Qualification).where(
            Qualification.user_id == user.id,
            Qualification.instrument_id == instrument.id,
            Qualification.revoked_at.is_(None),
        )
    ).scalars():
        existing.revoked_at, existing.revoked_by_id = now, actor.id
    qualification = Qualification(
        user_id=user.id,
        instrument_id=instrument.id,
        granted_by_id=actor.id,
        granted_at=now,
        expires_at=expires_at,
        note=(note or "").strip(),
    )
    db.session.add(qualification)
    db.session.flush()
    return qualification


def revoke_qualification(actor: User, qualification_id: int, now: datetime) -> Qualification:
    qualification = db.session.get(Qualification, qualification_id)
    if qualification is None or not actor.manages_instrument(qualification.instrument):
        raise not_found()
    if qualification.revoked_at is None:
        qualification.revoked_at, qualification.revoked_by_id = now, actor.id
    db.session.flush()
    return qualification


def qualification_status(qualification: Qualification, now: datetime) -> str:
    """``active``, ``expired`` or ``revoked`` at ``now``."""
    if qualification.revoked_at is not None:
        return "revoked"
    if qualification.expires_at is not None and qualification.expires_at <= now:
        return "expired"
    return "active"


def qualifications_for(instrument_id: int) -> list[Qualification]:
    return list(
        db.session.execute(
            select(Qualification)
            .where(Qualification.instrument_id == instrument_id)
            .options(joinedload(Qualification.user))
            .order_by(Qualification.revoked_at.is_not(None), Qualification.granted_at.desc())
        ).scalars()
    )
