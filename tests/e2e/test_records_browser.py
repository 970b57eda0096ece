"""The records journey in a browser (Chinese UI): a lab manager adds a staff member to the roster,
then records a joint R&D service for an enterprise picked by typing its name (the picker offers it),
naming that staff member, with a signed agreement of which ¥5,000,000 was paid: the list flags it
视同省级科技计划项目. Screenshots go to tests/e2e/screenshots/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.conftest import PASSWORD

SHOTS = Path(__file__).parent / "screenshots"


def test_a_manager_adds_staff_and_a_provincial_project_record(
    browser, live_server, app, frozen_clock, create_provider, create_user, create_enterprise
):
    SHOTS.mkdir(exist_ok=True)
    with app.app_context():
        provider = create_provider()
        manager = create_user("manager", provider=provider, manages_all=True).email
        enterprise = create_enterprise(name="杭州晶睿新材料有限公司")
        code = enterprise.uscc
    context = browser.new_context(locale="zh-CN", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/login")
        page.fill("input[name=email]", manager)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form [type=submit]")

        # the roster: add a staff member
        with page.expect_navigation():
            page.click("nav a[href='/manage/staff']")
        expect(page.locator("h1")).to_have_text("科技人员")
        with page.expect_navigation():
            page.click("a[href='/manage/staff/new']")
        page.fill("input[name=name]", "赵敏")
        page.fill("input[name=title]", "高级工程师")
        page.fill("input[name=field]", "涂层材料")
        with page.expect_navigation():
            page.click("input[type=submit][name=submit]")
        expect(page.locator("#staff-table")).to_contain_text("赵敏")
        page.screenshot(path=str(SHOTS / "records-staff.png"), full_page=True)

        # a service record: the enterprise picked by name, the staff member ticked, ¥5,000,000 paid
        with page.expect_navigation():
            page.click("nav a[href='/service-records']")
        with page.expect_navigation():
            page.click("a[href='/manage/service-records/new']")
        page.fill("input[name=enterprise]", "晶睿")
        expect(page.locator("#enterprise-options option")).to_have_count(1)
        expect(page.locator("#enterprise-options option")).to_have_attribute("value", code)
        page.fill("input[name=enterprise]", code)
        page.fill("input[name=day]", "2026-11-28")
        page.select_option("select[name=kind]", "joint_rd")
        page.get_by_label("赵敏 · 高级工程师").check()
        page.fill("input[name=hours]", "16")
        page.fill("textarea[name=content]", "联合攻关耐腐蚀涂层工艺")
        page.check("input[name=agreement_signed]")
        page.fill("input[name=contract]", "6800000")
        page.fill("input[name=paid]", "5000000")
        page.fill("input[name=results_count]", "1")
        page.fill("textarea[name=results_titles]", "耐腐蚀涂层新工艺")
        page.screenshot(path=str(SHOTS / "records-form.png"), full_page=True)
        with page.expect_navigation():
            page.click("#record-form [type=submit]")
        row = page.locator("#records-table tbody tr").first
        expect(row).to_contain_text("杭州晶睿新材料有限公司")
        expect(row).to_contain_text("合作开发")
        expect(row).to_contain_text("赵敏")
        expect(row).to_contain_text("¥5,000,000.00")
        expect(row.locator(".provincial-project")).to_contain_text("视同省级科技计划项目")
        expect(page.locator(".flash").first).to_be_visible()
        page.screenshot(path=str(SHOTS / "records-list.png"), full_page=True)
    finally:
        context.close()
