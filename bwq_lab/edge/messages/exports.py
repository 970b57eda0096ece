"""Codes of the report exports (quarterly carrier report, statements, summaries as files)."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


@renders("EXPORT_FORMAT_UNKNOWN")
def _format_unknown(p):
    return _("Unknown format %(value)s: choose one of %(formats)s.", value=p["value"], formats=p["formats"])


@renders("REPORT_PROVIDER_REQUIRED")
def _provider_required(p):
    return _("Choose a provider.")


#: every figure's name in a table heading (the goal figures keep the dashboard's names)
def figure_labels() -> dict[str, object]:
    from flask_babel import lazy_gettext as _l

    from bwq_lab.edge.messages.goals import GOAL_LABELS

    return {
        **GOAL_LABELS,
        "booked_hours": _l("Booked hours"),
        "effective_hours": _l("Effective hours"),
        "external_hours": _l("External service hours"),
        "sharing_rate": _l("Sharing rate"),
        "utilisation": _l("Utilisation"),
        "no_shows": _l("No-shows"),
        "no_show_rate": _l("No-show rate"),
        "median_approval_hours": _l("Median approval time (hours)"),
        "samples": _l("Samples"),
        "service_records": _l("Service records"),
        "service_hours": _l("Service record hours"),
        "agreements": _l("Cooperation agreements signed"),
        "agreements_paid_fen": _l("Paid under agreements (yuan)"),
        "provincial_projects": _l("Provincial science-plan projects"),
        "results": _l("New technologies and results"),
        "revenue_internal_fen": _l("Internal revenue (yuan)"),
        "revenue_external_fen": _l("External revenue (yuan)"),
    }
