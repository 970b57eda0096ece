"""Words for the codes of the programme's figures (bwq_lab.reports)."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


@renders("UNKNOWN_GROUPING")
def _unknown_grouping(p):
    return _("Figures cannot be grouped by “%(group_by)s”.", group_by=p["group_by"])


@renders("PERIOD_REVERSED")
def _period_reversed(p):
    return _("The period must end on or after its first day (%(first)s to %(last)s).", first=p["first"], last=p["last"])
