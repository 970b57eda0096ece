"""Lab-service orders over JSON: order a batch, list and read orders, every lifecycle step, result
files, and a lab service's capacity (load per day and the earliest completion date).

Same conventions as the bookings API: 201 with the object on create, 404 for an order that is not
yours (another enterprise, another provider's manager), 409 for a forbidden transition or a full
lab, 422 with every problem at once. Writes run in one unit of work (``edge.unit_of_work``)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.local import LocalProxy

from bwq_lab import clock
from bwq_lab.api.schemas import LocalDateTime, page_of, staff_id_field
from bwq_lab.domain.orders import Hazard, OrderStatus
from bwq_lab.edge.access import api_login_required
from bwq_lab.edge.inputs import MAX_ID
from bwq_lab.edge.result_files import result_upload_limit, send_result_file
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.operations import orders as ops
from bwq_lab.operations.orders.access import today
from bwq_lab.operations.orders.lifecycle import orderable_service
from bwq_lab.refusals import refuse

blp = Blueprint(
    "api_orders", __name__, url_prefix="/api/v1", description="Lab-service orders (batches) and lab capacity"
)


def actor():
    return current_user._get_current_object() if isinstance(current_user, LocalProxy) else current_user


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def retest_days() -> int:
    return int(current_app.config["ORDER_RETEST_DAYS"])


# ------------------------------------------------------------------------------ schemas
class EventSchema(Schema):
    action = fields.Str()
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str(allow_none=True)
    actor_name = fields.Function(lambda e: e.actor.name if e.actor else None)
    note = fields.Str(attribute="reason", allow_none=True)
    at = LocalDateTime()


class FileSchema(Schema):
    id = fields.Int()
    name = fields.Str(attribute="original_name")
    kind = fields.Str()
    content_type = fields.Str()
    size = fields.Int()
    uploaded_at = LocalDateTime()
    url = fields.Function(lambda f: f"/api/v1/service-orders/{f.order_id}/files/{f.id}")


class DayShareSchema(Schema):
    day = fields.Date()
    samples = fields.Int()


class OrderSchema(Schema):
    id = fields.Int()
    service_id = fields.Int()
    service_name = fields.Function(lambda o: o.service.name)
    provider_id = fields.Int()
    user_id = fields.Int()
    enterprise_id = fields.Int(allow_none=True)
    status = fields.Str()
    samples = fields.Int()
    sample_description = fields.Str()
    hazard = fields.Str()
    requested_date = fields.Date(allow_none=True)
    project_code = fields.Str()
    price_tier = fields.Str()
    quoted_fee_fen = fields.Int()
    unit_price_fen = fields.Int(allow_none=True, metadata={"description": "snapshot taken on acceptance"})
    fee_fen = fields.Int(allow_none=True, metadata={"description": "snapshot taken on acceptance, integer fen"})
    promised_date = fields.Date(allow_none=True)
    reject_reason = fields.Str(allow_none=True)
    cancel_reason = fields.Str(allow_none=True)
    received_at = LocalDateTime(allow_none=True)
    delivered_at = LocalDateTime(allow_none=True)
    first_delivered_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    reopen_count = fields.Int()
    staff_id = fields.Int(allow_none=True, metadata={"description": "the staff member who analysed the samples"})
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class OrderDetailSchema(OrderSchema):
    plan = fields.List(fields.Nested(DayShareSchema), attribute="allocations")
    files = fields.List(fields.Nested(FileSchema))
    history = fields.List(fields.Nested(EventSchema), attribute="events")
    actions = fields.Function(lambda o: ops.allowed_actions(actor(), o, clock.now(), retest_days()))


class AcceptedSchema(OrderDetailSchema):
    meets_request = fields.Bool()
    earliest_feasible = fields.Date(allow_none=True)


OrderPageSchema = page_of(OrderSchema, "ServiceOrderPage")


class OrderCreateSchema(Schema):
    service_id = fields.Int(required=True, strict=True, validate=validate.Range(min=1))
    samples = fields.Int(required=True, strict=True, validate=validate.Range(min=1, max=100_000))
    sample_description = fields.Str(load_default="", validate=validate.Length(max=4000))
    hazard = fields.Str(load_default="none", validate=validate.OneOf([h.value for h in Hazard]))
    requested_date = fields.Date(load_default=None, allow_none=True)
    project_code = fields.Str(load_default="", validate=validate.Length(max=60))


class OrderListArgs(Schema):
    scope = fields.Str(load_default="own", validate=validate.OneOf(("own", "managed")))
    status = fields.List(fields.Str(validate=validate.OneOf([s.value for s in OrderStatus])), load_default=list)
    service_id = fields.Int(load_default=None, data_key="service")
    created_from = fields.AwareDateTime(format="iso", load_default=None, data_key="from")
    created_to = fields.AwareDateTime(format="iso", load_default=None, data_key="to")
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class OrderNoteSchema(Schema):
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class StartSchema(OrderNoteSchema):
    staff_id = staff_id_field("the staff member (科技人员) who analyses the samples")


class OrderReasonSchema(Schema):
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class AcceptSchema(OrderNoteSchema):
    hazard_accepted = fields.Bool(load_default=False)


class ConfirmSchema(Schema):
    pass


class RequiredNoteSchema(Schema):
    note = fields.Str(required=True, validate=validate.Length(max=2000))


class CapacityArgs(Schema):
    first = fields.Date(load_default=None, data_key="from")
    last = fields.Date(load_default=None, data_key="to")
    samples = fields.Int(load_default=None, validate=validate.Range(min=1, max=100_000))


class DayLoadSchema(Schema):
    day = fields.Date()
    working = fields.Bool()
    used = fields.Int()
    capacity = fields.Int()
    free = fields.Int()


class CapacitySchema(Schema):
    service_id = fields.Int()
    daily_capacity = fields.Int()
    report_days = fields.Int()
    samples = fields.Int()
    earliest_completion = fields.Date(allow_none=True, metadata={"description": "for `samples` ordered now"})
    quote_fen = fields.Int(metadata={"description": "samples × the price you would pay"})
    days = fields.List(fields.Nested(DayLoadSchema))


# ------------------------------------------------------------------------------ orders
@blp.route("/service-orders")
class Orders(MethodView):
    @api_login_required
    @blp.arguments(OrderListArgs, location="query")
    @blp.response(200, OrderPageSchema)
    def get(self, args):
        """Your enterprise's orders (`scope=own`), or those for the services you manage (`scope=managed`)."""
        return ops.list_orders(
            actor(),
            scope=args["scope"],
            status=args["status"],
            service_id=args["service_id"],
            created_from=args["created_from"],
            created_to=args["created_to"],
            page=args["page"],
            per_page=args["per_page"],
        ).__dict__

    @api_login_required
    @blp.arguments(OrderCreateSchema)
    @blp.response(201, OrderDetailSchema)
    @blp.alt_response(422, description="Every problem with the order at once")
    @unit_of_work(keep_loaded=True)
    def post(self, data):
        """Order a batch: the quote (price × samples) is stored; the fee snapshot is taken on acceptance."""
        return ops.create_order(
            actor(),
            data["service_id"],
            samples=data["samples"],
            sample_description=data["sample_description"],
            hazard=data["hazard"],
            requested_date=data["requested_date"],
            project_code=data["project_code"],
            now=clock.now(),
            tz=tz(),
        )


