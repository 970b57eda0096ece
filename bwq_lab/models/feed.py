"""Calendar feed tokens: the secret in a user's feed URLs (``/feeds/<token>/mine.ics``).

Separate from API tokens: a feed token only reads the owner's calendar, and calendar clients
keep it in plain sight (a subscription URL), so it must never grant API access.

The database keeps a random ``nonce`` and the SHA-256 ``digest`` of the token, never the token.
The token itself is ``HMAC-SHA256(SECRET_KEY, nonce)``: the owner's account page can show the URL
again at any time (it derives it with the app's secret), while a copy of the database alone
reveals no working URL. A request is matched by one indexed lookup of the digest. Regenerating
gives the row a new nonce (so a new token and digest): the old URL stops working at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bwq_lab.extensions import db
from bwq_lab.models.base import UTCDateTime, utcnow
from bwq_lab.models.catalogue import Instrument
from bwq_lab.models.user import User

FEED_TOKEN_PREFIX = "bwqf_"


def derive_token(secret: str | bytes, nonce: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(key, b"feed-token:" + nonce.encode(), hashlib.sha256).digest()
    return FEED_TOKEN_PREFIX + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FeedToken(db.Model):
    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def renew(self, secret: str | bytes, now: datetime) -> str:
        """A fresh random token for this row (the previous one stops working); returns it."""
        self.nonce = secrets.token_hex(32)
        token = derive_token(secret, self.nonce)
        self.digest = digest_of(token)
        self.created_at = now
        return token

    def token(self, secret: str | bytes) -> str:
        return derive_token(secret, self.nonce)


# A feed's ETag reads the newest change of any instrument (their names are in the feeds) with one
# index lookup; the bookings' own indexes for it are in models/booking.py.
Index("ix_instruments_updated", Instrument.updated_at)
