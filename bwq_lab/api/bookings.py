"""Bookings over JSON: create (201, or 409/422 with every violation), list, read, move, and the
lifecycle actions; an instrument's week of free/busy; the slot finder."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from werkzeug.local import LocalProxy

from bwq_lab import clock
from bwq_lab.api.schemas import LocalDateTime, page_of, staff_id_field
from bwq_lab.edge.access import api_login_required
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.operations import bookings as ops
from bwq_lab.operations import catalogue as catalogue_ops

blp = Blueprint("api_bookings", __name__, url_prefix="/api/v1", description="Bookings, availability and free slots")

STATUSES = ("pending", "approved", "rejected", "cancelled", "in_use", "completed", "no_show")


def aware(**kwargs):
    return fields.AwareDateTime(format="iso", **kwargs)


class BookingSchema(Schema):
    id = fields.Int()
    instrument_id = fields.Int()
    instrument_name = fields.Function(lambda b: b.instrument.name)
    user_id = fields.Int()
    enterprise_id = fields.Int(allow_none=True)
    status = fields.Str()
    start = LocalDateTime(attribute="start_at")
    end = LocalDateTime(attribute="end_at")
    blocked_until = LocalDateTime()
    purpose = fields.Method("_purpose", allow_none=True)
    project_code = fields.Str()
    decision_reason = fields.Str(allow_none=True)
    cancel_reason = fields.Str(allow_none=True)
    override_reason = fields.Str(allow_none=True)
    overridden_codes = fields.List(fields.Str(), allow_none=True)
    checked_in_at = LocalDateTime(allow_none=True)
    checked_out_at = LocalDateTime(allow_none=True)
    staff_id = fields.Int(allow_none=True, metadata={"description": "the staff member who operated or assisted"})
    effective_minutes = fields.Int(allow_none=True)
    booked_by_id = fields.Int(allow_none=True)
    price_tier = fields.Str(allow_none=True, metadata={"description": "internal | external"})
    unit_price_fen = fields.Int(allow_none=True, metadata={"description": "per hour, as when approved"})
    fee_fen = fields.Int(
        allow_none=True, metadata={"description": "fee snapshot in integer fen (approval; by use at completion)"}
    )
    fee_basis = fields.Str(allow_none=True, metadata={"description": "booked | used"})
    created_at = LocalDateTime()
    updated_at = LocalDateTime()

    def _purpose(self, booking):
        """Null for administrators: only the user and the lab's managers read the purpose."""
        return booking.purpose if ops.may_read_purpose(actor(), booking) else None


BookingPageSchema = page_of(BookingSchema, "BookingPage")


class BookingCreateSchema(Schema):
    instrument_id = fields.Int(required=True, strict=True, validate=validate.Range(min=1))
    start = aware(required=True)
    end = aware(required=True)
    purpose = fields.Str(load_default="", validate=validate.Length(max=2000))
    project_code = fields.Str(load_default="", validate=validate.Length(max=60))
    override_reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))
    on_behalf_of = fields.Int(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"description": "Managers: the id of the enterprise user the booking is for (recorded)"},
    )


class BookingPatchSchema(Schema):
    start = aware(required=True)
    end = aware(required=True)
    override_reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ReasonSchema(Schema):
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class CheckOutSchema(Schema):
    used_from = aware(load_default=None, allow_none=True)
    used_until = aware(load_default=None, allow_none=True)
    staff_id = staff_id_field("managers: the staff member (科技人员) who operated or assisted")


