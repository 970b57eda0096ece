"""Keeping the figures' rollup (``models/rollup.py``) exact: recomputed per key, never incremented.

A *key* is ``(enterprise_id, provider_id, local day)``. :func:`refresh` deletes the rollup rows of
the keys it is given and inserts them again from the source rows (completed and no-show sessions
at the local day of their start, batches at the local day of their first delivery, service records
on their day, and the staff of each): idempotent, so a write path only has to name every key it
touched, old and new. :func:`rebuild` does the same for everything (``bwq rebuild-rollup``).

The write paths name their keys through the session, whatever they are:

- ORM changes (every operation, the jobs, the demo history): ``before_flush`` notes the *old* key
  of each changed, deleted session, batch or service record (the key columns load their old value
  when set, ``active_history``), ``after_flush`` the *new* key of each new or changed one and
  refreshes them all, inside the same transaction;
- bulk statements through the session (``session.execute(update(Booking)...)``, ``delete(...)``,
  the service records' staff rows): ``do_orm_execute`` reads the ids the statement's WHERE
  matches (the record ids it names, for the staff rows) before it runs, and refreshes their old and
  new keys after it. INSERT statements of sessions or batches (the lean booking create path, which
  runs its INSERTs on the session's connection) add pending or approved bookings and undelivered
  orders only, which count nothing (tested).
Writes that bypass the session (a raw connection, a bulk load) are followed by :func:`rebuild`;
a bulk load through the operations in one transaction (the demo history) runs inside
:func:`deferred`, which names no keys and rebuilds once at the end.

Concurrency: SQLite writers hold the database's write lock from the start of the transaction. On
PostgreSQL two transactions refreshing keys of the same local month take turns on an advisory
lock per month: the second one waits for the first's commit, and its statements (READ COMMITTED)
then see the first's rows. Per month, not per key: the month, area and item rows a key's refresh
recomputes are shared by every key of its month (a provider's month, an enterprise's month in an
area), and two refreshes deleting and inserting the same derived rows at once would both insert
them (the second's DELETE does not see the first's uncommitted rows).

The local day is the app's ``TIMEZONE``, registered per engine by the app factory
(:func:`use_zone`); the rollup must be rebuilt after changing it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, attributes

from bwq_lab.models import Booking, Enterprise, Instrument, Provider, ServiceOrder, ServiceRecord
from bwq_lab.models.reports import service_record_staff
from bwq_lab.models.rollup import SUMS as _SUMS
from bwq_lab.models.rollup import InstrumentMonth, ServiceDay, ServiceDayStaff, ServiceMonth
from bwq_lab.operations import rollup_items, rollup_months
from bwq_lab.operations.rollup_sources import COUNTED_SESSIONS, EVERYTHING, counted_rows
from bwq_lab.reports.local_time import LocalCalendar, utc_bounds

Key = tuple[int | None, int, date]  # (enterprise_id, provider_id, local day)

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
_ZONES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: advisory-lock namespace for "refreshing the rollup of one local month" (pg_advisory_xact_lock(int, int);
#: 7302 is the lab services' capacity lock)
ROLLUP_LOCK_CLASS = 7303
_ROLLUP_LOCK = select(
    func.pg_advisory_xact_lock(bindparam("lock_class", type_=Integer), bindparam("key", type_=Integer))
)


def use_zone(engine, tz: ZoneInfo) -> None:
    """The time zone of the rollup's local days on ``engine`` (the app's ``TIMEZONE``)."""
    _ZONES[engine] = tz


def zone_of(session: Session) -> ZoneInfo:
    return _ZONES.get(session.get_bind(), DEFAULT_ZONE)


# ------------------------------------------------------------------------------- the sources
def _same(column, value):
    return column.is_(None) if value is None else column == value


def _sources(dialect: str, calendar: LocalCalendar, key: Key | None):
    """The counted rows as ``(enterprise_id, provider_id, day, <the sums' columns>)`` per source,
    and their staff as ``(enterprise_id, provider_id, day, staff_id)``; only ``key``'s when given."""
    rows = counted_rows(dialect, calendar)
    sessions, batches, records = rows["sessions"], rows["batches"], rows["records"]
    if key is not None:
        enterprise_id, provider_id, day = key
        lo, hi = utc_bounds(day, day, calendar.tz)
        sessions = sessions.where(
            _same(Booking.enterprise_id, enterprise_id),
            Instrument.provider_id == provider_id,
            Booking.start_at >= lo,
            Booking.start_at < hi,
        )
        batches = batches.where(
            _same(ServiceOrder.enterprise_id, enterprise_id),
            ServiceOrder.provider_id == provider_id,
            ServiceOrder.first_delivered_at >= lo,
            ServiceOrder.first_delivered_at < hi,
        )
        records = records.where(
            _same(ServiceRecord.enterprise_id, enterprise_id),
            ServiceRecord.provider_id == provider_id,
            ServiceRecord.day == day,
        )

    def staff_of(query, staff_column):
        return query.with_only_columns(
            *(c for c in query.selected_columns if c.key in ("enterprise_id", "provider_id", "day")),
            staff_column.label("staff_id"),
        ).where(staff_column.is_not(None))

    staff = union_all(
        staff_of(sessions, Booking.staff_id).where(Booking.status == "completed"),
        staff_of(batches, ServiceOrder.staff_id),
        staff_of(records, service_record_staff.c.staff_id).join(
            service_record_staff, service_record_staff.c.record_id == ServiceRecord.id
        ),
    ).subquery("staffed")
    return union_all(sessions, batches, records).subquery("counted"), staff


_KEY = ("enterprise_id", "provider_id", "day")


#: the copies of what the figures group and scope by, from the key's provider and enterprise
_COPIES = ("month", "city_id", "county_id", "provider_kind", "enterprise_category")


def _with_copies(rows, calendar: LocalCalendar):
    """``rows`` (a subquery with the key's columns) and the copies of its provider's and
    enterprise's attributes and of its local month (``models.rollup.Grouped``)."""
    return (
        select(
            calendar.month_of_day(rows.c.day).label("month"),
            Provider.city_id,
            Provider.region_id.label("county_id"),
            Provider.kind.label("provider_kind"),
            Enterprise.category.label("enterprise_category"),
        )
        .select_from(rows)
        .join(Provider, Provider.id == rows.c.provider_id)
        .outerjoin(Enterprise, Enterprise.id == rows.c.enterprise_id)
    )


def _fill(session: Session, dialect: str, calendar: LocalCalendar, key: Key | None) -> None:
    counted, staffed = _sources(dialect, calendar, key)
    keys = [counted.c[name] for name in _KEY]
    sums = select(*keys, *(func.sum(counted.c[name]).label(name) for name in _SUMS)).group_by(*keys).subquery("sums")
    connection = session.connection()
    # in the order of their day: a year's rows are then read from consecutive pages (SQLite reads a
    # period through ix_service_days_day; the write paths append recent days at the end anyway)
    rows = _with_copies(sums, calendar).add_columns(*(sums.c[name] for name in (*_KEY, *_SUMS)))
    rows = rows.order_by(sums.c.day, sums.c.provider_id)
    connection.execute(insert(ServiceDay).from_select([*_COPIES, *_KEY, *_SUMS], rows))
    people = select(*(staffed.c[name] for name in (*_KEY, "staff_id"))).distinct().subquery("people")
    rows = _with_copies(people, calendar).add_columns(*(people.c[name] for name in (*_KEY, "staff_id")))
    rows = rows.order_by(people.c.day, people.c.provider_id)
    connection.execute(insert(ServiceDayStaff).from_select([*_COPIES, *_KEY, "staff_id"], rows))


def copy_attributes(session: Session, *, providers: Iterable[int] = (), enterprises: Iterable[int] = ()) -> None:
    """Copy the city, county and kind of ``providers`` and the category of ``enterprises`` into
    their rollup rows again (after they changed: a provider moved to another city)."""
    connection = session.connection()
    providers, enterprises = sorted(set(providers)), sorted(set(enterprises))
    for table in (ServiceDay, ServiceDayStaff, ServiceMonth, *(table for table, *_ in rollup_items.ITEMS)):
        if providers:
            of = select(Provider).where(Provider.id == table.provider_id)
            connection.execute(
                update(table)
                .where(table.provider_id.in_(providers))
                .values(
                    city_id=of.with_only_columns(Provider.city_id).scalar_subquery(),
                    county_id=of.with_only_columns(Provider.region_id).scalar_subquery(),
                    provider_kind=of.with_only_columns(Provider.kind).scalar_subquery(),
                )
            )
        if enterprises and hasattr(table, "enterprise_category"):
            category = select(Enterprise.category).where(Enterprise.id == table.enterprise_id).scalar_subquery()
            connection.execute(
                update(table).where(table.enterprise_id.in_(enterprises)).values(enterprise_category=category)
            )
    if providers:  # their enterprises and staff are now seen in other areas
        moved = rollup_months.months_of_providers(session, providers)
        rollup_months.derive(session, (), moved["members"])


def refresh(session: Session, keys: Iterable[Key], *, tz: ZoneInfo | None = None) -> int:
    """Recompute the rollup rows of ``keys`` from the source rows (flushed ones); returns how many
    keys. Idempotent: naming a key that did not change, or twice, changes nothing."""
    wanted = sorted(set(keys), key=lambda k: (k[1], k[2], -1 if k[0] is None else k[0]))
    if not wanted:
        return 0
    tz = tz or zone_of(session)
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":  # in order: two refreshes of the same months never wait on each other in a ring
        for year, month in sorted({(k[2].year, k[2].month) for k in wanted}):
            connection.execute(_ROLLUP_LOCK, {"lock_class": ROLLUP_LOCK_CLASS, "key": year * 12 + month})
    months: set[tuple[int, str]] = set()
    members: dict[str, set] = {kind: set() for kind in rollup_months.KINDS}
    for key in wanted:
        enterprise_id, provider_id, day = key
        month = f"{day.year:04d}-{day.month:02d}"
        mine = [ServiceDayStaff.provider_id == provider_id, ServiceDayStaff.day == day]
        mine.append(_same(ServiceDayStaff.enterprise_id, enterprise_id))
        staff = select(ServiceDayStaff.staff_id).where(*mine)
        members["staff"] |= {(s, month) for s in connection.execute(staff).scalars()}
        for table in (ServiceDay, ServiceDayStaff):
            connection.execute(
                delete(table).where(
                    table.provider_id == provider_id, table.day == day, _same(table.enterprise_id, enterprise_id)
                )
            )
        _fill(session, dialect, LocalCalendar(dialect, tz, day, day), key)
        members["staff"] |= {(s, month) for s in connection.execute(staff).scalars()}
        months.add((provider_id, month))
        members["provider"].add((provider_id, month))
        if enterprise_id is not None:
            members["enterprise"].add((enterprise_id, month))
    rollup_months.derive(session, months, members)
    rollup_items.derive(session, months, tz)
    return len(wanted)


def rebuild(session: Session, *, tz: ZoneInfo | None = None) -> int:
    """Empty the rollup and fill it again from every source row (after a bulk load or a change of
    time zone); returns the number of keys."""
    tz = tz or zone_of(session)
    connection = session.connection()
    dialect = connection.dialect.name
    connection.execute(delete(ServiceDayStaff))
    connection.execute(delete(ServiceDay))
    _fill(session, dialect, LocalCalendar(dialect, tz, *EVERYTHING), None)
    if _exists(connection, ServiceMonth):
        rollup_months.derive_all(session)
    if _exists(connection, InstrumentMonth):
        rollup_items.derive_all(session, tz)
    return connection.execute(select(func.count()).select_from(ServiceDay)).scalar_one()


def _exists(connection, model) -> bool:
    """Whether a derived table exists: not yet when an older migration (d2f4a6c8e0b1) fills the
    day tables with this code; the migration that made each derived table fills it
    (docs/decisions.md 76, 78)."""
    return inspect(connection).has_table(model.__tablename__)


# ------------------------------------------------------------------- naming the keys touched
#: the columns whose change changes a row's contribution (the key columns load their old value)
_TRACKED = {
    Booking: (
        "status",
        "enterprise_id",
        "instrument_id",
        "start_at",
        "end_at",
        "checked_in_at",
        "checked_out_at",
        "price_tier",
        "fee_fen",
        "staff_id",
    ),
    ServiceOrder: (
        "service_id",  # the lab service's months (rollup_items)
        "first_delivered_at",
        "enterprise_id",
        "provider_id",
        "samples",
        "price_tier",
        "fee_fen",
        "staff_id",
    ),
    ServiceRecord: (
        "day",
        "kind",  # the record kind's months (rollup_items)
        "enterprise_id",
        "provider_id",
        "minutes",
        "agreement_signed",
        "paid_fen",
        "results_count",
        "staff",
    ),
}
_KEY_COLUMNS = {
    Booking: ("status", "enterprise_id", "instrument_id", "start_at"),
    ServiceOrder: ("first_delivered_at", "enterprise_id", "provider_id"),
    ServiceRecord: ("day", "enterprise_id", "provider_id"),
}
for _model, _names in _KEY_COLUMNS.items():
    for _name in _names:
        event.listen(getattr(_model, _name), "set", lambda *a: None, active_history=True)

#: the provider's and enterprise's attributes the rollup keeps copies of (``copy_attributes``)
_COPIED = {Provider: ("city_id", "region_id", "kind"), Enterprise: ("category",)}

_PENDING = "bwq_rollup_keys"
_DEFERRED = "bwq_rollup_deferred"


@contextmanager
def deferred(session: Session, *, tz: ZoneInfo | None = None) -> Iterator[None]:
    """Name no keys while the block writes, then rebuild once: for a bulk load made through the
    operations in one transaction (the demo history), where refreshing key by key would cost more
    than the load itself. An exception leaves the rollup to the transaction's rollback."""
    session.info[_DEFERRED] = True
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_DEFERRED, None)
        session.info.pop(_PENDING, None)
    rebuild(session, tz=tz)


