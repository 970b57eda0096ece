"""Rate limits that every worker shares: fixed-window counters in the database (table
``rate_counters``), or in Redis when ``THROTTLE_STORAGE_URI`` names one (``redis://host:6379``).

A limit is written like Flask-Limiter's (``"10 per 15 minutes"``). Counters are kept outside the
request's transaction, so a refused request (rolled back) still counts::

    limit = Limit.parse(current_app.config["PASSWORD_CHANGE_LIMIT"])
    if exceeded(f"password:{user.id}", limit):
        ...  # 429
    ...
    hit(f"password:{user.id}", limit)   # after a failure

On SQLite a counter is written on its own connection, so call these before the request takes the
write lock (views that throttle are marked ``locks_itself`` and call ``begin_write()`` after).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request
from limits import parse as parse_limit
from sqlalchemy import delete, select

from bwq_lab import clock
from bwq_lab.extensions import db
from bwq_lab.models import RateCounter


@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        item = parse_limit(text)
        return cls(item.amount, item.get_expiry())

    @property
    def minutes(self) -> int:
        return max(1, -(-self.seconds // 60))


def client_ip() -> str:
    """The client's address as the WSGI server (or a configured ProxyFix) sees it."""
    return request.remote_addr or "unknown"


def _window(limit: Limit, now: datetime) -> int:
    stamp = int(now.timestamp())
    return stamp - stamp % limit.seconds


def _redis():
    uri = current_app.config.get("THROTTLE_STORAGE_URI") or "database"
    if uri == "database":
        return None
    storage = current_app.extensions.get("bwq_throttle_storage")
    if storage is None:
        from limits.storage import storage_from_string

        storage = current_app.extensions["bwq_throttle_storage"] = storage_from_string(uri)
    return storage


def count(key: str, limit: Limit) -> int:
    """How many hits ``key`` has in the current window."""
    window = _window(limit, clock.now())
    storage = _redis()
    if storage is not None:
        return int(storage.get(f"bwq:{key}:{limit.seconds}:{window}") or 0)
    with db.engine.connect() as conn:
        value = conn.execute(
            select(RateCounter.count).where(RateCounter.key == key[:200], RateCounter.window_start == window)
        ).scalar()
    return int(value or 0)


def exceeded(key: str, limit: Limit) -> bool:
    return count(key, limit) >= limit.amount


def hit(key: str, limit: Limit) -> int:
    """Count one hit for ``key``; returns the count in the current window (this hit included).
    Rows of windows long past are pruned on the way."""
    window = _window(limit, clock.now())
    storage = _redis()
    if storage is not None:
        return int(storage.incr(f"bwq:{key}:{limit.seconds}:{window}", limit.seconds))
    key = key[:200]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(RateCounter).values(key=key, window_start=window, count=1)
        statement = statement.on_conflict_do_update(
            index_elements=[RateCounter.key, RateCounter.window_start],
            set_={"count": RateCounter.count + 1},
        ).returning(RateCounter.count)
        value = conn.execute(statement).scalar_one()
        if value == 1:  # first hit of a window: drop this key's old windows
            conn.execute(delete(RateCounter).where(RateCounter.key == key, RateCounter.window_start < window))
    return int(value)


def clear(key: str) -> None:
    storage = _redis()
    if storage is not None:
        return  # Redis keys expire by themselves
    with db.engine.begin() as conn:
        conn.execute(delete(RateCounter).where(RateCounter.key == key[:200]))


def pause(seconds: float) -> None:
    """Slow a request down (a correct password over the per-IP limit waits instead of failing)."""
    if seconds > 0:
        time.sleep(seconds)
