"""The hostile inputs, built at test time (small on disk, nothing big committed).

Spreadsheets are written as raw Office Open XML with ``zipfile`` so that a million rows or a
zip bomb cost seconds and a few hundred KB, not an openpyxl session of minutes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
FORMULA = "=cmd|' /C calc'!A0"
LONG_TEXT = "长" * 10_000
# The first bytes of a Windows PE executable (MZ header, DOS stub), renamed to .xlsx / .csv.
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode.\r\n" * 40
)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def _cell(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _row(values: Sequence[object]) -> bytes:
    return ("<row>" + "".join(_cell(v) for v in values) + "</row>").encode()


def xlsx(rows: Iterable[Sequence[object]]) -> bytes:
    """A minimal .xlsx (one sheet, inline strings) streamed row by row."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD)
            for row in rows:
                sheet.write(_row(row))
            sheet.write(_SHEET_TAIL)
    return buf.getvalue()


def zip_bomb_xlsx(header: Sequence[object], *, megabytes: int = 300) -> bytes:
    """A valid-looking .xlsx of a few hundred KB whose sheet inflates to ``megabytes`` MB: one
    cell of padding that a reader must decompress and parse before it sees a single row."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD)
            sheet.write(_row(header))
            sheet.write(b'<row><c t="inlineStr"><is><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row>")
            sheet.write(_SHEET_TAIL)
    return buf.getvalue()


def million_rows_xlsx(header: Sequence[object], row: Sequence[object], *, rows: int = 1_000_000) -> bytes:
    """An .xlsx with a million data rows (a few MB compressed), generated lazily."""
    line = _row(row)

    def all_rows() -> Iterable[Sequence[object]]:
        yield header
        for _ in range(rows):
            yield row

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD)
            sheet.write(_row(header))
            block = line * 1000
            for _ in range(rows // 1000):
                sheet.write(block)
            sheet.write(_SHEET_TAIL)
    return buf.getvalue()


def million_rows_csv(header: Sequence[object], row: Sequence[object], *, rows: int = 1_000_000) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    text = out.getvalue()
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return (text + out.getvalue() * rows).encode()


def csv_bytes(rows: Iterable[Sequence[object]], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def _sheet_xlsx(body: Iterable[bytes]) -> bytes:
    """An .xlsx whose sheet XML is ``body`` (between <sheetData> and </sheetData>), streamed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD)
            for chunk in body:
                sheet.write(chunk)
            sheet.write(_SHEET_TAIL)
    return buf.getvalue()


def huge_cell_xlsx(header: Sequence[object], row: Sequence[object], column: int, *, megabytes: int = 40) -> bytes:
    """``row`` under ``header`` with ``megabytes`` MB of text in cell ``column`` (0-based): a file of
    a few tens of KB, as the attack's 46 KB .xlsx with a 40 MB 备注 cell."""

    def body() -> Iterable[bytes]:
        yield _row(header)
        yield b"<row>" + "".join(_cell(v) for v in row[:column]).encode()
        yield b'<c t="inlineStr"><is><t>'
        chunk = b"A" * (1024 * 1024)
        for _ in range(megabytes):
            yield chunk
        yield b"</t></is></c>" + "".join(_cell(v) for v in row[column + 1 :]).encode() + b"</row>"

    return _sheet_xlsx(body())


def far_cell_xlsx(header: Sequence[object], ref: str) -> bytes:
    """The header, then one cell at ``ref`` (e.g. XFD1048576): a reader that allocates the whole
    block from A1 to that cell asks for hundreds of GB (calamine aborts the process)."""
    far = f'<row><c r="{ref}"><v>1</v></c></row>'.encode()
    return _sheet_xlsx([b'<row r="1">', _row(header)[5:-6], b"</row>", far])


def wide_row_xlsx(header: Sequence[object], *, cells: int = 20_000) -> bytes:
    """The header, then a row of ``cells`` cells without positions (each follows the one before)."""
    return _sheet_xlsx([_row(header), b"<row>" + b"<c><v>1</v></c>" * cells + b"</row>"])


def damaged_xlsx() -> bytes:
    """A zip that has the members of a workbook, but whose sheet is not XML."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", b"\x00\x01 not xml <<<")
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", b"<<<>>>")
    return buf.getvalue()
