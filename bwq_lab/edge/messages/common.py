"""Codes every capability uses."""

from __future__ import annotations

from flask_babel import gettext as _

from bwq_lab.edge.messages import renders


@renders("INVALID_TRANSITION")
def _invalid_transition(p):
    from bwq_lab.edge.messages.names import action_name, status_name

    return _(
        "This cannot be done now: it is %(status)s, and %(action)s is not possible from there.",
        status=status_name(p["kind"], p["status"]),
        action=action_name(p["kind"], p["action"]),
    )


@renders("REASON_REQUIRED")
def _reason_required(p):
    return _("Give a reason.")
