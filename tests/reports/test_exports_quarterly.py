"""The quarterly carrier report (载体季度报送): its lines, its Excel and CSV files read back with
openpyxl and csv, against the numbers worked out by hand in ``exports_world``; who may download it."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

TZ = ZoneInfo("Asia/Shanghai")


def test_lines_of_the_quarter(ctx, export_world):
    from bwq_lab.extensions import db
    from bwq_lab.reports.carrier import quarterly_report

    report = quarterly_report(db.session, export_world.x, 2026, 4, tz=TZ)
    assert (report.first_day, report.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    got = [(line.kind, line.id, line.day, line.enterprise, line.hours, line.samples, line.fee_fen, line.staff)
           for line in report.lines]  # fmt: skip
    assert got == [
        ("session", export_world.b1, date(2026, 10, 9), "企业A", 1.5, None, 30000, ("张三",)),
        ("record", export_world.r1, date(2026, 10, 20), "企业A", 1.5, None, None, ("张三", "李四")),
        ("batch", export_world.o1, date(2026, 11, 15), "企业A", None, 5, 250000, ("李四",)),
        ("session", export_world.b2, date(2026, 12, 31), "企业B", 2.0, None, 12345, ()),
        ("record", export_world.r2, date(2026, 12, 31), "企业B", 4.0, None, None, ()),
    ]
    totals = report.totals
    assert (totals.sessions, totals.batches, totals.records) == (2, 1, 2)
    assert (totals.hours, totals.samples, totals.fee_fen) == (9.0, 5, 292345)


def test_the_quarter_before_and_after_hold_the_rest(ctx, export_world):
    from bwq_lab.extensions import db
    from bwq_lab.reports.carrier import quarterly_report

    q3 = quarterly_report(db.session, export_world.x, 2026, 3, tz=TZ)
    assert [(line.kind, line.day) for line in q3.lines] == [
        ("session", date(2026, 9, 30)),
        ("batch", date(2026, 9, 30)),
    ]
    q1 = quarterly_report(db.session, export_world.x, 2027, 1, tz=TZ)
    assert [(line.kind, line.day) for line in q1.lines] == [("session", date(2027, 1, 1)), ("record", date(2027, 1, 1))]


def _xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data))


def test_api_xlsx_cells_as_computed_by_hand(client, export_world):
    response = client.get("/api/v1/reports/quarterly?year=2026&quarter=4", headers=export_world.tokens["manager_x"])
    book = _xlsx(response)
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "Quarterly carrier report"
    assert sheet["A2"].value == "Provider: Provider X"
    assert sheet["A3"].value == "Period: 2026 Q4 (2026-10-01 to 2026-12-31)"
    assert sheet.freeze_panes == "A5"
    header = [c.value for c in sheet[4]]
    assert header == ["No.", "Service", "Enterprise", "Unified social credit code", "Instrument or service", "Date",
                      "Hours", "Samples", "Content", "Fee (yuan)", "Staff"]  # fmt: skip
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert rows[0] == [1, "Instrument session", "企业A", "91330100MA2AAAAA0X", "SEM", datetime(2026, 10, 9), 1.5,
                       None, "形貌观察", 300, "张三"]  # fmt: skip
    assert rows[1] == [2, "Service record", "企业A", "91330100MA2AAAAA0X",
                       "Technical consultation and needs diagnosis", datetime(2026, 10, 20), 1.5, None, "需求诊断",
                       None, "张三、李四"]  # fmt: skip
    assert rows[2] == [3, "Lab-service batch", "企业A", "91330100MA2AAAAA0X", "Composition testing",
                       datetime(2026, 11, 15), None, 5, "合金成分", 2500, "李四"]  # fmt: skip
    assert rows[3][:3] == [4, "Instrument session", "企业B"] and rows[3][6] == 2 and rows[3][9] == 123.45
    assert rows[4][:2] == [5, "Service record"] and rows[4][4] == "Training" and rows[4][6] == 4
    assert rows[5] == [None, "Total", "2 sessions, 1 batches, 2 records", None, None, None, 9, 5, None, 2923.45, None]
    assert len(rows) == 6
    # numbers are numbers, with formats: money with two decimals, exactly the fen
    assert sheet["J5"].number_format == "#,##0.00" and sheet["G5"].number_format == "0.00"
    assert sheet["F5"].is_date
    assert Decimal(str(sheet["J10"].value)) == Decimal("2923.45")
    assert sheet.column_dimensions["C"].width >= 20


def test_chinese_headings_for_a_chinese_reader(chinese_browser, export_world):
    response = chinese_browser.get(
        "/api/v1/reports/quarterly?year=2026&quarter=4", headers=export_world.tokens["manager_x"]
    )
    sheet = _xlsx(response).worksheets[0]
    assert sheet["A2"].value.endswith("提供方X")
    assert sheet["E5"].value == "扫描电镜" and sheet["E6"].value == "技术帮扶对接"


def test_page_and_csv_download(client, export_world, login):
    login(export_world.users["manager_x"])
    page = client.get("/reports/quarterly?year=2026&quarter=4")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="quarterly-table"' in html and "企业A" in html and "2,923.45" in html and "download-xlsx" in html
    response = client.get("/reports/quarterly?year=2026&quarter=4&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Quarterly carrier report"] and rows[3][0] == "No."
    assert rows[4] == ["1", "Instrument session", "企业A", "91330100MA2AAAAA0X", "SEM", "2026-10-09", "1.50", "",
                       "形貌观察", "300.00", "张三"]  # fmt: skip
    assert rows[-1][1] == "Total" and rows[-1][6:8] == ["9.00", "5"] and rows[-1][9] == "2923.45"
    xlsx = client.get("/reports/quarterly?year=2026&quarter=4&format=xlsx")
    assert _xlsx(xlsx).worksheets[0]["C5"].value == "企业A"


def test_the_page_defaults_to_the_quarter_due(client, export_world, login, frozen_clock):
    login(export_world.users["manager_x"])
    html = client.get("/reports/quarterly").get_data(as_text=True)  # FIXED_NOW is 2026-12-01: Q3 is due
    assert '<option value="3" selected>' in html and "2026-07-01" in html


def test_who_may_download_which_provider(client, export_world):
    get = "/api/v1/reports/quarterly?year=2026&quarter=4"
    t = export_world.tokens
    assert client.get(f"{get}&provider_id={export_world.x}", headers=t["city_nb"]).status_code == 404
    assert client.get(f"{get}&provider_id={export_world.y}", headers=t["city_nb"]).status_code == 200
    assert client.get(f"{get}&provider_id={export_world.x}", headers=t["city_hz"]).status_code == 200
    assert client.get(f"{get}&provider_id={export_world.x}", headers=t["province"]).status_code == 200
    assert client.get(f"{get}&provider_id=999999", headers=t["province"]).status_code == 404
    missing = client.get(get, headers=t["province"])
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["code"] == "REPORT_PROVIDER_REQUIRED"
    assert client.get(f"{get}&provider_id={export_world.x}", headers=t["manager_y"]).status_code == 404
    assert client.get(get, headers=t["enterprise_a"]).status_code == 403
    assert client.get(get).status_code == 401
    assert client.get("/api/v1/reports/quarterly?year=2026&quarter=5", headers=t["manager_y"]).status_code == 422


def test_city_admin_page_of_another_citys_provider_is_404(client, export_world, login):
    login(export_world.users["city_nb"])
    page = client.get("/reports/quarterly?year=2026&quarter=4")
    assert page.status_code == 200 and "Provider Y" in page.get_data(as_text=True)
    assert "Provider X" not in page.get_data(as_text=True)
    assert (
        client.get(f"/reports/quarterly?year=2026&quarter=4&provider_id={export_world.x}&format=xlsx").status_code
        == 404
    )
    assert (
        client.get(f"/reports/quarterly?year=2026&quarter=4&provider_id={export_world.y}&format=xlsx").status_code
        == 200
    )


def test_the_lines_are_the_rows_the_figures_count(ctx, export_world):
    """The report lists what ``figures.summary`` counts for the provider and the quarter."""
    from bwq_lab.extensions import db
    from bwq_lab.reports.carrier import quarterly_report
    from bwq_lab.reports.figures import summary
    from bwq_lab.reports.scope import Scope

    for year, quarter, first, last in ((2026, 4, date(2026, 10, 1), date(2026, 12, 31)),
                                       (2026, 3, date(2026, 7, 1), date(2026, 9, 30))):  # fmt: skip
        totals = quarterly_report(db.session, export_world.x, year, quarter, tz=TZ).totals
        figures = summary(db.session, Scope("provider", export_world.x), first, last, tz=TZ).totals
        assert (totals.sessions, totals.batches, totals.records, totals.samples) == (
            figures["sessions"], figures["batches"], figures["service_records"], figures["samples"]
        )  # fmt: skip
        assert totals.fee_fen == figures["revenue_internal_fen"] + figures["revenue_external_fen"]


def test_county_admins_read_their_countys_providers(app, client, export_world, city, token_for):
    from bwq_lab.extensions import db
    from bwq_lab.models import User

    with app.app_context():
        hz = city("杭州")
        own, other = hz.children[0], hz.children[1]  # provider X is in the first county

        def admin(county):
            user = User(email=f"county{county.id}@exports.example", name="county", role="county_admin",
                        password_hash="-", city_id=hz.id, county_id=county.id)  # fmt: skip
            db.session.add(user)
            db.session.commit()
            return token_for(user)

        own_token, other_token = admin(own), admin(other)
    get = f"/api/v1/reports/quarterly?year=2026&quarter=4&provider_id={export_world.x}"
    assert client.get(get, headers=own_token).status_code == 200
    assert client.get(get, headers=other_token).status_code == 404
