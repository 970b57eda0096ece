"""What the booking pages share: the blueprint, labels, query arguments, the local zone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, request
from flask_babel import lazy_gettext as _l

from bwq_lab.domain.booking_rules import week_start_of
from bwq_lab.edge.messages import localize, message
from bwq_lab.edge.messages.bookings import format_duration, weekday_name
from bwq_lab.edge.messages.names import status_name
from bwq_lab.models import Instrument
from bwq_lab.models.booking import LIVE
from bwq_lab.operations import catalogue as catalogue_ops
from bwq_lab.refusals import Problem
from bwq_lab.web.auth import safe_next
from bwq_lab.web.pages import signed_in_user

bp = Blueprint("bookings", __name__)


STATUSES = ("pending", "approved", "in_use", "completed", "cancelled", "rejected", "no_show")


#: statuses a calendar draws (refused and withdrawn requests no longer hold time)
CALENDAR_STATUSES = (*LIVE, "completed", "no_show")


EVENT_LABELS = {
    "created": _l("requested"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "cancelled": _l("cancelled"),
    "moved": _l("moved"),
    "checked_in": _l("checked in"),
    "checked_out": _l("checked out"),
    "completed": _l("completed"),
    "no_show": _l("marked as a no-show"),
    "expired": _l("expired: not decided in time"),
    "closed_unconfirmed": _l("closed at its end by the system (use to be confirmed)"),
    "use_confirmed": _l("actual use confirmed"),
}


STATUS_BADGES = {
    "pending": "warn",
    "approved": "ok",
    "in_use": "ok",
    "rejected": "err",
    "no_show": "err",
    "expired": "err",
}


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        booking_status_label=lambda status: status_name("booking", status),
        booking_status_badge=lambda status: STATUS_BADGES.get(status, ""),
        booking_event_label=lambda action: str(EVENT_LABELS.get(action, action)),
        duration_label=lambda minutes: format_duration(minutes),
        weekday_label=weekday_label,
        rule_message=lambda v: message(v.code, v.params),
    )


def weekday_label(value: date | datetime) -> str:
    """The local weekday of a date, or of an instant in the configured zone."""
    if isinstance(value, datetime):
        value = value.astimezone(local_zone())
    return weekday_name(value.weekday())


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def next_url(default: str) -> str:
    """The form's ``next`` when it is a path on this site, else ``default``."""
    return safe_next(request.form.get("next")) or default


def problem_dicts(items) -> list[dict]:
    """Violations (from a preview) or Problems (from a refusal) in one shape for templates/JSON."""
    problems = [
        item
        if isinstance(item, Problem)
        else Problem(item.code, field=item.field, params=dict(item.params), overridable=item.overridable)
        for item in items
    ]
    return [p.as_dict() | {"overridable": bool(p.overridable)} for p in localize(problems)]


def zone() -> str:
    """The configured zone's name, handed to the operations."""
    return current_app.config["TIMEZONE"]


def date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def time_arg(name: str) -> time | None:
    try:
        return time.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def week_of(tz: ZoneInfo, now: datetime, fallback: date | None = None) -> date:
    """The Monday of ``?week=`` (any day of that week), else of ``fallback``, else of today."""
    chosen = date_arg("week") or fallback or now.astimezone(tz).date()
    return week_start_of(chosen)


def managed_instrument(instrument_id: int) -> Instrument:
    """404 for no such instrument, 403 when the signed-in manager does not manage it."""
    return catalogue_ops.instrument_for_editing(signed_in_user(), instrument_id)
