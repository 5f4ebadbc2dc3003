"""Spreadsheets leaving the portal: the one place that writes a cell of an .xlsx (or a CSV) file.

CSV/formula injection (OWASP): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return may be run by a spreadsheet as a formula (``=cmd|' /C calc'!A0``). Every export
of every app (tasks, 双清单, visits and the ledger, reports) writes its cells through this module,
so the rule lives here once:

- in an **.xlsx**, such a value is written as a *string cell* with Excel's quote-prefix style
  (XlsxWriter ``quote_prefix``): it stays text even when someone edits the cell, and the
  printed and displayed value is exactly what was typed, no apostrophe, nothing dropped;
- in a **CSV** (plain text, no styles) the value gets a leading apostrophe (:func:`escape_csv`).

django-import-export's own "escape" removes the ``=`` (data changed) and is switched off
(``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False``): its datasets are written by
:func:`datasets_xlsx` instead. A test walks the source tree so that no other module opens an
.xlsx writer of its own.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Hashable
from decimal import Decimal
from typing import Any

import tablib
import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

FormatProps = tuple[tuple[str, Any], ...]
"""XlsxWriter format properties as a hashable, sorted tuple (see :func:`props`)."""


def props(**properties: Any) -> FormatProps:
    return tuple(sorted(properties.items()))


def is_formula_like(value: Any) -> bool:
    """A text that a spreadsheet would run as a formula (numbers never are: -5 stays a number)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def escape_csv(value: Any) -> Any:
    """For a CSV only (it has no styles): a formula-like text gets a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


class XlsxBook:
    """An .xlsx file written in memory with XlsxWriter; every cell goes through :meth:`write`.

    Formats are registered once per distinct look (``FormatProps``), with a quote-prefixed twin
    made on demand for the formula-like texts of that look.
    """

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._buffer, {"in_memory": True})
        self._formats: dict[tuple[Hashable, bool], Format] = {}

    def add_worksheet(self, name: str | None = None) -> Worksheet:
        return self.workbook.add_worksheet(name)

    def format(self, look: FormatProps = (), *, quoted: bool = False) -> Format:
        key = (look, quoted)
        fmt = self._formats.get(key)
        if fmt is None:
            properties = dict(look)
            if quoted:
                properties["quote_prefix"] = True
            fmt = self._formats[key] = self.workbook.add_format(properties)
        return fmt

    def write(self, ws: Worksheet, row: int, column: int, value: Any, look: FormatProps = ()) -> None:
        """One cell (0-based ``row``/``column``) of any type. Text is always a string cell (never a
        formula); formula-like text gets the quote-prefix style of the same look."""
        if value is None or value == "":
            ws.write_blank(row, column, None, self.format(look))
        elif isinstance(value, str):
            ws.write_string(row, column, value, self.format(look, quoted=is_formula_like(value)))
        elif isinstance(value, bool):
            ws.write_boolean(row, column, value, self.format(look))
        elif isinstance(value, int | float | Decimal):
            # A Decimal is written with Python's decimal formatting (exact), never as a float's
            # nearest neighbour: XlsxWriter formats the number with str().
            ws.write_number(row, column, value, self.format(look))  # type: ignore[arg-type]
        elif isinstance(value, dt.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            ws.write_datetime(
                row, column, local.replace(tzinfo=None), self.format((*look, ("num_format", DATETIME_FORMAT)))
            )
        elif isinstance(value, dt.date):
            ws.write_datetime(row, column, value, self.format((*look, ("num_format", DATE_FORMAT))))
        else:
            self.write(ws, row, column, str(value), look)

    def to_bytes(self) -> bytes:
        self.workbook.close()
        return self._buffer.getvalue()


# --- printable documents ---------------------------------------------------------------------

CJK_FONT = props(font_name="宋体", font_charset=134)  # SimSun, on every office PC; charset GB2312
PAPER_A4 = 9
POINTS_PER_LINE = 15  # an 11-point 宋体 line
MAX_ROW_HEIGHT = 409  # Excel's limit for one row


def text_width(text: str) -> int:
    """Width units (Excel column width) a line of text needs: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def lines_needed(text: str, column_width: float) -> int:
    """Lines a wrapped cell needs in a column of this width (one unit kept for the cell's padding)."""
    per_line = max(int(column_width) - 1, 2)
    return sum(max(-(-text_width(line) // per_line), 1) for line in (text.split("\n") if text else [""]))


def row_height(lines: int, *, minimum: float = 20) -> float:
    return min(max(minimum, lines * POINTS_PER_LINE + 6), MAX_ROW_HEIGHT)


def print_a4_landscape(ws: Worksheet, *, repeat_rows: tuple[int, int] | None = None, pages_tall: int = 0) -> None:
    """A4 landscape, one page wide (``pages_tall`` pages long, 0 = as many as needed), centred,
    ``repeat_rows`` (0-based, inclusive) on every page, page numbers in the footer."""
    ws.set_paper(PAPER_A4)
    ws.set_landscape()
    ws.fit_to_pages(1, pages_tall)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页 共 &N 页")
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)


HEADER_LOOK = props(bold=True, text_wrap=True, valign="vcenter", border=1)
CELL_LOOK = props(valign="top", text_wrap=True, border=1)
MAX_AUTO_WIDTH = 60


def _display_width(value: Any) -> int:
    """Columns a value needs: a CJK character is about two digits wide."""
    text = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else str(value)
    return max((text_width(line) for line in text.splitlines() or [""]), default=0)


def write_dataset(book: XlsxBook, dataset: tablib.Dataset, *, name: str | None = None) -> Worksheet:
    """A dataset as a sheet: bold header row (frozen), bordered cells, widths that fit."""
    ws = book.add_worksheet((name or dataset.title or None) and (name or dataset.title)[:31])
    headers = list(dataset.headers or [])
    widths = [_display_width(h) for h in headers]
    for column, heading in enumerate(headers):
        book.write(ws, 0, column, heading, HEADER_LOOK)
    for row, values in enumerate(dataset, start=1 if headers else 0):
        for column, value in enumerate(values):
            book.write(ws, row, column, value, CELL_LOOK)
            if value is not None:
                if column >= len(widths):
                    widths.append(0)
                widths[column] = max(widths[column], _display_width(value))
    for column, width in enumerate(widths):
        ws.set_column(column, column, min(max(width + 2, 8), MAX_AUTO_WIDTH))
    if headers:
        ws.freeze_panes(1, 0)
    return ws


def datasets_xlsx(*datasets: tablib.Dataset) -> bytes:
    """tablib datasets (django-import-export's exports) as one .xlsx, a sheet each."""
    book = XlsxBook()
    for dataset in datasets:
        write_dataset(book, dataset)
    return book.to_bytes()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download: its Chinese name kept by every browser (RFC 5987 ``filename*``), and
    never kept by a browser or proxy cache (the files hold personal data and scoped figures)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
