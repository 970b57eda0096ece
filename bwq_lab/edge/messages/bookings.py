"""Words for the booking rules' codes (DESIGN.md's rule codes) and the booking lifecycle.

Rules put JSON-serialisable params on each violation (instants as ISO 8601 strings already in the
instrument's zone, durations in whole minutes); each renderer turns them into a sentence that says
what would work. Missing or malformed params fall back to the code's generic sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

from bwq_lab.edge.messages import renders
from bwq_lab.edge.messages.names import register_names, status_name

Params = Mapping[str, Any]

register_names(
    "booking",
    label=_l("booking"),
    statuses={
        "active": _l("available"),
        "maintenance": _l("under maintenance"),
        "retired": _l("retired"),
        "pending": _l("pending"),
        "approved": _l("approved"),
        "rejected": _l("rejected"),
        "cancelled": _l("cancelled"),
        "in_use": _l("in use"),
        "completed": _l("completed"),
        "no_show": _l("a no-show"),
        "expired": _l("expired"),
    },
    actions={
        "approve": _p("booking action", "approved"),
        "reject": _p("booking action", "rejected"),
        "cancel": _p("booking action", "cancelled"),
        "check_in": _p("booking action", "checked in"),
        "complete": _p("booking action", "completed"),
        "no_show": _p("booking action", "marked as a no-show"),
        "move": _p("booking action", "moved"),
        "move_for_approval": _p("booking action", "moved"),
        "expire": _p("booking action", "expired"),
    },
)

_WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday"))


def _zh() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "zh"


def weekday_name(weekday: int) -> str:
    """0=Monday .. 6=Sunday ('周二' / 'Tuesday')."""
    return str(_WEEKDAYS[weekday])


def format_duration(minutes: int) -> str:
    """90 -> '1 小时 30 分钟' / '1 hour 30 minutes'; 480 -> '8 小时' / '8 hours'."""
    minutes = int(minutes)
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    parts = []
    if hours or not rest:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if rest:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", rest))
    return sign + " ".join(parts)


def _day(value: datetime) -> str:
    return f"{value:%Y-%m-%d} {weekday_name(value.weekday())}"


def format_instant(iso: str) -> str:
    """'2026-12-01T09:00:00+08:00' -> '2026-12-01 周二 09:00' (params are already local)."""
    value = datetime.fromisoformat(iso)
    return f"{_day(value)} {value:%H:%M}"


def format_range(start_iso: str, end_iso: str) -> str:
    """Two local ISO instants as '2026-12-01 周二 09:00–10:30' (the day repeated only if it
    changes), with the day of the week."""
    start, end = datetime.fromisoformat(start_iso), datetime.fromisoformat(end_iso)
    if start.date() == end.date():
        return f"{_day(start)} {start:%H:%M}–{end:%H:%M}"
    if end.time() == datetime.min.time() and (end.date() - start.date()).days == 1:
        return f"{_day(start)} {start:%H:%M}–24:00"
    return f"{_day(start)} {start:%H:%M} – {_day(end)} {end:%H:%M}"


def join_list(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a、b、c' / 'a, b and c'."""
    if _zh():
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _status(p: Params) -> str:
    return status_name("booking", p["status"])


_GENERIC = {
    "IN_PAST": _l("The start time has already passed"),
    "END_BEFORE_START": _l("The end time must be later than the start time"),
    "INSTRUMENT_UNAVAILABLE": _l("This instrument cannot be booked at the moment"),
    "OUTSIDE_OPENING_HOURS": _l("The requested time is outside opening hours"),
    "NOT_ON_SLOT_GRID": _l("Start and end must lie on the booking grid"),
    "TOO_SHORT": _l("The booking is too short"),
    "TOO_LONG": _l("The booking is too long"),
    "NOTICE_TOO_SHORT": _l("The booking is made at too short notice"),
    "TOO_FAR_AHEAD": _l("The booking is too far ahead"),
    "OVERLAPS_BOOKING": _l("The time is taken by another booking"),
    "INSIDE_BUFFER": _l("Too close to another booking: cleanup time is needed"),
    "OVERLAPS_MAINTENANCE": _l("Overlaps scheduled maintenance"),
    "PROVIDER_CLOSED": _l("The provider is closed at that time"),
    "NOT_QUALIFIED": _l("You need a qualification for this instrument first"),
    "QUOTA_EXCEEDED": _l("Exceeds your enterprise's quota on this instrument"),
    "TOO_MANY_FUTURE_BOOKINGS": _l("You hold the most upcoming bookings allowed"),
}


