"""Report files at the edge: the reports' rows become tables with headings in the reader's
language (``bwq_lab.reports.tables`` lays them out), sent as CSV or Excel downloads. The pages
and the API share this module, so a page's download and the API's file are the same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from flask import Response
from flask_babel import gettext as _

from bwq_lab import mail
from bwq_lab.domain import catalogue as vocab
from bwq_lab.edge.templating import locale_code
from bwq_lab.refusals import refuse
from bwq_lab.reports import figures, monthly
from bwq_lab.reports import tables as files
from bwq_lab.reports.carrier import QuarterlyReport
from bwq_lab.reports.figures import Group, Summary
from bwq_lab.reports.lines import BATCH, RECORD, SESSION, Line, Sums
from bwq_lab.reports.monthly import CITY_YEAR_FIGURES, CityYear, MonthlyReport
from bwq_lab.reports.statement import Statement
from bwq_lab.reports.tables import Column, Table

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv",  # werkzeug adds "; charset=utf-8" to text/* itself
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


#: the OpenAPI ``content`` of a 200 that may also be a file (``?format=csv|xlsx``)
FILE_CONTENT = {
    "text/csv": {"schema": {"type": "string"}},
    MIMETYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


def export_format(value: str | None, *, allowed: Sequence[str] = FORMATS) -> str | None:
    """``?format=`` checked: None (show the page / JSON), or one of ``allowed``; else 422."""
    if value in (None, "", "html", "json"):
        return None
    if value not in allowed:
        raise refuse(422, "EXPORT_FORMAT_UNKNOWN", field="format", value=value, formats=", ".join(allowed))
    return value


def send_tables(tables: Sequence[Table], stem: str, fmt: str, *, table: str | None = None) -> Response:
    """An attachment: every table as a worksheet of one workbook (xlsx), or one table as CSV
    (the one whose sheet key is ``table``, else the first)."""
    if fmt == "xlsx":
        body = files.to_xlsx(tables)
    else:
        chosen = next((t for t in tables if table and t.key == table), tables[0]) if table else tables[0]
        body = files.to_csv(chosen)
        if len(tables) > 1:
            stem = f"{stem}-{chosen.key}"
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -------------------------------------------------------------------------------- service lines
def kind_names() -> dict[str, str]:
    return {SESSION: _("Instrument session"), BATCH: _("Lab-service batch"), RECORD: _("Service record")}


class _Words:
    """The words of service lines in the reader's language, looked up once per table (a table
    of the busiest provider's quarter has ~15,000 lines)."""

    def __init__(self) -> None:
        self.en = locale_code().startswith("en")
        self.kinds = kind_names()
        self.record_kinds = {code: labels[1 if self.en else 0] for code, labels in vocab.SERVICE_RECORD_KINDS.items()}

    def item(self, line: Line) -> str:
        """The instrument or lab service, or a record's kind."""
        if line.kind == RECORD:
            return self.record_kinds.get(line.item, line.item)
        return line.item_en if self.en else line.item

    def provider(self, line: Line) -> str:
        return line.provider_en if self.en else line.provider


def _staff(line: Line) -> str:
    return "、".join(line.staff)


def _counts(total: Sums) -> str:
    return _(
        "%(sessions)s sessions, %(batches)s batches, %(records)s records",
        sessions=total.sessions,
        batches=total.batches,
        records=total.records,
    )


def quarterly_table(report: QuarterlyReport) -> Table:
    """The province's template: title, provider, period, one row per service, totals."""
    provider = report.provider_en if locale_code().startswith("en") else report.provider
    columns = [
        Column(_("No."), "int", 6),
        Column(_("Service"), "text", 14),
        Column(_("Enterprise"), "text", 32),
        Column(_("Unified social credit code"), "text", 22),
        Column(_("Instrument or service"), "text", 28),
        Column(_("Date"), "date"),
        Column(_("Hours"), "hours"),
        Column(_("Samples"), "int"),
        Column(_("Content"), "text", 40),
        Column(_("Fee (yuan)"), "yuan"),
        Column(_("Staff"), "text", 20),
    ]
    words = _Words()
    rows = [
        (
            n,
            words.kinds[line.kind],
            line.enterprise,
            line.uscc,
            words.item(line),
            line.day,
            line.hours,
            line.samples,
            line.content,
            line.fee_fen,
            _staff(line),
        )
        for n, line in enumerate(report.lines, start=1)
    ]
    total = report.totals
    return Table(
        key="quarterly",
        sheet=_("Q%(quarter)s %(year)s", quarter=report.quarter, year=report.year),
        title=[
            _("Quarterly carrier report"),
            _("Provider: %(name)s", name=provider),
            _(
                "Period: %(year)s Q%(quarter)s (%(first)s to %(last)s)",
                year=report.year,
                quarter=report.quarter,
                first=report.first_day.isoformat(),
                last=report.last_day.isoformat(),
            ),
        ],
        columns=columns,
        rows=rows,
        totals=(
            None,
            _("Total"),
            _counts(total),
            None,
            None,
            None,
            total.hours,
            total.samples,
            None,
            total.fee_fen,
            None,
        ),
    )


