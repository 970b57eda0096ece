"""What lab users stumble on in the booking pages: the week grid anchored at the lab's opening,
the phone list's tap, past time, My bookings nearest first, a closure's last day, and the
availability API honouring `to`. The clock is Tuesday 2026-12-01 09:00 (Asia/Shanghai)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from bwq_lab.extensions import db
from bwq_lab.models import User
from tests.conftest import FIXED_NOW, local


@pytest.fixture
def hourly(frozen_clock, within, create_instrument, create_user):
    """Hours Mon–Fri 08:30–12:00 / 13:30–17:30, a 1 h grid, 15 min cleanup, no notice."""

    def build():
        instrument = create_instrument(
            approval_required=False, slot_minutes=60, min_minutes=60, buffer_minutes=15, min_notice_minutes=0
        )
        manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True)
        alice = create_user("enterprise")
        return SimpleNamespace(
            instrument_id=instrument.id,
            manager=SimpleNamespace(id=manager.id, email=manager.email),
            alice=SimpleNamespace(id=alice.id, email=alice.email),
        )

    return within(build)


def _book(within, user_id, instrument_id, start, end):
    from bwq_lab.operations import bookings as ops

    def run():
        booking = ops.create_booking(
            db.session.get(User, user_id), instrument_id, local(start), local(end), FIXED_NOW, purpose="XRD"
        )
        db.session.commit()
        return booking.id

    return within(run)


def test_week_grid_starts_at_the_opening_and_past_time_looks_past(hourly, browser):
    page = browser(hourly.alice).get(f"/instruments/{hourly.instrument_id}/book?week=2026-11-30").get_data(as_text=True)
    # Wednesday: cells on the lab's grid, 08:30 first (the midnight grid would offer 09:00)
    assert 'data-date="2026-12-02" data-start="08:30"' in page
    assert 'data-date="2026-12-02" data-start="09:00"' not in page
    assert 'data-date="2026-12-02" data-start="13:30"' in page
    # the phone list labels a free stretch with the start a tap fills in
    assert re.search(r'data-date="2026-12-02" data-start="08:30">free 08:30–12:00', page)
    # Monday and Tuesday morning are past, drawn as such
    assert page.count('class="blk past"') >= 2


def test_after_the_cleanup_buffer_the_next_cell_is_the_first_grid_point(hourly, browser, within):
    _book(within, hourly.alice.id, hourly.instrument_id, "2026-12-02 08:30", "2026-12-02 09:30")
    page = browser(hourly.alice).get(f"/instruments/{hourly.instrument_id}/book?week=2026-11-30").get_data(as_text=True)
    # buffer until 09:45: on a 1 h grid anchored at 08:30 the next start is 10:30
    assert 'data-date="2026-12-02" data-start="10:30"' in page
    assert 'data-date="2026-12-02" data-start="09:30"' not in page
    assert "cleanup" in page


def test_my_upcoming_bookings_come_nearest_first(hourly, browser, within):
    later = _book(within, hourly.alice.id, hourly.instrument_id, "2026-12-04 08:30", "2026-12-04 09:30")
    sooner = _book(within, hourly.alice.id, hourly.instrument_id, "2026-12-02 13:30", "2026-12-02 14:30")
    page = browser(hourly.alice).get("/bookings").get_data(as_text=True)
    assert page.index(f"/bookings/{sooner}") < page.index(f"/bookings/{later}")


def test_a_closure_shows_its_last_day(hourly, browser):
    manager = browser(hourly.manager)
    r = manager.post("/manage/closures", {"first_day": "2027-01-01", "last_day": "2027-01-03", "reason": "New year"})
    assert r.status_code in (200, 302)
    page = manager.get("/manage/closures").get_data(as_text=True)
    assert "2027-01-03" in page and "2027-01-04" not in page


def test_availability_api_honours_to(hourly, client):
    url = f"/api/v1/instruments/{hourly.instrument_id}/availability"
    body = client.get(url, query_string={"from": "2026-12-02T00:00:00+08:00", "to": "2026-12-04T00:00:00+08:00"})
    assert body.status_code == 200
    assert [d["day"] for d in body.get_json()["days"]] == ["2026-12-02", "2026-12-03"]
    body = client.get(url, query_string={"from": "2026-12-02T00:00:00+08:00", "to": "2026-12-16T00:00:00+08:00"})
    assert len(body.get_json()["days"]) == 14


def test_the_api_refuses_an_empty_purpose_like_the_page(hourly, app, client, token_for, within):
    from sqlalchemy import func, select

    from bwq_lab.models import Booking

    with app.app_context():
        headers = token_for(db.session.get(User, hourly.alice.id))
    body = {
        "instrument_id": hourly.instrument_id,
        "start": "2026-12-02T08:30:00+08:00",
        "end": "2026-12-02T09:30:00+08:00",
    }
    for purpose in (None, "", "   "):
        payload = dict(body) if purpose is None else {**body, "purpose": purpose}
        r = client.post("/api/v1/bookings", json=payload, headers={**headers, "Accept-Language": "zh"})
        assert r.status_code == 422
        [error] = r.get_json()["errors"]
        assert (error["code"], error["field"]) == ("REQUIRED", "purpose") and error["message"]
    assert within(lambda: db.session.execute(select(func.count(Booking.id))).scalar_one()) == 0
    r = client.post("/api/v1/bookings", json={**body, "purpose": "XRD"}, headers=headers)
    assert r.status_code == 201
    assert r.get_json()["purpose"] == "XRD"


def test_administrators_see_bookings_but_not_their_purposes(
    hourly, browser, within, create_user, app, client, token_for
):
    booking_id = _book(within, hourly.alice.id, hourly.instrument_id, "2026-12-02 08:30", "2026-12-02 09:30")
    admin = within(lambda: SimpleNamespace(id=(u := create_user("province_admin")).id, email=u.email))
    page = browser(admin).get(f"/bookings/{booking_id}")
    assert page.status_code == 200 and "XRD" not in page.get_data(as_text=True)
    assert "XRD" in browser(hourly.alice).get(f"/bookings/{booking_id}").get_data(as_text=True)
    headers = within(lambda: token_for(db.session.get(User, admin.id)))
    assert client.get(f"/api/v1/bookings/{booking_id}", headers=headers).get_json()["purpose"] is None


def test_times_carry_the_day_of_the_week_in_both_languages(hourly, browser, within):
    booking_id = _book(within, hourly.alice.id, hourly.instrument_id, "2026-12-02 08:30", "2026-12-02 09:30")
    alice = browser(hourly.alice)
    page = alice.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "2026-12-02 Wednesday 08:30–09:30" in page
    # a refusal names the times with their weekday: the booking in the way, the grid's example
    check = f"/instruments/{hourly.instrument_id}/book/check"
    data = {"date": "2026-12-02", "start": "09:00", "duration": "60", "purpose": "XRD"}
    answer = alice.post(check, data, headers={"Accept": "application/json"}).get_json()
    messages = " ".join(p["message"] for p in answer["violations"])
    assert "2026-12-02 Wednesday 08:30–09:30" in messages  # the booking it overlaps
    assert "counted from the opening time" in messages and "2026-12-02 Wednesday 08:30–10:30" in messages
    alice.get("/?lang=zh")
    page = alice.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "2026-12-02 周三 08:30–09:30" in page
    answer = alice.post(check, data, headers={"Accept": "application/json"}).get_json()
    assert "周三" in " ".join(p["message"] for p in answer["violations"])


def test_the_booking_form_states_the_free_cancellation_deadline(hourly, browser):
    page = browser(hourly.alice).get(f"/instruments/{hourly.instrument_id}/book").get_data(as_text=True)
    assert 'id="cancellation-policy"' in page
    assert "Free cancellation until 24 hours before the start; after that only the lab" in page