def _detailed(code: str) -> Callable[[Callable[[Params], str]], Callable[[Params], str]]:
    """A renderer that says the code's generic sentence when its params are missing or malformed
    (e.g. a slot lost to a concurrent booking, known only from the database's refusal)."""

    def decorator(fn: Callable[[Params], str]) -> Callable[[Params], str]:
        def render(p: Params) -> str:
            try:
                return fn(p)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                return str(_GENERIC[code])

        renders(code)(render)
        return fn

    return decorator


@_detailed("IN_PAST")
def _in_past(p):
    return _(
        "The start time %(start)s has already passed; choose a time after %(now)s",
        start=format_instant(p["start"]),
        now=format_instant(p["now"]),
    )


@_detailed("END_BEFORE_START")
def _end_before_start(p):
    if "last_day" in p:
        return _("The last day cannot be before the first day.")
    return _(
        "The end time %(end)s must be later than the start time %(start)s",
        start=format_instant(p["start"]),
        end=format_instant(p["end"]),
    )


@_detailed("INSTRUMENT_UNAVAILABLE")
def _unavailable(p):
    return _("This instrument is %(status)s and cannot be booked", status=_status(p))


@_detailed("OUTSIDE_OPENING_HOURS")
def _outside_hours(p):
    day = weekday_name(p["weekday"])
    ranges = [f"{s}–{e}" for s, e in p["hours"]]
    if not ranges:
        return _("The requested time is outside opening hours: the instrument is closed on %(day)s", day=day)
    return _(
        "The requested time is outside opening hours. Opening hours on %(day)s are %(hours)s",
        day=day,
        hours=join_list(ranges),
    )


@_detailed("NOT_ON_SLOT_GRID")
def _grid(p):
    return _(
        "Start and end must lie on the %(slot)s-minute grid (counted from the opening time), for example %(example)s",
        slot=p["slot_minutes"],
        example=format_range(p["suggested_start"], p["suggested_end"]),
    )


@_detailed("TOO_SHORT")
def _too_short(p):
    return _(
        "A booking must last at least %(least)s; this one lasts %(actual)s",
        least=format_duration(p["min_minutes"]),
        actual=format_duration(p["minutes"]),
    )


@_detailed("TOO_LONG")
def _too_long(p):
    if "max_days" in p:
        return _("A closure can last at most one year.")
    return _(
        "A booking may last at most %(most)s; this one lasts %(actual)s",
        most=format_duration(p["max_minutes"]),
        actual=format_duration(p["minutes"]),
    )


@_detailed("NOTICE_TOO_SHORT")
def _notice(p):
    return _(
        "Bookings need at least %(notice)s notice; the earliest allowed start is %(earliest)s",
        notice=format_duration(p["min_notice_minutes"]),
        earliest=format_instant(p["earliest_start"]),
    )


@_detailed("TOO_FAR_AHEAD")
def _too_far(p):
    return _(
        "Bookings open at most %(days)s days ahead; the latest allowed start is %(latest)s",
        days=p["max_days_ahead"],
        latest=format_instant(p["latest_start"]),
    )


@_detailed("OVERLAPS_BOOKING")
def _overlaps(p):
    when = format_range(p["conflict_start"], p["conflict_end"])
    more = int(p.get("count", 1)) - 1
    if more:
        return _("The time is taken: it overlaps the booking at %(when)s and %(more)s more", when=when, more=more)
    return _("The time is taken: it overlaps the booking at %(when)s", when=when)


