"""One booking (or a few) as an iCalendar document: the ``/bookings/<id>.ics`` download and the
attachment of the approval e-mail. The same event as in the user's feed (``feeds.content``): same
``UID``, ``SEQUENCE`` (the booking's revision), words, location and link, so a calendar that
imported the file and also subscribes to the feed sees one event, updated by the newer revision.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from bwq_lab import mail
from bwq_lab.edge.links import public_url
from bwq_lab.extensions import db
from bwq_lab.feeds import content
from bwq_lab.feeds.calendar import build_calendar, calendar_head
from bwq_lab.models import Booking


class BookingRow(NamedTuple):
    """A booking in the shape of a feed row (``operations.feeds.mine_rows``)."""

    id: int
    status: str
    start_at: datetime
    end_at: datetime
    created_at: datetime
    updated_at: datetime
    sequence: int
    purpose: str
    instrument_id: int
    instrument_name: str
    instrument_name_en: str
    instrument_location: str
    provider_name: str
    provider_name_en: str
    provider_address: str


def _row(booking: Booking) -> BookingRow:
    instrument, provider = booking.instrument, booking.instrument.provider
    return BookingRow(
        id=booking.id,
        status=booking.status,
        start_at=booking.start_at,
        end_at=booking.end_at,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
        sequence=booking.sequence or 0,
        purpose=booking.purpose or "",
        instrument_id=instrument.id,
        instrument_name=instrument.name,
        instrument_name_en=instrument.name_en or "",
        instrument_location=instrument.location or "",
        provider_name=provider.name if provider else "",
        provider_name_en=(provider.name_en or "") if provider else "",
        provider_address=(provider.address or "") if provider else "",
    )


def booking_link(booking_id: int) -> str:
    return public_url("bookings.detail", booking_id=booking_id)


def booking_calendar(bookings: Iterable[Booking], tz: str | ZoneInfo, *, locale: str = "zh") -> bytes:
    """An iCalendar document holding one VEVENT per booking, in ``locale``."""
    zone = tz.key if isinstance(tz, ZoneInfo) else str(tz)
    with force_locale(locale):
        items = [make() for _key, make in content.my_bookings([_row(b) for b in bookings], locale, booking_link)]
        return build_calendar(calendar_head(_("BWQ Lab: my bookings"), zone), items)


@mail.attachment("booking_ics")
def booking_attachment(facts: dict, language: str) -> mail.Attachment:
    """The booking's ``.ics``, attached to its approval e-mail (made when the mail goes out, so it
    shows the booking as it is then)."""
    booking = db.session.get(Booking, int(facts["booking_id"]))
    if booking is None:
        raise LookupError(f"booking {facts['booking_id']} is gone")
    data = booking_calendar([booking], current_app.config["TIMEZONE"], locale=language)
    return f"booking-{booking.id}.ics", "text/calendar; method=PUBLISH; charset=utf-8", data
