"""Feed rows (``operations.feeds``) as events in the reader's language.

Each function yields ``(cache key, make)`` pairs for :func:`bwq_lab.feeds.calendar.build_calendar`:
the key is the row itself plus the language and base URL, i.e. everything the event's text is made
of, so a cached event is never stale and an unchanged one is not written again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from bwq_lab.edge.messages.names import status_name
from bwq_lab.feeds.calendar import CANCELLED, CONFIRMED, TENTATIVE, UID_DOMAIN, FeedEvent

#: booking status -> VEVENT STATUS: a request is tentative, a reservation that stands or stood is
#: confirmed, a refused, withdrawn or missed one is cancelled
EVENT_STATUS = {
    "pending": TENTATIVE,
    "approved": CONFIRMED,
    "in_use": CONFIRMED,
    "completed": CONFIRMED,
    "cancelled": CANCELLED,
    "rejected": CANCELLED,
    "no_show": CANCELLED,
}

STATUS_WORDS = {
    "pending": _l("awaiting approval"),
    "approved": _l("approved"),
    "in_use": _l("in use"),
    "completed": _l("completed"),
    "cancelled": _l("cancelled"),
    "rejected": _l("rejected"),
    "no_show": _l("no-show"),
}

#: service order status -> VEVENT STATUS of its completion date: an order waiting to be accepted
#: (on the date asked for) or reopened for a re-test (a new date is not promised yet) is
#: tentative, a promise that stands or was kept is confirmed, a refused or withdrawn order is
#: cancelled
ORDER_EVENT_STATUS = {
    "submitted": TENTATIVE,
    "accepted": CONFIRMED,
    "samples_received": CONFIRMED,
    "in_progress": CONFIRMED,
    "delivered": CONFIRMED,
    "closed": CONFIRMED,
    "reopened": TENTATIVE,
    "rejected": CANCELLED,
    "cancelled": CANCELLED,
}

Item = tuple[tuple, Callable[[], FeedEvent]]


def booking_uid(booking_id: int) -> str:
    return f"booking-{booking_id}@{UID_DOMAIN}"


def _name(zh: str, en: str, locale: str) -> str:
    return (en or zh) if locale == "en" else zh


def _status_word(status) -> str:
    return str(STATUS_WORDS.get(str(status), str(status)))


def _where(row, locale: str) -> str:
    parts = (_name(row.provider_name, row.provider_name_en, locale), row.provider_address, row.instrument_location)
    return ", ".join(p for p in parts if p)


def _lines(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def my_bookings(rows, locale: str, link: Callable[[int], str]) -> Iterator[Item]:
    """The user's own bookings: instrument and status as the title, purpose and a link below."""
    for row in rows:

        def make(row=row) -> FeedEvent:
            url = link(row.id)
            instrument = _name(row.instrument_name, row.instrument_name_en, locale)
            return FeedEvent(
                uid=booking_uid(row.id),
                sequence=row.sequence,
                start=row.start_at,
                end=row.end_at,
                summary=_("%(instrument)s (%(status)s)", instrument=instrument, status=_status_word(row.status)),
                status=EVENT_STATUS.get(str(row.status), CONFIRMED),
                changed=row.updated_at,
                created=row.created_at,
                location=_where(row, locale),
                description=_lines(
                    row.purpose,
                    _("Status: %(status)s", status=_status_word(row.status)),
                    _("Booking: %(url)s", url=url),
                ),
                url=url,
                transparent=EVENT_STATUS.get(str(row.status)) == CANCELLED,
            )

        yield ("mine", locale, link(0), *row), make


def order_uid(order_id: int) -> str:
    return f"order-{order_id}@{UID_DOMAIN}"


def my_orders(rows, locale: str, link: Callable[[int], str]) -> Iterator[Item]:
    """The user's service orders as all-day events on their promised completion date (the
    requested date while the order waits to be accepted); they do not block the reader's time."""
    for row in rows:

        def make(row=row) -> FeedEvent:
            url = link(row.id)
            service = _name(row.service_name, row.service_name_en, locale)
            status = status_name("order", str(row.status))
            day = row.promised_date or row.requested_date
            if row.promised_date:
                summary = _("%(service)s: results due (%(status)s)", service=service, status=status)
                when = _("Promised completion date: %(date)s", date=day.isoformat())
            else:
                summary = _("%(service)s: results requested (%(status)s)", service=service, status=status)
                when = _("Requested completion date: %(date)s", date=day.isoformat())
            return FeedEvent(
                uid=order_uid(row.id),
                sequence=row.sequence,
                start=day,
                end=day + timedelta(days=1),
                summary=summary,
                status=ORDER_EVENT_STATUS.get(str(row.status), CONFIRMED),
                changed=row.updated_at,
                created=row.created_at,
                location=", ".join(
                    p for p in (_name(row.provider_name, row.provider_name_en, locale), row.provider_address) if p
                ),
                description=_lines(
                    ngettext(
                        "Lab-service order #%(id)s, %(num)s sample",
                        "Lab-service order #%(id)s, %(num)s samples",
                        row.samples,
                        id=row.id,
                    ),
                    _("Status: %(status)s", status=status),
                    when,
                    _("Order: %(url)s", url=url),
                ),
                url=url,
                transparent=True,
            )

        yield ("order", locale, link(0), *row), make


