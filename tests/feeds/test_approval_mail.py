"""The approval e-mail carries the booking's .ics (the outbox's attachments, made at delivery)."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from tests.conftest import FIXED_NOW
from tests.feeds.conftest import parse_both


def delivered(app) -> list:
    from bwq_lab.jobs import JOBS, run_job

    outbox = Path(app.config["OUTBOX_FOLDER"])
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    run_job(app, next(j for j in JOBS if j.name == "deliver_mail"), FIXED_NOW)
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in set(outbox.glob("*.eml")) - before]


def test_approval_mail_attaches_the_booking_in_the_recipients_language(client, lab, book, app):
    booking = book("alice")
    delivered(app)  # the request's own mails (to alice and the manager): no .ics yet
    assert client.post(f"/api/v1/bookings/{booking['id']}/approve", json={}, headers=lab["manager"]).status_code == 200
    (message,) = delivered(app)
    assert message["To"].endswith("@example.com")
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"booking-{booking['id']}.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    _, events = parse_both(attachment.get_payload(decode=True))
    event = events[f"booking-{booking['id']}@bwq-lab"]
    assert event.status == "CONFIRMED" and event.sequence == 1
    assert event.summary == "场发射扫描电子显微镜（已批准）"  # alice reads Chinese


def test_other_mails_carry_no_attachment(client, lab, book, app):
    booking = book("bob")
    assert (
        client.post(
            f"/api/v1/bookings/{booking['id']}/reject", json={"reason": "维护中"}, headers=lab["manager"]
        ).status_code
        == 200
    )
    for message in delivered(app):
        assert not list(message.iter_attachments())
