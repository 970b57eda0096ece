"""Two journeys in a Chinese browser, each ending in a screenshot (instance/screenshots/):
a user whose booking is inside the free-cancellation window learns why they cannot cancel and
whom to ask; a manager adds maintenance over an approved booking, resolves the collision with
one action (cancel them, or move them all to their first free times), and the user finds the
notice on their pages."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import FIXED_NOW, PASSWORD, local

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")


def _world(app, create_instrument, create_user, start: str, end: str):
    from bwq_lab.extensions import db
    from bwq_lab.models import User
    from bwq_lab.operations import bookings as ops

    with app.app_context():
        instrument = create_instrument(approval_required=False, min_notice_minutes=0)
        instrument.provider.contact_phone = "0571-8888 0000"
        db.session.commit()
        manager = create_user("manager", provider_id=instrument.provider_id, manages_all=True, name="王经理")
        user = create_user("enterprise", name="李工")
        booking = ops.create_booking(
            db.session.get(User, user.id), instrument.id, local(start), local(end), FIXED_NOW, purpose="TEM 观察"
        )
        db.session.commit()
        return instrument.id, booking.id, manager.email, user.email


def _add_maintenance_over(page, manager_email: str, instrument_id: int, booking_id: int) -> None:
    """The manager adds maintenance 09:00–12:00 on Thursday, sees the booking collide and opens
    the page that resolves the collisions."""
    _sign_in(page, manager_email)
    page.goto(f"/manage/instruments/{instrument_id}/maintenance")
    page.fill("input[name=start]", "2026-12-03T09:00")
    page.fill("input[name=end]", "2026-12-03T12:00")
    page.fill("[name=reason]", "真空泵更换")
    with page.expect_navigation():
        page.click(f"form[action='/manage/instruments/{instrument_id}/maintenance'] [type=submit]")
    assert f"#{booking_id}" in page.inner_text("#collisions")
    with page.expect_navigation():
        page.click(f"a[href='/manage/instruments/{instrument_id}/collisions']")


def test_cancel_inside_the_window_explains_whom_to_ask(page, app, frozen_clock, create_instrument, create_user):
    _instrument_id, booking_id, manager_email, user_email = _world(
        app, create_instrument, create_user, "2026-12-01 14:00", "2026-12-01 15:00"
    )
    _sign_in(page, user_email)
    page.goto(f"/bookings/{booking_id}")
    card = page.locator("#cancellation-window")
    assert card.is_visible()
    text = card.inner_text()
    assert "不能在此自行取消" in text and manager_email in text and "0571-8888 0000" in text
    assert page.locator(f"form[action='/bookings/{booking_id}/cancel']").count() == 0
    assert "免费取消截止" in page.inner_text("body")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "cancel-inside-window.png"), full_page=True)


def test_maintenance_collision_is_resolved_and_the_user_is_told(
    page, app, frozen_clock, create_instrument, create_user
):
    instrument_id, booking_id, manager_email, user_email = _world(
        app, create_instrument, create_user, "2026-12-03 10:00", "2026-12-03 11:00"
    )
    _add_maintenance_over(page, manager_email, instrument_id, booking_id)
    assert page.locator(f"input[name=booking_id][value='{booking_id}']").is_checked()
    page.fill("#resolve textarea[name=reason]", "真空泵更换，请改约其他时间")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "maintenance-collision.png"), full_page=True)
    with page.expect_navigation():
        page.click("#resolve button[value=cancel]")
    assert "已取消 1 个预约" in page.inner_text("body")

    page.context.clear_cookies()
    _sign_in(page, user_email)
    page.goto("/bookings")
    notice = page.locator(".notices .notice").first
    assert "实验室取消了您" in notice.inner_text() and "真空泵更换" in notice.inner_text()
    page.screenshot(path=str(SHOTS / "maintenance-collision-notice.png"), full_page=True)


def test_maintenance_collisions_are_moved_at_once_and_the_user_is_told(
    page, app, frozen_clock, create_instrument, create_user
):
    instrument_id, booking_id, manager_email, user_email = _world(
        app, create_instrument, create_user, "2026-12-03 10:00", "2026-12-03 11:00"
    )
    _add_maintenance_over(page, manager_email, instrument_id, booking_id)
    assert "2026-12-03 周四 13:30–14:30" in page.inner_text("#resolve .move-to")
    page.fill("#resolve textarea[name=reason]", "真空泵更换，已改到下午")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "maintenance-collision-move.png"), full_page=True)
    with page.expect_navigation():
        page.click("#resolve button[value=move]")
    assert "已改期 1 个预约" in page.inner_text("body")

    page.context.clear_cookies()
    _sign_in(page, user_email)
    page.goto("/bookings")
    notice = page.locator(".notices .notice").first
    text = notice.inner_text()
    assert "实验室已将您" in text and "周四 13:30–14:30" in text and "真空泵更换" in text
    page.screenshot(path=str(SHOTS / "maintenance-collision-move-notice.png"), full_page=True)
