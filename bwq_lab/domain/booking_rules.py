"""The booking rule checker: ``check(request, context, now)`` returns every rule a request breaks.

One module on purpose, although it is longer than the ~600 lines other modules keep to: every
booking rule is here, one ``@_rule(CODE)`` function each in the order ``check`` runs them, so a
newcomer finds any rule, its code and its params in one place (issue 6); split by topic, the
order and the shared helpers would be spread over several files.

Pure Python: no Flask, no SQLAlchemy, never the clock (``now`` is a parameter). Each rule is
one small function with one stable code (see DESIGN.md "Rule codes"); ``check`` runs them all
in a fixed order and returns every violation at once, each with JSON-serialisable params (the
words are the edge's: ``edge/messages/bookings.py``).

Times: every datetime must be timezone-aware (any offset); they are compared in UTC. Opening
hours, the slot grid and the week/month quota boundaries are local to ``policy.timezone``.
Intervals are half-open ``[start, end)``.

How operations build a :class:`BookingContext` for one request on one instrument:

- ``policy``: from the instrument's settings.
- ``busy``: the instrument's live bookings (pending, approved, in_use) with
  ``start_at < hi and blocked_until > lo`` where ``(lo, hi) = busy_load_window(policy, start,
  end)``; any order (sorted by start is cheapest), the moving booking may be included.
- ``blackouts``: maintenance windows and provider closures overlapping ``[start, end)``.
- ``qualified_until``, ``permitted``: the actor's qualification and permission.
- ``enterprise_bookings``: the enterprise's bookings on this instrument that count toward its
  quota (live and completed) overlapping ``quota_load_window(policy, start, end)``; only needed
  when the policy has a weekly or monthly quota. Blocks of other enterprises are ignored.
- ``user_future_count``: the user's live bookings on this instrument with ``end_at > now``,
  *excluding* ``request.moving_booking_id`` (a move replaces that booking, it adds none).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bwq_lab.domain.intervals import IntervalIndex

# --- codes ------------------------------------------------------------------------------------

IN_PAST = "IN_PAST"
END_BEFORE_START = "END_BEFORE_START"
INSTRUMENT_UNAVAILABLE = "INSTRUMENT_UNAVAILABLE"
OUTSIDE_OPENING_HOURS = "OUTSIDE_OPENING_HOURS"
NOT_ON_SLOT_GRID = "NOT_ON_SLOT_GRID"
TOO_SHORT = "TOO_SHORT"
TOO_LONG = "TOO_LONG"
NOTICE_TOO_SHORT = "NOTICE_TOO_SHORT"
TOO_FAR_AHEAD = "TOO_FAR_AHEAD"
OVERLAPS_BOOKING = "OVERLAPS_BOOKING"
INSIDE_BUFFER = "INSIDE_BUFFER"
OVERLAPS_MAINTENANCE = "OVERLAPS_MAINTENANCE"
PROVIDER_CLOSED = "PROVIDER_CLOSED"
NOT_QUALIFIED = "NOT_QUALIFIED"
QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
TOO_MANY_FUTURE_BOOKINGS = "TOO_MANY_FUTURE_BOOKINGS"
NOT_PERMITTED = "NOT_PERMITTED"
ENTERPRISE_NOT_VERIFIED = "ENTERPRISE_NOT_VERIFIED"  # the city verifies new enterprises first

#: Soft rules: a manager may override them on their own instruments, with a recorded reason.
OVERRIDABLE_CODES = frozenset(
    {
        NOTICE_TOO_SHORT,
        QUOTA_EXCEEDED,
        TOO_FAR_AHEAD,
        OUTSIDE_OPENING_HOURS,
        PROVIDER_CLOSED,
        TOO_MANY_FUTURE_BOOKINGS,
    }
)

INSTRUMENT_STATUSES = ("active", "maintenance", "retired")
BLACKOUT_KINDS = ("maintenance", "closure")
MIDNIGHT = time(0)


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpeningRange:
    """One opening range on a local weekday (0=Monday .. 6=Sunday), ``[start, end)`` wall clock.

    ``end == time(0)`` (or ``time.max``) means 24:00, so a day open around the clock is
    ``OpeningRange(d, time(0), time(0))``. Ranges on consecutive days that touch at midnight
    count as one opening, so overnight hours are two ranges: Mon 22:00–24:00 and Tue 00:00–06:00.
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end == time.max:  # 23:59:59.999999 is how some callers spell 24:00
            object.__setattr__(self, "end", MIDNIGHT)
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("opening hours are local wall-clock times without tzinfo")
        if self.end != MIDNIGHT and self.end <= self.start:
            raise ValueError(f"opening range must end after it starts: {self.start}–{self.end}")

    @property
    def label(self) -> tuple[str, str]:
        """('08:30', '12:00'); an end at midnight is '24:00'."""
        end = "24:00" if self.end == MIDNIGHT else self.end.strftime("%H:%M")
        return self.start.strftime("%H:%M"), end


