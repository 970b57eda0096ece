"""Who a bearer token belongs to: the API's hot path (every API request asks it once).

The statement is built once (building a select and computing its cache key cost more than
running it) and loads only the user's columns a request needs (``password_hash`` stays in the
database); the token's id and last use come back in the same row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import load_only

from bwq_lab.extensions import db
from bwq_lab.models import ApiToken, User

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

_USER_BY_TOKEN = (
    select(User, ApiToken.id, ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.digest == bindparam("digest"), ApiToken.revoked_at.is_(None))
    .options(load_only(*REQUEST_USER_COLUMNS))
)


def user_for_token(token: str) -> tuple[User, int, datetime | None] | None:
    """(user, token id, token's last use) for a live token, else None."""
    row = db.session.execute(_USER_BY_TOKEN, {"digest": ApiToken.digest_of(token)}).first()
    return None if row is None else (row[0], row[1], row[2])
