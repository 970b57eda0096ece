"""The lean create path (issue 14) still writes the booking, its history event and its e-mail in
the request's one transaction, refuses maintenance and closures (read in one statement), and
answers through the API like before."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import local


def _count(model, **where):
    from bwq_lab.extensions import db

    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.execute(query).scalar_one()


def test_api_create_writes_booking_event_and_outbox_together(
    app, client, frozen_clock, create_instrument, create_user, token_for
):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, BookingEvent, OutboxMessage

    with app.app_context():
        instrument = create_instrument(approval_required=False, min_notice_minutes=0, max_days_ahead=365)
        instrument_id, name = instrument.id, instrument.name
        headers = token_for(create_user("enterprise"))
    body = {
        "instrument_id": instrument_id,
        "start": "2026-12-09T10:00:00+08:00",
        "end": "2026-12-09T11:00:00+08:00",
        "purpose": "XRD",
    }
    r = client.post("/api/v1/bookings", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    data = r.get_json()
    assert data["instrument_name"] == name and data["status"] == "approved" and data["purpose"] == "XRD"
    assert data["checked_in_at"] is None and data["created_at"]
    with app.app_context():
        booking = db.session.get(Booking, data["id"])
        assert [e.action for e in booking.events] == ["created"]
        assert booking.events[0].to_status == "approved" and booking.events[0].new_start_at == booking.start_at
        assert _count(OutboxMessage, template="booking_confirmed") == 1
    again = client.post("/api/v1/bookings", json=body, headers=headers)
    assert again.status_code == 409 and again.get_json()["errors"][0]["code"] == "OVERLAPS_BOOKING"
    with app.app_context():
        assert _count(Booking) == 1 and _count(BookingEvent) == 1 and _count(OutboxMessage) == 1


def test_refused_create_leaves_nothing_behind(app, ctx, create_instrument, create_user, now):
    import pytest

    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, BookingEvent, MaintenanceWindow, OutboxMessage, ProviderClosure
    from bwq_lab.operations import bookings as ops
    from bwq_lab.refusals import Refusal

    instrument = create_instrument(approval_required=False, min_notice_minutes=0, max_days_ahead=365)
    user = create_user("enterprise")
    db.session.add_all(
        [
            MaintenanceWindow(
                instrument_id=instrument.id, start_at=local("2026-12-09 09:00"), end_at=local("2026-12-09 12:00")
            ),
            ProviderClosure(
                provider_id=instrument.provider_id, start_at=local("2026-12-10 00:00"), end_at=local("2026-12-11 00:00")
            ),
        ]
    )
    db.session.commit()
    for day, code in (("2026-12-09", "OVERLAPS_MAINTENANCE"), ("2026-12-10", "PROVIDER_CLOSED")):
        with pytest.raises(Refusal) as refused:
            ops.create_booking(user, instrument.id, local(f"{day} 10:00"), local(f"{day} 11:00"), now, purpose="XRD")
        assert code in [p.code for p in refused.value.problems]
        db.session.rollback()
    booking = ops.create_booking(
        user, instrument.id, local("2026-12-11 10:00"), local("2026-12-11 11:00"), now, purpose="XRD"
    )
    db.session.commit()
    assert booking.instrument is instrument and [e.action for e in booking.events] == ["created"]
    assert _count(Booking) == 1 and _count(BookingEvent) == 1 and _count(OutboxMessage) == 1
