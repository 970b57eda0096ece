"""Close the day: a session still in use past its end is closed at its end, flagged, listed in
the managers' digest, and a manager confirms (or corrects) the actual use on its page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import FIXED_NOW, local


def _run(app, name, now):
    from bwq_lab.jobs import find, run_job

    return run_job(app, find(name), now)


@pytest.fixture
def in_use(app, create_instrument, create_user):
    """A manager of the instrument and a session checked in at 08:05 (08:00–09:00)."""
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    with app.app_context():
        instrument = create_instrument()
        manager = create_user("manager", provider=instrument.provider, manages_all=True, locale="en")
        user = create_user("enterprise")
        booking = Booking(
            instrument_id=instrument.id,
            user_id=user.id,
            status="in_use",
            start_at=local("2026-12-01 08:00"),
            end_at=local("2026-12-01 09:00"),
            blocked_until=local("2026-12-01 09:00"),
            checked_in_at=local("2026-12-01 08:05"),
            created_at=FIXED_NOW - timedelta(hours=2),
        )
        db.session.add(booking)
        db.session.commit()
        return booking.id, manager.email


def test_a_session_left_in_use_is_closed_at_its_end_and_flagged_once(app, in_use):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, BookingEvent

    booking_id, _ = in_use
    assert _run(app, "close_the_day", local("2026-12-01 08:59")) == 0  # not over yet
    assert _run(app, "close_the_day", local("2026-12-01 09:05")) == 1
    assert _run(app, "close_the_day", local("2026-12-01 09:10")) == 0  # the rerun changes nothing
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == "completed" and booking.use_to_confirm
        assert booking.checked_out_at == local("2026-12-01 09:00")
        (event,) = db.session.execute(select(BookingEvent).where(BookingEvent.booking_id == booking_id)).scalars()
        assert (event.action, event.actor_id) == ("closed_unconfirmed", None)


def test_the_digest_lists_it_and_the_manager_confirms_the_actual_use(app, in_use, client, login, post_form):
    from bwq_lab import mail
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, OutboxMessage, User

    booking_id, manager_email = in_use
    _run(app, "close_the_day", local("2026-12-01 09:05"))
    assert _run(app, "manager_digests", local("2026-12-02 08:00")) == 1
    assert _run(app, "manager_digests", local("2026-12-02 09:00")) == 0
    with app.app_context():
        (message,) = db.session.execute(select(OutboxMessage)).scalars().all()
        subject, body = mail.render(message.template, message.context, message.language)
        manager = db.session.execute(select(User).where(User.email == manager_email)).scalar_one()
        db.session.expunge(manager)
    assert message.recipients == [manager_email]
    assert subject == "[BWQ Lab] Sessions whose actual use you should confirm: 1"
    assert f"/bookings/{booking_id}" in body and "Confirm or correct" in body

    login(manager)
    page = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "Actual use to confirm" in page and "confirm-use" in page
    bad = post_form(
        f"/bookings/{booking_id}/confirm-use", {"used_from": "2026-12-01T08:30", "used_until": "2026-12-01T08:10"}
    )
    assert bad.status_code == 422
    response = post_form(
        f"/bookings/{booking_id}/confirm-use", {"used_from": "2026-12-01T08:05", "used_until": "2026-12-01T08:50"}
    )
    assert response.status_code == 302
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert not booking.use_to_confirm and booking.effective_minutes == 45
        assert [e.action for e in booking.events][-1] == "use_confirmed"
    again = post_form(
        f"/bookings/{booking_id}/confirm-use", {"used_from": "2026-12-01T08:05", "used_until": "2026-12-01T08:50"}
    )
    assert again.status_code == 409
    assert "already confirmed" in again.get_data(as_text=True)
    assert "Actual use to confirm" not in client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    # nothing left: the next day's digest has nothing for this manager
    assert _run(app, "manager_digests", local("2026-12-03 08:00")) == 0


def test_only_the_instruments_managers_confirm(app, in_use, client, login, post_form, create_user):
    booking_id, _ = in_use
    _run(app, "close_the_day", local("2026-12-01 09:05"))
    with app.app_context():
        other = create_user("manager")
        login(type("U", (), {"email": other.email})())
    response = post_form(
        f"/bookings/{booking_id}/confirm-use", {"used_from": "2026-12-01T08:05", "used_until": "2026-12-01T08:50"}
    )
    assert response.status_code in (403, 404)
