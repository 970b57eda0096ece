"""iCalendar (RFC 5545) documents for subscriptions, built for real clients and for speed.

The calendar's own properties (``PRODID``, ``X-WR-CALNAME``, ``REFRESH-INTERVAL``…) are built with
the ``icalendar`` library's object model. A feed holds up to tens of thousands of events, and the
library's per-property objects cost about 0.15 ms per event, so each ``VEVENT`` is written as text
with the library's own escaping (``vText``) and folding (``Contentline``), in the same
form ``icalendar.Event.to_ical()`` gives (tests parse both back and compare them), and cached by
``(uid, sequence, changed)``: an event that did not change is not written again.

Every event is self-contained and stable:
- ``UID`` never changes for a booking (it is its id), ``SEQUENCE`` is its revision number, and
  ``DTSTAMP`` / ``LAST-MODIFIED`` are its last change, so an unchanged feed is byte-identical
  (a strong ``ETag`` is honest) and a calendar that imported an older copy sees a newer revision.
- Times are UTC (``DTSTART:20261202T020000Z``): every client shows them in its own zone, with no
  ``VTIMEZONE`` to get wrong; ``X-WR-TIMEZONE`` tells clients that want it the lab's zone.
  Whole days (promised completion dates) are ``VALUE=DATE`` all-day events.
- Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar
from icalendar.parser import Contentline
from icalendar.prop import vText

PRODID = "-//BWQ Lab//Calendar feeds//ZH"
UID_DOMAIN = "bwq-lab"
#: how often clients should come back (REFRESH-INTERVAL, RFC 7986; X-PUBLISHED-TTL for Outlook)
REFRESH = timedelta(hours=1)

#: VEVENT STATUS values (RFC 5545 3.8.1.11)
TENTATIVE, CONFIRMED, CANCELLED = "TENTATIVE", "CONFIRMED", "CANCELLED"


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One VEVENT as plain values (words already in the reader's language)."""

    uid: str
    sequence: int
    start: datetime | date  # an aware instant, or a date for an all-day event
    end: datetime | date
    summary: str
    status: str  # TENTATIVE | CONFIRMED | CANCELLED
    changed: datetime  # DTSTAMP and LAST-MODIFIED: the last change of what the event shows
    created: datetime | None = None
    location: str = ""
    description: str = ""
    url: str = ""
    transparent: bool = False  # TRANSP:TRANSPARENT (does not block the reader's free/busy time)
    categories: str = ""


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_char(text: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11) by the library: backslash, ``;``, ``,`` and newlines."""
    return vText(text).to_ical().decode()


def _line(name: str, value: str) -> str:
    line = f"{name}:{value}"
    # a line under 76 octets needs no folding; a character is at most 4 octets in UTF-8
    if len(line) > 18 and len(line.encode()) > 75:
        line = Contentline(line).to_ical().decode()  # folded by the library, never inside a character
    return line + "\r\n"


def _when(name: str, value: datetime | date) -> str:
    if isinstance(value, datetime):
        return f"{name}:{_utc(value)}\r\n"
    return f"{name};VALUE=DATE:{value:%Y%m%d}\r\n"


def event_text(event: FeedEvent) -> str:
    """The VEVENT, CRLF-terminated and folded, as ``icalendar.Event.to_ical()`` would give it."""
    stamp = _utc(event.changed)
    parts = [
        "BEGIN:VEVENT\r\n",
        _when("DTSTART", event.start),
        _when("DTEND", event.end),
        f"DTSTAMP:{stamp}\r\n",
        _line("UID", escape_char(event.uid)),
        f"SEQUENCE:{event.sequence}\r\n",
        f"STATUS:{event.status}\r\n",
        _line("SUMMARY", escape_char(event.summary)),
    ]
    if event.location:
        parts.append(_line("LOCATION", escape_char(event.location)))
    if event.description:
        parts.append(_line("DESCRIPTION", escape_char(event.description)))
    if event.url:
        parts.append(_line("URL", event.url))
    if event.categories:
        parts.append(_line("CATEGORIES", escape_char(event.categories)))
    if event.created is not None:
        parts.append(f"CREATED:{_utc(event.created)}\r\n")
    parts.append(f"LAST-MODIFIED:{stamp}\r\n")
    parts.append("TRANSP:TRANSPARENT\r\n" if event.transparent else "TRANSP:OPAQUE\r\n")
    parts.append("END:VEVENT\r\n")
    return "".join(parts)


class EventCache:
    """Serialised VEVENTs by ``(uid, sequence, changed, words)``, least recently used dropped first.

    The key covers everything an event shows: its revision and last change, plus the words around
    it (the language and anything derived from other rows, passed as ``extra``)."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._items: OrderedDict[tuple, bytes] = OrderedDict()

    def get(self, key: tuple) -> bytes | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple, value: bytes) -> None:
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


def calendar_head(name: str, timezone: str, description: str = "") -> bytes:
    """``BEGIN:VCALENDAR`` and the calendar's properties (built with ``icalendar``)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", name)  # Apple, Google, Outlook, Thunderbird
    if description:
        calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # a DURATION written as text: Outlook reads it so
    text = calendar.to_ical()
    assert text.endswith(b"END:VCALENDAR\r\n")
    return text[: -len(b"END:VCALENDAR\r\n")]


def build_calendar(
    head: bytes,
    events: Iterable[FeedEvent | tuple[tuple, Callable[[], FeedEvent]]],
    cache: EventCache | None = None,
) -> bytes:
    """The whole document: ``head``, every event, ``END:VCALENDAR``.

    ``events`` yields events, or ``(cache key, make)`` pairs: ``make()`` builds the event (its
    words) only when the key is not cached yet."""
    chunks = [head]
    append = chunks.append
    for item in events:
        if isinstance(item, FeedEvent):
            append(event_text(item).encode())
            continue
        key, make = item
        cached = cache.get(key) if cache is not None else None
        if cached is None:
            cached = event_text(make()).encode()
            if cache is not None:
                cache.put(key, cached)
        append(cached)
    append(b"END:VCALENDAR\r\n")
    return b"".join(chunks)
