"""``models.prepared.Prepared`` (issue 14): a hot statement run on the DB-API cursor reads and
writes every value exactly as ``Connection.execute`` does, refuses what it cannot do, and turns a
driver error into SQLAlchemy's (the create path's 409 depends on it). On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from bwq_lab.extensions import db
from bwq_lab.models import Booking, Instrument, OutboxMessage
from bwq_lab.models.prepared import Prepared

BOOKINGS = Booking.__table__


def _row(instrument, user, start: datetime, **overrides) -> dict:
    from bwq_lab.models.base import scalar_defaults

    row = {
        **scalar_defaults(BOOKINGS),
        "instrument_id": instrument.id,
        "user_id": user.id,
        "enterprise_id": user.enterprise_id,
        "status": "approved",
        "start_at": start,
        "end_at": start + timedelta(hours=1),
        "blocked_until": start + timedelta(hours=1, minutes=15),
        "purpose": "XRD 物相",
        "overridden_codes": ["TOO_SHORT"],
        "created_at": datetime(2027, 2, 1, 8, 0, 0, 7, tzinfo=UTC),
        "updated_at": datetime(2027, 2, 1, 8, 0, 0, 7, tzinfo=UTC),
    }
    return {**row, **overrides}


def test_select_reads_values_as_connection_execute_does(ctx, create_instrument):
    create_instrument(opening_hours=[[0, "08:00", "12:00"]], approval_required=True)
    statement = select(
        Instrument.id, Instrument.opening_hours, Instrument.approval_required, Instrument.status, Instrument.name
    ).where(Instrument.id > bindparam("after"))
    connection = db.session.connection()
    expected = [tuple(r) for r in connection.execute(statement, {"after": 0})]
    got = Prepared(statement).rows(connection, {"after": 0})
    assert got == expected and len(got) == 1
    assert got[0][1] == [[0, "08:00", "12:00"]] and got[0][2] is True  # JSON parsed, a bool (not 1)
    assert Prepared(statement).first(connection, {"after": got[0][0]}) is None


def test_insert_stores_what_a_core_insert_stores(ctx, create_instrument, create_user):
    instrument, user = create_instrument(), create_user("enterprise")
    start = datetime(2027, 3, 1, 1, 30, 0, 250, tzinfo=UTC)
    core_id = (
        db.session.connection()
        .execute(insert(BOOKINGS).returning(BOOKINGS.c.id), _row(instrument, user, start))
        .scalar_one()
    )
    prepared = Prepared(insert(BOOKINGS).returning(BOOKINGS.c.id), keys=[c.key for c in BOOKINGS.c if c.key != "id"])
    ((prepared_id,),) = prepared.rows(db.session.connection(), _row(instrument, user, start + timedelta(hours=2)))
    db.session.commit()
    columns = [c for c in BOOKINGS.c if c.key not in ("id", "start_at", "end_at", "blocked_until")]
    core, ours = (db.session.execute(select(*columns).where(BOOKINGS.c.id == i)).one() for i in (core_id, prepared_id))
    assert ours == core and ours.overridden_codes == ["TOO_SHORT"] and ours.purpose == "XRD 物相"
    # the same text on SQLite (one format, so ranges compare right), the same instant everywhere
    times = select(BOOKINGS.c.start_at).where(BOOKINGS.c.id == prepared_id)
    assert db.session.execute(times).scalar_one() == start + timedelta(hours=2)
    found = db.session.execute(select(BOOKINGS.c.id).where(BOOKINGS.c.start_at > start + timedelta(hours=1)))
    assert found.scalars().all() == [prepared_id]


def test_many_rows_in_one_call(ctx):
    now = datetime(2027, 1, 1, tzinfo=UTC)
    rows = [
        {"recipients": [f"u{i}@example.com"], "template": "t", "context": {"i": i}, "language": "zh", "created_at": now}
        for i in range(3)
    ]
    keys = ("recipients", "template", "context", "language", "created_at", "subject", "body", "attempts")
    rows = [{"subject": "", "body": "", "attempts": 0, **r} for r in rows]
    Prepared(insert(OutboxMessage.__table__), keys=keys).execute_many(db.session.connection(), rows)
    db.session.commit()
    stored = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [(m.recipients, m.context, m.created_at) for m in stored] == [
        ([f"u{i}@example.com"], {"i": i}, now) for i in range(3)
    ]


def test_refuses_python_side_defaults_and_expanding_lists(ctx):
    missing_created_at = Prepared(insert(OutboxMessage.__table__), keys=("recipients", "template"))
    with pytest.raises(ValueError, match="created_at"):
        missing_created_at.execute_many(db.session.connection(), [{"recipients": [], "template": "t"}])
    expanding = Prepared(select(Instrument.id).where(Instrument.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="expanding"):
        expanding.rows(db.session.connection(), {"ids": [1]})
    with pytest.raises(Exception, match="bind parameter"):  # a missing value is refused, never NULL
        Prepared(select(Instrument.id).where(Instrument.id == bindparam("id"))).rows(db.session.connection(), {})


def test_a_driver_error_is_sqlalchemys(ctx, create_instrument, create_user):
    instrument, user = create_instrument(), create_user("enterprise")
    prepared = Prepared(insert(BOOKINGS), keys=[c.key for c in BOOKINGS.c if c.key != "id"])
    start = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
    with pytest.raises(IntegrityError) as caught:  # no such instrument: a foreign key
        prepared.rows(db.session.connection(), _row(instrument, user, start, instrument_id=instrument.id + 1000))
    assert caught.value.orig is not None
    db.session.rollback()
    prepared.rows(db.session.connection(), _row(instrument, user, start))  # the session goes on
    db.session.commit()
    assert db.session.execute(select(BOOKINGS.c.instrument_id)).scalars().all() == [instrument.id]
