"""No double booking, ever: 24 concurrent requests for the same slot, each on its own thread and
its own database connection, through the whole HTTP stack. Exactly one wins; the others get
409 OVERLAPS_BOOKING (never a 500); the table holds exactly one live booking."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

RACERS = 24


@pytest.fixture
def racers(app, frozen_clock, create_instrument, create_user, token_for):
    from bwq_lab.extensions import db

    with app.app_context():
        instrument = create_instrument(approval_required=False, buffer_minutes=15)
        headers = [token_for(create_user("enterprise")) for _ in range(RACERS)]
        instrument_id = instrument.id
        db.session.remove()
    return instrument_id, headers


def race(app, requests):
    """Run each (method, path, json, headers) on its own thread, released together."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, method, path, payload, headers):
        client = app.test_client()
        barrier.wait()
        response = client.open(path, method=method, json=payload, headers=headers)
        results[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def live_bookings(app, instrument_id):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking
    from bwq_lab.models.booking import LIVE

    with app.app_context():
        return db.session.execute(
            select(func.count(Booking.id)).where(Booking.instrument_id == instrument_id, Booking.status.in_(LIVE))
        ).scalar_one()


def test_same_slot_exactly_one_winner(app, racers):
    instrument_id, headers = racers
    payload = {
        "instrument_id": instrument_id,
        "start": "2026-12-02T10:00:00+08:00",
        "end": "2026-12-02T11:00:00+08:00",
        "purpose": "XRD",
    }
    results = race(app, [("POST", "/api/v1/bookings", payload, h) for h in headers])
    statuses = sorted(code for code, _ in results)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == RACERS - 1, statuses
    for code, body in results:
        if code == 409:
            assert body["errors"][0]["code"] == "OVERLAPS_BOOKING"
    assert live_bookings(app, instrument_id) == 1


def test_overlapping_and_buffer_racers_never_both_win(app, racers):
    """Shifted intervals that overlap each other (or each other's 15-minute buffer)."""
    instrument_id, headers = racers
    requests = []
    for i, h in enumerate(headers):
        start_minutes = 9 * 60 + (i % 4) * 30  # 09:00, 09:30, 10:00, 10:30 (each one hour)
        s = f"2026-12-02T{start_minutes // 60:02d}:{start_minutes % 60:02d}:00+08:00"
        e = f"2026-12-02T{(start_minutes + 60) // 60:02d}:{(start_minutes + 60) % 60:02d}:00+08:00"
        requests.append(
            ("POST", "/api/v1/bookings", {"instrument_id": instrument_id, "start": s, "end": e, "purpose": "XRD"}, h)
        )
    results = race(app, requests)
    assert all(code in (201, 409) for code, _ in results), [r for r in results if r[0] not in (201, 409)]
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking
    from bwq_lab.models.booking import LIVE

    with app.app_context():
        rows = db.session.execute(
            select(Booking.start_at, Booking.blocked_until)
            .where(Booking.instrument_id == instrument_id, Booking.status.in_(LIVE))
            .order_by(Booking.start_at)
        ).all()
    assert 1 <= len(rows) <= 2
    for (_, prev_blocked), (next_start, _) in zip(rows, rows[1:], strict=False):
        assert prev_blocked <= next_start  # disjoint, buffer included
    assert sum(1 for code, _ in results if code == 201) == len(rows)


def test_the_database_itself_refuses_an_overlap(app, racers):
    """Bypass every check: on PostgreSQL the exclusion constraint still refuses the row."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import IntegrityError

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, User
    from bwq_lab.operations.transactions import is_slot_taken

    instrument_id, _ = racers
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no exclusion constraints: its guarantee is BEGIN IMMEDIATE (tested above)")
        user_id = db.session.execute(select(User.id).limit(1)).scalar_one()

        def row(start_hour, end_hour, status="approved"):
            return Booking(
                instrument_id=instrument_id,
                user_id=user_id,
                status=status,
                start_at=datetime(2026, 12, 3, start_hour, tzinfo=UTC),
                end_at=datetime(2026, 12, 3, end_hour, tzinfo=UTC),
                blocked_until=datetime(2026, 12, 3, end_hour, 15, tzinfo=UTC),
            )

        db.session.add(row(1, 2))
        db.session.commit()
        db.session.add(row(2, 3))  # starts inside the first one's 15-minute buffer
        with pytest.raises(IntegrityError) as caught:
            db.session.commit()
        assert is_slot_taken(caught.value)
        db.session.rollback()
        db.session.add(row(1, 2, status="cancelled"))  # dead rows do not hold the slot
        db.session.commit()
