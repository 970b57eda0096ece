"""Finding 1 of issue 7: nobody completes a booking with invented usage times. Only the
instrument's managers record actual use (within sane bounds, audited); the user checks out only
after checking in, during or just after the session, and never sets the times."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import AuditEvent, Booking
from tests.conftest import FIXED_NOW, PASSWORD, local


@pytest.fixture
def setup(app, frozen_clock, create_instrument, create_user, token_for):
    with app.app_context():
        instrument = create_instrument(approval_required=False)
        user = create_user("enterprise")
        manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True)
        start = local("2026-12-01 10:00")  # an hour after FIXED_NOW (09:00)
        booking = Booking(
            instrument_id=instrument.id, user_id=user.id, enterprise_id=user.enterprise_id, start_at=start,
            end_at=start + timedelta(hours=1), blocked_until=start + timedelta(hours=1), status="approved",
            purpose="XRD", created_at=FIXED_NOW, updated_at=FIXED_NOW,
        )  # fmt: skip
        db.session.add(booking)
        db.session.commit()
        return SimpleNamespace(
            booking=booking.id, instrument=instrument.id, start=start, user_email=user.email,
            user=token_for(user), manager=token_for(manager), other=token_for(create_user("enterprise")),
        )  # fmt: skip


def _at(app, when):
    app.config["FIXED_NOW"] = when


def _booking(app, booking_id):
    with app.app_context():
        b = db.session.get(Booking, booking_id)
        return SimpleNamespace(status=str(b.status), checked_in_at=b.checked_in_at, checked_out_at=b.checked_out_at)


INVENTED = {"used_from": "2020-01-01T00:00:00+08:00", "used_until": "2020-01-01T00:01:00+08:00"}
YEAR_LONG = {"used_from": "2026-01-01T00:00:00+08:00", "used_until": "2026-12-31T23:00:00+08:00"}


def test_owner_cannot_complete_with_invented_times_and_the_slot_stays_held(app, client, setup):
    response = client.post(f"/api/v1/bookings/{setup.booking}/check-out", json=INVENTED, headers=setup.user)
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["code"] == "USE_RECORD_MANAGERS_ONLY"
    assert _booking(app, setup.booking).status == "approved"
    # the hour is still taken: nobody else can book it
    again = client.post(
        "/api/v1/bookings",
        json={"instrument_id": setup.instrument, "start": "2026-12-01T10:00:00+08:00",
              "end": "2026-12-01T11:00:00+08:00", "purpose": "x"},
        headers=setup.other,
    )  # fmt: skip
    assert again.status_code == 409


def test_owner_cannot_check_out_without_checking_in(app, client, setup):
    response = client.post(f"/api/v1/bookings/{setup.booking}/check-out", json={}, headers=setup.user)
    assert response.status_code == 409 and response.get_json()["errors"][0]["code"] == "NOT_CHECKED_IN"


def test_owner_checks_in_then_out_during_the_session_at_the_real_times(app, client, setup):
    _at(app, setup.start + timedelta(minutes=5))
    assert client.post(f"/api/v1/bookings/{setup.booking}/check-in", json={}, headers=setup.user).status_code == 200
    _at(app, setup.start + timedelta(minutes=50))
    response = client.post(f"/api/v1/bookings/{setup.booking}/check-out", json={}, headers=setup.user)
    assert response.status_code == 200, response.get_json()
    b = _booking(app, setup.booking)
    assert b.status == "completed"
    assert (b.checked_in_at, b.checked_out_at) == (
        setup.start + timedelta(minutes=5),
        setup.start + timedelta(minutes=50),
    )


def test_owner_check_out_closes_after_the_grace_period(app, client, setup):
    _at(app, setup.start)
    client.post(f"/api/v1/bookings/{setup.booking}/check-in", json={}, headers=setup.user)
    _at(app, setup.start + timedelta(hours=1, minutes=31))
    response = client.post(f"/api/v1/bookings/{setup.booking}/check-out", json={}, headers=setup.user)
    assert response.status_code == 409 and response.get_json()["errors"][0]["code"] == "CHECK_OUT_CLOSED"


def test_manager_records_use_only_within_bounds_and_it_is_audited(app, client, setup):
    _at(app, setup.start + timedelta(hours=1, minutes=30))
    url = f"/api/v1/bookings/{setup.booking}/check-out"
    year = client.post(url, json=YEAR_LONG, headers=setup.manager)
    assert year.status_code == 422 and "USE_OUTSIDE_BOOKING" in {e["code"] for e in year.get_json()["errors"]}
    future = client.post(
        url, json={"used_from": "2026-12-01T10:00:00+08:00", "used_until": "2026-12-01T12:30:00+08:00"},
        headers=setup.manager,
    )  # fmt: skip
    assert future.status_code == 422 and "USE_IN_FUTURE" in {e["code"] for e in future.get_json()["errors"]}
    assert _booking(app, setup.booking).status == "approved"
    ok = client.post(
        url, json={"used_from": "2026-12-01T09:45:00+08:00", "used_until": "2026-12-01T11:30:00+08:00"},
        headers=setup.manager,
    )  # fmt: skip
    assert ok.status_code == 200 and ok.get_json()["status"] == "completed"
    with app.app_context():
        event = db.session.execute(select(AuditEvent)).scalar_one()
        assert event.action == "booking.record_use" and event.target_id == setup.booking


def test_web_form_refuses_the_owners_invented_times(app, client, setup, post_form):
    assert post_form("/login", {"email": setup.user_email, "password": PASSWORD}).status_code == 302
    response = post_form(
        f"/bookings/{setup.booking}/check-out",
        {"used_from": "2020-01-01T00:00", "used_until": "2020-01-01T00:01"},
    )
    assert response.status_code in (302, 403, 409, 422)
    assert _booking(app, setup.booking).status == "approved"
