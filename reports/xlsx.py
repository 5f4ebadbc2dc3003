"""The reports' .xlsx writer: an XlsxWriter workbook in memory with the official forms' look.

Why XlsxWriter here (openpyxl reads every import and writes the small exports): the official
form puts a style on every cell (宋体, thin borders, wrapped and centred text, number formats),
and openpyxl resolves a style per cell as it writes it, which made a county workbook (60 unit
sheets) cost about 2.5× writing the same cells unstyled. XlsxWriter registers a format once per
workbook and writes styled cells faster than openpyxl writes bare values (``bench/README.md``).
The files are read back with openpyxl in the tests, cell by cell.

Rows and columns in this module's API are Excel's: 1-based (row 5 is the form's row 5).

Numbers: ``Decimal`` values are handed to XlsxWriter as they are and written with Python's
decimal formatting, so 元 ÷ 10000 = 0.033333 lands in the file as the text ``0.033333``, never
as a float's nearest neighbour (a float 9.2 would be written ``9.199999999999999``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from shuangyong.spreadsheets import FormatProps, XlsxBook

FONT_NAME = "宋体"  # SimSun: present on every office PC
GB2312_CHARSET = 134  # tells Excel the font is for CJK text
PAPER_A4 = 9


@dataclass(frozen=True)
class Style:
    """The look of a cell; every distinct look becomes one format in the workbook."""

    size: int = 11
    bold: bool = False
    align: str = "center"  # horizontal: center, left, right
    wrap: bool = True
    border: bool = True
    number_format: str | None = None

    def but(self, **changes: Any) -> Style:
        """This look with some properties changed (cached: called for every cell)."""
        return _derived(self, tuple(sorted(changes.items())))

    @property
    def look(self) -> FormatProps:
        """The format properties, hashable (cached: asked for every cell)."""
        return _look(self)

    def format_properties(self) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "font_name": FONT_NAME,
            "font_charset": GB2312_CHARSET,
            "font_size": self.size,
            "bold": self.bold,
            "align": self.align,
            "valign": "vcenter",
            "text_wrap": self.wrap,
        }
        if self.border:
            properties["border"] = 1  # thin, black
        if self.number_format:
            properties["num_format"] = self.number_format
        return properties


@lru_cache(maxsize=512)
def _look(style: Style) -> FormatProps:
    return tuple(sorted(style.format_properties().items()))


@lru_cache(maxsize=256)
def _cell(ref: str) -> tuple[int, int]:
    """``"D4"`` → (3, 3), 0-based; the forms name the same few cells on every sheet."""
    return xl_cell_to_rowcol(ref)


@lru_cache(maxsize=256)
def _range(ref: str) -> tuple[int, int, int, int]:
    """``"D3:E3"`` → (2, 3, 2, 4), 0-based first row, first column, last row, last column."""
    first, last = ref.split(":")
    return (*_cell(first), *_cell(last))


@lru_cache(maxsize=512)
def _derived(style: Style, changes: tuple[tuple[str, Any], ...]) -> Style:
    return replace(style, **dict(changes))


class ReportBook:
    """One .xlsx file being written in memory: add sheets, write them, then ``to_bytes()``."""

    def __init__(self) -> None:
        self.xlsx = XlsxBook()

    def add_sheet(self, name: str) -> Sheet:
        """``name`` must already be a valid, unique sheet name (``workbooks.unique_sheet_names``)."""
        return Sheet(self, self.xlsx.add_worksheet(name))

    def to_bytes(self) -> bytes:
        return self.xlsx.to_bytes()


class Sheet:
    """A worksheet of a ReportBook, addressed in Excel's 1-based rows and columns."""

    def __init__(self, book: ReportBook, worksheet: Worksheet) -> None:
        self.book = book
        self.ws = worksheet

    def write(self, row: int, column: int, value: Any, style: Style) -> None:
        """A cell of any type with a style, through the shared writer (formula-like text stays text)."""
        self.book.xlsx.write(self.ws, row - 1, column - 1, value, style.look)

    def write_row(self, row: int, cells: Iterable[tuple[Any, Style]], *, first_column: int = 1) -> None:
        for column, (value, style) in enumerate(cells, first_column):
            self.write(row, column, value, style)

    def merge(self, ref: str, value: Any, style: Style) -> None:
        """Merge ``ref`` (e.g. ``"A1:J1"``) showing ``value``. A bordered range gives every covered
        cell the style too, so that its borders go all round; a borderless one (the title lines)
        leaves them empty, which looks the same: Excel shows a merged range in its first cell's
        format (and XlsxWriter skips a blank cell without a format: 17 fewer cells per form)."""
        first_row, first_column, last_row, last_column = _range(ref)
        covered = self.book.xlsx.format(style.look) if style.border else None
        self.ws.merge_range(first_row, first_column, last_row, last_column, "", covered)
        # XlsxWriter's documented way to give a merged range a typed value: overwrite its first
        # cell (merge_range's own value goes through write(), which runs "=…" text as a formula).
        self.write(first_row + 1, first_column + 1, value, style)

    def put(self, ref: str, value: Any, style: Style) -> None:
        """Write at ``"D4"`` or, merged, over ``"D3:E3"``."""
        if ":" in ref:
            self.merge(ref, value, style)
        else:
            row, column = _cell(ref)
            self.write(row + 1, column + 1, value, style)

    def column_widths(self, widths: Sequence[float]) -> None:
        for index, width in enumerate(widths):
            self.ws.set_column(index, index, width)

    def row_height(self, row: int, height: float) -> None:
        self.ws.set_row(row - 1, height)

    def setup_print(self, *, title_rows: tuple[int, int], freeze: str, pages_tall: int = 0) -> None:
        """A4 landscape, one page wide and ``pages_tall`` pages long (0: as many as needed),
        ``title_rows`` repeated on every page, panes frozen at ``freeze`` (the first cell that scrolls)."""
        self.ws.set_paper(PAPER_A4)
        self.ws.set_landscape()
        self.ws.fit_to_pages(1, pages_tall)
        self.ws.center_horizontally()
        self.ws.set_margins(left=0.5, right=0.5)
        self.ws.repeat_rows(title_rows[0] - 1, title_rows[1] - 1)
        self.ws.freeze_panes(freeze)
