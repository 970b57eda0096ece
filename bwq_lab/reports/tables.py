"""Tables as files: one writer for every report's CSV and Excel (.xlsx) export.

A :class:`Table` is what a page shows: title lines, headed columns, rows, an optional totals row.
The words (title, headings) are chosen by the edge in the reader's language and handed in; this
module only lays them out. Numbers stay numbers in the workbook (money as yuan with two decimals,
exact from integer fen), the header row is frozen and every column has a width.

Exports are built in memory: the largest (the busiest provider's quarter at ten times programme
scale, ~15,000 rows) is a few megabytes and builds well inside the three seconds the quarterly
export is allowed (bench/bench_exports.py); docs/decisions.md says why no streaming.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

#: a column's kind decides its cell format: text, int, hours (0.00), yuan (#,##0.00), percent, date
KINDS = ("text", "int", "hours", "yuan", "percent", "date")
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
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # what users typed (an enterprise name, a purpose) never runs as a formula
    return str(value)


#: a CSV cell starting with one of these is a formula to Excel and WPS (CSV injection, OWASP)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
# XlsxWriter (a well-kept, writer-only library): ~1 s for the busiest quarter's 15,000 lines, where
# openpyxl's writer takes ~6 s without lxml (docs/decisions.md); tests read every file back with openpyxl.
_NUM_FORMATS = {"int": "#,##0", "hours": "0.00", "yuan": "#,##0.00", "percent": "0.0%", "date": "yyyy-mm-dd"}


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One worksheet per table, in one workbook."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    formats = {
        "bold": book.add_format({"bold": True}),
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({"bold": True, "valign": "top", "text_wrap": True}),
    }
    for kind, code in _NUM_FORMATS.items():
        formats[kind] = book.add_format({"num_format": code})
        formats["bold " + kind] = book.add_format({"num_format": code, "bold": True})
    for table, name in zip(tables, _unique_sheet_names([t.sheet for t in tables]), strict=True):
        sheet = book.add_worksheet(name)
        header_row = len(table.title)
        sheet.freeze_panes(header_row + 1, 0)
        for col, column in enumerate(table.columns):
            sheet.set_column(col, col, _width(column))
        for row, line in enumerate(table.title):
            sheet.write_string(row, 0, _BAD_XML.sub("", line), formats["title"] if row == 0 else None)
        for col, column in enumerate(table.columns):
            sheet.write_string(header_row, col, _BAD_XML.sub("", column.heading), formats["header"])
        kinds = [c.kind for c in table.columns]
        row = header_row
        for values in table.rows:
            row += 1
            _write_row(sheet, row, values, kinds, formats, bold=False)
        if table.totals is not None:
            _write_row(sheet, row + 1, table.totals, kinds, formats, bold=True)
    book.close()
    return out.getvalue()


def _write_row(sheet, row: int, values: Sequence[Any], kinds: Sequence[str], formats: dict, bold: bool) -> None:
    prefix = "bold " if bold else ""
    for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
        if value is None:
            continue
        if isinstance(value, str):
            sheet.write_string(row, col, _BAD_XML.sub("", value), formats["bold"] if bold else None)
            continue
        number_format = formats.get(prefix + kind) if kind in _NUM_FORMATS else (formats["bold"] if bold else None)
        if isinstance(value, datetime):
            sheet.write_datetime(row, col, value.replace(tzinfo=None), number_format)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), number_format)
        elif isinstance(value, bool):
            sheet.write_number(row, col, int(value), number_format)
        elif kind == "yuan" and isinstance(value, int):
            sheet.write_number(row, col, yuan(value), number_format)
        else:
            sheet.write_number(row, col, value, number_format)


def _width(column: Column) -> int:
    return column.width or max(_WIDTHS[column.kind], min(40, _display_width(column.heading) + 2))


_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _unique_sheet_names(names: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        clean = _sheet_name(name)
        candidate, n = clean, 2
        while candidate.lower() in seen:
            suffix = f" ({n})"
            candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def _sheet_name(name: str) -> str:
    for bad in "[]:*?/\\":
        name = name.replace(bad, " ")
    return name[:31] or "Sheet"


def _display_width(text: str) -> int:
    """Columns in Excel's units: a CJK character is about two Latin ones wide."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
