"""Cancelling, changing, and being told: the free-cancellation window explained (with whom to
ask), the warning before booking inside it, the per-instrument late-cancellation policy, and
e-mails (outbox) plus on-page notices for cancellations on either side and rejections.
The clock is Tuesday 2026-12-01 09:00 (Asia/Shanghai)."""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bwq_lab.extensions import db
from bwq_lab.models import Booking, Notice, OutboxMessage, User
from tests.conftest import FIXED_NOW, local


def _lab(within, create_instrument, create_user, **policy):
    def build():
        instrument = create_instrument(approval_required=False, min_notice_minutes=0, **policy)
        instrument.provider.contact_phone = "0571-8888 0000"
        db.session.commit()
        manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True, name="王经理")
        alice = create_user("enterprise")
        return SimpleNamespace(
            instrument_id=instrument.id,
            manager=SimpleNamespace(id=manager.id, email=manager.email),
            alice=SimpleNamespace(id=alice.id, email=alice.email),
        )

    return within(build)


@pytest.fixture
def lab(frozen_clock, within, create_instrument, create_user):
    return _lab(within, create_instrument, create_user)


def _book(within, user_id, instrument_id, start, end):
    from bwq_lab.operations import bookings as ops

    def run():
        booking = ops.create_booking(
            db.session.get(User, user_id), instrument_id, local(start), local(end), FIXED_NOW, purpose="TEM"
        )
        db.session.commit()
        return booking.id

    return within(run)


def _rows(within, model, **where):
    def run():
        rows = db.session.execute(select(model).filter_by(**where)).scalars().all()
        for r in rows:
            db.session.expunge(r)
        return rows

    return within(run)


def test_inside_the_window_the_page_says_why_and_whom_to_ask(lab, browser, within):
    booking_id = _book(within, lab.alice.id, lab.instrument_id, "2026-12-01 14:00", "2026-12-01 15:00")
    page = browser(lab.alice).get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert 'id="cancellation-window"' in page
    assert "can no longer cancel it here" in page
    assert lab.manager.email in page and "0571-8888 0000" in page  # the manager's contact
    assert "Free cancellation until" in page and "2026-11-30 14:00" in page  # weekday + deadline
    assert f'action="/bookings/{booking_id}/cancel"' not in page  # no button that would be refused


def test_outside_the_window_the_deadline_is_shown_and_cancelling_works(lab, browser, within):
    booking_id = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00")
    alice = browser(lab.alice)
    page = alice.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "2026-12-02 10:00" in page and 'id="cancellation-window"' not in page
    assert alice.post(f"/bookings/{booking_id}/cancel").status_code in (302, 303)
    # the lab is told: an e-mail in the outbox and a notice on the manager's pages
    [mail] = [m for m in _rows(within, OutboxMessage) if m.template == "booking_cancelled_by_user"]
    assert mail.recipients == [lab.manager.email]
    [notice] = _rows(within, Notice, user_id=lab.manager.id)
    assert notice.kind == "booking_cancelled_by_user" and notice.booking_id == booking_id
    manager = browser(lab.manager)
    home = manager.get("/instruments").get_data(as_text=True)
    assert "cancelled the booking" in home and "the time is free again" in home
    # dismissed, it is gone; another user cannot dismiss it
    assert browser(lab.alice).post(f"/notices/{notice.id}/dismiss").status_code in (302, 303)
    assert "the time is free again" in manager.get("/instruments").get_data(as_text=True)
    manager.post(f"/notices/{notice.id}/dismiss", {"next": "/instruments"})
    assert "the time is free again" not in manager.get("/instruments").get_data(as_text=True)


def test_the_owner_is_told_of_a_rejection_and_a_cancellation_by_the_lab(
    frozen_clock, within, create_instrument, create_user, browser
):
    lab = _lab(within, create_instrument, create_user)

    def set_approval():
        from bwq_lab.models import Instrument

        db.session.get(Instrument, lab.instrument_id).approval_required = True
        db.session.commit()

    within(set_approval)
    first = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00")
    manager = browser(lab.manager)
    manager.post(f"/manage/approvals/{first}/reject", {"reason": "Sample holder broken"})
    alice = browser(lab.alice)
    page = alice.get("/bookings").get_data(as_text=True)
    assert "was rejected" in page and "Sample holder broken" in page
    assert any(m.template == "booking_rejected" for m in _rows(within, OutboxMessage))


def test_warning_before_booking_inside_the_window(lab, browser):
    alice = browser(lab.alice)
    url = f"/instruments/{lab.instrument_id}/book/check"
    data = {"date": "2026-12-01", "start": "14:00", "duration": "60", "purpose": "TEM"}
    answer = alice.post(url, data, headers={"Accept": "application/json"}).get_json()
    assert answer["ok"] is True
    assert [w["code"] for w in answer["warnings"]] == ["INSIDE_CANCELLATION_WINDOW"]
    assert "cannot cancel it yourself" in answer["warnings"][0]["message"]
    data["date"] = "2026-12-03"
    assert alice.post(url, data, headers={"Accept": "application/json"}).get_json()["warnings"] == []