#: the programme's zone; deployments elsewhere configure TIMEZONE and the edges hand it in
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    """An instrument's booking rules. Durations are whole minutes.

    ``opening_hours`` empty means open around the clock. ``slot_minutes`` 0 or 1 means no grid;
    otherwise start and end must be whole multiples of it counted from the start of the opening
    interval (an end may also be the interval's end); around the clock, from local midnight.
    ``buffer_minutes`` is kept free *after* each booking (``blocked_until = end + buffer``).
    Quotas are per enterprise on this instrument per local calendar week (Mon–Sun) / month.
    """

    timezone: str = DEFAULT_TIMEZONE
    status: str = "active"
    opening_hours: tuple[OpeningRange, ...] = ()
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int = 8 * 60
    buffer_minutes: int = 0
    min_notice_minutes: int = 0
    max_days_ahead: int = 90
    approval_required: bool = True
    qualification_required: bool = False
    weekly_quota_minutes: int | None = None
    monthly_quota_minutes: int | None = None
    max_future_bookings: int | None = None
    #: an explicit grid anchor (local time of day): the grid is every ``slot_minutes`` from it,
    #: in every opening interval, instead of from each interval's start
    slot_anchor: time | None = None

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # fail early on an unknown zone
        if not isinstance(self.opening_hours, tuple):
            object.__setattr__(self, "opening_hours", tuple(self.opening_hours))
        if self.slot_minutes < 0 or self.buffer_minutes < 0 or self.min_notice_minutes < 0:
            raise ValueError("slot, buffer and notice minutes must not be negative")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances by key

    @property
    def grid_minutes(self) -> int:
        """The slot grid in minutes, 1 when there is none."""
        return max(1, self.slot_minutes)

    def hours_on(self, weekday: int) -> list[tuple[str, str]]:
        """The opening ranges on a weekday as ('08:30', '12:00') labels, sorted."""
        return [r.label for r in sorted(self.opening_hours, key=_range_key) if r.weekday == weekday]


def _range_key(r: OpeningRange) -> tuple[int, time]:
    return r.weekday, r.start


@dataclass(frozen=True, slots=True)
class BusyBlock:
    """A live (pending/approved/in_use) booking: ``[start, end)`` used, ``[start, blocked_until)``
    kept free. ``blocked_until`` defaults to ``end`` (no buffer)."""

    booking_id: int
    start: datetime
    end: datetime
    blocked_until: datetime | None = None
    user_id: int | None = None
    enterprise_id: int | None = None

    def __post_init__(self) -> None:
        if self.blocked_until is None:
            object.__setattr__(self, "blocked_until", self.end)
        elif self.blocked_until < self.end:
            raise ValueError("blocked_until must not be before end")


@dataclass(frozen=True, slots=True)
class Blackout:
    """A maintenance window (hard) or a provider closure (soft), ``[start, end)``."""

    start: datetime
    end: datetime
    reason: str = ""
    kind: str = "maintenance"

    def __post_init__(self) -> None:
        if self.kind not in BLACKOUT_KINDS:
            raise ValueError(f"blackout kind must be one of {BLACKOUT_KINDS}, got {self.kind!r}")


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """A wished ``[start, end)``. ``moving_booking_id`` names the booking being moved or
    shortened: it is ignored by the overlap, buffer and quota rules."""

    start: datetime
    end: datetime
    user_id: int
    enterprise_id: int | None
    moving_booking_id: int | None = None


