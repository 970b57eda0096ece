"""Codes every capability uses."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


@renders("INVALID_TRANSITION")
def _invalid_transition(p):
    from bwq_lab.edge.messages.names import action_name, kind_name, status_name

    return _(
        "A %(kind)s that is %(status)s cannot be %(action)s",
        kind=kind_name(p["kind"]),
        status=status_name(p["kind"], p["status"]),
        action=action_name(p["kind"], p["action"]),
    )


@renders("REASON_REQUIRED")
def _reason_required(p):
    return _("Give a reason.")
