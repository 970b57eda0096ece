"""Words for the year's goals: the six goal figures' names and the codes of setting targets
(bwq_lab.operations.goals)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from bwq_lab.edge.messages import renders

#: the goal figures' names, as the programme's announcement puts them
GOAL_LABELS = {
    "providers": _l("Providers taking part"),
    "staff": _l("Scientists and teams"),
    "enterprises": _l("Enterprises served"),
    "enterprise_visits": _l("Enterprise-visits"),
    "sessions": _l("Instrument sessions"),
    "batches": _l("Lab-service batches"),
}
#: their units, after a number ("1,234 sessions")
GOAL_UNITS = {
    "providers": _l("providers"),
    "staff": _l("people"),
    "enterprises": _l("enterprises"),
    "enterprise_visits": _l("visits"),
    "sessions": _l("sessions"),
    "batches": _l("batches"),
}


@renders("GOAL_YEAR_OUT_OF_RANGE")
def _year_out_of_range(p):
    return _("Targets can be set for the years %(first)s to %(last)s.", first=p["first"], last=p["last"])


@renders("UNKNOWN_GOAL_FIGURE")
def _unknown_goal_figure(p):
    return _("“%(figure)s” is not one of the year's goals.", figure=p["figure"])


@renders("TARGET_NOT_POSITIVE")
def _target_not_positive(p):
    return _("A target is a whole number from 1 to %(max)s.", max=f"{p['max']:,}")
