"""A user makes calendar links on the account page, copies the feed URL with the button, and the
copied URL serves their bookings and their lab-service order's promised completion date as a
calendar. Screenshot: build/screenshots/feeds-account.png."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import PASSWORD, local

SCREENSHOTS = Path(os.environ.get("BWQ_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"))


def test_copy_the_feed_url_from_the_account_page_and_fetch_it(
    page, app, frozen_clock, create_instrument, create_service, create_user, live_server
):
    from bwq_lab.extensions import db
    from bwq_lab.models import Booking, BookingEvent, ServiceOrder

    with app.app_context():
        instrument = create_instrument()
        user = create_user("enterprise", name="李小红")
        start = local("2026-12-03 10:00")
        booking = Booking(
            instrument_id=instrument.id,
            user_id=user.id,
            enterprise_id=user.enterprise_id,
            status="approved",
            start_at=start,
            end_at=start + timedelta(hours=1),
            blocked_until=start + timedelta(hours=1),
            purpose="透射电镜样品观察",
        )
        booking.events.append(BookingEvent(action="created", to_status="approved"))
        db.session.add(booking)
        service = create_service()
        order = ServiceOrder(
            service=service,
            provider_id=service.provider_id,
            user_id=user.id,
            enterprise_id=user.enterprise_id,
            status="accepted",
            samples=3,
            promised_date=date(2026, 12, 4),
        )
        order.new_event(action="submit", to_status="submitted")
        order.new_event(action="accept", from_status="submitted", to_status="accepted")
        db.session.add(order)
        db.session.commit()
        email, booking_id, order_id = user.email, booking.id, order.id

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")

    page.goto("/account/")
    with page.expect_navigation():
        page.click("#calendar form button[type=submit]")  # 生成我的日历订阅链接
    field = page.locator("#feed-mine")
    shown = field.input_value()
    assert shown.startswith(live_server + "/feeds/bwqf_") and shown.endswith("/mine.ics")
    subscribe = page.locator("#calendar a.button").first.get_attribute("href")
    assert subscribe == "webcal://" + shown.split("://", 1)[1]

    page.click("button[data-copy=feed-mine]")
    page.wait_for_function("document.querySelector('button[data-copy=feed-mine]').textContent === '已复制'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == shown

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#calendar").screenshot(path=str(SCREENSHOTS / "feeds-account.png"))

    response = page.request.get(copied)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    text = response.text()
    assert f"UID:booking-{booking_id}@bwq-lab" in text
    assert "SUMMARY:场发射扫描电子显微镜（已批准）" in text
    assert "STATUS:CONFIRMED" in text
    order_event = text.split(f"UID:order-{order_id}@bwq-lab\r\n")[1].split("END:VEVENT")[0]
    assert "SEQUENCE:1\r\n" in order_event and "STATUS:CONFIRMED\r\n" in order_event
    assert "SUMMARY:材料成分检测：承诺完成（已受理（已排期））\r\n" in order_event
    assert "DTSTART;VALUE=DATE:20261204\r\n" in text
    again = page.request.get(copied, headers={"If-None-Match": response.headers["etag"]})
    assert again.status == 304
