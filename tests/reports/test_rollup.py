"""The figures' rollup (service_days, service_day_staff) is kept exact by every write path: after
many changes — through the operations, through ORM changes of any column that counts, through
bulk UPDATE / DELETE statements and the service records' staff rows — the maintained rollup
equals a rebuild from the source rows, and the figures read from it equal the figures counted
directly from the rows (the old path, kept for the groupings the rollup cannot answer)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reports.conftest import NOVEMBER, TZ


def _rollup() -> tuple[list, list, list, list, list]:
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import AreaMember, ServiceDay, ServiceDayStaff, ServiceMonth
    from bwq_lab.operations.rollup_items import ITEMS

    columns = [c for c in ServiceDay.__table__.columns if c.key != "id"]
    days = sorted(tuple(map(str, row)) for row in db.session.execute(select(*columns)))
    people = sorted(
        tuple(map(str, row))
        for row in db.session.execute(
            select(
                ServiceDayStaff.enterprise_id,
                ServiceDayStaff.provider_id,
                ServiceDayStaff.day,
                ServiceDayStaff.staff_id,
            )
        )
    )
    months, members, *items = (
        sorted(tuple(map(str, row)) for row in db.session.execute(select(*derived)))
        for derived in (
            [c for c in table.__table__.columns if c.key != "id"]
            for table in (ServiceMonth, AreaMember, *(table for table, *_ in ITEMS))
        )
    )
    return days, people, months, members, items


def assert_rollup_is_exact() -> None:
    """The maintained rollup equals a rebuild from the source rows (then left rebuilt)."""
    from bwq_lab.extensions import db
    from bwq_lab.operations.rollup import rebuild

    db.session.flush()
    kept = _rollup()
    rebuild(db.session, tz=TZ)
    assert kept == _rollup()


def test_the_hand_made_world_is_in_the_rollup(ctx, world):
    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceDay

    days, people, months, members, items = _rollup()
    assert len(days) == db.session.query(ServiceDay).count() > 0 and people and months and members
    assert all(items)  # instruments', lab services' and record kinds' months
    assert_rollup_is_exact()


def test_the_demo_history_made_through_the_operations_keeps_it_exact(ctx, tmp_path, monkeypatch):
    """The history's sessions (booked, approved, checked in and out, no-shows, cancellations),
    batches (accepted, delivered) and records go through the operations; ``seed-demo`` defers the
    rollup and rebuilds it once, here every change keeps it (``deferred`` switched off)."""
    import contextlib
    from datetime import datetime

    from sqlalchemy import select

    from bwq_lab.demo import history, seed_demo
    from bwq_lab.demo.history import seed_history
    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceRecord, Staff, User
    from bwq_lab.operations import service_records
    from tests.conftest import FIXED_NOW

    seed_demo()
    db.session.commit()
    monkeypatch.setattr(history.rollup, "deferred", lambda session, tz=None: contextlib.nullcontext())
    result = seed_history(FIXED_NOW, TZ, str(tmp_path), scale=0.12)
    monkeypatch.undo()
    db.session.commit()
    assert result.sessions and result.no_shows and result.cancelled and result.batches and result.records
    assert_rollup_is_exact()
    # a manager moves records to another day, changes their staff and enterprise, deletes one
    records = db.session.execute(select(ServiceRecord).order_by(ServiceRecord.id).limit(6)).scalars().all()
    now = datetime(2026, 11, 20, 4, tzinfo=TZ)
    for n, record in enumerate(records):
        manager = db.session.execute(
            select(User).where(User.provider_id == record.provider_id, User.manages_all.is_(True))
        ).scalar()
        staff = db.session.execute(select(Staff.id).where(Staff.provider_id == record.provider_id)).scalars().all()
        if n == 5:
            service_records.delete_record(manager, record.id, now=now)
            continue
        changes = {"day": record.day - timedelta(days=1 + n), "staff_ids": staff[n % len(staff) :][:1] or staff[:1]}
        if n % 2:
            changes["enterprise_id"] = records[0].enterprise_id
        service_records.update_record(manager, record.id, changes, now=now, tz=TZ)
        assert_rollup_is_exact()
    db.session.commit()
    assert_rollup_is_exact()


# ------------------------------------------------------------------ any change, any column
change = st.fixed_dictionaries(
    {
        "what": st.sampled_from(
            (
                "status start move enterprise fee staff use delete bulk_update bulk_delete deliver undeliver "
                "order_enterprise record_day record_provider record_staff record_staff_rows record_delete "
                "record_amounts record_kind order_service provider_moves provider_kind enterprise_category "
                "bulk_provider_moves"
            ).split()
        ),
        "n": st.integers(0, 50),
        "minutes": st.integers(-3000, 3000),
        "status": st.sampled_from(["completed", "no_show", "cancelled", "approved"]),
    }
)


def _apply(world, c) -> None:
    from sqlalchemy import delete, select, update

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, Enterprise, LabService, Provider, ServiceOrder, ServiceRecord, Staff
    from bwq_lab.models.reports import service_record_staff

    def pick(model):
        rows = db.session.execute(select(model).order_by(model.id)).scalars().all()
        return rows[c["n"] % len(rows)] if rows else None

    staff = [world.staff[s] for s in ("s1", "s2", "s3", "s4")]
    enterprises = [world.ea, world.eb, world.ec, None]
    shift = timedelta(minutes=c["minutes"])
    what = c["what"]
    places = [(world.hz, world.hz_county), (world.hz, world.hz_county2), (world.nb, world.nb_county)]
    if what == "provider_moves":  # to another city or county: the rollup's copies follow
        p = pick(Provider)
        p.city_id, p.region_id = places[c["n"] % 3]
        return
    if what == "provider_kind":
        pick(Provider).kind = ["university", "institute", "key_lab"][c["n"] % 3]
        return
    if what == "enterprise_category":
        pick(Enterprise).category = ["tech_sme", "high_tech", "incubated"][c["n"] % 3]
        return
    if what == "bulk_provider_moves":
        city_id, county_id = places[c["n"] % 3]
        db.session.execute(
            update(Provider)
            .where(Provider.id % 2 == c["n"] % 2)
            .values(city_id=city_id, region_id=county_id)
            .execution_options(synchronize_session=False)
        )
        db.session.expire_all()
        return
    if what in ("status", "start", "move", "enterprise", "fee", "staff", "use", "delete"):
        b = pick(Booking)
        if b is None:
            return
        if what == "status":
            b.status = c["status"]
        elif what == "start":
            b.start_at, b.end_at = b.start_at + shift, b.end_at + shift
            b.blocked_until = b.end_at
        elif what == "move":
            b.instrument_id = [world.i1, world.i2, world.i3, world.i4][c["n"] % 4]
        elif what == "enterprise":
            b.enterprise_id = enterprises[c["n"] % 4]
        elif what == "fee":
            b.fee_fen, b.price_tier = abs(c["minutes"]) * 10, ["internal", "external", None][c["n"] % 3]
        elif what == "staff":
            b.staff_id = (staff + [None])[c["n"] % 5]
        elif what == "use":
            b.checked_in_at, b.checked_out_at = b.start_at, b.start_at + timedelta(minutes=abs(c["minutes"]) + 1)
        else:
            db.session.delete(b)
    elif what == "bulk_update":
        db.session.execute(
            update(Booking)
            .where(Booking.id % 3 == c["n"] % 3)
            .values(status=c["status"], instrument_id=[world.i1, world.i2, world.i3, world.i4][c["n"] % 4])
            .execution_options(synchronize_session=False)
        )
        db.session.expire_all()
    elif what == "bulk_delete":
        db.session.execute(delete(Booking).where(Booking.id % 5 == c["n"] % 5))
    elif what in ("deliver", "undeliver", "order_enterprise", "order_service"):
        o = pick(ServiceOrder)
        if what == "order_service":  # the lab service's months (item rows) follow
            o.service_id = pick(LabService).id
        elif what == "deliver":
            o.first_delivered_at = (o.first_delivered_at or o.created_at) + shift
            o.samples = 1 + c["n"] % 7
        elif what == "undeliver":
            o.first_delivered_at = None
        else:
            o.enterprise_id = enterprises[c["n"] % 4]
    else:
        r = pick(ServiceRecord)
        if r is None:
            return
        if what == "record_day":
            r.day = r.day + timedelta(days=c["minutes"] // 600)
        elif what == "record_provider":
            r.provider_id = [world.p1, world.p2, world.p3, world.p4][c["n"] % 4]
        elif what == "record_staff":
            r.staff = [db.session.get(Staff, s) for s in staff[: c["n"] % 3]]
        elif what == "record_staff_rows":  # as the service records' operations do it
            db.session.execute(delete(service_record_staff).where(service_record_staff.c.record_id == r.id))
            db.session.execute(service_record_staff.insert(), [{"record_id": r.id, "staff_id": staff[c["n"] % 4]}])
            db.session.expire(r, ["staff"])
        elif what == "record_kind":
            r.kind = ["consultation", "training", "transfer"][c["n"] % 3]
        elif what == "record_amounts":
            r.agreement_signed, r.paid_fen, r.minutes = True, 500_000_000 + c["minutes"], abs(c["minutes"])
        else:
            db.session.delete(r)


def test_any_sequence_of_changes_keeps_the_rollup_exact_and_the_figures_equal(ctx, world, monkeypatch):
    from bwq_lab.extensions import db
    from bwq_lab.reports import figures
    from bwq_lab.reports.scope import PROVINCE, Scope

    areas = [PROVINCE, Scope("city", world.hz), Scope("county", world.hz_county)]
    everything = (None, "city", "county", "provider", "provider_kind", "month", "enterprise_category")
    items = ("instrument", "service", "record_kind")  # the item tables, over whole months
    # whole months (the month table), every scope and grouping; then for the areas and the
    # groupings the area table answers: from 1 January (its years), part of a month from its first
    # day (its months), and a period neither answers (the day table's keys)
    whole_months = (date(2026, 10, 1), NOVEMBER[1])
    cases = [(scope, whole_months, everything + items) for scope in areas + [Scope("provider", world.p1)]]
    cases.append((Scope("enterprise", world.ea), whole_months, everything + items))
    for period in ((date(2026, 1, 1), date(2026, 11, 20)), (NOVEMBER[0], date(2026, 11, 2))):
        cases += [(scope, period, (None, "city", "county", "month")) for scope in areas]
    cases += [(scope, (date(2026, 10, 31), NOVEMBER[1]), (None, "city", "county", "month")) for scope in areas]

    def counted(scope, group_by, direct: bool, period):
        with monkeypatch.context() as m:
            if direct:
                m.setattr(figures, "ROLLUP_GROUPINGS", frozenset())
                m.setattr(figures, "item_sums", lambda *args: None)
            return figures.summary(db.session, scope, *period, group_by=group_by, tz=TZ)

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(change, min_size=1, max_size=12))
    def check(changes):
        try:
            for c in changes:
                _apply(world, c)
                db.session.flush()
            assert_rollup_is_exact()
            for scope, period, groupings in cases:
                for group_by in groupings:
                    fast, slow = counted(scope, group_by, False, period), counted(scope, group_by, True, period)
                    assert fast.totals == slow.totals, (scope, group_by, period)
                    assert [(g.key, g.figures) for g in fast.groups] == [(g.key, g.figures) for g in slow.groups]
        finally:
            db.session.rollback()

    check()


@pytest.mark.parametrize("until", [date(2026, 11, 30), date(2026, 11, 2)])
def test_the_goals_from_the_rollup_equal_the_goals_counted_from_the_rows(ctx, world, monkeypatch, until):
    from bwq_lab.extensions import db
    from bwq_lab.reports import figures, goals
    from bwq_lab.reports.scope import PROVINCE, Scope

    for scope in (PROVINCE, Scope("city", world.nb), Scope("county", world.hz_county), Scope("enterprise", world.ea)):
        fast = goals.cumulative_by_month(db.session, scope, 2026, tz=TZ, until=until)
        monkeypatch.setattr(figures, "ROLLUP_GROUPINGS", frozenset())
        assert fast == goals.cumulative_by_month(db.session, scope, 2026, tz=TZ, until=until), scope
        monkeypatch.undo()


def test_a_provider_moved_to_another_city_takes_its_figures_along(ctx, world):
    """The rollup keeps copies of the provider's city, county and kind and of the enterprise's
    category: an edit of the provider (or the enterprise) updates them in the same transaction."""
    from bwq_lab.extensions import db
    from bwq_lab.models import Enterprise, Provider
    from bwq_lab.reports import figures
    from bwq_lab.reports.scope import PROVINCE, Scope

    def by(group_by, scope=PROVINCE):
        counted = figures.summary(db.session, scope, *NOVEMBER, group_by=group_by, tz=TZ, figures=["sessions"])
        return {g.key: g.figures["sessions"] for g in counted.groups}

    assert by("city") == {world.hz: 5, world.nb: 1}
    p1 = db.session.get(Provider, world.p1)
    p1.city_id, p1.region_id, p1.kind = world.nb, world.nb_county, "key_lab"
    db.session.get(Enterprise, world.eb).category = "incubated"
    db.session.flush()
    assert by("city") == {world.hz: 1, world.nb: 5}
    assert by("county", Scope("city", world.nb)) == {world.nb_county: 5}
    assert by("provider_kind") == {"institute": 1, "key_lab": 5}
    assert by("enterprise_category") == {"tech_sme": 4, "incubated": 1, None: 1}
    assert_rollup_is_exact()


def test_two_writers_refreshing_one_month_take_turns_and_keep_it_exact(app, world):
    """Two transactions at once changing rows of one provider's month on different days: both
    recompute the same month, area and item rows. The second waits for the first's commit (the
    advisory lock per month on PostgreSQL, the write lock on SQLite) and recomputes them from its
    rows: no duplicate key, no row counted twice."""
    import threading
    import time

    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, ServiceMonth, ServiceRecord
    from bwq_lab.operations.transactions import begin_write

    failures: list[BaseException] = []
    first_flushed = threading.Event()

    def second_writer() -> None:
        try:
            first_flushed.wait(10)
            with app.app_context():
                begin_write()
                late = db.session.execute(
                    select(Booking).where(Booking.instrument_id == world.i2, Booking.status == "completed")
                ).scalar_one()  # 30 November (p2's month)
                late.fee_fen += 1000
                db.session.flush()
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    with app.app_context():
        begin_write()
        record = db.session.execute(
            select(ServiceRecord).where(ServiceRecord.provider_id == world.p2, ServiceRecord.kind == "consultation")
            .order_by(ServiceRecord.day.desc()).limit(1)
        ).scalar_one()  # fmt: skip
        assert (record.day.year, record.day.month) == (2026, 11)
        record.minutes += 15
        db.session.flush()
        racer = threading.Thread(target=second_writer)
        racer.start()
        first_flushed.set()
        time.sleep(0.5)  # the second writer is now waiting for this transaction
        db.session.commit()
        racer.join(30)
        assert not racer.is_alive() and not failures, failures
        months = db.session.execute(
            select(ServiceMonth.session_external_fen, ServiceMonth.record_minutes).where(
                ServiceMonth.provider_id == world.p2, ServiceMonth.month == "2026-11"
            )
        ).all()
        assert months == [(50000 + 1000, 120 + 15)]  # one row, with both changes
        assert_rollup_is_exact()
        db.session.commit()


def test_the_lean_create_path_inserts_only_bookings_that_count_nothing():
    """The lean create path INSERTs a booking with a Core statement (no ORM flush): its status is
    ``initial_status``'s, pending or approved, which no figure counts; so the rollup needs nothing."""
    from itertools import product

    from bwq_lab.domain.booking_lifecycle import initial_status
    from bwq_lab.operations.rollup import COUNTED_SESSIONS

    for required, by_manager in product((True, False), repeat=2):
        policy = type("Policy", (), {"approval_required": required})()
        assert initial_status(policy, by_manager=by_manager) not in COUNTED_SESSIONS


def test_a_deferred_bulk_load_rebuilds_once_at_the_end(ctx, world):
    from sqlalchemy import select

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking
    from bwq_lab.operations import rollup

    before = _rollup()
    with rollup.deferred(db.session, tz=TZ):
        booking = db.session.execute(select(Booking).where(Booking.status == "completed").limit(1)).scalar_one()
        booking.start_at += timedelta(days=3)
        db.session.flush()
        assert _rollup() == before  # nothing kept while deferred
    assert _rollup() != before
    assert_rollup_is_exact()


def test_rebuild_rollup_command_rebuilds_from_scratch(app, world):
    from sqlalchemy import delete

    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceDay

    with app.app_context():
        before = _rollup()
        db.session.execute(delete(ServiceDay))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["bwq", "rebuild-rollup"])
    assert result.exit_code == 0, result.output
    assert "rebuilt" in result.output
    with app.app_context():
        assert _rollup() == before
