"""Tables as files: one writer for every report's CSV and Excel (.xlsx) export.

A :class:`Table` is what a page shows: title lines, headed columns, rows, an optional totals row.
The words (title, headings) are chosen by the edge in the reader's language and handed in; this
module only lays them out. Numbers stay numbers in the workbook (money as yuan with two decimals,
exact from integer fen), the header row is frozen and every column has a width.

Exports are built in memory: the largest (a year of the busiest provider at ten times programme
scale, tens of thousands of rows) is a few megabytes and builds in well under the three seconds
the quarterly export is allowed (bench/bench_exports.py); docs/decisions.md says why no streaming.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

#: a column's kind decides its cell format: text, int, hours (0.00), yuan (#,##0.00), percent, date
KINDS = ("text", "int", "hours", "yuan", "percent", "date")
_FORMATS = {"int": "0", "hours": "0.00", "yuan": "#,##0.00", "percent": "0.0%", "date": "yyyy-mm-dd"}
_WIDTHS = {"text": 24, "int": 10, "hours": 10, "yuan": 14, "percent": 10, "date": 12}


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = "text"
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    key: str  # a stable name (``?table=`` picks one table of a page for CSV)
    sheet: str  # the worksheet's name (at most 31 characters, no []:*?/\)
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    title: Sequence[str] = field(default_factory=tuple)  # lines above the header (report title, period…)
    totals: Sequence[Any] | None = None


def yuan(fen: int | None) -> Decimal | None:
    """Integer fen as exact yuan (``12345`` → ``Decimal("123.45")``)."""
    return None if fen is None else Decimal(int(fen)) / 100


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "yuan" and isinstance(value, int):
        return yuan(value)
    return value


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "yuan":
        return f"{yuan(value) if isinstance(value, int) else value:.2f}"
    if kind == "hours":
        return f"{value:.2f}"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------------------------------ CSV
def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (Excel then opens Chinese correctly), comma-separated, CRLF.
    Title lines come first, one cell each; numbers as plain text without thousands separators."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in table.title:
        writer.writerow([line])
    kinds = [c.kind for c in table.columns]
    writer.writerow([c.heading for c in table.columns])
    for row in table.rows:
        writer.writerow([_text(v, k) for v, k in zip(row, kinds, strict=True)])
    if table.totals is not None:
        writer.writerow([_text(v, k) for v, k in zip(table.totals, kinds, strict=True)])
    return out.getvalue().encode("utf-8-sig")


# ----------------------------------------------------------------------------------------- XLSX
def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One worksheet per table (openpyxl's write-only mode: rows are written as they come)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    title_font = Font(bold=True, size=13)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.sheet))
        for index, column in enumerate(table.columns, start=1):
            width = column.width or max(_WIDTHS[column.kind], min(40, _display_width(column.heading) + 2))
            sheet.column_dimensions[get_column_letter(index)].width = width
        header_row = len(table.title) + 1
        sheet.freeze_panes = f"A{header_row + 1}"
        for line_number, line in enumerate(table.title):
            cell = WriteOnlyCell(sheet, value=line)
            cell.font = title_font if line_number == 0 else Font()
            sheet.append([cell])
        headings = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column.heading)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            headings.append(cell)
        sheet.append(headings)
        formats = [_FORMATS.get(c.kind) for c in table.columns]
        kinds = [c.kind for c in table.columns]
        for row in table.rows:
            sheet.append(_xlsx_row(sheet, row, kinds, formats, WriteOnlyCell))
        if table.totals is not None:
            cells = _xlsx_row(sheet, table.totals, kinds, formats, WriteOnlyCell)
            for cell in cells:
                cell.font = bold
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_row(sheet, row, kinds, formats, cell_class) -> list:
    cells = []
    for value, kind, number_format in zip(row, kinds, formats, strict=True):
        cell = cell_class(sheet, value=_cell(value, kind))
        if number_format and value is not None and not isinstance(value, str):
            cell.number_format = number_format
        cells.append(cell)
    return cells


def _sheet_name(name: str) -> str:
    for bad in "[]:*?/\\":
        name = name.replace(bad, " ")
    return name[:31] or "Sheet"


def _display_width(text: str) -> int:
    """Columns in Excel's units: a CJK character is about two Latin ones wide."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