def statement_table(statement: Statement) -> Table:
    """Lines grouped by R&D project, a subtotal row after each project, the totals last."""
    columns = [
        Column(_("R&D project"), "text", 18),
        Column(_("Date"), "date"),
        Column(_("Service"), "text", 14),
        Column(_("Provider"), "text", 28),
        Column(_("Instrument or service"), "text", 28),
        Column(_("Hours"), "hours"),
        Column(_("Samples"), "int"),
        Column(_("Content"), "text", 40),
        Column(_("Fee (yuan)"), "yuan"),
        Column(_("Paid under agreement (yuan)"), "yuan", 16),
    ]
    words = _Words()
    rows: list[tuple] = []
    for project in statement.projects:
        code = project_name(project.code)
        for line in project.lines:
            rows.append(
                (
                    code,
                    line.day,
                    words.kinds[line.kind],
                    words.provider(line),
                    words.item(line),
                    line.hours,
                    line.samples,
                    line.content,
                    line.fee_fen,
                    line.paid_fen,
                )
            )
        sub = project.subtotal
        rows.append(
            (
                _("Subtotal: %(project)s", project=code),
                None,
                _counts(sub),
                None,
                None,
                sub.hours,
                sub.samples,
                None,
                sub.fee_fen,
                sub.paid_fen,
            )
        )
    total = statement.totals
    return Table(
        key="statement",
        sheet=_("Statement"),
        title=[
            _("R&D expense statement"),
            _("Enterprise: %(name)s (%(uscc)s)", name=statement.enterprise, uscc=statement.uscc),
            _(
                "Period: %(first)s to %(last)s",
                first=statement.first_day.isoformat(),
                last=statement.last_day.isoformat(),
            ),
        ],
        columns=columns,
        rows=rows,
        totals=(
            _("Total"),
            None,
            _counts(total),
            None,
            None,
            total.hours,
            total.samples,
            None,
            total.fee_fen,
            total.paid_fen,
        ),
    )


def project_name(code: str) -> str:
    return code or _("No project")


# ------------------------------------------------------------------------------------ figures
def figure_kind(key: str) -> str:
    """How a figure is written: money in yuan, hours, rates as percentages, else counts."""
    if key.endswith("_fen"):
        return "yuan"
    if key.endswith("_hours"):
        return "hours"
    if key in ("sharing_rate", "utilisation", "no_show_rate"):
        return "percent"
    return "int"


def _group_name(group: Group, en: bool) -> str:
    return group.name_en if en else group.name


def figures_table(
    summary: Summary,
    *,
    key: str,
    sheet: str,
    title: list[str],
    heading: str,
    groups: list[Group] | None = None,
    keys: tuple[str, ...] = figures.FIGURES,
    totals: bool = True,
) -> Table:
    """Groups as rows, figures as columns; the summary's totals as the last row."""
    from bwq_lab.edge.messages.exports import figure_labels

    labels = figure_labels()
    en = locale_code().startswith("en")
    columns = [Column(heading, "text", 28)] + [Column(str(labels[k]), figure_kind(k), 14) for k in keys]
    rows = [
        (_group_name(g, en), *(g.figures.get(k) for k in keys)) for g in (summary.groups if groups is None else groups)
    ]
    return Table(
        key=key,
        sheet=sheet,
        title=title,
        columns=columns,
        rows=rows,
        totals=(_("Total"), *(summary.totals.get(k) for k in keys)) if totals else None,
    )


def _period(summary: Summary) -> str:
    return _("Period: %(first)s to %(last)s", first=summary.first_day.isoformat(), last=summary.last_day.isoformat())


def summary_tables(summary: Summary, area: str) -> list[Table]:
    """``GET /api/v1/reports/summary?format=csv|xlsx``: the groups (if grouped) and the totals."""
    title = [_("Summary of the figures"), _("Area: %(name)s", name=area), _period(summary)]
    return [
        figures_table(
            summary, key="summary", sheet=_("Summary"), title=title, heading=_("Group") if summary.group_by else _("Area"),
            groups=summary.groups if summary.group_by else [],
        )
    ]  # fmt: skip


