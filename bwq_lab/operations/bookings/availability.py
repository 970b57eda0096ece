"""Free and busy time: an instrument's week, and the earliest slots that pass every rule
across up to thousands of instruments."""

from __future__ import annotations

import contextlib
import gc
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from bwq_lab.domain import booking_rules as rules
from bwq_lab.domain import slots as slot_finder
from bwq_lab.extensions import db
from bwq_lab.models import Instrument, Provider, User
from bwq_lab.operations.bookings.rule_inputs import (
    MAX_BUFFER,
    SEARCH_COLUMNS,
    blackouts_for,
    busy_blocks,
    load_contexts,
    policies_of,
    policy_of,
    week_inputs,
)


def availability(
    instrument: Instrument,
    viewer: User | None,
    week_start: datetime,
    now: datetime,
    *,
    tz: str = rules.DEFAULT_TIMEZONE,
    days: int = 7,
) -> tuple[list[slot_finder.DayView], dict[int, tuple[str, str]]]:
    """``days`` (default a week) of free/busy for an instrument (as the caller loaded it: the
    public view or a manager's): the viewer's own bookings in full, others' only as busy time.
    Also ``{id: (status, purpose)}`` of the viewer's own bookings shown, for their labels. The
    bookings, maintenance windows and closures come in one statement."""
    policy = policy_of(instrument, tz)
    lo, hi = week_start, week_start + timedelta(days=days)
    busy_lo, busy_hi = rules.busy_load_window(policy, lo, hi)
    viewer_id = viewer.id if viewer else None
    busy, blackouts, own = week_inputs(instrument, viewer_id, (busy_lo - MAX_BUFFER, busy_hi), (lo, hi))
    context = rules.BookingContext(policy=policy, busy=tuple(busy), blackouts=tuple(blackouts))
    return slot_finder.week_view(context, week_start, now, user_id=viewer_id, days=days), own


@contextlib.contextmanager
def _gc_paused():
    """A search over thousands of instruments allocates tens of thousands of short-lived
    objects; the cyclic garbage collector would scan them again and again (measured: ~40% of a
    2,000-instrument search). It is paused for the search and runs normally afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def find_slots(
    actor: User,
    now: datetime,
    *,
    duration_minutes: int,
    window_start: datetime,
    window_end: datetime,
    instrument_id: int | None = None,
    category: str | None = None,
    city_id: int | None = None,
    capability: str | None = None,
    limit: int = 20,
    max_instruments: int = 2000,
    tz: str = rules.DEFAULT_TIMEZONE,
) -> list[tuple[Instrument, datetime, datetime]]:
    """The earliest free slots that pass every rule for this user, on one instrument or across
    the instruments matching a category / capability / city filter. Loads everything in a few
    set-based queries (no per-instrument queries): the candidates as rows of the columns the
    rules read, and only the instruments offered as models, with their providers."""
    query = select(*SEARCH_COLUMNS).where(Instrument.status == "active")
    if instrument_id is not None:
        query = query.where(Instrument.id == instrument_id)
    if category:
        query = query.where(Instrument.category == category)
    if city_id is not None:
        query = query.join(Provider, Provider.id == Instrument.provider_id).where(Provider.city_id == city_id)
    if capability:
        needle = f"%{capability.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Instrument.capabilities).like(needle),
                func.lower(Instrument.name).like(needle),
                func.lower(Instrument.name_en).like(needle),
            )
        )
    with _gc_paused():
        # what the search read and built is freed when _earliest returns, before the collector
        # runs again (kept alive past that, it made the next collection a full one)
        found = _earliest(
            query.order_by(Instrument.id).limit(max_instruments),
            actor,
            now,
            duration_minutes=duration_minutes,
            window_start=window_start,
            window_end=window_end,
            limit=limit,
            tz=tz,
        )
    if not found:
        return []
    offered = db.session.execute(
        select(Instrument)
        .where(Instrument.id.in_({iid for iid, _, _ in found}))
        .options(joinedload(Instrument.provider))
    ).scalars()
    by_id = {i.id: i for i in offered}
    return [(by_id[iid], s, e) for iid, s, e in found]


def _earliest(
    candidates_query: Select,
    actor: User,
    now: datetime,
    *,
    duration_minutes: int,
    window_start: datetime,
    window_end: datetime,
    limit: int,
    tz: str,
) -> list[tuple[int, datetime, datetime]]:
    """The search itself, by instrument id: rule inputs loaded for every candidate, each
    candidate's context built only if the search reaches it."""
    # Core execution on the session's connection: plain rows, no ORM loading machinery
    candidates = db.session.connection().execute(candidates_query).all()
    if not candidates:
        return []
    policies = policies_of(candidates, tz)
    contexts = load_contexts(
        candidates,
        actor,
        now,
        busy_window=(window_start, window_end + MAX_BUFFER),
        blackout_window=(window_start, window_end),
        quota_window=(window_start - timedelta(days=31), window_end + timedelta(days=31)),
        policies=policies,
        tz=tz,
    )
    return slot_finder.find_slots_many(
        contexts,
        user_id=actor.id,
        enterprise_id=actor.enterprise_id,
        duration_minutes=duration_minutes,
        window_start=window_start,
        window_end=window_end,
        now=now,
        limit=limit,
        policies=policies,
    )


def next_free_starts(
    instruments: list[Instrument], now: datetime, *, tz: str = rules.DEFAULT_TIMEZONE, days: int = 14
) -> dict[int, datetime]:
    """For search results: each instrument's earliest bookable start in the next ``days`` for a
    booking of its shortest length, as anyone may see it (busy time, maintenance, closures,
    hours, notice; not a viewer's qualification or quota). Three set-based queries in all."""
    active = [i for i in instruments if i.status == "active"]
    if not active:
        return {}
    lo, hi = now, now + timedelta(days=days)
    ids = [i.id for i in active]
    busy = busy_blocks(ids, lo - MAX_BUFFER, hi + MAX_BUFFER)
    blackouts = blackouts_for(active, lo, hi)
    found: dict[int, datetime] = {}
    with _gc_paused():
        for instrument in active:
            policy = policy_of(instrument, tz)
            policy = replace(policy, qualification_required=False, max_future_bookings=None)
            grid = policy.grid_minutes
            duration = max(policy.min_minutes, grid)
            duration = -(-duration // grid) * grid if grid > 1 else duration
            context = rules.BookingContext(
                policy=policy, busy=tuple(busy[instrument.id]), blackouts=tuple(blackouts[instrument.id])
            )
            slots = slot_finder.find_slots(
                context,
                user_id=0,
                enterprise_id=None,
                duration_minutes=duration,
                window_start=lo,
                window_end=hi,
                now=now,
                limit=1,
            )
            if slots:
                found[instrument.id] = slots[0][0]
    return found