class BookingListArgs(Schema):
    scope = fields.Str(load_default="own", validate=validate.OneOf(("own", "managed")))
    status = fields.List(fields.Str(validate=validate.OneOf(STATUSES)), load_default=list)
    instrument_id = fields.Int(load_default=None)
    start_from = aware(load_default=None, data_key="from")
    start_to = aware(load_default=None, data_key="to")
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class WindowArgs(Schema):
    start = aware(required=True, data_key="from")
    end = aware(required=True, data_key="to")

    @validates_schema
    def bounded(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end - start > timedelta(days=31):
            raise ValidationError(_("The window may span at most 31 days."), field_name="to")


class SlotArgs(WindowArgs):
    duration = fields.Int(required=True, validate=validate.Range(min=1, max=31 * 24 * 60))
    instrument_id = fields.Int(load_default=None)
    category = fields.Str(load_default=None)
    city = fields.Int(load_default=None)
    capability = fields.Str(load_default=None, validate=validate.Length(max=100))
    limit = fields.Int(load_default=20, validate=validate.Range(min=1, max=200))


class SlotSchema(Schema):
    instrument_id = fields.Int()
    instrument_name = fields.Str()
    provider_name = fields.Str()
    start = LocalDateTime()
    end = LocalDateTime()


class SlotListSchema(Schema):
    items = fields.List(fields.Nested(SlotSchema))
    total = fields.Int()


class BusySchema(Schema):
    start = LocalDateTime()
    end = LocalDateTime()
    own = fields.Bool()
    booking_id = fields.Int(allow_none=True)


class SpanSchema(Schema):
    start = LocalDateTime()
    end = LocalDateTime()


class DaySchema(Schema):
    day = fields.Date()
    weekday = fields.Int()
    opening = fields.List(fields.Nested(SpanSchema))
    busy = fields.List(fields.Nested(BusySchema))
    blackouts = fields.List(fields.Nested(SpanSchema))
    free = fields.List(fields.Nested(SpanSchema))


class AvailabilitySchema(Schema):
    instrument_id = fields.Int()
    days = fields.List(fields.Nested(DaySchema))


def _zone() -> str:
    return current_app.config["TIMEZONE"]


def actor():
    """The signed-in user itself, not the proxy (operations touch it many times)."""
    return current_user._get_current_object() if isinstance(current_user, LocalProxy) else current_user


@blp.route("/bookings")
class Bookings(MethodView):
    @api_login_required
    @blp.arguments(BookingListArgs, location="query")
    @blp.response(200, BookingPageSchema)
    def get(self, args):
        """Your bookings (`scope=own`), or those you manage (`scope=managed`)."""
        page = ops.list_bookings(
            actor(),
            scope=args["scope"],
            status=args["status"],
            instrument_id=args["instrument_id"],
            start_from=args["start_from"],
            start_to=args["start_to"],
            page=args["page"],
            per_page=args["per_page"],
        )
        return page.__dict__

    @api_login_required
    @blp.arguments(BookingCreateSchema())  # an instance: webargs would build one per request from the class
    @blp.response(201, BookingSchema)
    @blp.alt_response(409, description="The slot is taken (every violation listed)")
    @blp.alt_response(422, description="Rules broken (every violation listed)")
    @unit_of_work(locks_itself=True, keep_loaded=True)  # create_booking takes SQLite's lock late, after its reads
    def post(self, data):
        """Book an instrument. Answers 201, or 409/422 listing every rule the request breaks."""
        booking = ops.create_booking(
            actor(),
            data["instrument_id"],
            data["start"],
            data["end"],
            clock.now(),
            purpose=data["purpose"],
            project_code=data["project_code"],
            override_reason=data["override_reason"],
            tz=_zone(),
            on_behalf_of=data["on_behalf_of"],
        )
        return booking


@blp.route("/bookings/<int:booking_id>")
class BookingById(MethodView):
    @api_login_required
    @blp.response(200, BookingSchema)
    def get(self, booking_id):
        """One booking (404 when it is not yours to see)."""
        return ops.get_booking(actor(), booking_id)

    @api_login_required
    @blp.arguments(BookingPatchSchema)
    @blp.response(200, BookingSchema)
    @unit_of_work(keep_loaded=True)  # the response is dumped from the objects as committed: no reloads
    def patch(self, data, booking_id):
        """Move or shorten a booking (the rules run again; the history is kept)."""
        booking = ops.move_booking(
            actor(),
            booking_id,
            data["start"],
            data["end"],
            clock.now(),
            override_reason=data["override_reason"],
            tz=_zone(),
        )
        return booking


def _action(name: str, handler, schema=ReasonSchema):
    @blp.route(f"/bookings/<int:booking_id>/{name}", methods=["POST"], endpoint=f"booking_{name.replace('-', '_')}")
    @api_login_required
    @blp.arguments(schema)
    @blp.response(200, BookingSchema)
    @unit_of_work(keep_loaded=True)
    def view(data, booking_id):
        return handler(actor(), booking_id, data)

    view.__doc__ = f"{name.replace('-', ' ').capitalize()} a booking."
    return view


_action("approve", lambda u, i, d: ops.approve_booking(u, i, clock.now(), reason=d["reason"], tz=_zone()))
_action("reject", lambda u, i, d: ops.reject_booking(u, i, d["reason"], clock.now()))
_action("cancel", lambda u, i, d: ops.cancel_booking(u, i, clock.now(), reason=d["reason"]))
_action("check-in", lambda u, i, d: ops.check_in(u, i, clock.now()))
_action(
    "check-out",
    lambda u, i, d: ops.check_out(
        u, i, clock.now(), used_from=d["used_from"], used_until=d["used_until"], staff_id=d["staff_id"]
    ),
    CheckOutSchema,
)


@blp.route("/instruments/<int:instrument_id>/availability")
@blp.arguments(WindowArgs, location="query")
@blp.doc(security=[])  # public, like the instrument itself: no credentials needed
@blp.response(200, AvailabilitySchema)
@blp.alt_response(404, description="No such instrument, or it is retired")
def availability(args, instrument_id):
    """Free/busy per local day from the day of `from` through the day of `to` (at most 31 days):
    others' bookings appear as busy time only. A retired
    instrument has no availability (404, as the instrument itself)."""
    instrument = catalogue_ops.public_instrument(instrument_id)
    viewer = actor() if current_user.is_authenticated else None
    zone = ZoneInfo(_zone())
    first = args["start"].astimezone(zone).date()
    last = (args["end"] - timedelta(microseconds=1)).astimezone(zone).date()
    n_days = max(1, min(31, (last - first).days + 1))
    days, _own = ops.availability(instrument, viewer, args["start"], clock.now(), tz=_zone(), days=n_days)
    out = []
    for d in days:
        out.append(
            {
                "day": d.day,
                "weekday": d.weekday,
                "opening": [{"start": s, "end": e} for s, e in d.opening],
                "busy": [{"start": b.start, "end": b.end, "own": b.own, "booking_id": b.booking_id} for b in d.busy],
                "blackouts": [{"start": b.start, "end": b.end} for b in d.blackouts],
                "free": [{"start": s, "end": e} for s, e in d.free],
            }
        )
    return {"instrument_id": instrument.id, "days": out}


@blp.route("/slots")
@api_login_required
@blp.arguments(SlotArgs, location="query")
@blp.response(200, SlotListSchema)
def slots(args):
    """The earliest free slots that pass every rule for you, on one instrument or across the
    instruments matching category / city / capability."""
    found = ops.find_slots(
        actor(),
        clock.now(),
        duration_minutes=args["duration"],
        window_start=args["start"],
        window_end=args["end"],
        instrument_id=args["instrument_id"],
        category=args["category"],
        city_id=args["city"],
        capability=args["capability"],
        limit=args["limit"],
        tz=_zone(),
    )
    items = [
        {
            "instrument_id": i.id,
            "instrument_name": i.name,
            "provider_name": i.provider.name,
            "start": s,
            "end": e,
        }
        for i, s, e in found
    ]
    return {"items": items, "total": len(items)}
