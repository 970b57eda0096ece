"""An enterprise user signs in, opens an instrument, books a free time, and sees the booking."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import PASSWORD


def test_sign_in_and_book_an_instrument(page, app, frozen_clock, create_instrument, create_user):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking

    with app.app_context():
        instrument_id = create_instrument(approval_required=True).id
        email = create_user("enterprise").email

    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")

    page.goto(f"/instruments/{instrument_id}")
    with page.expect_navigation():
        page.click(f"a[href$='/instruments/{instrument_id}/book']")
    page.fill("input[name=date]", "2026-12-02")
    page.fill("input[name=start]", "10:00")
    page.select_option("select[name=duration]", "60")
    page.fill("textarea[name=purpose]", "SEM imaging of coated steel samples")
    with page.expect_navigation():
        page.click("input[name=submit]")

    assert "/bookings/" in page.url
    assert "SEM imaging of coated steel samples" in page.inner_text("body")
    with app.app_context():
        booking = db.session.execute(select(Booking).where(Booking.instrument_id == instrument_id)).scalar_one()
        assert booking.status == "pending"
        assert booking.start_at.isoformat() == "2026-12-02T02:00:00+00:00"  # 10:00 in Asia/Shanghai
