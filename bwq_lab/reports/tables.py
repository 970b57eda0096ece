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
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

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
# A workbook is a zip of a few XML parts (ECMA-376 / ISO 29500, the "transitional" SpreadsheetML
# every spreadsheet program reads). We write them as text: openpyxl's writer, without lxml (not
# in our requirements), serialises each cell through an element tree at ~2,500 rows a second, too
# slow for the busiest provider's quarter (tests read every file back with openpyxl).
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = _REL + "/worksheet"

#: cell styles (indexes of cellXfs in styles.xml): plain, bold, the title, then each number format
#: plain and bold (totals)
_STYLE = {"text": 0, "bold": 1, "title": 2, "header": 3}
_NUMBER_KINDS = ("int", "hours", "yuan", "percent", "date")
_NUMFMT_IDS = {"int": 1, "hours": 2, "yuan": 4, "percent": 164, "date": 165}
for _n, _kind in enumerate(_NUMBER_KINDS):
    _STYLE[_kind] = 4 + _n
    _STYLE["bold " + _kind] = 4 + len(_NUMBER_KINDS) + _n

_STYLES_XML = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>'
    "</numFmts>"
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/>'
    '</font><font><b/><sz val="13"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{4 + 2 * len(_NUMBER_KINDS)}">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    + "".join(
        f'<xf numFmtId="{_NUMFMT_IDS[k]}" fontId="{font}" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"'
        f' applyFont="{font}"/>'
        for font in (0, 1)
        for k in _NUMBER_KINDS
    )
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_EPOCH = date(1899, 12, 30)
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(value: str) -> str:
    return escape(_BAD_XML.sub("", value))


def _cells(values: Sequence[Any], kinds: Sequence[str], letters: Sequence[str], row: int, bold: bool) -> str:
    out = []
    for value, kind, letter in zip(values, kinds, letters, strict=True):
        if value is None:
            continue
        ref = f"{letter}{row}"
        if isinstance(value, str):
            style = _STYLE["bold"] if bold else 0
            s = f' s="{style}"' if style else ""
            out.append(f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_xml_text(value)}</t></is></c>')
            continue
        if isinstance(value, datetime):
            number = (value - datetime.combine(_EPOCH, datetime.min.time(), value.tzinfo)).total_seconds() / 86400
        elif isinstance(value, date):
            number = (value - _EPOCH).days
        elif isinstance(value, bool):
            number = int(value)
        elif kind == "yuan" and isinstance(value, int):
            number = yuan(value)
        else:
            number = value
        style = _STYLE[("bold " if bold else "") + kind] if kind in _NUMBER_KINDS else (_STYLE["bold"] if bold else 0)
        s = f' s="{style}"' if style else ""
        out.append(f'<c r="{ref}"{s}><v>{number}</v></c>')
    return "".join(out)


def _sheet_xml(table: Table) -> str:
    kinds = [c.kind for c in table.columns]
    letters = [_column_letter(i) for i in range(1, len(table.columns) + 1)]
    header_row = len(table.title) + 1
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{_width(c)}" customWidth="1"/>' for i, c in enumerate(table.columns, start=1)
    )
    parts = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
        '<sheetViews><sheetView workbookViewId="0">',
        f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" state="frozen"/>',
        f'<selection pane="bottomLeft" activeCell="A{header_row + 1}" sqref="A{header_row + 1}"/>',
        "</sheetView></sheetViews>",
        f"<cols>{widths}</cols><sheetData>",
    ]
    row = 0
    for n, line in enumerate(table.title):
        row += 1
        style = _STYLE["title"] if n == 0 else 0
        s = f' s="{style}"' if style else ""
        parts.append(
            f'<row r="{row}"><c r="A{row}" t="inlineStr"{s}><is><t xml:space="preserve">{_xml_text(line)}</t></is></c></row>'
        )
    row += 1
    headings = "".join(
        f'<c r="{letter}{row}" t="inlineStr" s="{_STYLE["header"]}"><is><t>{_xml_text(c.heading)}</t></is></c>'
        for letter, c in zip(letters, table.columns, strict=True)
    )
    parts.append(f'<row r="{row}">{headings}</row>')
    for values in table.rows:
        row += 1
        parts.append(f'<row r="{row}">{_cells(values, kinds, letters, row, bold=False)}</row>')
    if table.totals is not None:
        row += 1
        parts.append(f'<row r="{row}">{_cells(table.totals, kinds, letters, row, bold=True)}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def _width(column: Column) -> int:
    return column.width or max(_WIDTHS[column.kind], min(40, _display_width(column.heading) + 2))


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One worksheet per table, in one workbook."""
    names = _unique_sheet_names([t.sheet for t in tables])
    sheets = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, start=1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )
    relations = "".join(
        f'<Relationship Id="rId{n}" Type="{_SHEET_TYPE}" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(tables) + 1)
    )
    relations += f'<Relationship Id="rId{len(tables) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(tables) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        package.writestr("xl/workbook.xml", workbook)
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
            f"{relations}</Relationships>",
        )
        package.writestr("xl/styles.xml", _STYLES_XML)
        for n, table in enumerate(tables, start=1):
            package.writestr(f"xl/worksheets/sheet{n}.xml", _sheet_xml(table))
    return out.getvalue()


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