def send_summary(summary: Summary, fmt: str) -> Response:
    """A summary (``GET /api/v1/reports/summary``) as a CSV or Excel download."""
    from bwq_lab.extensions import db
    from bwq_lab.reports.monthly import scope_name

    name, name_en = scope_name(db.session, summary.scope)
    area = name_en if locale_code().startswith("en") else name
    stem = f"summary-{summary.first_day}-{summary.last_day}" + (f"-by-{summary.group_by}" if summary.group_by else "")
    return send_tables(summary_tables(summary, area), stem, fmt)


def monthly_tables(report: MonthlyReport) -> list[Table]:
    """The monthly summary page's four tables, as its downloads hold them."""
    en = locale_code().startswith("en")
    area = report.name_en if en else report.name
    title = [
        _("Monthly summary %(year)s", year=report.year),
        _("Area: %(name)s", name=area),
        _period(report.months),
    ]
    return [
        figures_table(report.months, key="months", sheet=_("Months"), title=title, heading=_("Month")),
        figures_table(
            report.months, key="instruments", sheet=_("Top instruments"), title=[_("Top instruments"), *title[1:]],
            heading=_("Instrument"), groups=report.instruments, keys=monthly.INSTRUMENT_FIGURES, totals=False,
        ),
        figures_table(
            report.months, key="services", sheet=_("Lab services"), title=[_("Top lab services"), *title[1:]],
            heading=_("Lab service"), groups=report.services, keys=monthly.SERVICE_FIGURES, totals=False,
        ),
        figures_table(
            report.months, key="records", sheet=_("Service records"),
            title=[_("Service records by kind"), *title[1:]], heading=_("Kind of service"),
            groups=report.record_kinds, keys=monthly.RECORD_FIGURES, totals=False,
        ),
    ]  # fmt: skip


def city_year_tables(report: CityYear) -> list[Table]:
    """The city's yearly work summary: the announcement's indicators by county and by provider."""
    en = locale_code().startswith("en")
    title = [
        _("Yearly work summary %(year)s", year=report.year),
        _("City: %(name)s", name=report.name_en if en else report.name),
        _period(report.counties),
    ]
    return [
        figures_table(
            report.counties, key="counties", sheet=_("By county"), title=title, heading=_("County"),
            keys=CITY_YEAR_FIGURES,
        ),
        figures_table(
            report.providers, key="providers", sheet=_("By provider"), title=title, heading=_("Provider"),
            keys=CITY_YEAR_FIGURES,
        ),
    ]  # fmt: skip


# ------------------------------------------------------------------------------ who reads what
def quarterly_for(user, year: int, quarter: int, provider_id: int | None, *, tz) -> QuarterlyReport:
    """The quarterly report ``user`` may read: a manager their provider's; a province, city or
    county admin the provider they name inside their area (another area's: 404; none: 422)."""
    from bwq_lab.extensions import db
    from bwq_lab.reports.carrier import quarterly_report
    from bwq_lab.reports.scope import scope_for

    scope = scope_for(user, provider_id=provider_id)
    if scope.level != "provider":
        if scope.level == "enterprise":
            raise refuse(403, "FORBIDDEN")
        raise refuse(422, "REPORT_PROVIDER_REQUIRED", field="provider_id")
    return quarterly_report(db.session, scope.id, year, quarter, tz=tz)


def statement_for(user, first_day, last_day, *, tz) -> Statement:
    """An enterprise's own statement (an active member's enterprise; anyone else 403)."""
    from bwq_lab.extensions import db
    from bwq_lab.reports.statement import statement

    if not getattr(user, "is_active_member", False):
        raise refuse(403, "FORBIDDEN")
    return statement(db.session, user.enterprise_id, first_day, last_day, tz=tz)


@mail.attachment("quarterly_report")
def quarterly_attachment(facts: dict, language: str) -> mail.Attachment:
    """A provider's quarterly carrier report, attached to the quarter's e-mail (made when the mail
    goes out, in the recipient's language: the same bytes as the page's download)."""
    from flask import current_app
    from flask_babel import force_locale

    from bwq_lab.extensions import db
    from bwq_lab.reports.carrier import quarterly_report

    provider_id, year, quarter = int(facts["provider_id"]), int(facts["year"]), int(facts["quarter"])
    report = quarterly_report(db.session, provider_id, year, quarter, tz=ZoneInfo(current_app.config["TIMEZONE"]))
    with force_locale(language):
        data = files.to_xlsx([quarterly_table(report)])
    return f"quarterly-report-{provider_id}-{year}Q{quarter}.xlsx", MIMETYPES["xlsx"], data
