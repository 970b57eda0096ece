"""Fee snapshots on bookings: hourly price × booked hours when approved (internal price for the
provider's own staff), kept through a price change, following a move, recomputed from the actual
use at completion when the instrument charges by use."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bwq_lab.domain import fees
from bwq_lab.extensions import db
from bwq_lab.operations import bookings as ops
from tests.conftest import local


@pytest.mark.parametrize(
    ("minutes", "hourly", "fen"),
    [(60, 40000, 40000), (90, 40000, 60000), (1, 100, 2), (1, 29, 0), (1, 30, 1), (0, 40000, 0), (45, 333, 250)],
)
def test_fee_for_minutes_rounds_half_up_to_the_fen(minutes, hourly, fen):
    assert fees.for_minutes(minutes, hourly) == fen


def test_tier():
    assert fees.tier_for(3, 3) == "internal"
    assert fees.tier_for(None, 3) == "external" and fees.tier_for(4, 3) == "external"


@pytest.fixture
def setup(ctx, create_instrument, create_user):
    instrument = create_instrument(approval_required=True, min_notice_minutes=0, price_internal_fen=20000)
    manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True)
    customer = create_user("enterprise")
    return instrument, manager, customer


def test_snapshot_on_approval_survives_price_changes_and_follows_moves(setup, now):
    instrument, manager, customer = setup
    booking = ops.create_booking(
        customer, instrument.id, local("2026-12-02 10:00"), local("2026-12-02 11:30"), now, purpose="SEM imaging"
    )
    assert booking.fee_fen is None  # pending: nothing to pay yet
    ops.approve_booking(manager, booking.id, now)
    db.session.commit()
    assert (booking.price_tier, booking.unit_price_fen, booking.fee_fen, booking.fee_basis) == (
        "external",
        40000,
        60000,
        "booked",
    )
    instrument.price_external_fen = 99900
    db.session.commit()
    ops.move_booking(manager, booking.id, local("2026-12-02 10:00"), local("2026-12-02 11:00"), now)
    db.session.commit()
    assert (booking.unit_price_fen, booking.fee_fen) == (40000, 40000)


def test_auto_approved_booking_of_own_staff_pays_internal(ctx, create_instrument, create_user, now):
    instrument = create_instrument(approval_required=False, min_notice_minutes=0)
    staff = create_user("manager", provider_id=instrument.provider_id, manages_all=True)
    booking = ops.create_booking(
        staff, instrument.id, local("2026-12-02 14:00"), local("2026-12-02 16:00"), now, purpose="SEM imaging"
    )
    assert (booking.status, booking.price_tier, booking.fee_fen) == ("approved", "internal", 40000)


def test_charge_by_use_recomputes_at_completion(setup, now):
    instrument, manager, customer = setup
    instrument.charge_by_use = True
    db.session.commit()
    booking = ops.create_booking(
        customer, instrument.id, local("2026-12-02 10:00"), local("2026-12-02 12:00"), now, purpose="SEM imaging"
    )
    ops.approve_booking(manager, booking.id, now)
    assert booking.fee_fen == 80000
    ops.check_out(
        manager,
        booking.id,
        local("2026-12-02 12:30"),
        used_from=local("2026-12-02 10:00"),
        used_until=local("2026-12-02 10:45"),
    )
    db.session.commit()
    assert (booking.fee_fen, booking.fee_basis, booking.status) == (30000, "used", "completed")


def test_booked_hours_are_kept_when_not_charged_by_use(setup, now):
    instrument, manager, customer = setup
    booking = ops.create_booking(
        customer, instrument.id, local("2026-12-02 10:00"), local("2026-12-02 12:00"), now, purpose="SEM imaging"
    )
    ops.approve_booking(manager, booking.id, now)
    ops.check_in(manager, booking.id, local("2026-12-02 10:05"))
    db.session.commit()
    ops.close_the_day(local("2026-12-02 12:00") + timedelta(minutes=1))
    db.session.commit()
    assert (booking.status, booking.fee_fen, booking.fee_basis) == ("completed", 80000, "booked")


def test_the_api_and_the_booking_page_show_the_fee(
    app, client, frozen_clock, create_instrument, create_user, token_for, login
):
    with app.app_context():
        instrument_id = create_instrument(approval_required=False, min_notice_minutes=0).id
        user = create_user("enterprise")
        headers = token_for(user)
        email = user.email
    payload = {
        "instrument_id": instrument_id,
        "start": "2026-12-02T10:00:00+08:00",
        "end": "2026-12-02T11:30:00+08:00",
        "purpose": "SEM imaging",
    }
    r = client.post("/api/v1/bookings", json=payload, headers=headers)
    assert r.status_code == 201, r.json
    assert (r.json["fee_fen"], r.json["unit_price_fen"], r.json["price_tier"], r.json["fee_basis"]) == (
        60000,
        40000,
        "external",
        "booked",
    )
    login(type("U", (), {"email": email})())
    page = client.get(f"/bookings/{r.json['id']}").get_data(as_text=True)
    assert 'id="booking-fee"' in page and "600.00" in page