def _local_day(instant: datetime, tz: ZoneInfo) -> date:
    return (instant if instant.tzinfo else instant.replace(tzinfo=UTC)).astimezone(tz).date()


def _key_of(session: Session, model, values: dict, tz: ZoneInfo) -> Key | None:
    """The key a row of ``model`` with these values counts under, None when it counts nothing."""
    if model is Booking:
        if values["status"] not in COUNTED_SESSIONS or values["start_at"] is None:
            return None
        provider_id = _provider_of_instrument(session, values["instrument_id"])
        return values["enterprise_id"], provider_id, _local_day(values["start_at"], tz)
    if model is ServiceOrder:
        if values["first_delivered_at"] is None:
            return None
        return values["enterprise_id"], values["provider_id"], _local_day(values["first_delivered_at"], tz)
    if values["day"] is None or values["provider_id"] is None:
        return None
    return values["enterprise_id"], values["provider_id"], values["day"]


def _provider_of_instrument(session: Session, instrument_id: int | None) -> int | None:
    if instrument_id is None:
        return None
    cache = session.info.setdefault("bwq_rollup_instruments", {})
    if instrument_id not in cache:
        cache[instrument_id] = (
            session.connection().execute(select(Instrument.provider_id).where(Instrument.id == instrument_id)).scalar()
        )
    return cache[instrument_id]


