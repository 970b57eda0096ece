"""Report files over the API: the quarterly carrier report (.xlsx) and an enterprise's statement
(JSON, CSV or .xlsx), scoped by role like the figures (``reports.scope.scope_for``).

The same bytes as the pages' downloads (``edge.exports``). 401 without credentials, 403 for a role
that reads no such report, 404 for a provider outside the reader's area, 422 for bad input."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from werkzeug.local import LocalProxy

from bwq_lab.edge import exports
from bwq_lab.edge.access import api_login_required

blp = Blueprint(
    "api_exports", __name__, url_prefix="/api/v1/reports", description="Report files: quarterly report, statements"
)
XLSX = exports.MIMETYPES["xlsx"]


def actor():
    return current_user._get_current_object() if isinstance(current_user, LocalProxy) else current_user


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


class QuarterlyArgs(Schema):
    year = fields.Int(required=True, validate=validate.Range(min=2000, max=2100))
    quarter = fields.Int(required=True, validate=validate.Range(min=1, max=4))
    provider_id = fields.Int(
        load_default=None,
        validate=validate.Range(min=1),
        metadata={"description": "province, city or county admins: a provider in their area; managers: their own"},
    )


class StatementArgs(Schema):
    first_day = fields.Date(required=True, data_key="from", metadata={"description": "first local day, inclusive"})
    last_day = fields.Date(required=True, data_key="to", metadata={"description": "last local day, inclusive"})
    format = fields.Str(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("first_day") and data.get("last_day") and data["first_day"] > data["last_day"]:
            raise ValidationError("from must not be after to", field_name="to")


class LineSchema(Schema):
    kind = fields.Str(metadata={"description": "session | batch | record"})
    id = fields.Int()
    day = fields.Date()
    provider = fields.Str()
    item = fields.Str(metadata={"description": "instrument or lab service name; a record's kind code"})
    minutes = fields.Int(allow_none=True)
    samples = fields.Int(allow_none=True)
    content = fields.Str()
    fee_fen = fields.Int(allow_none=True, metadata={"description": "fee snapshot, integer fen"})
    paid_fen = fields.Int(allow_none=True, metadata={"description": "paid under a signed agreement, integer fen"})


class SumsSchema(Schema):
    lines = fields.Int()
    sessions = fields.Int()
    batches = fields.Int()
    records = fields.Int()
    minutes = fields.Int()
    samples = fields.Int()
    fee_fen = fields.Int()
    paid_fen = fields.Int()


class ProjectSchema(Schema):
    code = fields.Str(metadata={"description": "the R&D project code; empty = no project"})
    lines = fields.List(fields.Nested(LineSchema))
    subtotal = fields.Nested(SumsSchema)


class StatementSchema(Schema):
    enterprise_id = fields.Int()
    enterprise = fields.Str()
    uscc = fields.Str()
    first_day = fields.Date(data_key="from")
    last_day = fields.Date(data_key="to")
    projects = fields.List(fields.Nested(ProjectSchema))
    totals = fields.Nested(SumsSchema)


@blp.route("/quarterly")
@api_login_required
@blp.arguments(QuarterlyArgs, location="query")
@blp.response(200, description="The quarterly carrier report (载体季度报送) as an Excel workbook", content_type=XLSX)
@blp.alt_response(404, description="No such provider in your area")
def quarterly(args):
    report = exports.quarterly_for(actor(), args["year"], args["quarter"], args["provider_id"], tz=tz())
    stem = f"quarterly-report-{report.provider_id}-{report.year}Q{report.quarter}"
    return exports.send_tables([exports.quarterly_table(report)], stem, "xlsx")


@blp.route("/statement")
@api_login_required
@blp.arguments(StatementArgs, location="query")
@blp.response(200, StatementSchema)
@blp.doc(
    responses={"200": {"content": {"application/json": {"schema": StatementSchema}, **exports.FILE_CONTENT}}}
)  # ?format=csv|xlsx
@blp.alt_response(403, description="Only an enterprise's approved members read its statement")
def statement(args):
    result = exports.statement_for(actor(), args["first_day"], args["last_day"], tz=tz())
    if args["format"] == "json":
        return result
    stem = f"statement-{result.first_day}-{result.last_day}"
    return exports.send_tables([exports.statement_table(result)], stem, args["format"])
