"""Reading an uploaded table (.xlsx or .csv): the one reader behind every import.

Every importer (tasks, 双清单, visit records, the ledger) reads its upload through
:func:`read_table`, so that a limit or a refusal lands once for all of them:

- the file: its type (by extension, confirmed by its bytes), its size, a zip bomb
  (``shuangyong.uploads``), and a sheet whose extent could not be held in memory;
- the rows: at most ``MAX_ROWS`` data rows, blank rows skipped, short rows padded;
- the cells: at most ``MAX_CELL_CHARS`` characters (Excel's own limit), or fewer where the
  importer names the model field a column fills (its ``max_length``); no NUL character (PostgreSQL
  cannot store one). A refused cell is reported at its row and column (:class:`CellError`) and
  the whole file is refused before any row is validated, so nothing of it reaches a record or
  its history.

.xlsx is read with python-calamine (Rust's calamine, about ten times faster than openpyxl in
read-only mode). calamine inflates a sheet into one block of rows x columns cells and aborts the
process when that block cannot be allocated (a 400-byte file naming cell XFD1048576 does it), so
it only ever sees an archive rebuilt from members this module has inflated itself within the
limits, after their extent has been measured. Numbers arrive as floats and are turned back into
the integers they were typed as; dates arrive as ``datetime.date``/``datetime``.

CSV is read as UTF-8 (with or without BOM) or else GB18030 (a superset of GBK, what Excel on
Chinese Windows writes); the delimiter (comma, semicolon or tab) is sniffed from the header line.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from import_export import widgets

from shuangyong.uploads import validate_upload

#: One set of limits for every import.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
# Excel holds at most this many characters in a cell: a longer one was not made by Excel.
MAX_CELL_CHARS = 32_767
# 20,000 rows of the widest template inflate to about 15 MB of sheet XML; a zip bomb to hundreds.
MAX_INFLATED_BYTES = 60 * 1024 * 1024
# Blank rows tolerated beyond MAX_ROWS in a sheet's extent (Excel keeps formatted empty rows).
BLANK_ROWS_ALLOWED = 1000
#: Reading stops after this many refused cells: a wholly wrong file would otherwise list 100,000.
MAX_CELL_ERRORS = 1000
EXTENSIONS = ("xlsx", "csv")

TOO_MANY_ROWS = "一次最多导入 {limit} 行，请分批导入。"
CELL_OVER_EXCEL_LIMIT = f"单元格超过 {MAX_CELL_CHARS} 个字符（Excel 单元格的上限），不是正常的表格文件，未导入。"
CELL_OVER_FIELD_LIMIT = "最多 {limit} 个字（本格有 {length} 个字），请删减后重新上传。"
NUL_IN_CELL = "含有空字符（NUL），不是正常的文本，请删除该字符后重新上传。"
UNREADABLE_XLSX = "无法读取该 Excel 文件，请用导入模板（或导出的 Excel）填写后另存为 .xlsx 再上传。"
UNREADABLE_CSV = "无法识别 CSV 文件的编码，请另存为“CSV UTF-8”或 .xlsx 后上传。"
NO_DATA = "文件中没有数据行。"
UNIT_NOT_FOUND = "单位“{names}”不存在或不在您的管辖范围内"


@dataclass(frozen=True)
class CellError:
    """A refusal at a cell: ``row`` as the user sees it in Excel (the header is row 1; 0 = the file
    as a whole) and ``column`` its header ("" = the row as a whole)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        where = f" {self.column}" if self.column else ""
        return f"第 {self.row} 行{where}：{self.message}"


class UploadRefused(Exception):
    """The file is refused before any row is validated: as a whole, or at the cells listed."""

    def __init__(self, errors: str | Sequence[CellError]) -> None:
        self.errors: list[CellError] = [CellError(0, "", errors)] if isinstance(errors, str) else list(errors)
        super().__init__("；".join(str(e) for e in self.errors))

    @property
    def whole_file(self) -> bool:
        """True when the refusal names no cell (shown at the upload field)."""
        return all(not e.row for e in self.errors)

    @property
    def messages(self) -> list[str]:
        return [str(e) for e in self.errors]