@blp.route("/service-orders/<int:order_id>")
@api_login_required
@blp.response(200, OrderDetailSchema)
def get_order(order_id):
    """One order with its plan, files and history (404 when it is not yours to see)."""
    return ops.get_order(actor(), order_id, with_history=True)


@blp.route("/service-orders/<int:order_id>/accept", methods=["POST"])
@api_login_required
@blp.arguments(AcceptSchema)
@blp.response(200, AcceptedSchema)
@blp.alt_response(409, description="Not submitted, or no capacity")
@unit_of_work(keep_loaded=True)
def accept(data, order_id):
    """Accept: the samples are planned into the lab's capacity and the fee snapshot is taken.
    `meets_request` says whether the requested completion date is met (else `earliest_feasible`)."""
    result = ops.accept_order(
        actor(), order_id, now=clock.now(), tz=tz(), hazard_accepted=data["hazard_accepted"], note=data["note"]
    )
    order = result.order
    order.meets_request = result.plan.meets_request
    order.earliest_feasible = result.plan.earliest_feasible
    return order


def _action(name: str, schema, handler, doc: str):
    @blp.route(f"/service-orders/<int:order_id>/{name}", methods=["POST"], endpoint=f"order_{name}")
    @api_login_required
    @blp.arguments(schema)
    @blp.response(200, OrderDetailSchema)
    @unit_of_work(keep_loaded=True)
    def view(data, order_id):
        return handler(actor(), order_id, data)

    view.__doc__ = doc
    return view


