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
