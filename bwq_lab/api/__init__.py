"""JSON API under /api/v1, described by an OpenAPI document generated from the code
(flask-smorest + marshmallow) at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from flask_smorest import Api

from bwq_lab.extensions import csrf


class BwqApi(Api):
    """flask-smorest, but errors go through the app's one error vocabulary (bwq_lab.errors)."""

    def _register_error_handlers(self):  # the app registers its own (content-negotiated) handlers
        return None


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def register_api(app: Flask) -> None:
    """One ``Api`` (and OpenAPI document) per app, so the factory can build several apps."""
    from bwq_lab.api import bookings, catalogue, me

    api = BwqApi(app)
    app.extensions["bwq_api"] = api
    names = set()
    for module in (catalogue, me, bookings):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
        names.add(module.blp.name)

    @app.before_request
    def _api_csrf():
        if request.blueprint in names:
            _csrf_for_browser_sessions()


def _csrf_for_browser_sessions():
    """Bearer-token clients need no CSRF token; a browser session writing through the API does
    (header ``X-CSRFToken``)."""
    if request.method in WRITE_METHODS and not g.get("auth_via_token"):
        # touching current_user runs the loaders, which set g.auth_via_token for bearer tokens
        if current_user.is_authenticated and not g.get("auth_via_token"):
            csrf.protect()
