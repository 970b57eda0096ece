"""The week-layout presenter: a week of free, busy, buffer and blocked time as positioned
blocks for the booking page and the managers' calendar (no rules here: the availability comes
from the operations).

The repeated elements (a day column's blocks, a day's list for phones) are written here as
escaped text, once per block, like the calendar feeds' events (docs/decisions.md): a template
pays an attribute lookup, an escape and often a ``url_for`` or ``gettext`` per value, and a week
draws a few hundred of them. The page's frame, headings and words stay in
``templates/bookings/_week.html``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup

from bwq_lab.domain.booking_rules import BookingPolicy, ceil_from, ceil_to_grid, interval_anchor, local_midnight
from bwq_lab.edge.form_html import escaped
from bwq_lab.edge.messages.bookings import weekday_name
from bwq_lab.edge.messages.names import status_name
from bwq_lab.operations.bookings.queries import CalendarBooking


@dataclass(slots=True)
class Block:
    """Something drawn in a day column, positioned in percent of the visible hours."""

    kind: str  # open | past | busy | own | booking | buffer | maintenance | closure | free
    start: datetime  # local
    end: datetime
    label: str = ""
    href: str | None = None
    booking: CalendarBooking | None = None
    top: float = 0.0
    height: float = 0.0
    data: dict = field(default_factory=dict)
    # minutes from the day's local midnight, clipped to the day (set by build_week)
    start_minute: float = 0.0
    end_minute: float = 0.0


@dataclass
class Day:
    day: date
    is_today: bool
    opening: list[Block]
    blocks: list[Block]
    free_spans: list[Block]  # whole free stretches: the grid's free time and the phones' list
    weekday_label: str = ""  # the weekday's name in the reader's language
    column: Markup = Markup("")  # the day column's blocks, as HTML
    agenda_items: Markup = Markup("")  # the phones' list of the day, as HTML <li> items

    @property
    def agenda(self) -> list[Block]:
        """Bookings, blackouts and free stretches in time order (the list view for phones)."""
        return sorted(
            (b for b in (*self.blocks, *self.free_spans) if b.kind not in ("buffer", "past")), key=lambda b: b.start
        )

    @property
    def opening_hours(self) -> str:
        """ "08:30–12:00, 13:30–17:00" (an opening that runs to midnight ends at "24:00")."""
        return ", ".join(f"{_hhmm(b.start)}–{_until(b.end, self.day)}" for b in self.opening)


@dataclass
class Week:
    monday: date
    days: list[Day]
    hours: list[tuple[int, float]]  # (hour, top %) for the hour lines
    first_hour: int
    last_hour: int

    @property
    def prev(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


def link_pattern(endpoint: str, **values) -> Callable[..., str]:
    """``url_for`` once, with placeholders: ``link_pattern(".book", date=..., start=...)(date="2026-12-02",
    start="09:00")``. A value given as ``...`` is filled in per link; filled values must need no
    quoting in a URL (ISO dates, "HH:MM", ids). A week draws up to a hundred links and
    ``url_for`` costs 15-40 us each."""
    holes = {name: f"__{name}__" for name, value in values.items() if value is ...}
    pattern = url_for(endpoint, **{**values, **holes})

    def fill(**filled) -> str:
        link = pattern
        for name, hole in holes.items():
            link = link.replace(hole, str(filled[name]), 1)
        return link

    return fill


def id_link(endpoint: str, key: str) -> Callable[[int], str]:
    """``url_for(endpoint, key=id)`` for many ids, built once (an ``<int:...>`` path part)."""
    sentinel = "2147483647"  # the largest id (edge.inputs.MAX_ID): never a real one in a path
    pattern = url_for(endpoint, **{key: int(sentinel)})
    head, _, tail = pattern.partition(sentinel)
    return lambda value: f"{head}{value}{tail}"


_HHMM = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))


def _hhmm(value: datetime) -> str:
    return _HHMM[value.hour * 60 + value.minute]  # a lookup: formatting cost ~0.7 us, hundreds a page


def _until(end: datetime, day: date) -> str:
    """A block's end as the day's list shows it: "24:00" when it runs to the next day."""
    return "24:00" if end.date() != day else _hhmm(end)


def _cell_minutes(grid: int) -> int:
    """Clickable cells are whole grid steps of at least half an hour."""
    grid = max(grid, 1)
    return grid * -(-30 // grid)


def build_week(
    monday: date,
    views: list,
    tz: ZoneInfo,
    now: datetime,
    *,
    grid_minutes: int,
    busy_blocks,
    free_href,
    bookable: tuple[datetime, datetime] | None = None,
    policy: BookingPolicy | None = None,
) -> Week:
    """Lay a week out for the template. ``views`` are the DayViews of ``ops.availability``;
    ``busy_blocks(day_view) -> list[Block]`` draws the bookings of one day (public or full);
    ``free_href(day, start)`` links a free cell to the pre-filled booking form. With
    ``bookable=(earliest, latest)`` only free time starting in that range is offered (the notice
    and how far ahead one may book). ``policy`` gives the grid's explicit anchor, if any."""
    today = now.astimezone(tz).date()
    earliest, latest = bookable or (now, datetime.max.replace(tzinfo=tz))
    earliest_local, now_local = earliest.astimezone(tz), now.astimezone(tz)
    cell_minutes = _cell_minutes(grid_minutes)
    maintenance, closed = _("Maintenance"), _("Closed")
    days = []
    for view in views:
        midnight = datetime.combine(view.day, time(0), tzinfo=tz)
        opening = [Block("open", s, e) for s, e in view.opening]
        blocks = list(busy_blocks(view))
        for b in view.blackouts:
            label = maintenance if b.kind == "maintenance" else closed
            blocks.append(Block(b.kind, b.start, b.end, f"{label}: {b.reason}" if b.reason else label))
        blocks.extend(_past_blocks(view.opening, now_local))
        # Free time as whole stretches, one element each (not one per grid cell: a week open
        # around the clock had ~340 cells) for the grid and the phones' list alike; the page's
        # script picks the grid time under the pointer. The grid is anchored at the opening's
        # start (08:30 on a 1 h grid), and after a cleanup buffer a stretch starts at the first
        # grid point at or after it: what a stretch shows is what a tap books.
        spans = []
        for s, e in view.free:
            s = max(s, earliest_local)
            opens_at = next((os for os, oe in view.opening if os <= s < oe), None)
            if opens_at is None:
                start = ceil_to_grid(s, tz, grid_minutes).astimezone(tz)
            else:
                anchor = interval_anchor(policy, opens_at) if policy else opens_at
                start = ceil_from(s, anchor, grid_minutes).astimezone(tz)
            if start < e and start <= latest:
                data = _cell_data(start)
                free = Block("free", start, e, href=free_href(view.day, start), data=data)
                free.start_minute, free.end_minute = _minutes_into(midnight, start), _minutes_into(midnight, e)
                data["span"] = f"{round(free.start_minute)}-{round(free.end_minute)}"
                data["grid"] = cell_minutes
                data["offset"] = 0  # the stretch starts on a grid line
                spans.append(free)
        for b in (*opening, *blocks):
            b.start_minute, b.end_minute = _minutes_into(midnight, b.start), _minutes_into(midnight, b.end)
        days.append(Day(view.day, view.day == today, opening, blocks, spans))

    minutes = [m for d in days for b in (*d.opening, *d.blocks) for m in (b.start_minute, b.end_minute)]
    first_hour = int(min(minutes) // 60) if minutes else 8
    last_hour = int(-(-max(minutes) // 60)) if minutes else 18
    if last_hour <= first_hour:
        first_hour, last_hour = 8, 18
    lo, span = first_hour * 60, (last_hour - first_hour) * 60
    for d in days:
        for b in (*d.opening, *d.blocks, *d.free_spans):
            top, bottom = b.start_minute - lo, b.end_minute - lo
            b.top = round(max(top, 0) / span * 100, 3)
            b.height = round(max(min(bottom, span) - max(top, 0), 0) / span * 100, 3)
        d.blocks = [b for b in d.blocks if b.end > b.start]
    hours = [(h, round((h * 60 - lo) / span * 100, 3)) for h in range(first_hour, last_hour)]
    words, weekdays = _Words(), Remembered(weekday_name)
    for d in days:
        d.weekday_label = weekdays[d.day.weekday()]
        d.column = _column(d, words)
        d.agenda_items = _agenda_items(d, words)
    return Week(monday, days, hours, first_hour, last_hour)


def _minutes_into(midnight: datetime, value: datetime) -> float:
    """Minutes from the day's local midnight (wall-clock time, clipped to the day)."""
    return min(max((value - midnight).total_seconds() / 60, 0.0), 24 * 60.0)


def _past_blocks(opening, now: datetime) -> list[Block]:
    """Opening time already gone, drawn as past (not as open time one could still book)."""
    return [Block("past", os, min(oe, now)) for os, oe in opening if os < now]


def _cell_data(start: datetime) -> dict:
    return {"date": start.date().isoformat(), "start": _hhmm(start)}


class _Words:
    """The words every free stretch repeats, translated once per page."""

    def __init__(self) -> None:
        self.free = escaped(_("free"))
        self.book_from = escaped(_("Book from %(time)s")).replace("%(time)s", "\x00")

    def book_from_at(self, hhmm: str) -> str:
        return self.book_from.replace("\x00", hhmm)


def _column(day: Day, words: _Words) -> Markup:
    """One day column of the grid: opening ranges, free stretches (one link each; the page's
    script picks the grid time under the pointer, without JavaScript the link books from the
    stretch's start), then bookings and blackouts."""
    out = [f'<div class="blk open" style="top:{b.top}%;height:{b.height}%"></div>' for b in day.opening]
    for b in day.free_spans:
        d = b.data
        out.append(
            f'<a class="blk free" style="top:{b.top}%;height:{b.height}%;--grid:{d["grid"]};--first:{d["offset"]}"'
            f' href="{escaped(b.href)}" data-date="{d["date"]}" data-start="{d["start"]}" data-span="{d["span"]}"'
            f' data-grid="{d["grid"]}" title="{words.book_from_at(d["start"])}">'
            f'<span class="sr">{words.free} {d["start"]}</span></a>'
        )
    for b in day.blocks:
        since, label = _hhmm(b.start), escaped(b.label)
        tag, href = ("a", f' href="{escaped(b.href)}"') if b.href else ("div", "")
        out.append(
            f'<{tag} class="blk {escaped(b.kind)}" style="top:{b.top}%;height:{b.height}%"{href}'
            f' title="{since}–{_hhmm(b.end)} {label}"><span class="t">{since}</span> {label}</{tag}>'
        )
    return Markup("".join(out))


def _agenda_items(day: Day, words: _Words) -> Markup:
    """The day as a list (phones): bookings, blackouts and free stretches in time order."""
    out = []
    for b in day.agenda:
        since, until = _hhmm(b.start), _until(b.end, day.day)
        if b.kind == "free":
            out.append(
                f'<li class="free"><a href="{escaped(b.href)}" data-date="{b.data["date"]}"'
                f' data-start="{b.data["start"]}">{words.free} {since}–{until}</a></li>'
            )
        else:
            label = escaped(b.label)
            text = f'<a href="{escaped(b.href)}">{label}</a>' if b.href else label
            out.append(f'<li class="{escaped(b.kind)}">{since}–{until} {text}</li>')
    return Markup("\n".join(out))


def _buffer_block(start: datetime, end: datetime, blocked_until: datetime, label: str) -> Block | None:
    return Block("buffer", end, blocked_until, label) if blocked_until > end else None


class Remembered(dict):
    """``words(key)`` looked up once per key and page: a status's or a weekday's name in the
    reader's language is a catalogue lookup, and a week can draw dozens of them."""

    def __init__(self, words: Callable) -> None:
        super().__init__()
        self.words = words

    def __missing__(self, key) -> str:
        self[key] = value = self.words(key)
        return value


def _status_names() -> Remembered:
    return Remembered(lambda status: status_name("booking", status))


def public_busy(own: dict[int, tuple[str, str]], tz: ZoneInfo):
    """Others' bookings as anonymous "booked" time; the viewer's own (``{id: (status, purpose)}``)
    in full, with a link."""
    booked, cleanup, names = _("booked"), _("cleanup"), _status_names()
    detail = id_link(".detail", "booking_id")

    def draw(view) -> list[Block]:
        blocks = []
        for b in view.busy:
            mine = own.get(b.booking_id) if b.own else None
            if mine is not None:
                status, purpose = mine
                blocks.append(Block("own", b.start, b.end, f"{names[status]} · {purpose}", detail(b.booking_id)))
            else:
                blocks.append(Block("busy", b.start, b.end, booked))
            buffer = _buffer_block(b.start, b.end, b.blocked_until, cleanup)
            if buffer:
                blocks.append(buffer)
        return blocks

    return draw


def managed_busy(bookings: list[CalendarBooking], tz: ZoneInfo):
    """Every booking with who, enterprise, purpose and status (managers' calendar)."""
    cleanup, names = _("cleanup"), _status_names()
    detail = id_link(".detail", "booking_id")
    rows = []  # what the days draw, worked out once (not once per day)
    for booking in bookings:
        who = (
            booking.user_name if booking.enterprise_name is None else f"{booking.user_name}, {booking.enterprise_name}"
        )
        label = f"{names[booking.status]} · {who} · {booking.purpose}"
        kind = "booking " + booking.status
        rows.append((booking.start_at, booking.end_at, booking.blocked_until, kind, label, detail(booking.id), booking))

    def draw(view) -> list[Block]:
        day_start, day_end = local_midnight(view.day, tz), local_midnight(view.day + timedelta(days=1), tz)
        # compared as UTC instants, like the bookings' own (no time zone arithmetic per comparison)
        utc_start, utc_end = day_start.astimezone(UTC), day_end.astimezone(UTC)
        blocks = []
        for start_at, end_at, blocked_until, kind, label, href, booking in rows:
            if not (start_at < utc_end and blocked_until > utc_start):
                continue
            start = max(start_at, day_start).astimezone(tz)
            end = max(min(end_at, day_end), day_start).astimezone(tz)
            blocks.append(Block(kind, start, end, label, href, booking))
            buffer = _buffer_block(start, end, min(blocked_until, day_end).astimezone(tz), cleanup)
            if buffer:
                blocks.append(buffer)
        return blocks

    return draw
