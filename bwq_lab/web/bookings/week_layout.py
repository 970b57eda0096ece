"""The week-layout presenter: a week of free, busy, buffer and blocked time as positioned
blocks for the booking page and the managers' calendar (no rules here: the availability comes
from the operations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _

from bwq_lab.domain.booking_rules import BookingPolicy, ceil_from, ceil_to_grid, interval_anchor, local_midnight
from bwq_lab.edge.messages.names import status_name
from bwq_lab.models import Booking


@dataclass
class Block:
    """Something drawn in a day column, positioned in percent of the visible hours."""

    kind: str  # open | past | busy | own | booking | buffer | maintenance | closure | free
    start: datetime  # local
    end: datetime
    label: str = ""
    href: str | None = None
    booking: Booking | None = None
    top: float = 0.0
    height: float = 0.0
    data: dict = field(default_factory=dict)


@dataclass
class Day:
    day: date
    is_today: bool
    opening: list[Block]
    blocks: list[Block]
    free_spans: list[Block]  # whole free stretches: the grid's free time and the phones' list

    @property
    def agenda(self) -> list[Block]:
        """Bookings, blackouts and free stretches in time order (the list view for phones)."""
        return sorted(
            (b for b in (*self.blocks, *self.free_spans) if b.kind not in ("buffer", "past")), key=lambda b: b.start
        )


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


def _minutes_into(day: date, value: datetime, tz: ZoneInfo) -> float:
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    return min(max((value - midnight).total_seconds() / 60, 0.0), 24 * 60.0)


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
    cell_minutes = _cell_minutes(grid_minutes)
    maintenance, closed = _("Maintenance"), _("Closed")
    days = []
    for view in views:
        opening = [Block("open", s, e) for s, e in view.opening]
        blocks = list(busy_blocks(view))
        for b in view.blackouts:
            label = maintenance if b.kind == "maintenance" else closed
            blocks.append(Block(b.kind, b.start, b.end, f"{label}: {b.reason}" if b.reason else label))
        blocks.extend(_past_blocks(view.opening, now.astimezone(tz)))
        # Free time as whole stretches, one element each (not one per grid cell: a week open
        # around the clock had ~340 cells) for the grid and the phones' list alike; the page's
        # script picks the grid time under the pointer. The grid is anchored at the opening's
        # start (08:30 on a 1 h grid), and after a cleanup buffer a stretch starts at the first
        # grid point at or after it: what a stretch shows is what a tap books.
        spans = []
        for s, e in view.free:
            s = max(s, earliest.astimezone(tz))
            opens_at = next((os for os, oe in view.opening if os <= s < oe), None)
            if opens_at is None:
                start = ceil_to_grid(s, tz, grid_minutes).astimezone(tz)
            else:
                anchor = interval_anchor(policy, opens_at) if policy else opens_at
                start = ceil_from(s, anchor, grid_minutes).astimezone(tz)
            if start < e and start <= latest:
                data = _cell_data(start)
                data["span"] = f"{round(_minutes_into(view.day, start, tz))}-{round(_minutes_into(view.day, e, tz))}"
                data["grid"] = cell_minutes
                data["offset"] = 0  # the stretch starts on a grid line
                spans.append(Block("free", start, e, href=free_href(view.day, start), data=data))
        days.append(Day(view.day, view.day == today, opening, blocks, spans))

    edges = [(d.day, x) for d in days for b in (*d.opening, *d.blocks) for x in (b.start, b.end)]
    minutes = [_minutes_into(day, x, tz) for day, x in edges]
    first_hour = int(min(minutes) // 60) if minutes else 8
    last_hour = int(-(-max(minutes) // 60)) if minutes else 18
    if last_hour <= first_hour:
        first_hour, last_hour = 8, 18
    lo, span = first_hour * 60, (last_hour - first_hour) * 60
    for d in days:
        for b in (*d.opening, *d.blocks, *d.free_spans):
            top = _minutes_into(d.day, b.start, tz) - lo
            bottom = _minutes_into(d.day, b.end, tz) - lo
            b.top = round(max(top, 0) / span * 100, 3)
            b.height = round(max(min(bottom, span) - max(top, 0), 0) / span * 100, 3)
        d.blocks = [b for b in d.blocks if b.end > b.start]
    hours = [(h, round((h * 60 - lo) / span * 100, 3)) for h in range(first_hour, last_hour)]
    return Week(monday, days, hours, first_hour, last_hour)


def _past_blocks(opening, now: datetime) -> list[Block]:
    """Opening time already gone, drawn as past (not as open time one could still book)."""
    return [Block("past", os, min(oe, now)) for os, oe in opening if os < now]


def _cell_data(start: datetime) -> dict:
    return {"date": start.date().isoformat(), "start": start.strftime("%H:%M")}


def _buffer_block(start: datetime, end: datetime, blocked_until: datetime, label: str) -> Block | None:
    return Block("buffer", end, blocked_until, label) if blocked_until > end else None


class _StatusNames(dict):
    """A booking status's name in the reader's language, looked up once per request and status
    (a week can draw dozens of bookings)."""

    def __missing__(self, status) -> str:
        self[status] = name = status_name("booking", status)
        return name


def public_busy(own: dict[int, Booking], tz: ZoneInfo):
    """Others' bookings as anonymous "booked" time; the viewer's own in full, with a link."""
    booked, cleanup, names = _("booked"), _("cleanup"), _StatusNames()

    def draw(view) -> list[Block]:
        blocks = []
        for b in view.busy:
            mine = own.get(b.booking_id) if b.own else None
            if mine is not None:
                label = f"{names[mine.status]} · {mine.purpose}"
                href = url_for(".detail", booking_id=mine.id)
                blocks.append(Block("own", b.start, b.end, label, href, mine))
            else:
                blocks.append(Block("busy", b.start, b.end, booked))
            buffer = _buffer_block(b.start, b.end, b.blocked_until, cleanup)
            if buffer:
                blocks.append(buffer)
        return blocks

    return draw


def managed_busy(bookings: list[Booking], tz: ZoneInfo):
    """Every booking with who, enterprise, purpose and status (managers' calendar)."""
    cleanup, names = _("cleanup"), _StatusNames()

    def draw(view) -> list[Block]:
        day_start, day_end = local_midnight(view.day, tz), local_midnight(view.day + timedelta(days=1), tz)
        blocks = []
        for booking in bookings:
            if not (booking.start_at < day_end and booking.blocked_until > day_start):
                continue
            start = max(booking.start_at, day_start).astimezone(tz)
            end = max(min(booking.end_at, day_end), day_start).astimezone(tz)
            who = f"{booking.user.name}, {booking.enterprise.name}" if booking.enterprise else booking.user.name
            label = f"{names[booking.status]} · {who} · {booking.purpose}"
            href = url_for(".detail", booking_id=booking.id)
            blocks.append(Block("booking " + booking.status, start, end, label, href, booking))
            buffer = _buffer_block(start, end, min(booking.blocked_until, day_end).astimezone(tz), cleanup)
            if buffer:
                blocks.append(buffer)
        return blocks

    return draw
