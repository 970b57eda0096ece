"""Booking pages: booking through the form, the live check, the week calendar's privacy,
my bookings, the booking page and its actions, approvals, maintenance, qualifications, .ics."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from bwq_lab.extensions import db
from bwq_lab.models import Booking, MaintenanceWindow, Qualification, User
from tests.conftest import FIXED_NOW, local

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app, frozen_clock, within, create_instrument, create_user):
    """An instrument needing approval (Mon–Fri 08:30–12:00, 13:30–17:30; 2 h notice; 30 min grid),
    its manager, and two enterprise users."""

    def build():
        instrument = create_instrument(approval_required=True)
        manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True)
        alice, bob = create_user("enterprise"), create_user("enterprise")
        people = {
            u: SimpleNamespace(id=x.id, email=x.email)
            for u, x in (("manager", manager), ("alice", alice), ("bob", bob))
        }
        return SimpleNamespace(instrument_id=instrument.id, **people)

    return within(build)


@pytest.fixture
def book(within):
    """A booking made through the operation (as another page or the API would)."""

    def make(user, instrument_id, start, end, purpose="SEM imaging of coatings"):
        from bwq_lab.operations import bookings as ops

        def run():
            booking = ops.create_booking(
                db.session.get(User, user.id), instrument_id, local(start), local(end), FIXED_NOW, purpose=purpose
            )
            db.session.commit()
            return booking.id

        return within(run)

    return make


@pytest.fixture
def booking_of(within):
    def get(booking_id):
        def run():
            booking = db.session.get(Booking, booking_id)
            db.session.expunge(booking)
            return booking

        return within(run)

    return get


@pytest.fixture
def count(within):
    return lambda model: within(lambda: db.session.execute(select(func.count(model.id))).scalar_one())


def form(**overrides):
    data = {
        "date": "2026-12-02",
        "start": "10:00",
        "duration": "60",
        "purpose": "SEM imaging of coatings",
        "project_code": "RD-2026-01",
        "submit": "Book",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------ booking form


def test_booking_through_the_form_redirects_to_the_new_booking(world, browser, count, booking_of):
    alice = browser(world.alice)
    r = alice.post(f"/instruments/{world.instrument_id}/book", form())
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    booking_id = int(re.search(r"/bookings/(\d+)$", r.headers["Location"]).group(1))
    booking = booking_of(booking_id)
    assert booking.user_id == world.alice.id and booking.status == "pending"
    assert (booking.start_at, booking.end_at) == (local("2026-12-02 10:00"), local("2026-12-02 11:00"))
    assert (booking.purpose, booking.project_code) == ("SEM imaging of coatings", "RD-2026-01")
    page = alice.get(r.headers["Location"]).get_data(as_text=True)
    assert "Request sent" in page and "2026-12-02 Wednesday 10:00" in page
    assert count(Booking) == 1


def test_rule_violations_are_listed_with_the_input_kept_and_nothing_saved(world, browser, book, count):
    alice = browser(world.alice)
    # Sunday at 03:00: outside the opening hours
    r = alice.post(
        f"/instruments/{world.instrument_id}/book", form(date="2026-12-06", start="03:00", purpose="XPS of thin films")
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'data-code="OUTSIDE_OPENING_HOURS"' in page
    assert "outside" in page.lower()  # the message itself, in the reader's language
    assert "XPS of thin films" in page and 'value="2026-12-06"' in page
    assert count(Booking) == 0
    # a slot someone else holds: 409 with the overlap named
    book(world.bob, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:00")
    r = alice.post(f"/instruments/{world.instrument_id}/book", form())
    assert r.status_code == 409
    assert 'data-code="OVERLAPS_BOOKING"' in r.get_data(as_text=True)
    assert count(Booking) == 1


def test_a_missing_purpose_is_shown_next_to_the_field(world, browser, count):
    r = browser(world.alice).post(f"/instruments/{world.instrument_id}/book", form(purpose=""))
    assert r.status_code == 422
    assert "Say what you will measure" in r.get_data(as_text=True)
    assert count(Booking) == 0


def test_check_endpoint_answers_violations_as_json_and_saves_nothing(world, browser, client, count):
    alice = browser(world.alice)
    url = f"/instruments/{world.instrument_id}/book/check"
    r = alice.post(url, form(date="2026-12-06", start="03:00", duration="30"), headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.json["ok"] is False
    assert "OUTSIDE_OPENING_HOURS" in {v["code"] for v in r.json["violations"]}
    assert all(v["message"] for v in r.json["violations"])
    assert r.json["start"] == "2026-12-06T03:00:00+08:00"
    good = alice.post(url, form(), headers={"Accept": "application/json"})
    assert good.json == {
        "ok": True,
        "start": "2026-12-02T10:00:00+08:00",
        "end": "2026-12-02T11:00:00+08:00",
        "overridable": False,
        "violations": [],
        "warnings": [],  # 25 h ahead: outside the 24 h free-cancellation window
    }
    bad_input = alice.post(url, form(start="half past ten"), headers={"Accept": "application/json"})
    assert bad_input.status_code == 422 and bad_input.json["errors"][0]["field"] == "start"
    assert count(Booking) == 0


def test_check_button_without_javascript_lists_the_problems(world, browser, count):
    r = browser(world.alice).post(
        f"/instruments/{world.instrument_id}/book",
        {"date": "2026-12-01", "start": "09:30", "duration": "60", "check": "Check"},
    )
    assert r.status_code == 200
    assert 'data-code="NOTICE_TOO_SHORT"' in r.get_data(as_text=True)
    assert count(Booking) == 0


def test_manager_override_reason_waives_soft_rules(world, browser, booking_of):
    manager = browser(world.manager)
    page = manager.get(f"/instruments/{world.instrument_id}/book").get_data(as_text=True)
    assert 'name="override_reason"' in page
    r = manager.post(
        f"/instruments/{world.instrument_id}/book",
        form(date="2026-12-01", start="09:30", override_reason="urgent calibration"),
    )
    assert r.status_code == 302
    booking = booking_of(int(r.headers["Location"].rsplit("/", 1)[1]))
    assert booking.overridden_codes == ["NOTICE_TOO_SHORT"] and booking.status == "approved"


# ------------------------------------------------------------------------------ week calendar


def test_week_calendar_shows_others_bookings_only_as_booked(world, browser, client, book):
    booking_id = book(
        world.alice, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:00", purpose="Secret coating analysis"
    )
    url = f"/instruments/{world.instrument_id}/book?week=2026-12-02"
    theirs = browser(world.bob).get(url).get_data(as_text=True)
    assert "booked" in theirs
    assert "Secret coating" not in theirs and f"/bookings/{booking_id}" not in theirs
    anonymous = client.get(url, headers=EN).get_data(as_text=True)
    assert "booked" in anonymous and "Secret coating" not in anonymous and "Sign in to book" in anonymous
    own = browser(world.alice).get(url).get_data(as_text=True)
    assert "Secret coating analysis" in own and f'href="/bookings/{booking_id}"' in own
    # free time is clickable and pre-fills the form (also without JavaScript)
    assert 'data-date="2026-12-02" data-start="11:00"' in own
    # today (Tue 09:00) with 2 h notice: 11:00 is the first time offered, except to a manager
    assert 'data-date="2026-12-01" data-start="11:00"' in own
    assert 'data-date="2026-12-01" data-start="10:30"' not in own
    # a manager needs no notice: the free stretch is offered from now (09:00) on
    assert 'data-date="2026-12-01" data-start="09:00"' in browser(world.manager).get(url).get_data(as_text=True)
    prefilled = browser(world.bob).get(f"{url}&date=2026-12-03&start=14:00").get_data(as_text=True)
    assert 'value="2026-12-03"' in prefilled and 'value="14:00"' in prefilled


def test_week_navigation_and_maintenance_blocks(world, browser, within):
    def add_window():
        db.session.add(
            MaintenanceWindow(
                instrument_id=world.instrument_id,
                start_at=local("2026-12-09 08:30"),
                end_at=local("2026-12-09 12:00"),
                reason="annual service",
            )
        )
        db.session.commit()

    within(add_window)
    page = browser(world.bob).get(f"/instruments/{world.instrument_id}/book?week=2026-12-02").get_data(as_text=True)
    assert "week=2026-12-07" in page and "week=2026-11-23" in page
    assert "annual service" not in page
    nxt = browser(world.bob).get(f"/instruments/{world.instrument_id}/book?week=2026-12-07").get_data(as_text=True)
    assert "Maintenance: annual service" in nxt


def test_find_slots_lists_the_earliest_bookable_times(world, browser):
    page = browser(world.alice).get(f"/instruments/{world.instrument_id}/book?slot_duration=60").get_data(as_text=True)
    # now is Tue 09:00 and notice is 2 h: the first free hour starts at 11:00
    slots = re.findall(r'data-date="([\d-]+)" data-start="([\d:]+)" data-duration="60"', page)
    assert slots[0] == ("2026-12-01", "11:00")
    assert "date=2026-12-01&amp;start=11:00&amp;duration=60" in page


# ------------------------------------------------------------------------------ my bookings


def test_my_bookings_lists_only_my_own(world, browser, book):
    mine = book(world.alice, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:00", purpose="alice's run")
    theirs = book(world.bob, world.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00", purpose="bob's run")
    page = browser(world.alice).get("/bookings?when=all").get_data(as_text=True)
    assert f"/bookings/{mine}" in page and "alice&#39;s run" in page
    assert f"/bookings/{theirs}" not in page and "bob" not in page
    past = browser(world.alice).get("/bookings?when=past").get_data(as_text=True)
    assert f"/bookings/{mine}" not in past


def test_another_users_booking_is_not_found(world, browser, book):
    booking_id = book(world.alice, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:00")
    bob = browser(world.bob)
    assert bob.get(f"/bookings/{booking_id}").status_code == 404
    assert bob.get(f"/bookings/{booking_id}.ics").status_code == 404
    assert bob.post(f"/bookings/{booking_id}/cancel", {"reason": "mine now"}).status_code == 404


def test_cancel_through_the_page(world, browser, book, booking_of):
    booking_id = book(world.alice, world.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00")
    alice = browser(world.alice)
    page = alice.get("/bookings").get_data(as_text=True)
    assert f'action="/bookings/{booking_id}/cancel"' in page
    r = alice.post(f"/bookings/{booking_id}/cancel", {"reason": "samples not ready", "next": "/bookings"})
    assert r.status_code == 302 and r.headers["Location"] == "/bookings"
    booking = booking_of(booking_id)
    assert (booking.status, booking.cancel_reason) == ("cancelled", "samples not ready")
    history = alice.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "cancelled" in history and "samples not ready" in history


def test_cancel_after_the_deadline_shows_why_and_changes_nothing(world, browser, book, booking_of):
    booking_id = book(world.alice, world.instrument_id, "2026-12-01 14:00", "2026-12-01 15:00")  # 5 h ahead, 24 h rule
    r = browser(world.alice).post(f"/bookings/{booking_id}/cancel", {"reason": ""})
    assert r.status_code == 409
    assert "24" in r.get_data(as_text=True)
    assert booking_of(booking_id).status == "pending"


def test_move_through_the_page_keeps_the_history(world, browser, book, booking_of):
    booking_id = book(world.alice, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:00")
    alice = browser(world.alice)
    r = alice.post(f"/bookings/{booking_id}/move", {"date": "2026-12-03", "start": "14:00", "end": "15:30"})
    assert r.status_code == 302
    booking = booking_of(booking_id)
    assert (booking.start_at, booking.end_at) == (local("2026-12-03 14:00"), local("2026-12-03 15:30"))
    page = alice.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "2026-12-02 Wednesday 10:00–11:00 → 2026-12-03 Thursday 14:00–15:30" in page
    bad = alice.post(f"/bookings/{booking_id}/move", {"date": "2026-12-06", "start": "03:00", "end": "04:00"})
    assert bad.status_code == 422 and 'value="2026-12-06"' in bad.get_data(as_text=True)
    assert booking_of(booking_id).start_at == local("2026-12-03 14:00")


def test_ics_download_parses_back(world, browser, book):
    booking_id = book(world.alice, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:30")
    r = browser(world.alice).get(f"/bookings/{booking_id}.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    assert f'filename="booking-{booking_id}.ics"' in r.headers["Content-Disposition"]
    (event,) = Calendar.from_ical(r.data).walk("VEVENT")
    assert event["UID"] == f"booking-{booking_id}@bwq-lab"
    assert event.decoded("DTSTART") == local("2026-12-02 10:00")
    assert event.decoded("DTEND") == local("2026-12-02 11:30")
    assert str(event["STATUS"]) == "TENTATIVE"


# ------------------------------------------------------------------------------ managers


def test_approvals_queue_approve_and_reject_with_a_reason(world, browser, book, booking_of):
    first = book(world.alice, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:00", purpose="first request")
    second = book(world.bob, world.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00", purpose="second request")
    manager = browser(world.manager)
    page = manager.get("/manage/approvals").get_data(as_text=True)
    assert page.index("first request") < page.index("second request")  # oldest first
    assert world.alice.email in page
    assert manager.post(f"/manage/approvals/{first}/approve").status_code == 302
    assert booking_of(first).status == "approved"

    r = manager.post(f"/manage/approvals/{second}/reject", {"reason": "  "})
    assert r.status_code == 422
    section = r.get_data(as_text=True).split(f'id="request-{second}"')[1].split("</li>")[0]
    assert "has-error" in section and "reason" in section.lower()
    assert booking_of(second).status == "pending"
    r = manager.post(f"/manage/approvals/{second}/reject", {"reason": "instrument reserved for teaching"})
    assert r.status_code == 302
    booking = booking_of(second)
    assert (booking.status, booking.decision_reason) == ("rejected", "instrument reserved for teaching")


def test_queue_shows_maintenance_added_since_the_request(world, browser, book, within):
    booking_id = book(world.alice, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:00")

    def add_window():
        db.session.add(
            MaintenanceWindow(
                instrument_id=world.instrument_id,
                start_at=local("2026-12-02 09:00"),
                end_at=local("2026-12-02 12:00"),
                reason="vacuum pump",
            )
        )
        db.session.commit()

    within(add_window)
    manager = browser(world.manager)
    page = manager.get("/manage/approvals").get_data(as_text=True)
    assert 'data-code="OVERLAPS_MAINTENANCE"' in page
    r = manager.post(f"/manage/approvals/{booking_id}/approve", follow_redirects=True)
    assert "vacuum pump" in r.get_data(as_text=True)  # refused: maintenance is a hard rule


def test_bulk_approve_and_bulk_reject_needs_a_reason(world, browser, book, booking_of):
    ids = [book(world.alice, world.instrument_id, f"2026-12-0{d} 10:00", f"2026-12-0{d} 11:00") for d in (2, 3, 4)]
    manager = browser(world.manager)
    r = manager.post("/manage/approvals/bulk", {"ids": ids[:2], "reject": "Reject selected", "reason": ""})
    assert r.status_code == 422 and "Give a reason" in r.get_data(as_text=True)
    assert {booking_of(i).status for i in ids} == {"pending"}
    r = manager.post(
        "/manage/approvals/bulk", {"ids": [*ids[:2], 999999], "approve": "Approve selected"}, follow_redirects=True
    )
    page = r.get_data(as_text=True)
    assert f"Request #{ids[0]} approved" in page and f"Request #{ids[1]} approved" in page
    assert "Request #999999:" in page
    assert [booking_of(i).status for i in ids] == ["approved", "approved", "pending"]


def test_approvals_are_for_managers_only(world, browser):
    assert browser(world.alice).get("/manage/approvals").status_code == 403


def test_manager_calendar_shows_full_details_and_checks_in(world, browser, book, booking_of):
    today = book(world.alice, world.instrument_id, "2026-12-01 11:00", "2026-12-01 12:00", purpose="today's run")
    manager = browser(world.manager)
    assert manager.post(f"/manage/approvals/{today}/approve").status_code == 302
    page = manager.get(f"/manage/instruments/{world.instrument_id}/calendar").get_data(as_text=True)
    assert "today&#39;s run" in page and world.alice.email in page
    assert f'action="/bookings/{today}/check-in"' in page
    assert browser(world.bob).get(f"/manage/instruments/{world.instrument_id}/calendar").status_code == 403
    r = manager.post(f"/bookings/{today}/check-in", {"next": f"/manage/instruments/{world.instrument_id}/calendar"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/calendar")
    assert booking_of(today).status == "in_use"


def test_manager_records_actual_use_afterwards(world, browser, book, booking_of, app):
    booking_id = book(world.alice, world.instrument_id, "2026-12-01 11:00", "2026-12-01 12:00")
    manager = browser(world.manager)
    assert manager.post(f"/manage/approvals/{booking_id}/approve").status_code == 302
    app.config["FIXED_NOW"] = local("2026-12-01 12:05")  # frozen_clock puts it back afterwards
    r = manager.post(
        f"/bookings/{booking_id}/check-out", {"used_from": "2026-12-01T11:10", "used_until": "2026-12-01T11:50"}
    )
    assert r.status_code == 302
    booking = booking_of(booking_id)
    assert (booking.status, booking.effective_minutes) == ("completed", 40)
    assert booking.checked_in_at == local("2026-12-01 11:10")


def test_maintenance_add_lists_the_colliding_bookings(world, browser, book, count):
    booking_id = book(world.alice, world.instrument_id, "2026-12-02 10:00", "2026-12-02 11:00")
    manager = browser(world.manager)
    url = f"/manage/instruments/{world.instrument_id}/maintenance"
    r = manager.post(url, {"start": "2026-12-02T09:00", "end": "2026-12-02T12:00", "reason": "vacuum pump"})
    assert r.status_code == 200
    collisions = r.get_data(as_text=True).split('id="collisions"')[1].split("</section>")[0]
    assert f"/bookings/{booking_id}" in collisions
    assert count(MaintenanceWindow) == 1
    bad = manager.post(url, {"start": "2026-12-02T12:00", "end": "2026-12-02T09:00", "reason": "oops"})
    assert bad.status_code == 422 and "has-error" in bad.get_data(as_text=True)
    assert count(MaintenanceWindow) == 1
    window_id = int(re.search(r"/maintenance/(\d+)/delete", manager.get(url).get_data(as_text=True)).group(1))
    assert manager.post(f"{url}/{window_id}/delete").status_code == 302
    assert count(MaintenanceWindow) == 0


def test_grant_and_revoke_a_qualification(world, browser, within):
    manager = browser(world.manager)
    url = f"/manage/instruments/{world.instrument_id}/qualifications"
    r = manager.post(url, {"email": world.alice.email, "expires": "2027-06-30", "note": "trained by Dr Li"})
    assert r.status_code == 302
    page = manager.get(url).get_data(as_text=True)
    assert world.alice.email in page and "2027-06-30" in page and ">active<" in page

    def the_qualification():
        return db.session.execute(select(Qualification)).scalar_one()

    qualification = within(the_qualification)
    assert qualification.expires_at == local("2027-07-01 00:00")
    unknown = manager.post(url, {"email": "nobody@example.com"})
    assert unknown.status_code == 422 and "has-error" in unknown.get_data(as_text=True)
    assert manager.post(f"{url}/{qualification.id}/revoke").status_code == 302
    assert within(the_qualification).revoked_at == FIXED_NOW
    assert ">revoked<" in manager.get(url).get_data(as_text=True)


# ------------------------------------------------------------------ provider closures


def test_manager_closes_the_provider_for_a_holiday_and_it_blocks_booking(
    app, client, frozen_clock, create_instrument, create_user, login, post_form, token_for
):
    with app.app_context():
        instrument = create_instrument(approval_required=False)
        instrument_id, provider_id = instrument.id, instrument.provider_id
        manager = SimpleNamespace(email=create_user("manager", provider_id=provider_id, manages_all=True).email)
        booker = token_for(create_user("enterprise"))
    existing = client.post(
        "/api/v1/bookings",
        json={
            "instrument_id": instrument_id,
            "start": "2026-12-03T10:00:00+08:00",
            "end": "2026-12-03T11:00:00+08:00",
            "purpose": "XRD",
        },
        headers=booker,
    )
    assert existing.status_code == 201
    login(manager)
    bad = post_form("/manage/closures", {"first_day": "2026-12-04", "last_day": "2026-12-03", "reason": "x"})
    assert bad.status_code == 422 and "cannot be before the first day" in bad.get_data(as_text=True)
    page = post_form(
        "/manage/closures", {"first_day": "2026-12-03", "last_day": "2026-12-04", "reason": "Founding day"}
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Founding day" in text and f"#{existing.json['id']}" in text  # the colliding booking is listed
    refused = client.post(
        "/api/v1/bookings",
        json={
            "instrument_id": instrument_id,
            "start": "2026-12-04T14:00:00+08:00",
            "end": "2026-12-04T15:00:00+08:00",
            "purpose": "XRD",
        },
        headers=booker,
    )
    assert refused.status_code == 422
    assert "PROVIDER_CLOSED" in {e["code"] for e in refused.json["errors"]}
    open_again = client.post(
        "/api/v1/bookings",
        json={
            "instrument_id": instrument_id,
            "start": "2026-12-07T14:00:00+08:00",
            "end": "2026-12-07T15:00:00+08:00",
            "purpose": "XRD",
        },
        headers=booker,
    )
    assert open_again.status_code == 201  # the day after the closure


def test_only_managers_of_the_whole_provider_manage_closures(app, client, create_instrument, create_user, login):
    with app.app_context():
        instrument = create_instrument()
        partial = SimpleNamespace(
            email=create_user("manager", provider_id=instrument.provider_id, manages_all=False).email
        )
    login(partial)
    assert client.get("/manage/closures").status_code == 403


def test_closure_can_be_deleted(app, client, frozen_clock, create_instrument, create_user, login, post_form):
    from bwq_lab.extensions import db
    from bwq_lab.models import ProviderClosure

    with app.app_context():
        instrument = create_instrument()
        manager = SimpleNamespace(
            email=create_user("manager", provider_id=instrument.provider_id, manages_all=True).email
        )
    login(manager)
    post_form("/manage/closures", {"first_day": "2026-12-24", "last_day": "2026-12-25", "reason": "Year-end"})
    with app.app_context():
        closure_id = db.session.execute(select(ProviderClosure.id)).scalar_one()
    response = post_form(f"/manage/closures/{closure_id}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ProviderClosure, closure_id) is None


def test_book_page_says_when_a_qualification_is_missing(
    app, client, frozen_clock, create_instrument, create_user, login
):
    from datetime import timedelta

    with app.app_context():
        instrument = create_instrument(qualification_required=True)
        instrument_id = instrument.id
        user = create_user("enterprise")
        who = SimpleNamespace(email=user.email)
        user_id = user.id
    login(who)
    notice = "you hold no valid one"
    assert notice in client.get(f"/instruments/{instrument_id}/book").get_data(as_text=True)
    with app.app_context():
        db.session.add(
            Qualification(user_id=user_id, instrument_id=instrument_id, expires_at=FIXED_NOW + timedelta(days=30))
        )
        db.session.commit()
    assert notice not in client.get(f"/instruments/{instrument_id}/book").get_data(as_text=True)


def test_week_grid_escapes_what_people_typed(world, browser, book, within):
    """The week grid's blocks are written as text by the presenter (not by Jinja): a purpose and a
    maintenance reason with markup come out escaped on the booking page and the managers' calendar."""
    payload = '<img src=x onerror="alert(1)">'

    def add_window():
        db.session.add(
            MaintenanceWindow(
                instrument_id=world.instrument_id,
                start_at=local("2026-12-03 13:30"),
                end_at=local("2026-12-03 15:00"),
                reason=f"pump {payload}",
            )
        )
        db.session.commit()

    within(add_window)
    book(world.alice, world.instrument_id, "2026-12-04 09:00", "2026-12-04 10:00", purpose=f"XRD {payload}")
    escaped = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"
    own = browser(world.alice).get(f"/instruments/{world.instrument_id}/book?week=2026-12-02").get_data(as_text=True)
    manager = browser(world.manager).get(f"/manage/instruments/{world.instrument_id}/calendar?week=2026-12-02")
    assert manager.status_code == 200
    for page in (own, manager.get_data(as_text=True)):
        assert payload not in page
        assert f"pump {escaped}" in page
    assert f"XRD {escaped}" in manager.get_data(as_text=True)