@dataclass(frozen=True, slots=True)
class BookingContext:
    """What the rules need to know besides the request (see the module docstring for what
    operations load). ``busy``, ``blackouts`` and ``enterprise_bookings`` may come in any order;
    they are indexed by start once, here, so each rule looks at O(log n + k) of them."""

    policy: BookingPolicy
    busy: tuple[BusyBlock, ...] = ()
    blackouts: tuple[Blackout, ...] = ()
    qualified_until: datetime | None = None
    permitted: bool = True
    enterprise_bookings: tuple[BusyBlock, ...] = ()
    user_future_count: int = 0
    #: False while the booker's enterprise awaits its city's verification (cities that ask for it)
    enterprise_verified: bool = True
    busy_index: IntervalIndex[BusyBlock] = dc_field(init=False, repr=False, compare=False)
    blackout_index: IntervalIndex[Blackout] = dc_field(init=False, repr=False, compare=False)
    enterprise_index: IntervalIndex[BusyBlock] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("busy", "blackouts", "enterprise_bookings"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "busy_index", IntervalIndex(self.busy, _start, _blocked_until))
        object.__setattr__(self, "blackout_index", IntervalIndex(self.blackouts, _start, _end))
        object.__setattr__(
            self,
            "enterprise_index",
            IntervalIndex(self.enterprise_bookings, _start, _end),
        )


def _start(x: Any) -> datetime:
    return x.start


def _end(x: Any) -> datetime:
    return x.end


def _blocked_until(x: BusyBlock) -> datetime:
    return x.blocked_until  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule. ``params`` are JSON-serialisable (ISO strings in the instrument's zone,
    whole minutes); ``field`` names the request field to blame, when there is one."""

    code: str
    params: Mapping[str, Any] = dc_field(default_factory=dict, hash=False)
    overridable: bool = False
    field: str | None = None


def violation(code: str, field: str | None = None, **params: Any) -> Violation:
    return Violation(code, params, code in OVERRIDABLE_CODES, field)


def blocking(violations: Iterable[Violation], override: bool) -> list[Violation]:
    """The violations that still stop a booking: all of them, or only the hard ones when a
    manager overrides (``override=True``) the soft ones."""
    return [v for v in violations if not (override and v.overridable)]


# --- time helpers -----------------------------------------------------------------------------


def to_utc(value: datetime, name: str = "datetime") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def _micros_into_day(local: datetime) -> int:
    return ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight at the start of ``day``, in UTC."""
    return datetime.combine(day, MIDNIGHT, tzinfo=tz).astimezone(UTC)


def on_grid(value: datetime, tz: ZoneInfo, step_minutes: int) -> bool:
    """True when ``value`` is a whole multiple of ``step_minutes`` after its local midnight."""
    if step_minutes <= 1:
        return True
    return _micros_into_day(value.astimezone(tz)) % (step_minutes * 60_000_000) == 0


def ceil_to_grid(value: datetime, tz: ZoneInfo, step_minutes: int) -> datetime:
    """The first grid point at or after ``value`` (UTC). The grid restarts at local midnight."""
    value = value.astimezone(UTC)
    step = max(step_minutes, 1) * 60_000_000
    local = value.astimezone(tz)
    rest = _micros_into_day(local) % step
    if rest == 0:
        return value
    result = value + timedelta(microseconds=step - rest)
    if result.astimezone(tz).date() != local.date():
        return local_midnight(local.date() + timedelta(days=1), tz)
    return result


def floor_to_grid(value: datetime, tz: ZoneInfo, step_minutes: int) -> datetime:
    """The last grid point at or before ``value`` (UTC)."""
    value = value.astimezone(UTC)
    step = max(step_minutes, 1) * 60_000_000
    rest = _micros_into_day(value.astimezone(tz)) % step
    return value - timedelta(microseconds=rest)