def test_late_cancellation_allowed_is_counted(frozen_clock, within, create_instrument, create_user, browser):
    lab = _lab(within, create_instrument, create_user, late_cancellation="allow")
    booking_id = _book(within, lab.alice.id, lab.instrument_id, "2026-12-01 14:00", "2026-12-01 15:00")
    alice = browser(lab.alice)
    page = alice.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "counts as a late cancellation" in page
    assert alice.post(f"/bookings/{booking_id}/cancel").status_code in (302, 303)
    [booking] = _rows(within, Booking, id=booking_id)
    assert booking.status == "cancelled" and booking.cancelled_late is True


def test_late_cancellation_refused_by_default(lab, browser, within):
    booking_id = _book(within, lab.alice.id, lab.instrument_id, "2026-12-01 14:00", "2026-12-01 15:00")
    browser(lab.alice).post(f"/bookings/{booking_id}/cancel")
    [booking] = _rows(within, Booking, id=booking_id)
    assert booking.status == "approved" and booking.cancelled_late is False


def test_maintenance_over_approved_bookings_lists_them_and_one_action_cancels_and_tells(lab, browser, within):
    hit = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00")
    spared = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 14:00", "2026-12-03 15:00")
    manager = browser(lab.manager)
    page = manager.post(
        f"/manage/instruments/{lab.instrument_id}/maintenance",
        {"start": "2026-12-03T09:00", "end": "2026-12-03T12:00", "reason": "Vacuum pump"},
    ).get_data(as_text=True)
    assert f"/bookings/{hit}" in page and f"/manage/instruments/{lab.instrument_id}/collisions" in page
    page = manager.get(f"/manage/instruments/{lab.instrument_id}/collisions").get_data(as_text=True)
    assert f'value="{hit}"' in page and f'value="{spared}"' not in page and "maintenance" in page
    # a reason is required; nothing is cancelled without it
    r = manager.post(f"/manage/instruments/{lab.instrument_id}/collisions", {"booking_id": str(hit), "reason": ""})
    assert r.status_code == 422
    assert _rows(within, Booking, id=hit)[0].status == "approved"
    r = manager.post(
        f"/manage/instruments/{lab.instrument_id}/collisions", {"booking_id": str(hit), "reason": "Vacuum pump"}
    )
    assert r.status_code in (302, 303)
    assert _rows(within, Booking, id=hit)[0].status == "cancelled"
    assert _rows(within, Booking, id=spared)[0].status == "approved"
    mails = [m for m in _rows(within, OutboxMessage) if m.template == "booking_cancelled"]
    assert [m.recipients for m in mails] == [[lab.alice.email]]
    assert "The lab cancelled your booking" in browser(lab.alice).get("/bookings").get_data(as_text=True)


def test_changed_opening_hours_that_strand_bookings_lead_to_the_collisions(lab, browser, within):
    stranded = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 14:00", "2026-12-03 15:00")
    manager = browser(lab.manager)
    page = manager.get(f"/manage/instruments/{lab.instrument_id}/edit").get_data(as_text=True)
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body.strip()
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)"[^>]*selected', options)
        first = re.search(r'value="([^"]*)"', options)
        data[name] = (chosen.group(1) or chosen.group(2)) if chosen else first.group(1)
    for name in ("approval_required", "qualification_required", "voucher_eligible", "remove_photo"):
        if not re.search(rf'name="{name}"[^>]*checked', page):
            data.pop(name, None)
    data["opening_hours"] = "Mon-Fri 08:30-12:00"  # afternoons closed from now on
    data.pop("csrf_token", None)
    r = manager.post(f"/manage/instruments/{lab.instrument_id}/edit", data)
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:3000]
    assert r.headers["Location"].endswith(f"/manage/instruments/{lab.instrument_id}/collisions")
    page = manager.get(f"/manage/instruments/{lab.instrument_id}/collisions").get_data(as_text=True)
    assert f'value="{stranded}"' in page and "opening hours" in page


def _add_maintenance(within, lab, start, end, reason):
    from bwq_lab.operations import bookings as ops

    def run():
        ops.add_maintenance(db.session.get(User, lab.manager.id), lab.instrument_id, local(start), local(end), reason)
        db.session.commit()

    within(run)


