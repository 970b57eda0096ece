"""What the booking rules need, loaded in few set-based queries: the policy, busy blocks,
blackouts, qualifications, quota usage. One loader (:func:`load_contexts`) serves booking
creation, moves, approval and the slot search alike."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import Integer, Row, String, Text, bindparam, case, cast, func, literal, null, select, union_all

from bwq_lab.domain import booking_rules as rules
from bwq_lab.extensions import db
from bwq_lab.models import Booking, Instrument, MaintenanceWindow, ProviderClosure, Qualification, User
from bwq_lab.models.base import instant_from_db, raw_instant
from bwq_lab.models.booking import IS_LIVE, LIVE
from bwq_lab.models.prepared import Prepared

#: No booking is ever longer than this (a hard cap whatever the policy says), so the overlap
#: probe can bound its index range scan: latency never grows with an instrument's history.
MAX_SPAN = timedelta(days=31)


MAX_BUFFER = timedelta(days=1)

#: the instrument's columns the rules read (``policy_of``) and that lists of offers show
POLICY_COLUMNS = (
    "id",
    "provider_id",
    "name",
    "name_en",
    "status",
    "opening_hours",
    "slot_minutes",
    "slot_anchor",
    "min_minutes",
    "max_minutes",
    "buffer_minutes",
    "min_notice_minutes",
    "max_days_ahead",
    "approval_required",
    "qualification_required",
    "weekly_quota_minutes",
    "monthly_quota_minutes",
    "max_future_bookings",
)


def policy_of(instrument: Instrument | Row | SimpleNamespace, tz: str = rules.DEFAULT_TIMEZONE) -> rules.BookingPolicy:
    """The instrument's booking rules as a domain value; ``tz`` is the zone its hours are local to."""
    return rules.BookingPolicy(
        timezone=tz,
        status=instrument.status,
        opening_hours=_opening_ranges(tuple(tuple(r) for r in instrument.opening_hours or ())),
        slot_minutes=instrument.slot_minutes,
        slot_anchor=_hhmm(instrument.slot_anchor) if instrument.slot_anchor else None,
        min_minutes=instrument.min_minutes,
        max_minutes=min(instrument.max_minutes, int(MAX_SPAN.total_seconds() // 60)),
        buffer_minutes=min(instrument.buffer_minutes, int(MAX_BUFFER.total_seconds() // 60)),
        min_notice_minutes=instrument.min_notice_minutes,
        max_days_ahead=instrument.max_days_ahead,
        approval_required=instrument.approval_required,
        qualification_required=instrument.qualification_required,
        weekly_quota_minutes=instrument.weekly_quota_minutes,
        monthly_quota_minutes=instrument.monthly_quota_minutes,
        max_future_bookings=instrument.max_future_bookings,
    )


#: POLICY_COLUMNS as a slot search selects them for thousands of candidates: the opening hours as
#: their stored JSON text, decoded once per distinct value by :func:`policies_of`
SEARCH_COLUMNS = tuple(
    cast(Instrument.opening_hours, Text).label(name) if name == "opening_hours" else getattr(Instrument, name)
    for name in POLICY_COLUMNS
)
_RULES_FROM = POLICY_COLUMNS.index("status")  # the columns before it name the instrument


def policies_of(rows: Iterable[Row], tz: str = rules.DEFAULT_TIMEZONE) -> dict[int, rules.BookingPolicy]:
    """:func:`policy_of` for rows of SEARCH_COLUMNS, by instrument id: instruments whose rule
    columns are the same share one policy value, built once (most share a handful)."""
    built: dict[tuple, rules.BookingPolicy] = {}
    out: dict[int, rules.BookingPolicy] = {}
    for row in rows:
        key = tuple(row[_RULES_FROM:])
        policy = built.get(key)
        if policy is None:
            columns = row._asdict()
            columns["opening_hours"] = json.loads(columns["opening_hours"] or "null")
            policy = built[key] = policy_of(SimpleNamespace(**columns), tz)
        out[row.id] = policy
    return out


@functools.lru_cache(maxsize=4096)
def _opening_ranges(stored: tuple[tuple, ...]) -> tuple[rules.OpeningRange, ...]:
    """Stored ``[[weekday, "HH:MM", "HH:MM"], ...]`` as domain values; most instruments share a
    handful of weekly patterns, so this is cached."""
    return tuple(rules.OpeningRange(int(weekday), _hhmm(start), _hhmm(end)) for weekday, start, end in stored)


def _hhmm(value: str) -> time:
    if value in ("24:00", "24:00:00"):
        return time(23, 59, 59, 999999)
    hours, minutes = value.split(":")[:2]
    return time(int(hours), int(minutes))


# Statements built once (hot path): building and cache-keying a select costs more than running it.
# The instants are read raw and converted only for the instruments whose rules are looked at (a
# search over thousands of instruments looks at a few dozen of them).
_BUSY = (
    select(
        Booking.id,
        Booking.instrument_id,
        raw_instant(Booking.start_at),
        raw_instant(Booking.end_at),
        raw_instant(Booking.blocked_until),
        Booking.user_id,
        Booking.enterprise_id,
    )
    .where(
        Booking.instrument_id.in_(bindparam("ids", expanding=True)),
        Booking.start_at >= bindparam("floor"),
        Booking.start_at < bindparam("hi"),
        Booking.blocked_until > bindparam("lo"),
        IS_LIVE,
    )
    .order_by(Booking.instrument_id, Booking.start_at)
)


_BUSY_ALL = select(*_BUSY.selected_columns).where(
    Booking.start_at >= bindparam("floor"),
    Booking.start_at < bindparam("hi"),
    Booking.blocked_until > bindparam("lo"),
    IS_LIVE,
)


#: above this many instruments, queries scan by time and filter the instruments in Python
#: instead of sending a long IN list
MANY = 50


def busy_blocks(instrument_ids: Iterable[int], lo: datetime, hi: datetime) -> dict[int, list[rules.BusyBlock]]:
    """Live bookings whose ``[start_at, blocked_until)`` meets ``[lo, hi)``, per instrument."""
    return {iid: _blocks(rows) for iid, rows in _busy_rows(instrument_ids, lo, hi).items()}


def _busy_rows(instrument_ids: Iterable[int], lo: datetime, hi: datetime) -> dict[int, list[Row]]:
    """The rows of :func:`busy_blocks` as read (instants raw), per instrument: ``_blocks`` makes
    them domain values when an instrument's rules are looked at.

    The lower bound on ``start_at`` (no booking is longer than MAX_SPAN) keeps the index range
    scan on (instrument_id, start_at) short however long the instrument's history is."""
    ids = list(instrument_ids)
    params = {"floor": lo - MAX_SPAN - MAX_BUFFER, "hi": hi, "lo": lo}
    # Core execution on the session's connection: these are plain rows, and the ORM's row
    # machinery costs more than the query for a search over thousands of instruments
    connection = db.session.connection()
    if len(ids) <= MANY:
        rows = connection.execute(_BUSY, {"ids": ids, **params}).all()
    else:  # a slot search across many instruments: one range scan on (status, start_at), filtered here
        rows = connection.execute(_BUSY_ALL, params).all()
    out: dict[int, list[Row]] = {i: [] for i in ids}
    for row in rows:
        of_instrument = out.get(row[1])
        if of_instrument is not None:
            of_instrument.append(row)
    return out


def _blocks(rows: list[Row]) -> list[rules.BusyBlock]:
    instant = instant_from_db
    return [rules.BusyBlock(bid, instant(s), instant(e), instant(b), uid, eid) for bid, _, s, e, b, uid, eid in rows]


_MAINTENANCE = select(
    MaintenanceWindow.instrument_id, MaintenanceWindow.start_at, MaintenanceWindow.end_at, MaintenanceWindow.reason
).where(
    MaintenanceWindow.instrument_id.in_(bindparam("ids", expanding=True)),
    MaintenanceWindow.start_at < bindparam("hi"),
    MaintenanceWindow.end_at > bindparam("lo"),
)


_CLOSURES = select(
    ProviderClosure.provider_id, ProviderClosure.start_at, ProviderClosure.end_at, ProviderClosure.reason
).where(
    ProviderClosure.provider_id.in_(bindparam("ids", expanding=True)),
    ProviderClosure.start_at < bindparam("hi"),
    ProviderClosure.end_at > bindparam("lo"),
)


_MAINTENANCE_ALL = select(*_MAINTENANCE.selected_columns).where(
    MaintenanceWindow.start_at < bindparam("hi"), MaintenanceWindow.end_at > bindparam("lo")
)


_CLOSURES_ALL = select(*_CLOSURES.selected_columns).where(
    ProviderClosure.start_at < bindparam("hi"), ProviderClosure.end_at > bindparam("lo")
)


#: the maintenance windows of the instruments ``ids`` and the closures of the providers
#: ``provider_ids`` meeting ``[lo, hi)``
_MAINTENANCE_OF_FEW = (
    MaintenanceWindow.instrument_id.in_(bindparam("ids", expanding=True)),
    MaintenanceWindow.start_at < bindparam("hi"),
    MaintenanceWindow.end_at > bindparam("lo"),
)
_CLOSURES_OF_FEW = (
    ProviderClosure.provider_id.in_(bindparam("provider_ids", expanding=True)),
    ProviderClosure.start_at < bindparam("hi"),
    ProviderClosure.end_at > bindparam("lo"),
)

#: a few instruments (a booking, a move, one instrument's week): their maintenance windows and
#: their providers' closures in ONE statement (one round trip instead of two on the hot path)
_BLACKOUTS_FEW = union_all(
    select(
        literal("maintenance", String).label("kind"),
        MaintenanceWindow.instrument_id.label("owner"),
        MaintenanceWindow.start_at,
        MaintenanceWindow.end_at,
        MaintenanceWindow.reason,
    ).where(*_MAINTENANCE_OF_FEW),
    select(
        literal("closure", String),
        ProviderClosure.provider_id,
        ProviderClosure.start_at,
        ProviderClosure.end_at,
        ProviderClosure.reason,
    ).where(*_CLOSURES_OF_FEW),
)


def _busy_and_blackouts_of(instrument_is: Callable, provider_is: Callable, *, labels_of: Callable | None = None):
    """A few instruments' live bookings, maintenance windows and their providers' closures in
    ONE statement (the create path's one read under the write lock); the columns a kind does not
    have are NULL. ``instrument_is(column)`` / ``provider_is(column)`` say which ones. With
    ``labels_of(user_id_column)`` (whose bookings these are), two more columns: the status and
    purpose of those bookings (NULL for anyone else's, so no one else's purpose is read)."""
    labelled = labels_of is not None
    owned = labels_of(Booking.user_id) if labelled else None
    labels = (case((owned, Booking.status)).label("status"), case((owned, Booking.purpose)).label("purpose"))
    no_labels = (null(), null()) if labelled else ()
    return union_all(
        select(
            literal("busy", String).label("kind"),
            Booking.id,
            Booking.instrument_id.label("owner"),
            Booking.start_at,
            Booking.end_at,
            Booking.blocked_until,
            Booking.user_id,
            Booking.enterprise_id,
            cast(null(), String).label("reason"),
            *(labels if labelled else ()),
        ).where(
            instrument_is(Booking.instrument_id),
            Booking.start_at >= bindparam("floor"),
            Booking.start_at < bindparam("busy_hi"),
            Booking.blocked_until > bindparam("busy_lo"),
            IS_LIVE,
        ),
        select(
            literal("maintenance", String),
            null(),
            MaintenanceWindow.instrument_id,
            MaintenanceWindow.start_at,
            MaintenanceWindow.end_at,
            null(),
            null(),
            null(),
            MaintenanceWindow.reason,
            *no_labels,
        ).where(
            instrument_is(MaintenanceWindow.instrument_id),
            MaintenanceWindow.start_at < bindparam("hi"),
            MaintenanceWindow.end_at > bindparam("lo"),
        ),
        select(
            literal("closure", String),
            null(),
            ProviderClosure.provider_id,
            ProviderClosure.start_at,
            ProviderClosure.end_at,
            null(),
            null(),
            null(),
            ProviderClosure.reason,
            *no_labels,
        ).where(
            provider_is(ProviderClosure.provider_id),
            ProviderClosure.start_at < bindparam("hi"),
            ProviderClosure.end_at > bindparam("lo"),
        ),
    )


#: a few instruments (a move, an approval, a week): ``ids`` and ``provider_ids``, expanding lists
_BUSY_AND_BLACKOUTS_FEW = _busy_and_blackouts_of(
    lambda column: column.in_(bindparam("ids", expanding=True)),
    lambda column: column.in_(bindparam("provider_ids", expanding=True)),
)
#: one instrument (a booking): ``id`` and ``provider_id``, plain binds (an expanding list is
#: rewritten into the SQL on every execution: a third of this statement's cost); a ``Prepared``
#: statement (compiled once, run on the DB-API cursor: a booking's hot path)
_BUSY_AND_BLACKOUTS_ONE = Prepared(
    _busy_and_blackouts_of(
        lambda column: column == bindparam("id", type_=Integer),
        lambda column: column == bindparam("provider_id", type_=Integer),
    )
)


#: one instrument's week (its pages and its availability JSON): as _BUSY_AND_BLACKOUTS_ONE, with
#: the status and purpose of the bookings of ``viewer_id`` (NULL: no viewer)
_WEEK_OF_ONE = _busy_and_blackouts_of(
    lambda column: column == bindparam("id", type_=Integer),
    lambda column: column == bindparam("provider_id", type_=Integer),
    labels_of=lambda column: column == bindparam("viewer_id", type_=Integer),
)


def week_inputs(
    instrument: Instrument,
    viewer_id: int | None,
    busy_window: tuple[datetime, datetime],
    blackout_window: tuple[datetime, datetime],
) -> tuple[list[rules.BusyBlock], list[rules.Blackout], dict[int, tuple[str, str]]]:
    """One instrument's live bookings over ``busy_window`` (in time order), its maintenance
    windows and its provider's closures over ``blackout_window``, and ``{id: (status, purpose)}``
    of the viewer's own bookings among them: one statement (was three)."""
    lo, hi = busy_window
    params = {
        "id": instrument.id,
        "provider_id": instrument.provider_id,
        "viewer_id": viewer_id,
        "floor": lo - MAX_SPAN - MAX_BUFFER,
        "busy_lo": lo,
        "busy_hi": hi,
        "lo": blackout_window[0],
        "hi": blackout_window[1],
    }
    busy, maintenance, closures, own = [], [], [], {}
    for kind, bid, _, start, end, blocked, uid, eid, reason, status, purpose in db.session.connection().execute(
        _WEEK_OF_ONE, params
    ):
        if kind == "busy":
            busy.append(rules.BusyBlock(bid, start, end, blocked, uid, eid))
            if status is not None:
                own[bid] = (status, purpose)
        elif kind == "maintenance":
            maintenance.append(rules.Blackout(start, end, reason, "maintenance"))
        else:
            closures.append(rules.Blackout(start, end, reason, "closure"))
    busy.sort(key=lambda b: b.start)
    return busy, maintenance + closures, own


def busy_and_blackouts(
    instruments: Sequence[Instrument | Row],
    busy_window: tuple[datetime, datetime],
    blackout_window: tuple[datetime, datetime],
) -> tuple[dict[int, list[tuple]], dict[int, list[rules.Blackout]]]:
    """:func:`_busy_rows` and :func:`blackouts_for` of a few instruments (at most ``MANY``, of
    at most ``MANY`` providers) in one round trip."""
    busy: dict[int, list[tuple]] = {i.id: [] for i in instruments}
    blackouts: dict[int, list[rules.Blackout]] = {i.id: [] for i in instruments}
    by_provider: dict[int, list[rules.Blackout]] = {}
    lo, hi = busy_window
    params = {
        "floor": lo - MAX_SPAN - MAX_BUFFER,
        "busy_lo": lo,
        "busy_hi": hi,
        "lo": blackout_window[0],
        "hi": blackout_window[1],
    }
    if len(instruments) == 1:
        params.update(id=instruments[0].id, provider_id=instruments[0].provider_id)
        rows = _BUSY_AND_BLACKOUTS_ONE.rows(db.session.connection(), params)
    else:
        params.update(ids=list(busy), provider_ids=list({i.provider_id for i in instruments}))
        rows = db.session.connection().execute(_BUSY_AND_BLACKOUTS_FEW, params)
    for kind, bid, owner, start, end, blocked, uid, eid, reason in rows:
        if kind == "busy":  # as _busy_rows reads them (``_blocks`` makes them domain values)
            busy[owner].append((bid, owner, start, end, blocked, uid, eid))
        elif kind == "maintenance":
            blackouts[owner].append(rules.Blackout(start, end, reason, "maintenance"))
        else:
            by_provider.setdefault(owner, []).append(rules.Blackout(start, end, reason, "closure"))
    for blocks in busy.values():
        blocks.sort(key=lambda b: b[2])  # as _busy_rows orders them
    if by_provider:
        for instrument in instruments:
            blackouts[instrument.id].extend(by_provider.get(instrument.provider_id, ()))
    return busy, blackouts


def blackouts_for(instruments: list[Instrument], lo: datetime, hi: datetime) -> dict[int, list[rules.Blackout]]:
    """Maintenance windows of the instruments and closures of their providers meeting ``[lo, hi)``."""
    ids = [i.id for i in instruments]
    out: dict[int, list[rules.Blackout]] = {i: [] for i in ids}
    window = {"lo": lo, "hi": hi}
    by_provider: dict[int, list[rules.Blackout]] = {}
    provider_ids = list({i.provider_id for i in instruments})
    if len(ids) <= MANY and len(provider_ids) <= MANY:
        params = {"ids": ids, "provider_ids": provider_ids, **window}
        for kind, owner, start, end, reason in db.session.connection().execute(_BLACKOUTS_FEW, params):
            if kind == "maintenance":
                if owner in out:
                    out[owner].append(rules.Blackout(start, end, reason, "maintenance"))
            else:
                by_provider.setdefault(owner, []).append(rules.Blackout(start, end, reason, "closure"))
    else:
        many = len(ids) > MANY
        maintenance = _MAINTENANCE_ALL if many else _MAINTENANCE
        for iid, start, end, reason in db.session.execute(maintenance, window if many else {"ids": ids, **window}):
            if iid in out:
                out[iid].append(rules.Blackout(start, end, reason, "maintenance"))
        closures = _CLOSURES_ALL if len(provider_ids) > MANY else _CLOSURES
        closure_params = window if len(provider_ids) > MANY else {"ids": provider_ids, **window}
        for pid, start, end, reason in db.session.execute(closures, closure_params):
            by_provider.setdefault(pid, []).append(rules.Blackout(start, end, reason, "closure"))
    if by_provider:
        for instrument in instruments:
            out[instrument.id].extend(by_provider.get(instrument.provider_id, ()))
    return out


def qualified_until(user: User, instrument_ids: list[int], now: datetime) -> dict[int, datetime | None]:
    far = now + timedelta(days=365 * 100)
    out: dict[int, datetime | None] = {}
    for iid, expires in db.session.execute(
        select(Qualification.instrument_id, Qualification.expires_at).where(
            Qualification.user_id == user.id,
            Qualification.instrument_id.in_(instrument_ids),
            Qualification.revoked_at.is_(None),
        )
    ):
        value = expires or far
        if out.get(iid) is None or value > out[iid]:
            out[iid] = value
    return out


def may_book(actor: User, instrument: Instrument) -> bool:
    """Who may book: active members of an enterprise, and the instrument's own managers."""
    return actor.is_active_member or actor.manages_instrument(instrument)


def build_context(
    instrument: Instrument,
    actor: User,
    lo: datetime,
    hi: datetime,
    now: datetime,
    *,
    moving_booking_id: int | None = None,
    policy: rules.BookingPolicy | None = None,
) -> rules.BookingContext:
    """Everything the rules need for a request over ``[lo, hi)`` on one instrument."""
    policy = policy or policy_of(instrument)
    return load_contexts(
        [instrument],
        actor,
        now,
        busy_window=rules.busy_load_window(policy, lo, hi),
        blackout_window=(lo, hi),
        quota_window=rules.quota_load_window(policy, lo, hi),
        moving_booking_id=moving_booking_id,
        policies={instrument.id: policy},
    )[instrument.id]


def load_contexts(
    instruments: Sequence[Instrument | Row],
    actor: User,
    now: datetime,
    *,
    busy_window: tuple[datetime, datetime],
    blackout_window: tuple[datetime, datetime],
    quota_window: tuple[datetime, datetime] | None,
    moving_booking_id: int | None = None,
    policies: dict[int, rules.BookingPolicy] | None = None,
    tz: str = rules.DEFAULT_TIMEZONE,
) -> Contexts:
    """The one loader of rule inputs, for one instrument (a booking, a move, an approval) or
    thousands (a slot search): a few set-based queries whatever the count, never one per
    instrument. Each kind of input is loaded only when some policy needs it. ``instruments``
    are models or rows of their POLICY_COLUMNS; each one's context is built on first lookup."""
    ids = [i.id for i in instruments]
    policies = policies or {i.id: policy_of(i, tz) for i in instruments}
    if len(ids) <= MANY and len({i.provider_id for i in instruments}) <= MANY:
        busy, blackouts = busy_and_blackouts(instruments, busy_window, blackout_window)
    else:
        busy = _busy_rows(ids, *busy_window)
        blackouts = blackouts_for(instruments, *blackout_window)
    qualified: dict[int, datetime | None] = {}
    if any(p.qualification_required for p in policies.values()):
        qualified = qualified_until(actor, ids, now)
    enterprise: dict[int, list[rules.BusyBlock]] = {}
    if quota_window is not None and actor.enterprise_id is not None:
        if any(p.weekly_quota_minutes or p.monthly_quota_minutes for p in policies.values()):
            enterprise = _enterprise_bookings(ids, actor.enterprise_id, *quota_window)
    verified = enterprise_verified(actor)
    future: dict[int, int] = {}
    if any(p.max_future_bookings is not None for p in policies.values()):
        future = _future_counts(ids, actor.id, now, moving_booking_id)

    def context(i: Instrument | Row) -> rules.BookingContext:
        return rules.BookingContext(
            policy=policies[i.id],
            busy=tuple(_blocks(busy[i.id])),
            blackouts=tuple(blackouts[i.id]),
            qualified_until=qualified.get(i.id),
            permitted=may_book(actor, i),
            enterprise_bookings=tuple(enterprise.get(i.id, ())),
            user_future_count=future.get(i.id, 0),
            enterprise_verified=verified or actor.manages_instrument(i),
        )

    return Contexts({i.id: i for i in instruments}, context)


class Contexts(Mapping[int, rules.BookingContext]):
    """The rule inputs of each instrument, its context built when first looked up: a slot
    search over thousands of instruments looks at a few dozen (``find_slots_many``)."""

    __slots__ = ("_build", "_built", "_instruments")

    def __init__(self, instruments: dict, build: Callable[..., rules.BookingContext]) -> None:
        self._instruments = instruments
        self._build = build
        self._built: dict[int, rules.BookingContext] = {}

    def __getitem__(self, instrument_id: int) -> rules.BookingContext:
        context = self._built.get(instrument_id)
        if context is None:
            context = self._built[instrument_id] = self._build(self._instruments[instrument_id])
        return context

    def __contains__(self, instrument_id: object) -> bool:
        return instrument_id in self._instruments

    def __iter__(self) -> Iterator[int]:
        return iter(self._instruments)

    def __len__(self) -> int:
        return len(self._instruments)


def enterprise_verified(actor: User) -> bool:
    """False only for a member of an enterprise its city has not verified yet, in a city that
    verifies new enterprises before they book. Read with the user when its loader did (the API's
    token lookup, ``operations.tokens``)."""
    if actor.enterprise_verified_as_loaded is not None:
        return actor.enterprise_verified_as_loaded
    enterprise = actor.enterprise if actor.enterprise_id is not None else None
    if enterprise is None or enterprise.verified_at is not None:
        return True
    return not enterprise.city.verify_enterprises


def _enterprise_bookings(
    instrument_ids: list[int], enterprise_id: int, lo: datetime, hi: datetime
) -> dict[int, list[rules.BusyBlock]]:
    """The enterprise's bookings that count against its quotas (live or completed) meeting ``[lo, hi)``."""
    out: dict[int, list[rules.BusyBlock]] = {}
    for bid, iid, s, e, b, uid in db.session.execute(
        select(
            Booking.id,
            Booking.instrument_id,
            Booking.start_at,
            Booking.end_at,
            Booking.blocked_until,
            Booking.user_id,
        ).where(
            Booking.instrument_id.in_(instrument_ids),
            Booking.enterprise_id == enterprise_id,
            Booking.status.in_((*LIVE, "completed")),
            Booking.start_at >= lo - MAX_SPAN,
            Booking.start_at < hi,
            Booking.end_at > lo,
        )
    ):
        out.setdefault(iid, []).append(rules.BusyBlock(bid, s, e, b, uid, enterprise_id))
    return out


def _future_counts(
    instrument_ids: list[int], user_id: int, now: datetime, moving_booking_id: int | None
) -> dict[int, int]:
    """The user's upcoming live bookings per instrument (the one being moved not counted)."""
    query = (
        select(Booking.instrument_id, func.count(Booking.id))
        .where(
            Booking.instrument_id.in_(instrument_ids),
            Booking.user_id == user_id,
            IS_LIVE,
            Booking.end_at > now,
        )
        .group_by(Booking.instrument_id)
    )
    if moving_booking_id is not None:
        query = query.where(Booking.id != moving_booking_id)
    return dict(db.session.execute(query).tuples().all())