_action(
    "reject",
    OrderReasonSchema,
    lambda u, i, d: ops.reject_order(u, i, reason=d["reason"], now=clock.now()),
    "Reject a submitted order (a reason is required).",
)
_action(
    "receive",
    OrderNoteSchema,
    lambda u, i, d: ops.receive_samples(u, i, now=clock.now(), note=d["note"]),
    "Record that the samples arrived.",
)
_action(
    "start",
    StartSchema,
    lambda u, i, d: ops.start_work(u, i, now=clock.now(), note=d["note"], staff_id=d["staff_id"]),
    "Start the work (also after a re-test was asked for).",
)
_action(
    "confirm",
    ConfirmSchema,
    lambda u, i, d: ops.confirm_receipt(u, i, now=clock.now()),
    "The enterprise confirms receipt of the results (the order closes).",
)
_action(
    "cancel",
    OrderReasonSchema,
    lambda u, i, d: ops.cancel_order(u, i, reason=d["reason"], now=clock.now()),
    "Cancel: the enterprise before its samples are received; a manager with a reason until delivery.",
)
_action(
    "reopen",
    OrderReasonSchema,
    lambda u, i, d: ops.reopen_order(u, i, reason=d["reason"], now=clock.now(), window_days=retest_days()),
    "Ask for a re-test within the re-test window after delivery (a reason is required).",
)
_action(
    "notes",
    RequiredNoteSchema,
    lambda u, i, d: ops.add_note(u, i, d["note"], now=clock.now()),
    "A manager's note on the order; the enterprise sees it in the history.",
)


@blp.url_value_preprocessor
def _result_upload_limit(endpoint, values):
    """Deliveries carry result files: their own limit, not the page upload limit. Set before
    anything (the CSRF check of a browser session) reads the body."""
    if endpoint == "api_orders.deliver":
        request.max_content_length = result_upload_limit(current_app.config)


@blp.route("/service-orders/<int:order_id>/deliver", methods=["POST"])
@api_login_required
@blp.doc(
    requestBody={
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "note": {"type": "string"},
                        "staff_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    },
                    "required": ["files"],
                }
            }
        }
    }
)
@blp.response(200, OrderDetailSchema)
@blp.alt_response(422, description="A bad file (type by content, size, name): nothing is stored")
@unit_of_work(keep_loaded=True)
def deliver(order_id):
    """Deliver the results: multipart `files` (PDF, images, CSV, XLSX, ZIP; each at most the
    configured size, 50 MB by default) and an optional `note`."""
    config = current_app.config
    return ops.deliver_results(
        actor(),
        order_id,
        request.files.getlist("files"),
        now=clock.now(),
        folder=config["RESULTS_FOLDER"],
        max_bytes=config["RESULT_FILE_MAX_BYTES"],
        max_files=config["RESULT_FILES_PER_DELIVERY"],
        note=request.form.get("note"),
        staff_id=_staff_id(request.form.get("staff_id")),
    )


def _staff_id(value: str | None) -> int | None:
    """The optional ``staff_id`` of a multipart delivery (422 when it is not a whole number)."""
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID):
        raise refuse(422, "MALFORMED", field="staff_id")
    return int(value)


@blp.route("/service-orders/<int:order_id>/files/<int:file_id>")
@api_login_required
@blp.response(200, description="The file, as an attachment")
def get_file(order_id, file_id):
    """A result file: only for the ordering enterprise and the service's managers (404 otherwise)."""
    return send_result_file(ops.get_order(actor(), order_id, with_history=True), file_id)


# ------------------------------------------------------------------------------ capacity
@blp.route("/lab-services/<int:service_id>/capacity")
@blp.doc(security=[])
@blp.arguments(CapacityArgs, location="query")
@blp.response(200, CapacitySchema)
def capacity(args, service_id):
    """Load per working day from `from` to `to` (default: the next 28 days, at most 92), and the
    earliest completion date for `samples` (default: the service's minimum) ordered now."""
    service = orderable_service(service_id)
    if service.status != "active":
        raise refuse(404, "SERVICE_NOT_FOUND")
    now, zone = clock.now(), tz()
    first = args["first"] or today(now, zone) + timedelta(days=1)
    last = args["last"] or first + timedelta(days=27)
    samples = args["samples"] or service.min_samples
    viewer = actor() if current_user.is_authenticated else None
    preview = ops.preview(viewer, service.id, samples, requested=None, now=now, tz=zone)
    days = ops.service_load(service, first, last, zone)
    return {
        "service_id": service.id,
        "daily_capacity": service.daily_capacity,
        "report_days": service.turnaround_days,
        "samples": samples,
        "earliest_completion": preview.earliest_promised,
        "quote_fen": preview.quote.fee_fen,
        "days": days,
    }
