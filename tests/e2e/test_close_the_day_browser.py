"""A manager opens a session the system closed at its end and confirms the actual use in the
browser (Chinese UI); a screenshot is saved in instance/screenshots/ (or $BWQ_SCREENSHOTS)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from tests.conftest import FIXED_NOW, PASSWORD, local

SHOTS = Path(os.environ.get("BWQ_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "instance" / "screenshots")


def test_manager_confirms_the_actual_use_of_a_session_closed_by_the_system(page, app, create_instrument, create_user):
    from bwq_lab.extensions import db
    from bwq_lab.jobs import find, run_job
    from bwq_lab.models import Booking

    with app.app_context():
        instrument = create_instrument()
        manager = create_user("manager", provider=instrument.provider, manages_all=True)
        booking = Booking(
            instrument_id=instrument.id,
            user_id=create_user("enterprise").id,
            status="in_use",
            start_at=local("2026-12-01 08:00"),
            end_at=local("2026-12-01 09:00"),
            blocked_until=local("2026-12-01 09:00"),
            checked_in_at=local("2026-12-01 08:05"),
            created_at=FIXED_NOW - timedelta(hours=2),
        )
        db.session.add(booking)
        db.session.commit()
        booking_id, email = booking.id, manager.email
    assert run_job(app, find("close_the_day"), local("2026-12-01 09:05")) == 1

    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")
    page.goto(f"/bookings/{booking_id}")
    section = page.locator("#confirm-use")
    assert "待确认实际使用" in section.inner_text()
    section.locator("input[name=used_until]").fill("2026-12-01T08:40")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "confirm_use.png"), full_page=True)
    with page.expect_navigation():
        section.locator("button[type=submit]").click()
    assert "实际使用已确认" in page.inner_text("body")
    assert page.locator("#confirm-use").count() == 0
    with app.app_context():
        confirmed = db.session.get(Booking, booking_id)
        assert not confirmed.use_to_confirm and confirmed.effective_minutes == 35
