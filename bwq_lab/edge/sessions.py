"""Signing in and out with a server-side session identity.

``sign_in`` opens a :class:`~bwq_lab.models.UserSession` row and puts its random key into the
Flask-Login id (``"<user id>:<session version>:<key>"``), which lands in the session cookie and,
with "keep me signed in", in the ``remember_token`` cookie. ``load_user`` (factory) accepts an id
only while its row is not revoked, so ``sign_out`` ends that one browser at once, even for a copied
cookie; sign-out-everywhere and a password change revoke every row of the user (and bump
``users.session_version``, which ends the older ids too). The CSRF token is rotated at sign-in and
sign-out, so a token planted before sign-in is worthless after it.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, Request, Response, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, exists, select, update

from bwq_lab.edge.throttle import client_ip
from bwq_lab.extensions import db
from bwq_lab.models import Notice, User, UserSession

API_PREFIX = "/api/v1/"


def bearer_applies(req: Request) -> bool:
    """Bearer tokens are API credentials: honoured under /api/v1 only, never on pages, forms,
    the account page (where tokens are made) or calendar feeds."""
    return req.path.startswith(API_PREFIX) and req.headers.get("Authorization", "").startswith("Bearer ")


class _CallSession(SecureCookieSession):
    """The session of an API call with a bearer token: empty, and never sent back."""


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except for an API call with a bearer token: the token is
    its only credential (the cookie's user is never asked, ``factory.load_user``), so the call
    neither opens the cookie session (no serializer to build, no signature to check) nor sends
    one back (no ``Set-Cookie``, no ``Vary: Cookie``); what the request writes in its session
    (``?lang=``, Flask-Login's marks) lasts for the request."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if bearer_applies(request):
            return _CallSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        if not isinstance(session, _CallSession):
            super().save_session(app, session, response)


def rotate_csrf() -> None:
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


def sign_in(user: User, *, remember: bool = False, now: datetime) -> UserSession:
    """Open a session row (the caller commits) and sign the browser in with it."""
    row, key = UserSession.open(user.id, ip=client_ip(), user_agent=request.headers.get("User-Agent"))
    row.created_at = now
    db.session.add(row)
    db.session.flush()
    user.session_key = key
    rotate_csrf()
    login_user(user, remember=remember)
    g.user_session_id = row.id
    return row


def sign_out(now: datetime) -> None:
    """Revoke this browser's session row and clear its cookies (the caller commits)."""
    from flask_login import current_user

    current_user._get_current_object()  # runs the loader, which notes the session row
    session_id = g.get("user_session_id")
    if session_id is not None:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    logout_user()
    rotate_csrf()


def revoke_all_sessions(user: User, now: datetime) -> int:
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount or 0


# Built once: every signed-in request runs it (building and cache-keying the select cost more
# than running it). It also says whether the user has unread notices, which every page shows:
# most have none, and a page then needs no statement of its own for them.
_SESSION_USER = (
    select(
        User,
        UserSession.id,
        exists().where(Notice.user_id == User.id, Notice.read_at.is_(None)).label("unread_notices"),
    )
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        UserSession.digest == bindparam("digest"),
        UserSession.revoked_at.is_(None),
    )
)


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader for cookies: ``"<id>:<version>:<key>"`` with a live session row."""
    uid, _, rest = user_id.partition(":")
    version, _, key = rest.partition(":")
    if (
        not uid.isascii()
        or not version.isascii()
        or not uid.isdigit()
        or not version.isdigit()
        or not key
        or len(uid) > 10
        or len(version) > 10
    ):
        return None
    row = db.session.execute(_SESSION_USER, {"user_id": int(uid), "digest": UserSession.digest_of(key)}).first()
    if row is None:
        return None
    user, session_id, unread_notices = row
    if user.session_version != int(version):
        return None
    user.session_key = key
    user.unread_notices_as_loaded = bool(unread_notices)
    g.user_session_id = session_id
    return user
