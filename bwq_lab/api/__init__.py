"""JSON API under /api/v1, described by an OpenAPI document generated from the code
(flask-smorest + marshmallow) at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from flask_smorest import Api
from marshmallow import Schema, fields

from bwq_lab.extensions import csrf


class ProblemSchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable code, e.g. OVERLAPS_BOOKING"})
    message = fields.String(required=True, metadata={"description": "in the request's language"})
    field = fields.String(allow_none=True, metadata={"description": "the input it is about, if any"})
    params = fields.Dict(metadata={"description": "what the message is made from"})
    overridable = fields.Boolean(metadata={"description": "a manager may override this rule with a reason"})


class ErrorSchema(Schema):
    """``{"errors": [{"code", "message", "field"}, …]}``: every problem at once (bwq_lab.errors)."""

    errors = fields.List(fields.Nested(ProblemSchema), required=True)


class BwqApi(Api):
    """flask-smorest, but errors go through the app's one error vocabulary (bwq_lab.errors), and
    the OpenAPI document describes that shape (``errors`` is an array)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):  # the app registers its own (content-negotiated) handlers
        return None


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def document_edge_bounds(self, field, ret, **_kwargs) -> dict:
    """The OpenAPI document tells what ``bwq_lab.edge.inputs`` enforces for every field: whole
    numbers within ±(2^31-1), dates and instants within the years MIN_YEAR..MAX_YEAR."""
    from bwq_lab.edge.inputs import DATE_PATTERN, MAX_ID

    if isinstance(field, fields.Integer):
        return {
            "minimum": max(ret.get("minimum", -MAX_ID), -MAX_ID),
            "maximum": min(ret.get("maximum", MAX_ID), MAX_ID),
        }
    if isinstance(field, (fields.DateTime, fields.Date)) and "pattern" not in ret:
        return {"pattern": DATE_PATTERN}
    return {}


def register_api(app: Flask) -> None:
    """One ``Api`` (and OpenAPI document) per app, so the factory can build several apps."""
    from bwq_lab.api import bookings, catalogue, exports, me, orders, records, reports
    from bwq_lab.edge.inputs import MAX_ID, BoundedIdConverter

    api = BwqApi(app)
    api.register_converter(BoundedIdConverter, lambda _c: {"type": "integer", "minimum": 0, "maximum": MAX_ID})
    api.ma_plugin.converter.add_attribute_function(document_edge_bounds)
    app.extensions["bwq_api"] = api
    names = set()
    for module in (catalogue, me, bookings, orders, reports, records, exports):
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
