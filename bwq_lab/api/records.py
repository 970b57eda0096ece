"""A provider's staff (科技人员) and its service records over JSON.

- ``GET/POST /api/v1/staff``, ``GET/PATCH /api/v1/staff/<id>``: managers read their provider's
  roster, managers of the whole provider change it; administrators read the rosters of the
  providers they oversee.
- ``GET/POST /api/v1/service-records``, ``GET/PATCH/DELETE /api/v1/service-records/<id>``:
  the provider's managers enter and change records; the enterprise reads its own; province, city
  and county administrators read those of their region.
Money is integer fen; days are local days (``2026-11-30``). Same conventions as the other
resources: 201 with the object, 404 for what is not yours, 422 with every problem at once."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from bwq_lab import clock
from bwq_lab.api.orders import actor, tz
from bwq_lab.api.schemas import LocalDateTime, page_of
from bwq_lab.domain import catalogue as vocab
from bwq_lab.domain.records import MAX_AMOUNT_FEN, MAX_MINUTES, MAX_RESULTS
from bwq_lab.edge.access import api_login_required
from bwq_lab.edge.templating import locale_code
from bwq_lab.edge.unit_of_work import unit_of_work
from bwq_lab.operations import service_records as records
from bwq_lab.operations import staff as staff_ops

blp = Blueprint(
    "api_records", __name__, url_prefix="/api/v1", description="Staff (科技人员) and service records of providers"
)


# ------------------------------------------------------------------------------------- staff
class StaffSchema(Schema):
    id = fields.Int()
    provider_id = fields.Int()
    name = fields.Str()
    title = fields.Str()
    field = fields.Str()
    user_id = fields.Int(allow_none=True)
    active = fields.Bool()
    created_at = LocalDateTime()


StaffPageSchema = page_of(StaffSchema, "StaffPage")


class StaffListArgs(Schema):
    provider_id = fields.Int(load_default=None, data_key="provider", validate=validate.Range(min=1))
    active = fields.Bool(load_default=None)
    q = fields.Str(load_default=None, validate=validate.Length(max=80))
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=50, validate=validate.Range(min=1, max=200))


class StaffCreateSchema(Schema):
    name = fields.Str(required=True, validate=validate.Length(max=80))
    title = fields.Str(load_default="", validate=validate.Length(max=80))
    field = fields.Str(load_default="", validate=validate.Length(max=120))
    user_id = fields.Int(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1))
    active = fields.Bool(load_default=True)


class StaffPatchSchema(Schema):
    name = fields.Str(validate=validate.Length(max=80))
    title = fields.Str(validate=validate.Length(max=80))
    field = fields.Str(validate=validate.Length(max=120))
    user_id = fields.Int(allow_none=True, strict=True, validate=validate.Range(min=1))
    active = fields.Bool()


@blp.route("/staff")
class StaffList(MethodView):
    @api_login_required
    @blp.arguments(StaffListArgs, location="query")
    @blp.response(200, StaffPageSchema)
    def get(self, args):
        """Managers: their provider's staff; administrators: those of the providers they oversee."""
        return staff_ops.list_staff(actor(), **args).__dict__

    @api_login_required
    @blp.arguments(StaffCreateSchema)
    @blp.response(201, StaffSchema)
    @blp.alt_response(422, description="Every problem at once")
    @unit_of_work(keep_loaded=True)
    def post(self, data):
        """Add a staff member to your provider (managers of the whole provider)."""
        return staff_ops.create_staff(actor(), data, now=clock.now())


@blp.route("/staff/<int:staff_id>")
class StaffItem(MethodView):
    @api_login_required
    @blp.response(200, StaffSchema)
    def get(self, staff_id):
        """One staff member (404 when not of a provider you manage or oversee)."""
        return staff_ops.get_staff(actor(), staff_id)

    @api_login_required
    @blp.arguments(StaffPatchSchema)
    @blp.response(200, StaffSchema)
    @blp.alt_response(422, description="Every problem at once")
    @unit_of_work(keep_loaded=True)
    def patch(self, data, staff_id):
        """Change a staff member; `active: false` deactivates (they stay on past records)."""
        return staff_ops.update_staff(actor(), staff_id, data, now=clock.now())


# ---------------------------------------------------------------------------- service records
class StaffBriefSchema(Schema):
    id = fields.Int()
    name = fields.Str()