def _values(obj, old: bool) -> dict:
    """The key columns' values now (``old=False``) or as last loaded from the database."""
    state = attributes.instance_state(obj)
    out = {}
    for name in _KEY_COLUMNS[type(obj)]:
        if old:
            history = state.attrs[name].history
            if history.deleted:
                out[name] = history.deleted[0]
                continue
        out[name] = getattr(obj, name)
    return out


def _changed(obj) -> bool:
    state = attributes.instance_state(obj)
    return any(state.attrs[name].history.has_changes() for name in _TRACKED[type(obj)])


def _tracked(objects) -> list:
    return [obj for obj in objects if type(obj) in _TRACKED]


@event.listens_for(Session, "before_flush")
def _old_keys(session: Session, _context, _instances) -> None:
    if session.info.get(_DEFERRED):
        return
    pending: set = session.info.setdefault(_PENDING, set())
    tz = zone_of(session)
    with session.no_autoflush:
        for obj in _tracked(session.deleted):
            pending.add(_key_of(session, type(obj), _values(obj, old=False), tz))
        for obj in _tracked(session.dirty):
            if attributes.instance_state(obj).key is not None and _changed(obj):
                pending.add(_key_of(session, type(obj), _values(obj, old=True), tz))


@event.listens_for(Session, "after_flush")
def _new_keys_and_refresh(session: Session, _context) -> None:
    if session.info.get(_DEFERRED):
        return
    pending: set = session.info.pop(_PENDING, set())
    tz = zone_of(session)
    for obj in _tracked(session.new):
        pending.add(_key_of(session, type(obj), _values(obj, old=False), tz))
    for obj in _tracked(session.dirty):
        if _changed(obj):
            pending.add(_key_of(session, type(obj), _values(obj, old=False), tz))
    pending.discard(None)
    refresh(session, {k for k in pending if k[1] is not None}, tz=tz)
    moved = {model: [] for model in _COPIED}
    for obj in session.dirty:
        names = _COPIED.get(type(obj))
        if names and any(attributes.instance_state(obj).attrs[n].history.has_changes() for n in names):
            moved[type(obj)].append(obj.id)
    if moved[Provider] or moved[Enterprise]:
        copy_attributes(session, providers=moved[Provider], enterprises=moved[Enterprise])


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop("bwq_rollup_instruments", None)


