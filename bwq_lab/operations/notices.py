"""On-page notices: the unread ones of a user, and dismissing them (only one's own)."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, select, update

from bwq_lab.extensions import db
from bwq_lab.models import Notice, User


@functools.lru_cache(maxsize=8)
def _unread_statement(limit: int):
    """Built once: every signed-in page asks (building and cache-keying it cost more than running it)."""
    return (
        select(Notice)
        .where(Notice.user_id == bindparam("user_id"), Notice.read_at.is_(None))
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    )


def unread(user: User, limit: int = 10) -> list[Notice]:
    return list(db.session.execute(_unread_statement(limit), {"user_id": user.id}).scalars())


def dismiss(user: User, notice_id: int | None, now: datetime) -> int:
    """Mark one notice (or, with None, all) of ``user`` read; another user's is left alone."""
    query = update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    return db.session.execute(query.values(read_at=now)).rowcount or 0