def test_collisions_are_moved_at_once_to_their_first_free_times(lab, browser, within):
    first = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00")
    second = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 11:00", "2026-12-03 11:30")
    _add_maintenance(within, lab, "2026-12-03 09:00", "2026-12-03 12:00", "Vacuum pump")
    manager = browser(lab.manager)
    url = f"/manage/instruments/{lab.instrument_id}/collisions"
    page = manager.get(url).get_data(as_text=True)
    # the proposal, with the day of the week: the afternoon opening, one after the other
    assert "2026-12-03 Thursday 13:30–14:30" in page and "2026-12-03 Thursday 14:30–15:00" in page
    # a reason is required; nothing moves without it
    r = manager.post(url, {"booking_id": [str(first), str(second)], "reason": "", "action": "move"})
    assert r.status_code == 422
    assert _rows(within, Booking, id=first)[0].start_at == local("2026-12-03 10:00")
    r = manager.post(url, {"booking_id": [str(first), str(second)], "reason": "Vacuum pump", "action": "move"})
    assert r.status_code in (302, 303)
    assert "2 bookings moved" in manager.get(url).get_data(as_text=True)
    [a] = _rows(within, Booking, id=first)
    [b] = _rows(within, Booking, id=second)
    assert (a.start_at, a.end_at, a.status) == (local("2026-12-03 13:30"), local("2026-12-03 14:30"), "approved")
    assert (b.start_at, b.end_at, b.status) == (local("2026-12-03 14:30"), local("2026-12-03 15:00"), "approved")
    mails = [m for m in _rows(within, OutboxMessage) if m.template == "booking_moved_by_lab"]
    assert [m.recipients for m in mails] == [[lab.alice.email], [lab.alice.email]]
    assert mails[0].context["reason"] == "Vacuum pump"
    assert datetime.fromisoformat(mails[0].context["old_start"]) == local("2026-12-03 10:00")
    from bwq_lab import mail

    subject, body = within(mail.render, "booking_moved_by_lab", mails[0].context, "en")
    assert subject.startswith("[BWQ Lab] Booking moved") and "Reason: Vacuum pump" in body
    assert "Before: 2026-12-03 Thursday 10:00–11:00" in body and "2026-12-03 Thursday 13:30–14:30" in body
    subject, body = within(mail.render, "booking_moved_by_lab", mails[0].context, "zh")
    assert "周四" in body
    notices = _rows(within, Notice, user_id=lab.alice.id)
    assert sorted(n.booking_id for n in notices if n.kind == "booking_moved_by_lab") == [first, second]
    page = browser(lab.alice).get("/bookings").get_data(as_text=True)
    assert "The lab moved your booking" in page and "Thursday 10:00–11:00" in page and "Vacuum pump" in page
    # resolved: nothing collides any more
    assert f'value="{first}"' not in manager.get(url).get_data(as_text=True)


def test_moving_collisions_is_all_or_nothing_when_one_has_no_free_time(lab, browser, within):
    first = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00")
    _add_maintenance(within, lab, "2026-12-03 09:00", "2026-12-31 12:00", "Rebuild")
    url = f"/manage/instruments/{lab.instrument_id}/collisions"
    manager = browser(lab.manager)
    assert "none in the next 14 days" in manager.get(url).get_data(as_text=True)
    r = manager.post(url, {"booking_id": str(first), "reason": "Rebuild", "action": "move"})
    assert r.status_code == 409
    assert f"Booking #{first} has no free time" in r.get_data(as_text=True)
    assert _rows(within, Booking, id=first)[0].start_at == local("2026-12-03 10:00")
    assert not [m for m in _rows(within, OutboxMessage) if m.template == "booking_moved_by_lab"]


def test_a_move_by_the_lab_tells_the_owner_and_the_owners_move_tells_the_lab(lab, browser, within):
    booking_id = _book(within, lab.alice.id, lab.instrument_id, "2026-12-03 10:00", "2026-12-03 11:00")
    manager = browser(lab.manager)
    r = manager.post(
        f"/bookings/{booking_id}/move",
        {"date": "2026-12-04", "start": "10:00", "end": "11:00", "override_reason": "Sample holder swap"},
    )
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:2000]
    [mail] = [m for m in _rows(within, OutboxMessage) if m.template == "booking_moved_by_lab"]
    assert mail.recipients == [lab.alice.email]
    alice = browser(lab.alice)
    assert "The lab moved your booking" in alice.get("/bookings").get_data(as_text=True)
    r = alice.post(f"/bookings/{booking_id}/move", {"date": "2026-12-07", "start": "14:00", "end": "15:00"})
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:2000]
    [mail] = [m for m in _rows(within, OutboxMessage) if m.template == "booking_moved_by_user"]
    assert mail.recipients == [lab.manager.email]
    page = manager.get("/instruments").get_data(as_text=True)
    assert "moved the booking" in page and "2026-12-07 Monday 14:00–15:00" in page


def test_a_no_show_tells_the_owner(lab, browser, within):
    from bwq_lab.operations import bookings as ops

    _book(within, lab.alice.id, lab.instrument_id, "2026-12-01 10:00", "2026-12-01 11:00")

    def run():
        count = ops.mark_no_shows(local("2026-12-01 10:30"))
        db.session.commit()
        return count

    assert within(run) == 1
    [mail] = [m for m in _rows(within, OutboxMessage) if m.template == "booking_no_show"]
    assert mail.recipients == [lab.alice.email]
    assert within(run) == 0  # not told twice
    from bwq_lab import mail

    subject, body = within(mail.render, "booking_no_show", mail_context(within), "en")
    assert "no-show" in subject and "2026-12-01 Tuesday 10:00–11:00" in body
    page = browser(lab.alice).get("/bookings").get_data(as_text=True)
    assert "was recorded as a no-show" in page and "Tuesday 10:00–11:00" in page


def mail_context(within):
    return [m for m in _rows(within, OutboxMessage) if m.template == "booking_no_show"][0].context