@_detailed("INSIDE_BUFFER")
def _buffer(p):
    when = format_range(p["conflict_start"], p["conflict_end"])
    buffer = format_duration(p["buffer_minutes"])
    if p.get("position") == "before":
        return _(
            "Too close to the booking at %(when)s: %(buffer)s must stay free after each booking, "
            "so this one must end by %(latest_end)s",
            when=when,
            buffer=buffer,
            latest_end=format_instant(p["latest_end"]),
        )
    return _(
        "Too close to the booking at %(when)s: it needs %(buffer)s free afterwards for cleanup; "
        "the earliest start is %(free_from)s",
        when=when,
        buffer=buffer,
        free_from=format_instant(p["available_from"]),
    )


def _why(p: Params) -> str:
    reason = p.get("reason") or ""
    return _(" (%(reason)s)", reason=reason) if reason else ""


@_detailed("OVERLAPS_MAINTENANCE")
def _maintenance(p):
    when = format_range(p["conflict_start"], p["conflict_end"])
    return _("Overlaps scheduled maintenance at %(when)s%(why)s", when=when, why=_why(p))


@_detailed("PROVIDER_CLOSED")
def _closed(p):
    when = format_range(p["conflict_start"], p["conflict_end"])
    return _("The provider is closed at %(when)s%(why)s", when=when, why=_why(p))


@_detailed("NOT_QUALIFIED")
def _not_qualified(p):
    until = p.get("qualified_until")
    if not until:
        return _("You need a qualification for this instrument first; ask the lab manager")
    return _(
        "Your qualification is valid until %(until)s, before this booking ends (%(end)s)",
        until=format_instant(until),
        end=format_instant(p["end"]),
    )


def _period_label(period: Mapping[str, Any]) -> str:
    start = date.fromisoformat(period["start"])
    if period["period"] == "month":
        return _("%(month)s %(year)s", month=_MONTHS[start.month - 1], year=start.year)
    return _("the week of %(day)s", day=start.isoformat())


_MONTHS = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)


@_detailed("QUOTA_EXCEEDED")
def _quota(p):
    parts = [
        _(
            "%(period)s: %(remaining)s of %(quota)s left, this booking needs %(requested)s",
            period=_period_label(period),
            quota=format_duration(period["quota_minutes"]),
            remaining=format_duration(period["remaining_minutes"]),
            requested=format_duration(period["requested_minutes"]),
        )
        for period in p["periods"]
    ]
    return _("Exceeds your enterprise's quota on this instrument: %(periods)s", periods=_("; ").join(parts))


@_detailed("TOO_MANY_FUTURE_BOOKINGS")
def _too_many(p):
    return _(
        "You may hold at most %(most)s upcoming bookings on this instrument; you already have %(count)s",
        most=p["max_future_bookings"],
        count=p["count"],
    )


@renders("NOT_PERMITTED")
def _not_permitted(p):
    return _("You are not permitted to book this instrument")


@renders("NAIVE_DATETIME")
def _naive(p):
    return _("Times need an offset, e.g. 2026-12-01T09:00:00+08:00.")


@renders("CANCELLATION_DEADLINE_PASSED")
def _deadline(p):
    return _(
        "The cancellation deadline (%(hours)s h before the start) has passed; please contact the lab manager.",
        hours=p["hours"],
    )


@renders("CHECK_IN_CLOSED")
def _check_in_closed(p):
    return _(
        "Check-in is open from %(early)s minutes before the start until %(grace)s minutes after it.",
        early=p["early"],
        grace=p["grace"],
    )


@renders("UNKNOWN_USER")
def _unknown_user(p):
    return _("No user has that e-mail address.")


@renders("NO_FREE_SLOT")
def _no_free_slot(p):
    return _(
        "Booking #%(id)s has no free time of its length in the next %(days)s days: cancel it instead, "
        "or move it by hand on its page. Nothing was moved.",
        id=p.get("booking_id", "?"),
        days=p.get("days", "?"),
    )
