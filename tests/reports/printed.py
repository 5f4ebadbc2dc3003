"""Read a workbook as a county office reads it on paper: each value as its number format prints
it, and check the sums with a calculator (issue: printed figures must add up).

``printed(cell)`` rounds a cell's value the way its own number format displays it (half away
from zero, as Excel and LibreOffice do), so a check written here fails whenever the paper would.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

MAX_ROW_HEIGHT = 409
_PLACES = re.compile(r"^0(?:\.(0+))?$")

# Official table: columns C..I of rows 5–8 (the four rows) and 9 (总 计).
TABLE_ROWS = range(5, 9)
TABLE_TOTAL = 9
TABLE_NUMBER_COLUMNS = "CDEFGHI"
# 汇总表 columns F..L are the table's C..I (people, money, recipients, goods, items, recipients, 合计).
SUMMARY_TO_TABLE = dict(zip("FGHIJKL", TABLE_NUMBER_COLUMNS, strict=True))


def printed(cell) -> Decimal | None:
    """The number as printed (None for an empty or text cell)."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    exact = Decimal(repr(value))
    sections = (cell.number_format or "General").split(";")
    if exact > 0 or len(sections) == 1:
        section = sections[0]
    elif exact < 0:
        section = sections[1] if len(sections) > 1 else sections[0]
    else:
        section = sections[2] if len(sections) > 2 else sections[0]
    section = section.lstrip("-")
    if section == "General":
        return exact
    match = _PLACES.match(section)
    assert match, f"{cell.coordinate}: unexpected number format {cell.number_format!r}"
    places = len(match.group(1) or "")
    shown = abs(exact).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return -shown if exact < 0 else shown


def _nonzero_prints_nonzero(ws, cells) -> None:
    for cell in cells:
        if isinstance(cell.value, int | float) and cell.value != 0:
            assert printed(cell) != 0, f"{ws.title}!{cell.coordinate}: {cell.value} prints as 0"


def check_row_heights(ws) -> None:
    for row, dim in ws.row_dimensions.items():
        assert dim.height is None or dim.height <= MAX_ROW_HEIGHT, f"{ws.title} row {row}: {dim.height} pt"


def check_table_sheet(ws) -> dict[str, Decimal]:
    """总 计 = the printed rows, each 合计 = printed 慰问金 + printed 慰问品. Returns the printed 总计."""
    assert ws["A9"].value == "总 计", ws.title
    for column in TABLE_NUMBER_COLUMNS:
        rows = [printed(ws[f"{column}{r}"]) for r in TABLE_ROWS]
        total = printed(ws[f"{column}{TABLE_TOTAL}"])
        assert total == sum(rows), f"{ws.title}!{column}: rows {rows} print, 总计 prints {total}"
    for r in [*TABLE_ROWS, TABLE_TOTAL]:
        money, goods, both = (printed(ws[f"{c}{r}"]) for c in "DFI")
        assert both == money + goods, f"{ws.title} row {r}: {money} + {goods} ≠ 合计 {both}"
    _nonzero_prints_nonzero(ws, [ws[f"{c}{r}"] for c in TABLE_NUMBER_COLUMNS for r in range(5, 10)])
    check_row_heights(ws)
    return {column: printed(ws[f"{column}{TABLE_TOTAL}"]) for column in TABLE_NUMBER_COLUMNS}


def summary_lines(ws) -> tuple[list[int], int]:
    """Row numbers of the unit lines and of the 合计 line."""
    total = next(r for r in range(4, ws.max_row + 1) if ws[f"A{r}"].value == "合计")
    return list(range(4, total)), total


def check_summary_sheet(ws) -> dict[str, dict[str, Decimal]]:
    """合计 = the printed lines, each line's 合计 = its printed 慰问金 + 慰问品. Returns each
    unit's printed line (by unit name) and the 合计 (key "合计") in the table's column letters."""
    lines, total = summary_lines(ws)
    for column in (*SUMMARY_TO_TABLE, "M"):
        values = [printed(ws[f"{column}{r}"]) for r in lines]
        assert printed(ws[f"{column}{total}"]) == sum(values), f"汇总表!{column}: lines do not add up"
    for r in [*lines, total]:
        assert printed(ws[f"L{r}"]) == printed(ws[f"G{r}"]) + printed(ws[f"I{r}"]), f"汇总表 row {r}"
    _nonzero_prints_nonzero(ws, [ws[f"{c}{r}"] for c in SUMMARY_TO_TABLE for r in [*lines, total]])
    check_row_heights(ws)
    result = {
        ws[f"B{r}"].value: {table: printed(ws[f"{col}{r}"]) for col, table in SUMMARY_TO_TABLE.items()} for r in lines
    }
    result["合计"] = {table: printed(ws[f"{col}{total}"]) for col, table in SUMMARY_TO_TABLE.items()}
    return result


def check_county_workbook(wb) -> int:
    """Every sheet adds up on paper; the county table = the 汇总表's 合计; each unit sheet = its
    line. Returns the number of sheets checked."""
    county = check_table_sheet(wb["统计表"])
    summary = check_summary_sheet(wb["汇总表"])
    assert county == summary.pop("合计")
    unit_sheets = wb.sheetnames[2:]
    assert len(unit_sheets) == len(summary)
    for name in unit_sheets:
        ws = wb[name]
        unit_name = ws["A2"].value.split("：", 1)[1]
        assert check_table_sheet(ws) == summary[unit_name], name
    return 2 + len(unit_sheets)


def check_no_word_broken(ws, *, header_rows, name_columns=()) -> None:
    """Each line of a heading (and of a name) fits its column, so the spreadsheet never breaks
    inside a word: the writer breaks lines only between words ("\\n")."""
    from shuangyong.spreadsheets import text_width

    spans = {}
    for merged in ws.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (merged.min_col, merged.max_col)

    def width(first: int, last: int) -> float:
        return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(first, last + 1))

    cells = [c for r in header_rows for c in ws[r]]
    cells += [ws.cell(row=r, column=col) for col in name_columns for r in range(1, ws.max_row + 1)]
    for cell in cells:
        if isinstance(cell, MergedCell) or not isinstance(cell.value, str):
            continue
        first, last = spans.get((cell.row, cell.column), (cell.column, cell.column))
        available = width(first, last) - 1
        for line in cell.value.split("\n"):
            assert text_width(line) <= available, f"{ws.title}!{cell.coordinate}: {line!r} breaks"