def ceil_from(value: datetime, anchor: datetime, step_minutes: int) -> datetime:
    """The first point of the grid ``anchor + k * step`` (k >= 0) at or after ``value``."""
    value = value.astimezone(UTC)
    if step_minutes <= 1 or value <= anchor:
        return max(value, anchor) if step_minutes > 1 else value
    step = step_minutes * 60_000_000
    rest = _micros(value - anchor) % step
    return value if rest == 0 else value + timedelta(microseconds=step - rest)


def floor_from(value: datetime, anchor: datetime, step_minutes: int) -> datetime:
    """The last point of the grid ``anchor + k * step`` at or before ``value`` (not before ``anchor``)."""
    value = value.astimezone(UTC)
    if step_minutes <= 1 or value <= anchor:
        return max(value, anchor) if step_minutes > 1 else value
    rest = _micros(value - anchor) % (step_minutes * 60_000_000)
    return value - timedelta(microseconds=rest)


def is_on(value: datetime, anchor: datetime, step_minutes: int) -> bool:
    return step_minutes <= 1 or _micros(value.astimezone(UTC) - anchor) % (step_minutes * 60_000_000) == 0


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def opening_at(policy: BookingPolicy, at: datetime, *, closing: bool = False) -> tuple[datetime, datetime] | None:
    """The opening interval holding ``at`` (``start <= at < end``; with ``closing``, an end
    instant: ``start < at <= end``), or None outside the opening hours. Around the clock: the
    local day."""
    at = at.astimezone(UTC)
    if not policy.opening_hours:
        day = (at - timedelta(microseconds=1) if closing else at).astimezone(policy.tz).date()
        return local_midnight(day, policy.tz), local_midnight(day + timedelta(days=1), policy.tz)
    for start, end in open_intervals(policy, at - timedelta(days=1), at):
        if (start < at <= end) if closing else (start <= at < end):
            return start, end
    return None