@dataclass(frozen=True)
class Table:
    """The header and the data rows of an upload, each row as wide as the header, with the row
    number the user sees in Excel (blank rows are skipped but still counted)."""

    header: list[str]
    rows: list[tuple[Any, ...]]
    row_numbers: list[int] = field(default_factory=list)

    def column(self, name: str) -> int | None:
        try:
            return self.header.index(name)
        except ValueError:
            return None


# --- limits taken from the models -----------------------------------------------------------


def model_field_max_length(model: type[models.Model], path: str) -> int | None:
    """The ``max_length`` of ``model``'s field named by ``path`` (``"notes"``, ``"org_unit__name"``)."""
    field_: Any = None
    for part in path.split("__"):
        field_ = model._meta.get_field(part)
        if field_.is_relation and field_.related_model is not None:
            model = field_.related_model
    return getattr(field_, "max_length", None) if field_ is not None and not field_.is_relation else None


def column_limits(model: type[models.Model], columns: Mapping[str, str]) -> dict[str, int]:
    """Column header -> the most characters its cell may hold, for the columns (header -> field
    path) whose model field has a ``max_length``; the model is the single source of the limits."""
    limits = {header: model_field_max_length(model, path) for header, path in columns.items()}
    return {header: limit for header, limit in limits.items() if limit}


# --- reading --------------------------------------------------------------------------------


def upload_bytes(upload: Any) -> bytes:
    """The content of an uploaded file; one larger than the import limit is refused unread."""
    size = getattr(upload, "size", None) or 0
    if size > MAX_FILE_BYTES:
        _check_file(getattr(upload, "name", "") or "", b"", size=size)  # raises: wrong type or too large
    content: bytes = upload.read()
    return content


def read_table(
    *,
    name: str,
    content: bytes,
    columns: Iterable[str],
    max_chars: Mapping[str, int] | None = None,
    hint: str = "请下载导入模板，按模板的列填写。",
) -> Table:
    """The first sheet of an .xlsx, or a .csv, as a :class:`Table`; raises :class:`UploadRefused`.

    ``columns`` are the headers the import needs; ``max_chars`` the limits of some of them
    (see :func:`column_limits`), every other cell being held to Excel's 32,767 characters.
    """
    ext = _check_file(name, content, size=len(content))
    raw = _xlsx_rows(content) if ext == "xlsx" else _csv_rows(content)
    return _table(raw, columns=list(columns), max_chars=dict(max_chars or {}), hint=hint)


def _check_file(name: str, content: bytes, *, size: int) -> str:
    """Extension, size, bytes matching the extension, zip bomb: shuangyong.uploads decides them all."""
    upload = ContentFile(content, name=name)
    upload.size = size  # type: ignore[misc]  # the declared size of an upload not read yet
    try:
        validate_upload(upload, allowed=EXTENSIONS, max_bytes=MAX_FILE_BYTES, max_inflated_bytes=MAX_INFLATED_BYTES)
    except ValidationError as e:
        raise UploadRefused(e.messages[0]) from None
    return Path(name).suffix.lower().lstrip(".")


