"""``GET /api/v1/me``: who the session or bearer token belongs to; ``POST /api/v1/me/feed-token``:
new calendar feed links."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from bwq_lab import clock
from bwq_lab.edge.access import api_login_required
from bwq_lab.edge.links import feed_urls
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.operations import feeds as feed_ops

blp = Blueprint("api_me", __name__, url_prefix="/api/v1", description="The signed-in user")


class MeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    role = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    membership = fields.String(allow_none=True)
    provider_id = fields.Integer(allow_none=True)
    city_id = fields.Integer(allow_none=True)
    locale = fields.String(allow_none=True)


@blp.route("/me", methods=["GET"])
@blp.response(200, MeSchema)
@blp.alt_response(401, description="No session and no valid bearer token")
@api_login_required
def me():
    """The user behind this request (session or ``Authorization: Bearer <token>``)."""
    user = current_user._get_current_object()
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "enterprise_id": user.enterprise_id,
        "membership": user.membership if user.is_enterprise else None,
        "provider_id": user.provider_id,
        "city_id": user.city_id,
        "locale": user.locale,
    }


class FeedUrlsSchema(Schema):
    mine = fields.String(required=True, metadata={"description": "the user's own bookings"})
    manager = fields.String(metadata={"description": "the instruments the user manages (lab managers only)"})


class FeedTokenSchema(Schema):
    urls = fields.Nested(FeedUrlsSchema)


@blp.route("/me/feed-token", methods=["POST"])
@blp.response(200, FeedTokenSchema)
@blp.alt_response(401, description="No session and no valid bearer token")
@api_login_required
@unit_of_work
def renew_feed_token():
    """New secret calendar feed URLs (``.ics`` subscriptions); the previous ones answer 404 at once."""
    user = current_user._get_current_object()
    token = feed_ops.renew_feed_token(user, current_app.config["SECRET_KEY"], clock.now())
    return {"urls": feed_urls(user, token)}
