"""Undecided requests expire before their start (through the lifecycle's one owner), freeing
the slot, and the requester is told once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import FIXED_NOW, local


def _run(app, now):
    from bwq_lab.jobs import find, run_job

    return run_job(app, find("expire_requests"), now)


def _book(instrument, user, start, status="pending"):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    booking = Booking(
        instrument_id=instrument.id,
        user_id=user.id,
        status=status,
        start_at=start,
        end_at=start + timedelta(hours=1),
        blocked_until=start + timedelta(hours=1),
        created_at=FIXED_NOW - timedelta(days=2),
    )
    db.session.add(booking)
    db.session.commit()
    return booking.id


def test_requests_undecided_two_hours_before_their_start_expire_once(app, ctx, create_instrument, create_user):
    from bwq_lab import mail
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, BookingEvent, OutboxMessage

    instrument = create_instrument(approval_required=True)
    zh_user, en_user = create_user("enterprise", locale="zh"), create_user("enterprise", locale="en")
    soon = _book(instrument, en_user, local("2026-12-01 11:00"))  # 2 h after FIXED_NOW (09:00)
    later = _book(instrument, zh_user, local("2026-12-01 12:00"))
    approved = _book(instrument, zh_user, local("2026-12-01 10:00"), status="approved")

    assert _run(app, FIXED_NOW) == 1
    assert _run(app, FIXED_NOW) == 0  # the rerun changes and sends nothing
    db.session.commit()
    assert db.session.get(Booking, soon).status == "expired"
    assert db.session.get(Booking, later).status == "pending"
    assert db.session.get(Booking, approved).status == "approved"
    event = db.session.execute(select(BookingEvent).where(BookingEvent.booking_id == soon)).scalar_one()
    assert (event.action, event.from_status, event.to_status, event.actor_id) == ("expired", "pending", "expired", None)
    (message,) = db.session.execute(select(OutboxMessage)).scalars().all()
    subject, body = mail.render(message.template, message.context, message.language)
    assert message.recipients == [en_user.email]
    assert subject.startswith("[BWQ Lab] Booking request expired: Field-emission")
    assert "released" in body and f"/bookings/{soon}" in body and "request a new time" in body

    # the slot is free again: a new request for the same time is possible (no overlap with an expired row)
    _book(instrument, create_user("enterprise"), local("2026-12-01 11:00"))

    # a day of downtime: the run afterwards expires what is left, once
    assert _run(app, FIXED_NOW + timedelta(days=1)) == 2
    assert _run(app, FIXED_NOW + timedelta(days=1, minutes=5)) == 0
    db.session.commit()
    assert db.session.get(Booking, later).status == "expired"
    zh = [m for m in db.session.execute(select(OutboxMessage)).scalars() if m.recipients == [zh_user.email]]
    assert len(zh) == 1
    assert "过期" in mail.render(zh[0].template, zh[0].context, zh[0].language)[0]


def test_the_deadline_is_configurable(app, ctx, create_instrument, create_user):
    instrument = create_instrument(approval_required=True)
    _book(instrument, create_user("enterprise"), local("2026-12-01 14:00"))  # 5 h ahead
    assert _run(app, FIXED_NOW) == 0
    app.config["BOOKING_DECISION_DEADLINE_HOURS"] = 6
    try:
        assert _run(app, FIXED_NOW) == 1
    finally:
        app.config["BOOKING_DECISION_DEADLINE_HOURS"] = 2
