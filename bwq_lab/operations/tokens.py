"""Who a bearer token belongs to: the API's hot path (every API request asks it once).

The statement is built once (building a select and computing its cache key cost more than
running it) and reads only the user's columns a request needs (``password_hash`` stays in the
database); the token's id and last use come back in the same row, and so does what the booking
rules ask of the user's enterprise (verified, or in a city that does not ask for it), kept on the
user as ``enterprise_verified_as_loaded`` so creating a booking needs no two lazy loads for it.
It is a Core statement run on the session's connection as a ``models.prepared.Prepared`` (compiled
once, on the DB-API cursor), and the user is made from its row "as loaded"
(``models.base.as_loaded``: persistent and clean, the other columns load when read): an ORM load
of the same row cost ~150 us of a request, this ~60.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, or_, select

from bwq_lab.extensions import db
from bwq_lab.models import ApiToken, Enterprise, Region, User
from bwq_lab.models.base import as_loaded
from bwq_lab.models.prepared import Prepared

#: the user's columns an API request reads (authorization, enterprise, language, e-mails)
REQUEST_USER_COLUMNS = (
    User.id,
    User.email,
    User.name,
    User.role,
    User.enterprise_id,
    User.membership,
    User.provider_id,
    User.manages_all,
    User.city_id,
    User.locale,
    User.session_version,
    User.is_active_account,
)
_USER_KEYS = tuple(c.key for c in REQUEST_USER_COLUMNS)

#: rule_inputs.enterprise_verified in SQL: no enterprise, a verified one, or a city that does not verify
_ENTERPRISE_VERIFIED = or_(
    Enterprise.id.is_(None), Enterprise.verified_at.is_not(None), Region.verify_enterprises.is_not(True)
)

_USER_BY_TOKEN = Prepared(
    select(*REQUEST_USER_COLUMNS, ApiToken.id, ApiToken.last_used_at, _ENTERPRISE_VERIFIED)
    .join(ApiToken, ApiToken.user_id == User.id)
    .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
    .outerjoin(Region, Region.id == Enterprise.city_id)
    .where(ApiToken.digest == bindparam("digest"), ApiToken.revoked_at.is_(None))
)


def user_for_token(token: str) -> tuple[User, int, datetime | None] | None:
    """(user, token id, token's last use) for a live token, else None."""
    row = _USER_BY_TOKEN.first(db.session.connection(), {"digest": ApiToken.digest_of(token)})
    if row is None:
        return None
    *columns, token_id, last_used_at, verified = row
    user = as_loaded(db.session, User, dict(zip(_USER_KEYS, columns, strict=True)))
    user.enterprise_verified_as_loaded = bool(verified)
    return user, token_id, last_used_at
