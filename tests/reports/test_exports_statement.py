"""An enterprise's statement (研发费用归集): its projects, subtotals and totals against the numbers
worked out by hand in ``exports_world``; the JSON, CSV and Excel forms; only its own enterprise."""

from __future__ import annotations

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = "from=2026-10-01&to=2026-12-31"


def test_projects_subtotals_and_totals(ctx, export_world):
    from bwq_lab.extensions import db
    from bwq_lab.reports.statement import statement

    result = statement(db.session, export_world.a, date(2026, 10, 1), date(2026, 12, 31), tz=TZ)
    assert [p.code for p in result.projects] == ["RD-1", "RD-2", ""]
    rd1, rd2, none = result.projects
    assert [(line.kind, line.id) for line in rd1.lines] == [("session", export_world.b1), ("batch", export_world.o1)]
    assert (rd1.subtotal.hours, rd1.subtotal.samples, rd1.subtotal.fee_fen) == (1.5, 5, 280000)
    assert [(line.kind, line.id) for line in rd2.lines] == [("record", export_world.r1)]
    assert (rd2.subtotal.hours, rd2.subtotal.fee_fen, rd2.subtotal.paid_fen) == (1.5, 0, 600000)
    assert [(line.kind, line.id, line.provider) for line in none.lines] == [
        ("record", export_world.ry, "提供方Y"),
        ("session", export_world.bj, "提供方Y"),
    ]
    assert (none.subtotal.hours, none.subtotal.fee_fen) == (2.0, 5000)
    totals = result.totals
    assert (totals.lines, totals.hours, totals.samples, totals.fee_fen, totals.paid_fen) == (5, 5.0, 5, 285000, 600000)


def test_api_json(client, export_world):
    response = client.get(f"/api/v1/reports/statement?{PERIOD}", headers=export_world.tokens["enterprise_a"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["from"], body["to"], body["enterprise"]) == ("2026-10-01", "2026-12-31", "企业A")
    assert [p["code"] for p in body["projects"]] == ["RD-1", "RD-2", ""]
    assert body["projects"][0]["subtotal"]["fee_fen"] == 280000
    assert body["totals"] == {"lines": 5, "sessions": 2, "batches": 1, "records": 2, "minutes": 300, "samples": 5,
                              "fee_fen": 285000, "paid_fen": 600000}  # fmt: skip


def test_xlsx_cells(client, export_world):
    response = client.get(
        f"/api/v1/reports/statement?{PERIOD}&format=xlsx", headers=export_world.tokens["enterprise_a"]
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert sheet["A1"].value == "R&D expense statement"
    assert sheet["A2"].value == "Enterprise: 企业A (91330100MA2AAAAA0X)"
    assert sheet.freeze_panes == "A5"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert [r[0] for r in rows] == ["RD-1", "RD-1", "Subtotal: RD-1", "RD-2", "Subtotal: RD-2", "No project",
                                    "No project", "Subtotal: No project", "Total"]  # fmt: skip
    assert rows[2][5:] == [1.5, 5, None, 2800, 0]
    assert rows[3][2:] == ["Service record", "Provider X", "Technical consultation and needs diagnosis", 1.5, None,
                           "需求诊断", None, 6000]  # fmt: skip
    assert rows[6][3:6] == ["Provider Y", "Mass spectrometer", 1]
    assert rows[7][5:] == [2, 0, None, 50, 0]
    assert rows[8][5:] == [5, 5, None, 2850, 6000]


def test_page_and_csv(client, export_world, login):
    login(export_world.users["enterprise_a"])
    page = client.get(f"/reports/statement?{PERIOD}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="statement-table"' in html and "Subtotal: RD-1" in html and "2,850.00" in html
    response = client.get(f"/reports/statement?{PERIOD}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[3][0] == "R&D project"
    assert rows[4][:3] == ["RD-1", "2026-10-09", "Instrument session"] and rows[4][8] == "300.00"
    assert rows[-1] == ["Total", "", "2 sessions, 1 batches, 2 records", "", "", "5.00", "5", "", "2850.00", "6000.00"]
    assert client.get(f"/reports/statement?{PERIOD}&format=pdf").status_code == 422


def test_only_its_own_enterprise(client, export_world, login):
    """B's statement holds B's lines only; nobody names another enterprise; other roles get 403."""
    body = client.get(f"/api/v1/reports/statement?{PERIOD}", headers=export_world.tokens["enterprise_b"]).get_json()
    assert body["enterprise"] == "企业B"
    assert [(line["kind"], line["id"]) for p in body["projects"] for line in p["lines"]] == [
        ("session", export_world.b2),
        ("record", export_world.r2),
    ]
    for role in ("manager_x", "city_hz", "province"):
        assert client.get(f"/api/v1/reports/statement?{PERIOD}", headers=export_world.tokens[role]).status_code == 403
    assert client.get(f"/api/v1/reports/statement?{PERIOD}").status_code == 401
    bad = client.get(
        "/api/v1/reports/statement?from=2026-12-31&to=2026-10-01", headers=export_world.tokens["enterprise_a"]
    )
    assert bad.status_code == 422
    login(export_world.users["manager_x"])
    assert client.get(f"/reports/statement?{PERIOD}").status_code == 403
