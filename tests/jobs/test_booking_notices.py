"""Session reminders (24 h ahead, once per start, caught up after downtime) and the managers'
daily digest of requests waiting longer than a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import FIXED_NOW, local


def _outbox():
    from bwq_lab import mail
    from bwq_lab.extensions import db
    from bwq_lab.models import OutboxMessage

    db.session.commit()  # end the test's read snapshot: the jobs commit in their own sessions
    rows = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    return [(m.recipients[0], *mail.render(m.template, m.context, m.language)) for m in rows]


def _run(app, name, now):
    from bwq_lab.jobs import find, run_job

    return run_job(app, find(name), now)


@pytest.fixture
def book(app, create_user):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    def make(instrument, start, *, status="approved", user=None, created_at=None, hours=1):
        user = user or create_user("enterprise")
        booking = Booking(
            instrument_id=instrument.id,
            user_id=user.id,
            status=status,
            start_at=start,
            end_at=start + timedelta(hours=hours),
            blocked_until=start + timedelta(hours=hours),
            purpose="XRD of thin films",
            created_at=created_at or FIXED_NOW - timedelta(days=3),
        )
        db.session.add(booking)
        db.session.commit()
        return booking

    return make


def test_reminded_once_a_day_ahead_with_what_when_where_and_a_link(
    app, ctx, create_instrument, create_provider, create_user, book
):
    provider = create_provider(address="杭州市西湖区余杭塘路866号")
    instrument = create_instrument(provider=provider, location="化学楼 101")
    en_user = create_user("enterprise", locale="en")
    tomorrow = book(instrument, local("2026-12-02 09:00"), user=en_user, hours=0.5)  # 24 h after FIXED_NOW
    book(instrument, local("2026-12-02 09:30"))  # 24.5 h: not yet
    book(instrument, local("2026-12-01 14:00"), status="pending")  # not approved
    book(instrument, local("2026-12-01 08:00"))  # already begun

    assert _run(app, "booking_reminders", FIXED_NOW) == 1
    assert _run(app, "booking_reminders", FIXED_NOW) == 0  # the rerun sends nothing
    base = app.config.get("BASE_URL")
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    try:
        ((to, subject, body),) = _outbox()  # rendered as delivery renders it, with BASE_URL
    finally:
        app.config["BASE_URL"] = base
    assert to == en_user.email
    assert (
        subject == "[BWQ Lab] Reminder: Field-emission scanning electron microscope on 2026-12-02 Wednesday 09:00–09:30"
    )
    assert "2026-12-02 Wednesday 09:00–09:30" in body and "化学楼 101" in body and "XRD of thin films" in body
    assert "check in" in body and "cancel" in body
    assert f"http://127.0.0.1:5000/bookings/{tomorrow.id}" in body
    # half an hour later the 09:30 one is due
    assert _run(app, "booking_reminders", FIXED_NOW + timedelta(minutes=30)) == 1
    assert _run(app, "booking_reminders", FIXED_NOW + timedelta(minutes=35)) == 0


def test_a_moved_session_is_reminded_again_and_chinese_users_read_chinese(
    app, ctx, create_instrument, create_user, book
):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    instrument = create_instrument()
    booking = book(instrument, local("2026-12-02 08:00"), user=create_user("enterprise", locale="zh"))
    assert _run(app, "booking_reminders", FIXED_NOW) == 1
    moved = db.session.get(Booking, booking.id)
    moved.start_at, moved.end_at = local("2026-12-02 08:30"), local("2026-12-02 09:30")
    moved.blocked_until = moved.end_at
    db.session.commit()
    assert _run(app, "booking_reminders", FIXED_NOW) == 1
    assert _run(app, "booking_reminders", FIXED_NOW) == 0
    (_, first, body), (_, second, _) = _outbox()
    assert "提醒" in first and "场发射扫描电子显微镜" in first and "2026-12-02" in first and "08:00" in first
    assert "08:30" in second and "签到" in body


def test_catch_up_after_a_day_of_downtime_reminds_each_session_once(app, ctx, create_instrument, book):
    instrument = create_instrument()
    starts = ["2026-12-02 08:00", "2026-12-02 15:00", "2026-12-02 20:00", "2026-12-03 07:00"]
    for start in starts:
        book(instrument, local(start))
    # the scheduler was down from FIXED_NOW - 1 day; it comes back at 08:00 on the 2nd minus 1 h
    back = local("2026-12-02 07:00")
    assert _run(app, "booking_reminders", back) == 4  # every session still ahead within 24 h
    for minutes in (5, 10, 60 * 12):
        assert _run(app, "booking_reminders", back + timedelta(minutes=minutes)) == 0
    assert len(_outbox()) == 4


def test_managers_daily_digest_lists_requests_waiting_over_a_day(
    app, ctx, create_instrument, create_provider, create_user, book
):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    provider = create_provider()
    sem = create_instrument(provider=provider)
    xrd = create_instrument(provider=provider, name="X射线衍射仪", name_en="X-ray diffractometer")
    boss = create_user("manager", provider=provider, manages_all=True, locale="en")
    xrd_only = create_user("manager", provider=provider, manages_all=False, locale="zh")
    db.session.get(User, xrd_only.id).instruments.append(xrd)
    create_user("manager")  # another provider: nothing for them
    db.session.commit()
    old_sem = book(sem, local("2026-12-05 10:00"), status="pending", created_at=FIXED_NOW - timedelta(hours=30))
    old_xrd = book(xrd, local("2026-12-05 14:00"), status="pending", created_at=FIXED_NOW - timedelta(days=2))
    book(sem, local("2026-12-06 10:00"), status="pending", created_at=FIXED_NOW - timedelta(hours=3))  # too new
    book(sem, local("2026-12-06 14:00"), status="approved", created_at=FIXED_NOW - timedelta(days=3))

    assert _run(app, "manager_digests", FIXED_NOW) == 2
    assert _run(app, "manager_digests", FIXED_NOW + timedelta(hours=5)) == 0  # once a local day
    sent = {to: (subject, body) for to, subject, body in _outbox()}
    subject, body = sent[boss.email]
    assert subject == "[BWQ Lab] Booking requests waiting for your decision: 2"
    assert f"/bookings/{old_sem.id}" in body and f"/bookings/{old_xrd.id}" in body and "/manage/approvals" in body
    subject, body = sent[xrd_only.email]
    assert "1" in subject and "等待" in subject
    assert f"/bookings/{old_xrd.id}" in body and f"/bookings/{old_sem.id}" not in body
    # the next local day: still waiting, so the digest comes again, once
    assert _run(app, "manager_digests", FIXED_NOW + timedelta(days=1)) == 2
    assert _run(app, "manager_digests", FIXED_NOW + timedelta(days=1, hours=1)) == 0
