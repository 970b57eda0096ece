"""Who may open what: decorators shared by the page blueprints and the API.

Pages: an anonymous visitor is sent to the sign-in page (Flask-Login's ``unauthorized``); a
signed-in user of the wrong role gets 403. API: no session and no valid bearer token answers
401 JSON; a known user of the wrong role gets 403 JSON (the app's error handlers choose the shape).

    @bp.get("/instruments")
    @role_required("manager")
    def instruments(): ...

    @blp.route("/bookings")
    @api_role_required("enterprise")
    def bookings(): ...
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, current_app
from flask_babel import gettext as _
from flask_login import current_user

from bwq_lab.errors import OperationError, Problem

F = TypeVar("F", bound=Callable)


def role_required(*roles: str) -> Callable[[F], F]:
    """A signed-in user with one of ``roles`` (any role when none are given)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def active_member_required(view: F) -> F:
    """An enterprise user whose membership the enterprise has approved: only they act for it."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_active_member:
            raise _not_active_member()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _not_active_member() -> OperationError:
    if current_user.is_enterprise and current_user.membership == "pending":
        message = _("Your enterprise's first user has not approved your membership yet.")
    else:
        message = _("Only approved members of an enterprise can do that.")
    return OperationError(403, [Problem("NOT_ACTIVE_MEMBER", message)])


def _unauthenticated() -> OperationError:
    return OperationError(
        401, [Problem("UNAUTHENTICATED", _("Sign in, or send a valid personal access token as a Bearer token."))]
    )


def api_login_required(view: F) -> F:
    """API views: a browser session or ``Authorization: Bearer <token>``, else 401 JSON."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            raise _unauthenticated()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def api_role_required(*roles: str) -> Callable[[F], F]:
    """API views: 401 JSON without credentials, 403 JSON for a signed-in user of another role."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                raise _unauthenticated()
            if roles and current_user.role not in roles:
                raise OperationError(403, [Problem("FORBIDDEN", _("You are not allowed to do that."))])
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