def managed_bookings(rows, locale: str, link: Callable[[int], str]) -> Iterator[Item]:
    """Bookings on the manager's instruments: who, for which enterprise, and why."""
    for row in rows:

        def make(row=row) -> FeedEvent:
            url = link(row.id)
            instrument = _name(row.instrument_name, row.instrument_name_en, locale)
            who = row.requester_name + (f" ({row.enterprise_name})" if row.enterprise_name else "")
            return FeedEvent(
                uid=booking_uid(row.id),
                sequence=row.sequence,
                start=row.start_at,
                end=row.end_at,
                summary=_(
                    "%(instrument)s: %(who)s (%(status)s)",
                    instrument=instrument,
                    who=who,
                    status=_status_word(row.status),
                ),
                status=EVENT_STATUS.get(str(row.status), CONFIRMED),
                changed=row.updated_at,
                created=row.created_at,
                location=_where(row, locale),
                description=_lines(
                    _("Requested by: %(name)s", name=row.requester_name),
                    _("Enterprise: %(name)s", name=row.enterprise_name) if row.enterprise_name else "",
                    _("Purpose: %(purpose)s", purpose=row.purpose) if row.purpose else "",
                    _("Status: %(status)s", status=_status_word(row.status)),
                    _("Booking: %(url)s", url=url),
                ),
                url=url,
                transparent=EVENT_STATUS.get(str(row.status)) == CANCELLED,
            )

        yield ("manager", locale, link(0), *row), make


def maintenance(rows, locale: str, *, public: bool, uid_prefix: str = "") -> Iterator[Item]:
    """Maintenance windows; the public busy feed shows neither the reason nor who set it."""
    for row in rows:

        def make(row=row) -> FeedEvent:
            instrument = _name(row.instrument_name, row.instrument_name_en, locale)
            title = _("Maintenance") if public else _("Maintenance: %(instrument)s", instrument=instrument)
            return FeedEvent(
                uid=f"{uid_prefix}maintenance-{row.id}@{UID_DOMAIN}",
                sequence=0,
                start=row.start_at,
                end=row.end_at,
                summary=title,
                status=CONFIRMED,
                changed=row.created_at,
                created=row.created_at,
                location="" if public else row.instrument_location,
                description="" if public else row.reason,
            )

        yield ("maintenance", public, uid_prefix, locale, *row), make


def closures(rows, locale: str, tz: ZoneInfo, *, public: bool, uid_prefix: str = "") -> Iterator[Item]:
    """Provider closures (holidays): whole local days become all-day events."""
    for row in rows:

        def make(row=row) -> FeedEvent:
            start, end = _days_or_instants(row.start_at, row.end_at, tz)
            provider = _name(row.provider_name, row.provider_name_en, locale)
            title = _("Closed") if public else _("Closed: %(provider)s", provider=provider)
            return FeedEvent(
                uid=f"{uid_prefix}closure-{row.id}@{UID_DOMAIN}",
                sequence=0,
                start=start,
                end=end,
                summary=title,
                status=CONFIRMED,
                changed=row.created_at,
                created=row.created_at,
                description="" if public else row.reason,
            )

        yield ("closure", public, uid_prefix, locale, str(tz), *row), make


def busy_blocks(rows, locale: str, instrument_id: int) -> Iterator[Item]:
    """An instrument's bookings as anonymous busy blocks: time and status only."""
    for row in rows:

        def make(row=row) -> FeedEvent:
            return FeedEvent(
                uid=f"busy-{instrument_id}-{row.id}@{UID_DOMAIN}",
                sequence=row.sequence,
                start=row.start_at,
                end=row.end_at,
                summary=_("Booked"),
                status=EVENT_STATUS.get(str(row.status), CONFIRMED),
                changed=row.updated_at,
                created=row.created_at,
                transparent=EVENT_STATUS.get(str(row.status)) == CANCELLED,
            )

        yield ("busy", locale, instrument_id, *row), make


def _days_or_instants(start: datetime, end: datetime, tz: ZoneInfo):
    """Local midnight to local midnight as dates (an all-day event), anything else as instants."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_start.time() == time(0) and local_end.time() == time(0) and local_end > local_start:
        return local_start.date(), local_end.date()
    if local_start.time() == time(0) and local_end.time() == time(23, 59, 59, 999999):
        return local_start.date(), local_end.date() + timedelta(days=1)
    return start, end
