"""Background jobs: the outbox is delivered after the commit, never for a rolled-back change;
no-shows are marked by time; only one scheduler holds the lease."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.conftest import FIXED_NOW, local


def job(name):
    from bwq_lab.jobs import JOBS

    return next(j for j in JOBS if j.name == name)


def test_outbox_rows_are_delivered_once_and_rolled_back_mail_never_exists(app):
    from bwq_lab import mail
    from bwq_lab.extensions import db
    from bwq_lab.jobs import run_job
    from bwq_lab.models import OutboxMessage

    outbox = Path(app.config["OUTBOX_FOLDER"])
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    with app.app_context():
        mail.queue("alice@example.com", "kept", "body")
        db.session.commit()
        mail.queue("bob@example.com", "dropped", "body")
        db.session.rollback()
        assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 1
    assert run_job(app, job("deliver_mail"), FIXED_NOW) == 1
    assert run_job(app, job("deliver_mail"), FIXED_NOW) == 0  # safe to run twice
    written = set(outbox.glob("*.eml")) - before
    assert len(written) == 1
    assert "alice@example.com" in next(iter(written)).read_text()


def test_failed_delivery_is_kept_for_a_retry(app, monkeypatch):
    from bwq_lab import mail
    from bwq_lab.extensions import db
    from bwq_lab.jobs import run_job
    from bwq_lab.models import OutboxMessage

    with app.app_context():
        mail.queue("alice@example.com", "retry me", "body")
        db.session.commit()

    def broken(*args):
        raise OSError("smtp down")

    monkeypatch.setattr(mail, "deliver", broken)
    assert run_job(app, job("deliver_mail"), FIXED_NOW) == 0
    with app.app_context():
        message = db.session.execute(select(OutboxMessage)).scalar_one()
        assert message.sent_at is None and message.attempts == 1 and "smtp down" in message.last_error
    monkeypatch.undo()
    assert run_job(app, job("deliver_mail"), FIXED_NOW) == 1


def test_no_shows_are_marked_after_the_grace_period(app, create_instrument, create_user):
    from bwq_lab.extensions import db
    from bwq_lab.jobs import run_job
    from bwq_lab.models import Booking

    with app.app_context():
        instrument = create_instrument()
        user = create_user("enterprise")
        start = local("2026-12-02 10:00")
        booking = Booking(
            instrument_id=instrument.id,
            user_id=user.id,
            status="approved",
            start_at=start,
            end_at=start + timedelta(hours=1),
            blocked_until=start + timedelta(hours=1),
        )
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
    assert run_job(app, job("mark_no_shows"), local("2026-12-02 10:10")) == 0  # within the grace period
    assert run_job(app, job("mark_no_shows"), local("2026-12-02 10:20")) == 1
    assert run_job(app, job("mark_no_shows"), local("2026-12-02 10:30")) == 0
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "no_show"


def test_only_one_scheduler_holds_the_lease(app):
    from bwq_lab.jobs import hold_lease

    assert hold_lease(app, FIXED_NOW, holder="a")
    assert not hold_lease(app, FIXED_NOW + timedelta(seconds=10), holder="b")
    assert hold_lease(app, FIXED_NOW + timedelta(seconds=20), holder="a")  # renewal
    assert hold_lease(app, FIXED_NOW + timedelta(seconds=200), holder="b")  # a's lease expired
