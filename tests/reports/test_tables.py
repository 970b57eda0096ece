"""The one writer of every report file: what users typed never becomes a formula, numbers stay numbers."""

import csv
import io
from datetime import date

from openpyxl import load_workbook

from bwq_lab.reports.tables import Column, Table, to_csv, to_xlsx

TYPED = ['=HYPERLINK("http://evil.example","点我")', "+1+2", "-3", "@SUM(A1)", "普通文字"]


def _table():
    return Table(
        key="t",
        sheet="表",
        columns=[Column("内容"), Column("费用", "yuan"), Column("日期", "date"), Column("数量", "int")],
        rows=[(text, -1250, date(2026, 11, 3), 2) for text in TYPED],
        title=("标题",),
        totals=("合计", -6250, None, 10),
    )


def test_csv_cells_that_look_like_formulas_are_quoted_and_numbers_are_not():
    rows = list(csv.reader(io.StringIO(to_csv(_table()).decode("utf-8-sig"))))
    assert [r[0] for r in rows[2:7]] == ["'" + t for t in TYPED[:4]] + ["普通文字"]
    assert rows[2][1:] == ["-12.50", "2026-11-03", "2"]  # a negative amount stays a number
    assert rows[-1] == ["合计", "-62.50", "", "10"]


def test_xlsx_writes_typed_text_as_text_and_numbers_as_numbers():
    sheet = load_workbook(io.BytesIO(to_xlsx([_table()]))).active
    assert sheet.title == "表" and sheet["A1"].value == "标题" and sheet.freeze_panes == "A3"
    cells = [sheet.cell(row=r, column=1) for r in range(3, 8)]
    assert [c.value for c in cells] == TYPED and {c.data_type for c in cells} == {"s"}
    assert sheet["B3"].value == -12.5 and sheet["B3"].number_format == "#,##0.00"
    assert sheet["C3"].value.date() == date(2026, 11, 3) and sheet["C3"].number_format == "yyyy-mm-dd"
    assert sheet["D8"].value == 10 and sheet["A8"].font.bold
