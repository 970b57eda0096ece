"""Bookings as an iCalendar document (RFC 5545), one VEVENT per booking.

Times go out in UTC (``DTSTART:20261202T020000Z``), so every calendar shows them in its own
zone; ``X-WR-TIMEZONE`` only hints the zone the lab works in. ``SEQUENCE`` is the number of
recorded changes (created, moved, approved, ...), so a calendar that imported an earlier copy
sees a move or a cancellation as a newer revision of the same ``UID``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from icalendar import Calendar, Event

from bwq_lab.edge.messages.names import status_name
from bwq_lab.models import Booking

PRODID = "-//BWQ Lab//Bookings//ZH"
UID_DOMAIN = "bwq-lab"

#: booking status -> VEVENT STATUS: a request is tentative, a reservation that stood is
#: confirmed (also when the user did not show up), a refused or withdrawn one is cancelled.
EVENT_STATUS = {
    "pending": "TENTATIVE",
    "approved": "CONFIRMED",
    "in_use": "CONFIRMED",
    "completed": "CONFIRMED",
    "no_show": "CONFIRMED",
    "rejected": "CANCELLED",
    "cancelled": "CANCELLED",
}


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.id}@{UID_DOMAIN}"


def booking_event(booking: Booking, *, locale: str = "zh") -> Event:
    instrument = booking.instrument
    provider = instrument.provider
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", booking.updated_at.astimezone(UTC))
    event.add("dtstart", booking.start_at.astimezone(UTC))
    event.add("dtend", booking.end_at.astimezone(UTC))
    event.add("summary", f"{instrument.display(locale)} ({status_name('booking', booking.status)})")
    where = ", ".join(part for part in (provider.display(locale), provider.address, instrument.location) if part)
    if where:
        event.add("location", where)
    if booking.purpose:
        event.add("description", booking.purpose)
    event.add("status", EVENT_STATUS.get(booking.status, "CONFIRMED"))
    event.add("last-modified", booking.updated_at.astimezone(UTC))
    event.add("created", booking.created_at.astimezone(UTC))
    event.add("sequence", len(booking.events))
    return event


def booking_calendar(bookings: Iterable[Booking], tz: str | ZoneInfo, *, locale: str = "zh") -> bytes:
    """An iCalendar document holding one VEVENT per booking."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-timezone", tz.key if isinstance(tz, ZoneInfo) else str(tz))
    with force_locale(locale):
        for booking in bookings:
            calendar.add_component(booking_event(booking, locale=locale))
    return calendar.to_ical()
