"""A manager downloads the quarterly carrier report and an enterprise its R&D expense statement,
in a real browser (Chinese), and the downloaded workbooks are read back with openpyxl; screenshots
are saved in instance/screenshots/ (or $BWQ_SCREENSHOTS)."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import PASSWORD

SHOTS = Path(os.environ.get("BWQ_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "instance" / "screenshots")


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form [type=submit]")


def _download(page, selector: str, tmp_path: Path, name: str):
    with page.expect_download() as info:
        page.click(selector)
    path = tmp_path / name
    info.value.save_as(path)
    return load_workbook(path).worksheets[0]


def test_manager_downloads_the_quarterly_report_and_an_enterprise_its_statement(
    page, app, tmp_path, create_provider, create_instrument, create_service, create_enterprise, create_user, city,
    token_for,
):  # fmt: skip
    from tests.reports import exports_world

    with app.app_context():
        world = exports_world.build(
            create_provider, create_instrument, create_service, create_enterprise, create_user, city, token_for
        )
    SHOTS.mkdir(parents=True, exist_ok=True)

    _sign_in(page, world.users["manager_x"].email)
    with page.expect_navigation():
        page.click("nav >> text=季度报送")
    page.select_option("select[name=year]", "2026")
    page.select_option("select[name=quarter]", "4")
    with page.expect_navigation():
        page.click("#quarter-form button[type=submit]")
    table = page.inner_text("#quarterly-table")
    assert "企业A" in table and "扫描电镜" in table and "技术帮扶对接" in table and "2,923.45" in table
    page.screenshot(path=str(SHOTS / "quarterly_report.png"), full_page=True)
    sheet = _download(page, "#download-xlsx", tmp_path, "quarterly.xlsx")
    assert sheet["A1"].value == "载体季度报送表"
    assert sheet["A2"].value == "服务机构：提供方X"
    assert [sheet[f"{c}5"].value for c in "BCDE"] == ["仪器机时", "企业A", "91330100MA2AAAAA0X", "扫描电镜"]
    assert (sheet["B10"].value, sheet["G10"].value, sheet["H10"].value, sheet["J10"].value) == ("合计", 9, 5, 2923.45)

    page.click("nav form button")  # sign out
    page.wait_for_load_state()
    _sign_in(page, world.users["enterprise_a"].email)
    with page.expect_navigation():
        page.click("nav >> text=费用明细")
    page.fill("#period-form input[name=from]", "2026-10-01")
    page.fill("#period-form input[name=to]", "2026-12-31")
    with page.expect_navigation():
        page.click("#period-form button[type=submit]")
    statement = page.inner_text("#statement-table")
    assert "小计：RD-1" in statement and "无项目" in statement and "2,850.00" in statement
    page.screenshot(path=str(SHOTS / "enterprise_statement.png"), full_page=True)
    sheet = _download(page, "#download-xlsx", tmp_path, "statement.xlsx")
    assert sheet["A1"].value == "研发费用归集明细"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert rows[-1][0] == "合计" and rows[-1][5:] == [5, 5, None, 2850, 6000]
