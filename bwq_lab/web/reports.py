"""Report pages: the quarterly carrier report (managers and province, city and county admins) and
an enterprise's statement, each shown as the table its download holds (``?format=csv|xlsx``)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request

from bwq_lab import clock
from bwq_lab.domain import periods
from bwq_lab.edge import exports
from bwq_lab.edge.access import role_required
from bwq_lab.extensions import db
from bwq_lab.reports.monthly import areas_within, city_year, monthly_report
from bwq_lab.reports.scope import scope_for
from bwq_lab.web.pages import int_arg, signed_in_user

bp = Blueprint("reports", __name__, url_prefix="/reports")

READERS = ("manager", "county_admin", "city_admin", "province_admin")
#: the page shows this many lines; the download has them all
PREVIEW_LINES = 200


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def today() -> date:
    return clock.now().astimezone(tz()).date()


def date_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return default


@bp.get("/quarterly")
@role_required(*READERS)
def quarterly():
    """Choose a quarter (by default the last one, the one due) and, for admins, a provider."""
    user = signed_in_user()
    fmt = exports.export_format(request.args.get("format"))
    due_year, due_quarter = periods.previous_quarter(today())
    year = int_arg("year") or due_year
    quarter = int_arg("quarter") or due_quarter
    if not (2000 <= year <= 2100 and quarter in periods.QUARTERS):
        year, quarter = due_year, due_quarter
    provider_id = int_arg("provider_id")
    own = scope_for(user)
    report = table = None
    if own.level == "provider" or provider_id is not None:
        report = exports.quarterly_for(user, year, quarter, provider_id, tz=tz())
        table = exports.quarterly_table(report)
        if fmt:
            stem = f"quarterly-report-{report.provider_id}-{year}Q{quarter}"
            return exports.send_tables([table], stem, fmt)
    return render_template(
        "reports/quarterly.html",
        year=year,
        quarter=quarter,
        years=range(today().year, 2019, -1),
        provider_id=report.provider_id if report else provider_id,
        providers=[a for a in areas_within(db.session, own) if a.level == "provider"],
        report=report,
        table=table,
        preview=PREVIEW_LINES,
    )


@bp.get("/statement")
@role_required("enterprise")
def statement():
    """The enterprise's own statement for a period (by default this year so far)."""
    fmt = exports.export_format(request.args.get("format"))
    first_day = date_arg("from", date(today().year, 1, 1))
    last_day = date_arg("to", today())
    if first_day > last_day:
        first_day, last_day = last_day, first_day
    result = exports.statement_for(signed_in_user(), first_day, last_day, tz=tz())
    table = exports.statement_table(result)
    if fmt:
        return exports.send_tables([table], f"statement-{first_day}-{last_day}", fmt)
    return render_template("reports/statement.html", statement=result, table=table, preview=PREVIEW_LINES)


def year_arg(default: int) -> int:
    year = int_arg("year")
    return year if year is not None and 2000 <= year <= 2100 else default


@bp.get("/monthly")
@role_required(*READERS)
def monthly():
    """An area's figures month by month for a year, and its top instruments and services; each
    table as CSV (``?format=csv&table=``) and all of them as one workbook (``?format=xlsx``)."""
    user = signed_in_user()
    fmt = exports.export_format(request.args.get("format"))
    year = year_arg(today().year)
    area = {name: int_arg(name) for name in ("city_id", "county_id", "provider_id")}
    scope = scope_for(user, **area)
    report = monthly_report(db.session, scope, year, tz=tz())
    tables = exports.monthly_tables(report)
    if fmt:
        stem = f"monthly-summary-{year}-{scope.level}" + (f"-{scope.id}" if scope.id else "")
        return exports.send_tables(tables, stem, fmt, table=request.args.get("table"))
    return render_template(
        "reports/monthly.html",
        report=report,
        tables=tables,
        year=year,
        years=range(today().year, 2019, -1),
        area=area,
        areas=areas_within(db.session, scope_for(user)),
    )


@bp.get("/city-year")
@role_required("city_admin", "province_admin")
def city_year_summary():
    """The city's yearly work summary (due to the province by 15 January): by default last year's."""
    user = signed_in_user()
    fmt = exports.export_format(request.args.get("format"))
    year = year_arg(today().year - 1)
    scope = scope_for(user, city_id=int_arg("city_id"))
    cities = [a for a in areas_within(db.session, scope_for(user)) if a.level == "city"]
    report = tables = None
    if scope.level == "city":
        report = city_year(db.session, scope, year, tz=tz())
        tables = exports.city_year_tables(report)
        if fmt:
            return exports.send_tables(
                tables, f"city-year-summary-{scope.id}-{year}", fmt, table=request.args.get("table")
            )
    return render_template(
        "reports/city_year.html",
        report=report,
        tables=tables,
        year=year,
        years=range(today().year, 2019, -1),
        cities=cities,
    )