class RecordSchema(Schema):
    id = fields.Int()
    provider_id = fields.Int()
    provider_name = fields.Function(lambda r: r.provider.display(locale_code()))
    enterprise_id = fields.Int()
    enterprise_name = fields.Function(lambda r: r.enterprise.name)
    enterprise_uscc = fields.Function(lambda r: r.enterprise.uscc)
    day = fields.Date()
    kind = fields.Str()
    kind_label = fields.Function(lambda r: vocab.label(vocab.SERVICE_RECORD_KINDS, r.kind, locale_code()))
    staff = fields.List(fields.Nested(StaffBriefSchema))
    minutes = fields.Int()
    content = fields.Str()
    project_code = fields.Str()
    agreement_signed = fields.Bool()
    contract_fen = fields.Int()
    paid_fen = fields.Int()
    counts_as_provincial_project = fields.Bool(
        metadata={"description": "视同省级科技计划项目: an agreement with at least ¥5,000,000 paid"}
    )
    results_count = fields.Int()
    results_titles = fields.List(fields.Str(), attribute="titles")
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


RecordPageSchema = page_of(RecordSchema, "ServiceRecordPage")


class RecordListArgs(Schema):
    day_from = fields.Date(load_default=None, data_key="from", metadata={"description": "first local day"})
    day_to = fields.Date(load_default=None, data_key="to", metadata={"description": "last local day, inclusive"})
    kind = fields.Str(load_default=None, validate=validate.OneOf(list(vocab.SERVICE_RECORD_KINDS)))
    enterprise_id = fields.Int(load_default=None, data_key="enterprise", validate=validate.Range(min=1))
    provider_id = fields.Int(load_default=None, data_key="provider", validate=validate.Range(min=1))
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


def _record_fields(required: bool) -> dict:
    need = {"required": True} if required else {}
    return {
        "enterprise_id": fields.Int(strict=True, validate=validate.Range(min=1), allow_none=True),
        "enterprise": fields.Str(
            validate=validate.Length(max=160),
            metadata={"description": "instead of enterprise_id: its 18-character code or its name"},
        ),
        "day": fields.Date(**need),
        "kind": fields.Str(validate=validate.OneOf(list(vocab.SERVICE_RECORD_KINDS)), **need),
        "staff_ids": fields.List(fields.Int(strict=True, validate=validate.Range(min=1)), validate=validate.Length(max=50), **need),
        "minutes": fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_MINUTES)),
        "content": fields.Str(validate=validate.Length(max=4000), **need),
        "project_code": fields.Str(validate=validate.Length(max=60)),
        "agreement_signed": fields.Bool(),
        "contract_fen": fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_AMOUNT_FEN)),
        "paid_fen": fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_AMOUNT_FEN)),
        "results_count": fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_RESULTS)),
        "results_titles": fields.List(fields.Str(validate=validate.Length(max=120)), validate=validate.Length(max=MAX_RESULTS)),
    }  # fmt: skip


RecordCreateSchema = Schema.from_dict(_record_fields(True), name="ServiceRecordCreate")
RecordPatchSchema = Schema.from_dict(_record_fields(False), name="ServiceRecordPatch")


@blp.route("/service-records")
class Records(MethodView):
    @api_login_required
    @blp.arguments(RecordListArgs, location="query")
    @blp.response(200, RecordPageSchema)
    def get(self, args):
        """The records you may read (your provider's, your enterprise's, your region's), newest day first."""
        return records.list_records(actor(), **args).__dict__

    @api_login_required
    @blp.arguments(RecordCreateSchema)
    @blp.response(201, RecordSchema)
    @blp.alt_response(422, description="Every problem at once")
    @unit_of_work(keep_loaded=True)
    def post(self, data):
        """Record a service of your provider (lab managers). Give `enterprise_id` or `enterprise`."""
        return records.create_record(actor(), data, now=clock.now(), tz=tz())


@blp.route("/service-records/<int:record_id>")
class RecordItem(MethodView):
    @api_login_required
    @blp.response(200, RecordSchema)
    def get(self, record_id):
        """One record (404 when it is not yours to read)."""
        return records.get_record(actor(), record_id)

    @api_login_required
    @blp.arguments(RecordPatchSchema)
    @blp.response(200, RecordSchema)
    @blp.alt_response(422, description="Every problem at once")
    @unit_of_work(keep_loaded=True)
    def patch(self, data, record_id):
        """Change a record: the keys given change, the whole record is checked again."""
        return records.update_record(actor(), record_id, data, now=clock.now(), tz=tz())

    @api_login_required
    @blp.response(204)
    @unit_of_work
    def delete(self, record_id):
        """Delete a record entered by mistake (written to the audit log)."""
        records.delete_record(actor(), record_id, now=clock.now())