def interval_anchor(policy: BookingPolicy, open_start: datetime) -> datetime:
    """Where the grid of the opening interval starting at ``open_start`` is counted from: the
    interval's start, or with an explicit ``slot_anchor`` the last point of the grid through
    that local time of day at or before the interval's start (08:30–12:00 with anchor 09:00 on
    a 1 h grid offers 09:00, 10:00, 11:00)."""
    if policy.slot_anchor is None or policy.grid_minutes <= 1:
        return open_start
    local = open_start.astimezone(policy.tz)
    anchor = datetime.combine(local.date(), policy.slot_anchor, tzinfo=policy.tz).astimezone(UTC)
    step = policy.grid_minutes * 60_000_000
    ahead = _micros(anchor - open_start.astimezone(UTC))  # (negative: the anchor comes first)
    return anchor - timedelta(microseconds=-(-ahead // step) * step)  # whole steps back, to <= the start


def grid_anchor(policy: BookingPolicy, at: datetime) -> datetime:
    """Where the slot grid starts for a booking starting at ``at``: the start of the opening
    interval holding it (so 08:30–12:00 on a 1 h grid offers 08:30, 09:30, ...; see
    ``interval_anchor`` for an explicit anchor), else the local midnight before it."""
    opening = opening_at(policy, at)
    if opening is not None:
        return interval_anchor(policy, opening[0])
    return local_midnight(at.astimezone(policy.tz).date(), policy.tz)


def ceil_to_policy_grid(policy: BookingPolicy, value: datetime) -> datetime:
    """The first start on the policy's grid at or after ``value``: inside an opening interval
    the grid anchored at its start; outside, the next opening's start (or the midnight grid)."""
    step = policy.grid_minutes
    opening = opening_at(policy, value)
    if opening is not None:
        return ceil_from(value, interval_anchor(policy, opening[0]), step)
    if policy.opening_hours:
        for start, _end in open_intervals(policy, value, value + timedelta(days=8)):
            if start >= value:
                return ceil_from(start, interval_anchor(policy, start), step)
    return ceil_to_grid(value, policy.tz, step)


def floor_to_policy_grid(policy: BookingPolicy, value: datetime) -> datetime:
    return floor_from(value, grid_anchor(policy, value), policy.grid_minutes)


@functools.lru_cache(maxsize=8192)
def _day_openings(
    timezone: str, opening_hours: tuple[OpeningRange, ...], day: date
) -> tuple[tuple[datetime, datetime], ...]:
    tz = ZoneInfo(timezone)
    weekday = day.weekday()
    spans = []
    for r in sorted(opening_hours, key=_range_key):
        if r.weekday != weekday:
            continue
        end_day = day + timedelta(days=1) if r.end == MIDNIGHT else day
        start = datetime.combine(day, r.start, tzinfo=tz).astimezone(UTC)
        end = datetime.combine(end_day, r.end, tzinfo=tz).astimezone(UTC)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return tuple(spans)


def day_openings(policy: BookingPolicy, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The opening ranges of one local day as UTC intervals (the whole day with no hours set);
    a range ending at 24:00 ends at the next local midnight."""
    if not policy.opening_hours:
        tz = policy.tz
        return ((local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)),)
    return _day_openings(policy.timezone, policy.opening_hours, day)


def open_intervals(policy: BookingPolicy, lo: datetime, hi: datetime) -> list[tuple[datetime, datetime]]:
    """The instrument's opening times (UTC, merged, touching ranges joined across midnight)
    on every local day that ``[lo, hi)`` touches. Not clipped to ``[lo, hi)``; with no opening
    hours configured, the whole of those days."""
    tz = policy.tz
    first = lo.astimezone(tz).date()
    last = hi.astimezone(tz).date()
    if not policy.opening_hours:
        return [(local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz))]
    result: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for start, end in _day_openings(policy.timezone, policy.opening_hours, day):
            if result and start <= result[-1][1]:
                result[-1] = (result[-1][0], max(result[-1][1], end))
            else:
                result.append((start, end))
        day += timedelta(days=1)
    return result


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _next_week(day: date) -> date:
    return day + timedelta(days=7)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def quota_periods(
    policy: BookingPolicy, start: datetime, end: datetime
) -> list[tuple[str, date, datetime, datetime, int]]:
    """The quota periods ``[start, end)`` touches: (kind, first local day, UTC start, UTC end,
    quota minutes), weeks first; only kinds the policy limits."""
    tz = policy.tz
    first_day = start.astimezone(tz).date()
    result = []
    for kind, quota, begin, following in (
        ("week", policy.weekly_quota_minutes, week_start_of, _next_week),
        ("month", policy.monthly_quota_minutes, _month_start, _next_month),
    ):
        if quota is None:
            continue
        day = begin(first_day)
        while (p_start := local_midnight(day, tz)) < end:
            nxt = following(day)
            result.append((kind, day, p_start, local_midnight(nxt, tz), quota))
            day = nxt
    return result


def busy_load_window(policy: BookingPolicy, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Load live bookings with ``start_at < hi and blocked_until > lo`` for a request or a
    slot search over ``[start, end)``."""
    return start, end + timedelta(minutes=policy.buffer_minutes)


def quota_load_window(policy: BookingPolicy, start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """Load the enterprise's counted bookings with ``start_at < hi and end_at > lo``; None when
    the policy has no quota."""
    periods = quota_periods(policy, start, end)
    if not periods:
        return None
    return min(p[2] for p in periods), max(p[3] for p in periods)


@dataclass(frozen=True, slots=True)
class QuotaUsage:
    """Use of one quota period by the request's enterprise (minutes)."""

    period: str  # "week" | "month"
    first_day: date
    start: datetime
    end: datetime
    quota_minutes: int
    used_minutes: int
    requested_minutes: int

    @property
    def remaining_minutes(self) -> int:
        return max(0, self.quota_minutes - self.used_minutes)

    @property
    def exceeded(self) -> bool:
        return self.used_minutes + self.requested_minutes > self.quota_minutes


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _minutes_up(delta: timedelta) -> int:
    """Whole minutes, a started minute counting as one (quota use is never under-counted)."""
    return -int(-delta.total_seconds() // 60)


def quota_usage(request: BookingRequest, context: BookingContext) -> list[QuotaUsage]:
    """Per quota period the request touches: the enterprise's minutes already booked there
    (ignoring the moving booking and other enterprises' blocks) and the request's share."""
    if request.enterprise_id is None:
        return []
    start, end = to_utc(request.start, "start"), to_utc(request.end, "end")
    result = []
    for kind, first_day, p_start, p_end, quota in quota_periods(context.policy, start, end):
        used = timedelta(0)
        for b_start, b_end, block in context.enterprise_index.overlapping_spans(p_start, p_end):
            if block.booking_id == request.moving_booking_id and block.booking_id is not None:
                continue
            if block.enterprise_id is not None and block.enterprise_id != request.enterprise_id:
                continue
            used += min(b_end, p_end) - max(b_start, p_start)
        requested = min(end, p_end) - max(start, p_start)
        result.append(
            QuotaUsage(
                kind,
                first_day,
                p_start,
                p_end,
                quota,
                _minutes_up(used),
                _minutes_up(requested),
            )
        )
    return result


# --- the rules --------------------------------------------------------------------------------


class _Facts:
    """The request in UTC and what several rules share, computed once per ``check``."""

    __slots__ = (
        "_busy",
        "context",
        "end",
        "now",
        "policy",
        "request",
        "seconds",
        "start",
        "tz",
        "valid",
    )

    def __init__(self, request: BookingRequest, context: BookingContext, now: datetime) -> None:
        self.request = request
        self.context = context
        self.policy = context.policy
        self.tz = context.policy.tz
        self.start = to_utc(request.start, "start")
        self.end = to_utc(request.end, "end")
        self.now = to_utc(now, "now")
        self.valid = self.end > self.start
        self.seconds = (self.end - self.start).total_seconds()
        self._busy: tuple[list[BusyBlock], list[BusyBlock]] | None = None

    def local(self, value: datetime) -> str:
        """An instant as ISO 8601 in the instrument's zone, for params."""
        return value.astimezone(self.tz).isoformat()

    def busy_conflicts(self) -> tuple[list[BusyBlock], list[BusyBlock]]:
        """(blocks whose [start, end) overlaps the request, blocks that only clash through a
        buffer), each by start. One index scan serves both rules."""
        if self._busy is None:
            overlapping: list[BusyBlock] = []
            buffered: list[BusyBlock] = []
            reach = self.end + timedelta(minutes=self.policy.buffer_minutes)
            moving = self.request.moving_booking_id
            for b_start, _, block in self.context.busy_index.overlapping_spans(self.start, reach):
                if moving is not None and block.booking_id == moving:
                    continue
                if b_start < self.end and block.end > self.start:
                    overlapping.append(block)
                else:
                    buffered.append(block)
            self._busy = (overlapping, buffered)
        return self._busy


Rule = Callable[[_Facts], Violation | None]
_RULES: list[tuple[str, Rule, bool]] = []


def _rule(code: str, *, needs_interval: bool = False) -> Callable[[Rule], Rule]:
    """Register a rule; ``needs_interval`` rules are skipped when end <= start."""

    def register(fn: Rule) -> Rule:
        _RULES.append((code, fn, needs_interval))
        return fn

    return register


@_rule(IN_PAST)
def _in_past(f: _Facts) -> Violation | None:
    if f.start < f.now:
        return violation(IN_PAST, "start", start=f.local(f.start), now=f.local(f.now))
    return None


@_rule(END_BEFORE_START)
def _end_before_start(f: _Facts) -> Violation | None:
    if not f.valid:
        return violation(END_BEFORE_START, "end", start=f.local(f.start), end=f.local(f.end))
    return None


@_rule(INSTRUMENT_UNAVAILABLE)
def _instrument_unavailable(f: _Facts) -> Violation | None:
    if f.policy.status != "active":
        return violation(INSTRUMENT_UNAVAILABLE, status=f.policy.status)
    return None


@_rule(OUTSIDE_OPENING_HOURS, needs_interval=True)
def _outside_opening_hours(f: _Facts) -> Violation | None:
    if not f.policy.opening_hours:
        return None
    for start, end in open_intervals(f.policy, f.start, f.end):
        if start <= f.start and f.end <= end:
            return None
    weekday = f.start.astimezone(f.tz).weekday()
    return violation(
        OUTSIDE_OPENING_HOURS,
        "start",
        weekday=weekday,
        hours=[list(label) for label in f.policy.hours_on(weekday)],
        start=f.local(f.start),
        end=f.local(f.end),
    )


@_rule(NOT_ON_SLOT_GRID, needs_interval=True)
def _not_on_slot_grid(f: _Facts) -> Violation | None:
    """Starts and ends lie on the grid anchored at the start of the opening interval (an end may
    also be the interval's end); outside opening hours, on the grid from local midnight."""
    step = f.policy.slot_minutes
    if step <= 1:
        return None
    opening = opening_at(f.policy, f.start)
    anchor = interval_anchor(f.policy, opening[0]) if opening else local_midnight(f.start.astimezone(f.tz).date(), f.tz)
    start_ok = is_on(f.start, anchor, step)
    end_ok = is_on(f.end, anchor, step) or (opening is not None and f.end == opening[1])
    if start_ok and end_ok:
        return None
    suggested_end = ceil_from(f.end, anchor, step)
    if opening is not None:
        suggested_end = min(suggested_end, opening[1])
    return violation(
        NOT_ON_SLOT_GRID,
        "start" if not start_ok else "end",
        slot_minutes=step,
        suggested_start=f.local(floor_from(f.start, anchor, step)),
        suggested_end=f.local(suggested_end),
    )


@_rule(TOO_SHORT, needs_interval=True)
def _too_short(f: _Facts) -> Violation | None:
    if f.seconds < f.policy.min_minutes * 60:
        return violation(
            TOO_SHORT,
            "end",
            minutes=int(f.seconds // 60),
            min_minutes=f.policy.min_minutes,
        )
    return None


@_rule(TOO_LONG, needs_interval=True)
def _too_long(f: _Facts) -> Violation | None:
    if f.seconds > f.policy.max_minutes * 60:
        return violation(
            TOO_LONG,
            "end",
            minutes=int(f.seconds // 60),
            max_minutes=f.policy.max_minutes,
        )
    return None


@_rule(NOTICE_TOO_SHORT)
def _notice_too_short(f: _Facts) -> Violation | None:
    earliest = f.now + timedelta(minutes=f.policy.min_notice_minutes)
    if f.now <= f.start < earliest:
        return violation(
            NOTICE_TOO_SHORT,
            "start",
            min_notice_minutes=f.policy.min_notice_minutes,
            earliest_start=f.local(ceil_to_policy_grid(f.policy, earliest)),
        )
    return None


@_rule(TOO_FAR_AHEAD)
def _too_far_ahead(f: _Facts) -> Violation | None:
    latest = f.now + timedelta(days=f.policy.max_days_ahead)
    if f.start > latest:
        return violation(
            TOO_FAR_AHEAD,
            "start",
            max_days_ahead=f.policy.max_days_ahead,
            latest_start=f.local(floor_to_policy_grid(f.policy, latest)),
        )
    return None


@_rule(OVERLAPS_BOOKING, needs_interval=True)
def _overlaps_booking(f: _Facts) -> Violation | None:
    overlapping, _ = f.busy_conflicts()
    if not overlapping:
        return None
    first = overlapping[0]
    return violation(
        OVERLAPS_BOOKING,
        "start",
        conflict_start=f.local(first.start),
        conflict_end=f.local(first.end),
        count=len(overlapping),
    )


@_rule(INSIDE_BUFFER, needs_interval=True)
def _inside_buffer(f: _Facts) -> Violation | None:
    _, buffered = f.busy_conflicts()
    if not buffered:
        return None
    first = buffered[0]
    blocked_until: datetime = first.blocked_until  # type: ignore[assignment]
    if f.end <= first.start:  # our own buffer runs into the next booking
        buffer = f.policy.buffer_minutes
        position = {
            "position": "before",
            "latest_end": f.local(first.start - timedelta(minutes=buffer)),
        }
    else:  # we start inside the buffer kept after an earlier booking
        buffer = _minutes(blocked_until - first.end)
        position = {"position": "after", "available_from": f.local(blocked_until)}
    return violation(
        INSIDE_BUFFER,
        "start",
        conflict_start=f.local(first.start),
        conflict_end=f.local(first.end),
        buffer_minutes=buffer,
        count=len(buffered),
        **position,
    )


def _blackout_rule(code: str, kind: str) -> Rule:
    def rule(f: _Facts) -> Violation | None:
        hits = [b for b in f.context.blackout_index.overlapping(f.start, f.end) if b.kind == kind]
        if not hits:
            return None
        first = hits[0]
        return violation(
            code,
            "start",
            conflict_start=f.local(first.start),
            conflict_end=f.local(first.end),
            reason=first.reason,
            count=len(hits),
        )

    rule.__name__ = f"_{code.lower()}"
    return rule


_rule(OVERLAPS_MAINTENANCE, needs_interval=True)(_blackout_rule(OVERLAPS_MAINTENANCE, "maintenance"))
_rule(PROVIDER_CLOSED, needs_interval=True)(_blackout_rule(PROVIDER_CLOSED, "closure"))


@_rule(NOT_QUALIFIED)
def _not_qualified(f: _Facts) -> Violation | None:
    until = f.context.qualified_until
    if not f.policy.qualification_required or (until is not None and until >= f.end):
        return None
    return violation(
        NOT_QUALIFIED,
        qualified_until=f.local(until) if until is not None else None,
        end=f.local(f.end),
    )


@_rule(QUOTA_EXCEEDED, needs_interval=True)
def _quota_exceeded(f: _Facts) -> Violation | None:
    over = [u for u in quota_usage(f.request, f.context) if u.exceeded]
    if not over:
        return None
    return violation(
        QUOTA_EXCEEDED,
        periods=[
            {
                "period": u.period,
                "start": u.first_day.isoformat(),
                "quota_minutes": u.quota_minutes,
                "used_minutes": u.used_minutes,
                "requested_minutes": u.requested_minutes,
                "remaining_minutes": u.remaining_minutes,
            }
            for u in over
        ],
    )


@_rule(TOO_MANY_FUTURE_BOOKINGS)
def _too_many_future_bookings(f: _Facts) -> Violation | None:
    most = f.policy.max_future_bookings
    if most is not None and f.context.user_future_count >= most:
        return violation(
            TOO_MANY_FUTURE_BOOKINGS,
            max_future_bookings=most,
            count=f.context.user_future_count,
        )
    return None


@_rule(NOT_PERMITTED)
def _not_permitted(f: _Facts) -> Violation | None:
    return None if f.context.permitted else violation(NOT_PERMITTED)


@_rule(ENTERPRISE_NOT_VERIFIED)
def _enterprise_not_verified(f: _Facts) -> Violation | None:
    return None if f.context.enterprise_verified else violation(ENTERPRISE_NOT_VERIFIED)


#: Every code, in the order ``check`` reports them.
RULE_CODES: tuple[str, ...] = tuple(code for code, _, _ in _RULES)


def check(request: BookingRequest, context: BookingContext, now: datetime) -> list[Violation]:
    """Every rule ``request`` breaks, in the order of ``RULE_CODES`` (empty: bookable).

    Each code appears at most once. When end <= start only the rules that need no valid
    interval run besides END_BEFORE_START. Raises ValueError for naive datetimes.
    """
    facts = _Facts(request, context, now)
    found = []
    for _, rule, needs_interval in _RULES:
        if needs_interval and not facts.valid:
            continue
        result = rule(facts)
        if result is not None:
            found.append(result)
    return found
