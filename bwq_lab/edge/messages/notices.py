"""Words for on-page notices (``models.Notice``): one sentence per kind, from its facts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _


def _when(facts) -> str:
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    try:
        start = datetime.fromisoformat(facts["start"]).astimezone(tz)
        end = datetime.fromisoformat(facts["end"]).astimezone(tz)
    except (KeyError, ValueError):
        return ""
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def notice_text(notice) -> str:
    facts = notice.context or {}
    english = str(get_locale() or "zh").startswith("en")
    what = facts.get("instrument_en") if english else facts.get("instrument")
    params = {"what": what or "", "when": _when(facts), "reason": facts.get("reason") or "—"}
    kind = notice.kind
    if kind == "booking_cancelled":
        return _("The lab cancelled your booking of %(what)s, %(when)s. Reason: %(reason)s", **params)
    if kind == "booking_rejected":
        return _("Your request for %(what)s, %(when)s, was rejected. Reason: %(reason)s", **params)
    if kind == "booking_approved":
        return _("Your request for %(what)s, %(when)s, was approved.", **params)
    if kind == "booking_cancelled_by_user":
        return _(
            "%(who)s cancelled the booking of %(what)s, %(when)s; the time is free again.",
            who=facts.get("who", ""),
            **params,
        )
    if kind == "booking_moved_by_lab":
        return _("The lab moved your booking of %(what)s to %(when)s. Reason: %(reason)s", **params)
    return _("Something changed in your booking of %(what)s, %(when)s.", **params)
