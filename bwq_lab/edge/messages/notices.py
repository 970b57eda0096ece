"""Words for on-page notices (``models.Notice``): one sentence per kind, from its facts."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from bwq_lab.edge.templating import time_range


def _when(facts, start: str = "start", end: str = "end") -> str:
    """The facts' local time range with the day of the week ('2026-12-03 周四 10:00–11:00')."""
    try:
        return time_range(facts[start], facts[end])
    except (KeyError, TypeError, ValueError):
        return ""


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
        return _(
            "The lab moved your booking of %(what)s from %(before)s to %(when)s. Reason: %(reason)s",
            before=_when(facts, "old_start", "old_end"),
            **params,
        )
    if kind == "booking_moved_by_user":
        return _(
            "%(who)s moved the booking of %(what)s from %(before)s to %(when)s.",
            who=facts.get("who", ""),
            before=_when(facts, "old_start", "old_end"),
            **params,
        )
    if kind == "booking_no_show":
        return _("Your booking of %(what)s, %(when)s, was recorded as a no-show: nobody checked in.", **params)
    return _("Something changed in your booking of %(what)s, %(when)s.", **params)