def _table(raw: Iterator[list[Any]], *, columns: list[str], max_chars: dict[str, int], hint: str) -> Table:
    header_cells = next(raw, None)
    if header_cells is None:
        raise UploadRefused(NO_DATA)
    header = [_header_text(h) for h in header_cells]
    while header and not header[-1]:
        header.pop()
    missing = [c for c in columns if c not in header]
    if missing:
        raise UploadRefused(f"表头不对，缺少列：{'、'.join(missing)}。{hint}")
    doubled = [c for c in columns if header.count(c) > 1]
    if doubled:
        raise UploadRefused(f"表头中“{'、'.join(doubled)}”出现了不止一次，请只保留一列。")
    width = len(header)
    limits = [min(max_chars.get(h, MAX_CELL_CHARS), MAX_CELL_CHARS) for h in header]
    rows: list[tuple[Any, ...]] = []
    numbers: list[int] = []
    errors: list[CellError] = []
    for number, cells in enumerate(raw, 2):
        # Non-empty text passes as it is; only empty cells and numbers need _value.
        values = [v if type(v) is str and v else _value(v) for v in cells[:width]]
        if len(values) < width:
            values.extend([None] * (width - len(values)))
        if all(v is None or (type(v) is str and not v.strip()) for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise UploadRefused(TOO_MANY_ROWS.format(limit=MAX_ROWS))
        for column, value, limit in zip(header, values, limits, strict=True):
            if type(value) is str and (len(value) > limit or "\0" in value):
                errors.append(CellError(number, column, _cell_error(value, limit) or ""))
        if len(errors) >= MAX_CELL_ERRORS:
            break
        rows.append(tuple(values))
        numbers.append(number)
    if errors:
        raise UploadRefused(errors)
    if not rows:
        raise UploadRefused(NO_DATA)
    return Table(header, rows, numbers)


def _header_text(value: Any) -> str:
    text = "" if value is None else str(value)
    # A header is a short name: a huge or NUL-bearing one is simply not one of ours.
    return text[:200].replace("\0", "").strip()


def _cell_error(value: str, limit: int) -> str | None:
    if len(value) > MAX_CELL_CHARS:
        return CELL_OVER_EXCEL_LIMIT
    if "\0" in value:
        return NUL_IN_CELL
    if len(value) > limit:
        return CELL_OVER_FIELD_LIMIT.format(limit=limit, length=len(value))
    return None


def _value(value: Any) -> Any:
    """A cell as the importers expect it: None when empty, a whole number as int (calamine reads
    every number as a float; 1E+30 stays the 10**30 that was typed, not its binary neighbour)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value) if abs(value) < 2**53 else int(Decimal(repr(value)))
    return value


# --- .xlsx ----------------------------------------------------------------------------------

_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])")
# The r="B7" of a cell and the r="7" of a row (no other element of a sheet has an r attribute).
_REF = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]*)(\d+)["\']')
# What Excel, LibreOffice, openpyxl and XlsxWriter write: ' r="B7"', unprefixed <row> and <c>.
_PLAIN_REF = re.compile(rb' r="([A-Za-z]*)(\d+)"')
_PREFIXED_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:")
_UNUSUAL_REFS = (b"r='", b"r =", b"r\t=", b"r\n=", b"r\r=", b"\tr=", b"\nr=", b"\rr=")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _sheet_extent(xml: bytes) -> tuple[int, int]:
    """An upper bound of the rows x columns block calamine would allocate for this sheet.

    Positions come from the r attributes; a row or cell without one follows the one before it,
    so those are added on top (an overestimate for ordinary files, exact for crafted ones).
    """
    if (plain := _plain_extent(xml)) is not None:
        return plain
    refs = _REF.findall(xml)
    rows_listed = len(_ROW_TAG.findall(xml))
    cells_listed = len(_CELL_TAG.findall(xml))
    max_row = max(map(int, {n for _, n in refs}), default=0)
    max_column = max((_column_number(c) for c in {c for c, _ in refs} if c), default=0)
    row_refs = sum(1 for c, _ in refs if not c)
    cell_refs = len(refs) - row_refs
    height = max_row + max(0, rows_listed - row_refs)
    refless_cells = max(0, cells_listed - cell_refs)
    if not refless_cells or height > MAX_ROWS + 1 + BLANK_ROWS_ALLOWED:
        return height, max_column
    widest = max((len(_CELL_TAG.findall(row)) for row in _ROW_TAG.split(xml)[1:]), default=0)
    return height, max_column + widest


_PLAIN_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_PLAIN_WIDE_COLUMN = re.compile(rb'<c r="([A-Z]{2,})\d')


def _plain_extent(xml: bytes) -> tuple[int, int] | None:
    """The extent of a sheet written as Excel, LibreOffice, openpyxl and XlsxWriter write one
    (every <row r="7" and <c r="B7" with its position first, no prefixes), from substring counts
    and the few positions that matter; None for any other sheet."""
    rows_listed = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/>")
    cells_listed = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
    if (
        xml.count(b'<row r="') != rows_listed
        or xml.count(b'<c r="') != cells_listed
        or xml.count(b' r="') != rows_listed + cells_listed
        or _PREFIXED_TAG.search(xml)
        or any(variant in xml for variant in _UNUSUAL_REFS)
    ):
        return None
    max_row = max(map(int, set(_PLAIN_ROW_NUMBER.findall(xml))), default=0)
    # A cell's row may differ from its row's: any cell numbered with more digits, or the same
    # number of digits and higher, than the last row is found by these two searches.
    digits = len(str(max_row))
    if re.search(rb'<c r="[A-Z]+\d{%d,}"' % (digits + 1), xml):
        return None
    cell_rows = re.findall(rb'<c r="[A-Z]+(\d{%d})"' % digits, xml)
    max_row = max(max_row, *map(int, set(cell_rows))) if cell_rows else max_row
    wide = set(_PLAIN_WIDE_COLUMN.findall(xml))
    max_column = max(map(_column_number, wide)) if wide else 26
    return max_row, max_column


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise UploadRefused(UNREADABLE_XLSX) from None
    if sum(len(data) for _, data in members) > MAX_INFLATED_BYTES:  # sizes declared falsely
        raise UploadRefused(UNREADABLE_XLSX)
    for _, data in members:
        if b"sheetData" not in data:
            continue
        height, width = _sheet_extent(data)
        if height > MAX_ROWS + 1 + BLANK_ROWS_ALLOWED:
            raise UploadRefused(TOO_MANY_ROWS.format(limit=MAX_ROWS))
        if width > MAX_COLUMNS:
            raise UploadRefused(f"文件超过 {MAX_COLUMNS} 列，不是导入模板的格式，请用导入模板填写。")
    # calamine reads members already inflated and measured, stored without compression.
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_STORED) as archive:
        for info, data in members:
            archive.writestr(info.filename, data)
    del members
    rebuilt.seek(0)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(rebuilt)
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception:  # calamine raises its own error types for every kind of damage
        raise UploadRefused(UNREADABLE_XLSX) from None
    # calamine's rows start at row 1 but its columns at the first column holding data: put the
    # empty columns back, so that a cell keeps the position (and header) it has in the sheet.
    start = sheet.start
    return _left_padded(start[1] if start else 0, rows)


def _left_padded(columns: int, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    pad: list[Any] = [None] * columns
    for row in rows:
        yield pad + row if pad else row


# --- .csv -----------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise UploadRefused(UNREADABLE_CSV)
    # The csv module refuses a field over 128 KiB with an error that names no cell; no field of a
    # file within MAX_FILE_BYTES is longer than that, so the per-cell check is what names it.
    if csv.field_size_limit() < MAX_FILE_BYTES + 1:
        csv.field_size_limit(MAX_FILE_BYTES + 1)
    first_line = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, strict=True)
    return _csv_checked(reader)


def _csv_checked(reader: Iterator[list[str]]) -> Iterator[list[Any]]:
    line = 0
    try:
        for line, row in enumerate(reader, 1):  # noqa: B007  (line is read after the loop)
            yield list(row)
    except csv.Error:
        message = f"第 {line + 1} 行不是有效的 CSV 格式（引号不成对？），请用 Excel 另存为 CSV 后上传。"
        raise UploadRefused(message) from None


# --- choices --------------------------------------------------------------------------------


class ChoiceLabelWidget(widgets.Widget):
    """A TextChoices value written as its Chinese label and read back from the label (or value).

    Used by every import and export; an unknown text is refused with the labels to choose from.
    """

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.labels: dict[str, str] = {str(v): str(label) for v, label in choices.choices}
        self.values = {label: value for value, label in self.labels.items()}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = "" if value is None else str(value).strip()
        if text in self.values:
            return self.values[text]
        if text in self.labels:
            return text
        raise ValueError(f"应为以下之一：{'、'.join(self.labels.values())}。")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return self.labels.get(value, value or "")
