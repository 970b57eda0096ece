"""The programme's figures over JSON: a period's summary (totals and groups) and the year's goals,
each scoped by the reader's role (``reports.scope.scope_for``; another area's id is 404).

Report dates are whole local days, inclusive, of any length (not the 31-day booking window). The
figures are defined once in ``bwq_lab.reports``; this module only reads the query and writes JSON.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.local import LocalProxy

from bwq_lab import clock
from bwq_lab.edge import exports
from bwq_lab.edge.access import api_login_required
from bwq_lab.extensions import db
from bwq_lab.reports import figures, goals, progress
from bwq_lab.reports.scope import Scope, scope_for

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1/reports", description="The programme's figures and goals")


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def today() -> date:
    return clock.now().astimezone(tz()).date()


def reader():
    return current_user._get_current_object() if isinstance(current_user, LocalProxy) else current_user


# ------------------------------------------------------------------------------ schemas
_ID = {"load_default": None, "validate": validate.Range(min=1)}
_FIGURE_VALUE = fields.Raw(allow_none=True, metadata={"description": "int (counts, fen), float (hours, rates) or null"})


class AreaArgs(Schema):
    city_id = fields.Int(**_ID, metadata={"description": "narrow to a city (province admins)"})
    county_id = fields.Int(**_ID, metadata={"description": "narrow to a county (province and city admins)"})
    provider_id = fields.Int(**_ID, metadata={"description": "narrow to one provider inside your area"})


class SummaryArgs(AreaArgs):
    first = fields.Date(
        load_default=None, data_key="from", metadata={"description": "first local day (default: 1 January)"}
    )
    last = fields.Date(
        load_default=None, data_key="to", metadata={"description": "last local day, inclusive (default: today)"}
    )
    group_by = fields.Str(load_default=None, validate=validate.OneOf(figures.GROUPINGS))
    format = fields.Str(
        load_default="json",
        validate=validate.OneOf(["json", "csv", "xlsx"]),
        metadata={"description": "json, or the same figures as a CSV or Excel (.xlsx) download"},
    )


class GoalsArgs(AreaArgs):
    year = fields.Int(load_default=None, validate=validate.Range(min=2000, max=2199))


class ScopeSchema(Schema):
    level = fields.Str(metadata={"description": "province, city, county, provider or enterprise"})
    id = fields.Int(allow_none=True)


class GroupSchema(Schema):
    key = fields.Raw(allow_none=True, metadata={"description": "an id, a vocabulary code or YYYY-MM; null: none"})
    name = fields.Str()
    name_en = fields.Str()
    figures = fields.Dict(keys=fields.Str(), values=_FIGURE_VALUE)


class SummarySchema(Schema):
    first = fields.Date(attribute="first_day", data_key="from")
    last = fields.Date(attribute="last_day", data_key="to")
    group_by = fields.Str(allow_none=True)
    scope = fields.Nested(ScopeSchema)
    figures = fields.Function(
        lambda _s: list(figures.FIGURES), metadata={"description": "figure keys in display order"}
    )
    totals = fields.Dict(keys=fields.Str(), values=_FIGURE_VALUE)
    groups = fields.List(fields.Nested(GroupSchema))


class ProgressSchema(Schema):
    target = fields.Int()
    count = fields.Int()
    share = fields.Float(metadata={"description": "count / target (may exceed 1)"})
    remaining = fields.Int(metadata={"description": "still missing to reach the target (never below 0)"})
    per_month_needed = fields.Float(
        allow_none=True, metadata={"description": "remaining / months left after `until`; null once the year is over"}
    )
    per_week_needed = fields.Float(allow_none=True)
    projection = fields.Int(
        allow_none=True, metadata={"description": "count / elapsed share of the year; null before it starts"}
    )
    expected = fields.Int(metadata={"description": "where an even pace toward the target would be by `until`"})
    on_track = fields.Bool(metadata={"description": "the projection reaches the target"})
    reached = fields.Bool()


class GoalsSchema(Schema):
    year = fields.Int()
    until = fields.Date(metadata={"description": "the last local day counted"})
    scope = fields.Nested(ScopeSchema)
    figures = fields.List(fields.Str(), metadata={"description": "goal figures in display order"})
    months = fields.List(fields.Str(), metadata={"description": "YYYY-MM, January to December"})
    targets = fields.Dict(keys=fields.Str(), values=fields.Int())
    so_far = fields.Dict(keys=fields.Str(), values=fields.Int(), metadata={"description": "count up to `until`"})
    cumulative = fields.Dict(
        keys=fields.Str(),
        values=fields.List(fields.Int(allow_none=True)),
        metadata={"description": "12 running totals per figure; null after `until`"},
    )
    progress = fields.Dict(
        keys=fields.Str(),
        values=fields.Nested(ProgressSchema),
        metadata={"description": "per figure: share of the target, pace needed, projection (bwq_lab.domain.goals)"},
    )


# ------------------------------------------------------------------------------ views
def reader_scope(args: dict) -> Scope:
    return scope_for(reader(), city_id=args["city_id"], county_id=args["county_id"], provider_id=args["provider_id"])


def summary_of(args: dict) -> figures.Summary:
    """The summary a request asks for (also what an export of it is made from)."""
    scope = reader_scope(args)
    first, last = args["first"], args["last"]
    if last is None:
        last = today() if first is None or first <= today() else date(first.year, 12, 31)
    first = first or date(last.year, 1, 1)
    return figures.summary(db.session, scope, first, last, group_by=args["group_by"], tz=tz())


@blp.route("/summary")
@api_login_required
@blp.arguments(SummaryArgs, location="query")
@blp.response(200, SummarySchema)
@blp.doc(
    responses={"200": {"content": {"application/json": {"schema": SummarySchema}, **exports.FILE_CONTENT}}}
)  # ?format=csv|xlsx
@blp.alt_response(422, description="An unknown grouping, a date out of range, or `from` after `to`")
def summary(args):
    """Every figure for whole local days `from`..`to` (inclusive, any length) in your area: totals,
    and per group with `group_by`. Province admins may narrow to a city, county or provider; city
    and county admins inside their own; managers read their provider, enterprises their own use."""
    result = summary_of(args)
    if args["format"] != "json":
        return exports.send_summary(result, args["format"])
    return result


@blp.route("/goals")
@api_login_required
@blp.arguments(GoalsArgs, location="query")
@blp.response(200, GoalsSchema)
def goals_view(args):
    """The year's targets (as the province set them, else the programme's), the count so far, and
    twelve cumulative monthly values per goal figure (distinct figures are distinct so far), and
    each figure's progress: the same numbers as the goal dashboard (``reports.progress.board``)."""
    scope = reader_scope(args)
    year = args["year"] or today().year
    board = progress.board(db.session, scope, year, today=today(), tz=tz())
    return {
        "year": year,
        "until": board.until,
        "scope": scope,
        "figures": list(goals.GOAL_FIGURES),
        "months": board.months,
        "targets": board.targets,
        "so_far": board.so_far,
        "cumulative": board.cumulative,
        "progress": {p.figure: p.as_dict() for p in board.progress},
    }
