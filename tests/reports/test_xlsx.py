"""reports.xlsx on its own: typed cells, formula text kept as text (merged or not), one format per look."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from reports.xlsx import ReportBook, Style

PAYLOAD = "=cmd|' /C calc'!A0"


def _read(book: ReportBook):
    return load_workbook(io.BytesIO(book.to_bytes())).worksheets[0]


def test_values_keep_their_type_and_formula_text_stays_text():
    book = ReportBook()
    sheet = book.add_sheet("表")
    sheet.merge("A1:C1", PAYLOAD, Style(border=False))
    sheet.write_row(2, [(PAYLOAD, Style()), (7, Style()), (Decimal("0.033333"), Style()), (None, Style())])
    sheet.put("B3", "@SUM(1)", Style())
    ws = _read(book)
    # Formula-like text: as typed, a quote-prefixed string cell (shuangyong.spreadsheets).
    assert ws["A1"].value == PAYLOAD and ws["A1"].data_type == "s" and ws["A1"].quotePrefix
    assert ws["A2"].value == PAYLOAD and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["B2"].value == 7 and ws["C2"].value == 0.033333
    assert ws["D2"].value is None and ws["D2"].border.left.style == "thin"
    assert ws["B3"].value == "@SUM(1)" and ws["B3"].quotePrefix and not ws["B2"].quotePrefix
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:C1"}


def test_one_format_per_look_whatever_the_number_of_cells():
    book = ReportBook()
    sheet = book.add_sheet("表")
    for row in range(1, 201):
        sheet.write_row(row, [(row, Style(number_format="0")), (f"单位{row}", Style().but(align="left"))])
    assert len(book.xlsx._formats) == 2
    ws = _read(book)
    assert ws["A200"].number_format == "0" and ws["B200"].alignment.horizontal == "left"
    assert ws["B1"].font.name == "宋体"


def test_other_values_are_written_as_their_text():
    book = ReportBook()
    book.add_sheet("表").write(1, 1, ReportBook, Style())
    assert _read(book)["A1"].value == str(ReportBook)


def _sheet_xml(book: ReportBook) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(book.to_bytes())) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_a_borderless_merge_writes_only_its_first_cell_and_a_bordered_one_every_cell():
    """Covered cells carry the look only where it shows (borders): the title lines of every
    sheet then cost one cell each instead of ten, and Excel shows a merged range in its first
    cell's format either way."""
    book = ReportBook()
    sheet = book.add_sheet("表")
    sheet.merge("A1:J1", "标题", Style(size=16, bold=True, border=False))
    sheet.merge("A2:C3", "表头", Style(bold=True))
    xml = _sheet_xml(book)
    assert '<c r="A1"' in xml and '<c r="B1"' not in xml and '<c r="J1"' not in xml
    assert all(f'<c r="{ref}"' in xml for ref in ("A2", "B2", "C2", "A3", "B3", "C3"))
    assert '<mergeCell ref="A1:J1"/>' in xml and '<mergeCell ref="A2:C3"/>' in xml