# ------------------------------------------------------------------------ bulk statements
_TABLES = {"bookings": Booking, "service_orders": ServiceOrder, "service_records": ServiceRecord}


def _keys_of_ids(session: Session, model, ids: set[int], tz: ZoneInfo) -> set:
    if not ids:
        return set()
    connection = session.connection()
    columns = [getattr(model, name) for name in _KEY_COLUMNS[model]]
    rows = [dict(r._mapping) for r in connection.execute(select(*columns).where(model.id.in_(ids)))]
    return {_key_of(session, model, r, tz) for r in rows}


@event.listens_for(Session, "do_orm_execute")
def _bulk(state) -> object:
    """UPDATE / DELETE of sessions, batches or service records, and any change of a record's
    staff rows, through the session: refresh the keys of the rows they touch, before and after."""
    statement = state.statement
    if not (state.is_update or state.is_delete or state.is_insert) or state.session.info.get(_DEFERRED):
        return None
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    session = state.session
    if name == "service_record_staff":
        model, ids = ServiceRecord, _staff_record_ids(session, state)
    elif name in ("providers", "enterprises") and state.is_update:
        model = Provider if name == "providers" else Enterprise
        where = statement.whereclause
        query = select(model.id) if where is None else select(model.id).where(where)
        ids = set(session.connection().execute(query).scalars())
        result = state.invoke_statement()
        if result.returns_rows:
            result = result.freeze()()
        copy_attributes(session, **{name: ids})
        return result
    elif name in _TABLES and not state.is_insert:
        model = _TABLES[name]
        where = statement.whereclause
        query = select(model.id) if where is None else select(model.id).where(where)
        ids = set(session.connection().execute(query).scalars())
    else:
        return None
    tz = zone_of(session)
    before = _keys_of_ids(session, model, ids, tz)
    result = state.invoke_statement()
    if result.returns_rows:
        result = result.freeze()()
    after = _keys_of_ids(session, model, ids, tz)
    refresh(session, {k for k in before | after if k is not None and k[1] is not None}, tz=tz)
    return result


def _staff_record_ids(session: Session, state) -> set[int]:
    if state.is_insert:
        params = state.parameters
        rows = params if isinstance(params, list) else [params or {}]
        values = getattr(state.statement, "_values", None) or {}
        found = {row.get("record_id") for row in rows}
        if "record_id" in {getattr(k, "key", k) for k in values}:
            found.add(None)  # a value in the statement itself: refresh by what the rows say after
        return {i for i in found if i is not None}
    where = state.statement.whereclause
    query = select(service_record_staff.c.record_id)
    return set(session.connection().execute(query if where is None else query.where(where)).scalars())
