"""The order journey in a browser (Chinese UI): an enterprise orders a batch from the service page
(the quote and the earliest promised date update as it types), the manager accepts it (sees the
plan), receives the samples, starts, delivers a PDF; the enterprise downloads it and confirms;
a second enterprise cannot open the file's URL. Screenshots go to tests/e2e/screenshots/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tests.conftest import PASSWORD

SHOTS = Path(__file__).parent / "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(browser, live_server, email):
    context = browser.new_context(locale="zh-CN", base_url=live_server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")
    return context, page


def test_order_accept_deliver_download_confirm(
    browser, live_server, app, frozen_clock, create_provider, create_service, create_user, create_enterprise, tmp_path
):
    from bwq_lab.extensions import db
    from bwq_lab.models import ServiceOrder

    saved = app.config["RESULTS_FOLDER"]
    app.config["RESULTS_FOLDER"] = str(tmp_path / "results")
    SHOTS.mkdir(exist_ok=True)
    with app.app_context():
        provider = create_provider()
        service_id = create_service(provider=provider, daily_capacity=4, turnaround_days=2).id
        manager = create_user("manager", provider=provider, manages_all=True).email
        alice = create_user("enterprise", enterprise=create_enterprise()).email
        bob = create_user("enterprise").email
    try:
        # the enterprise orders: the quote follows the number of samples
        context, page = sign_in(browser, live_server, alice)
        page.goto(f"/services/{service_id}")
        assert page.inner_text("#quote-fee") == "500.00"
        page.fill("input[name=samples]", "6")
        # (locator assertions: the page's CSP forbids the eval that wait_for_function's strings need)
        expect(page.locator("#quote-fee")).to_have_text("3,000.00")
        expect(page.locator("#quote-date")).to_have_text("2026-12-07")
        page.fill("input[name=requested_date]", "2026-12-03")
        page.dispatch_event("input[name=requested_date]", "change")
        page.wait_for_selector("#quote-late:not([hidden])")
        page.fill("textarea[name=sample_description]", "镀层钢板 6 片")
        with page.expect_navigation():
            page.click("#order-form [type=submit]")
        assert "/orders/" in page.url and "已提交" in page.inner_text("#order-status")
        order_path = page.url.removeprefix(live_server)
        context.close()

        # the manager sees the plan, accepts, receives, starts and delivers a PDF
        context, page = sign_in(browser, live_server, manager)
        page.goto(order_path)
        plan = page.inner_text("#plan-preview")
        assert "2026-12-02 (4), 2026-12-03 (2)" in plan and "2026-12-07" in plan
        with page.expect_navigation():
            page.click("#accept-form [type=submit]")
        assert "2026-12-02" in page.inner_text("#plan") and page.inner_text("#promised") == "2026-12-07"
        for step in ("receive", "start"):
            with page.expect_navigation():
                page.click(f"#{step}-form [type=submit]")
        report = tmp_path / "检测报告.pdf"
        report.write_bytes(PDF)
        page.set_input_files("#deliver-form input[type=file]", str(report))
        with page.expect_navigation():
            page.click("#deliver-form [type=submit]")
        assert "已交付" in page.inner_text("#order-status")
        file_url = page.get_attribute("#files a", "href")
        context.close()

        # the enterprise downloads the report and confirms receipt
        context, page = sign_in(browser, live_server, alice)
        page.goto(order_path)
        with page.expect_download() as download:
            page.click("#files a")
        assert download.value.suggested_filename == "检测报告.pdf"
        assert Path(download.value.path()).read_bytes() == PDF
        with page.expect_navigation():
            page.click("#confirm-form [type=submit]")
        assert "已关闭" in page.inner_text("#order-status")
        page.screenshot(path=str(SHOTS / "order_confirmed.png"), full_page=True)
        context.close()

        # another enterprise cannot open the file's URL
        context, page = sign_in(browser, live_server, bob)
        response = page.goto(file_url)
        assert response.status == 404
        page.screenshot(path=str(SHOTS / "order_file_other_enterprise.png"), full_page=True)
        context.close()

        with app.app_context():
            order = db.session.execute(select(ServiceOrder)).scalar_one()
            assert str(order.status) == "closed" and order.fee_fen == 300000 and order.first_delivered_at
    finally:
        app.config["RESULTS_FOLDER"] = saved
