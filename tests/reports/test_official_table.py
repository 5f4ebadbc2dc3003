"""The official table writer on its own: layout, headings, formats and exact 万元 values."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from reports.official_table import (
    COLUMNS,
    DIFFICULTY_HEADING,
    ROW_LABELS,
    Measures,
    OfficialTable,
    army_day_title,
    difficulties_text,
    header_merges,
    leaders_text,
    money_decimals,
    spring_title,
    write_official_table,
)
from reports.xlsx import ReportBook

DATE = datetime.date(2022, 2, 9)
EXPECTED_MERGES = {"A1:J1", "A2:F2", "G2:J2", "A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:H3", "I3:I4", "J3:J4"}
# The form's headings; the writer breaks them into lines between words ("\n").
UPPER_HEADINGS = [
    "项目",
    "带队领导",
    "走访慰问人数（人）",
    "发放慰问金情况",
    None,
    "发放慰问品情况",
    None,
    None,
    "合计（万元）",
    "解决实际困难情况（子女入学、家属就业、住房改造、看病就医、法律援助等）",
]
LOWER_HEADINGS = [
    None,
    None,
    None,
    "发放金额（万元）",
    "发放人数（人）",
    "购买慰问品支出金额（万元）",
    "发放慰问品数量（件）",
    "发放人数（人）",
    None,
    None,
]


def _flat(value):
    return value.replace("\n", "") if isinstance(value, str) else value


def _read_back(table: OfficialTable):
    book = ReportBook()
    write_official_table(book.add_sheet("统计表"), table)
    return load_workbook(io.BytesIO(book.to_bytes())).worksheets[0]


def _table(rows, **fields):
    decimals = money_decimals(rows)
    return OfficialTable(
        title=spring_title(2022), unit_name="巴川街道", date=DATE, rows=rows, money_decimals=decimals, **fields
    )


def test_layout_headings_and_print_setup():
    rows = [Measures(people_visited=n) for n in (1, 2, 3, 4)]
    ws = _read_back(_table(rows))

    assert ws["A1"].value == "2022 年新年春节期间双拥活动情况统计表"
    assert ws["A2"].value == "填报单位（盖章）：巴川街道"
    assert ws["G2"].value == "日期：2022年2月9日"
    assert ws["G2"].alignment.horizontal == "right"
    assert {str(r) for r in ws.merged_cells.ranges} == EXPECTED_MERGES
    assert [_flat(c.value) for c in ws[3]] == UPPER_HEADINGS
    assert [_flat(c.value) for c in ws[4]] == LOWER_HEADINGS
    assert [ws.cell(row=r, column=1).value for r in range(5, 10)] == [*ROW_LABELS, "总 计"]
    assert ws.max_row == 9 and ws.max_column == 10

    # Every cell of the table has a thin border; on reading, openpyxl keeps a merged range's
    # borders on its outer edges, so check those edges there.
    for row in ws.iter_rows(min_row=3, max_row=9, max_col=10):
        for cell in row:
            if not isinstance(cell, MergedCell):
                assert cell.border.left.style == cell.border.bottom.style == "thin", cell.coordinate
    for merged in ws.merged_cells.ranges:
        if merged.min_row >= 3:
            corner = ws.cell(row=merged.max_row, column=merged.max_col)
            assert corner.border.right.style == corner.border.bottom.style == "thin", str(merged)
    headings = [c for r in (3, 4) for c in ws[r] if c.value]
    assert len(headings) == 12 and all(c.alignment.wrap_text for c in headings)
    assert ws["A1"].font.name == "宋体" and ws["A1"].font.b and ws["C5"].font.name == "宋体"
    assert ws.column_dimensions["J"].width > ws.column_dimensions["E"].width

    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    # One page: fitToWidth left out means 1 (the OOXML default), and one page tall.
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight in (None, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$4"
    assert ws.freeze_panes == "B5"


def test_numbers_formats_and_text_columns():
    rows = [
        Measures(
            people_visited=12,
            money_amount=Decimal("6000.00"),
            money_recipients=12,
            goods_spending=Decimal("1234.56"),
            goods_count=24,
            goods_recipients=12,
            leaders=["张书记", "李部长", "张书记"],
            difficulties={"看病就医": 1, "子女入学": 2},
        ),
        Measures(),
        Measures(people_visited=3, money_amount=Decimal("999.99"), leaders=["王局长"], difficulties={"其他": 1}),
        Measures(),
    ]
    ws = _read_back(_table(rows))

    assert [c.value for c in ws[5]] == [
        "重点优抚对象",
        "张书记、李部长",
        12,
        0.6,
        12,
        0.123456,
        24,
        12,
        0.723456,
        "子女入学2件，看病就医1件",
    ]
    assert [c.value for c in ws[6]][1:] == [None, 0, 0, 0, 0, 0, 0, 0, None]
    total = [_flat(c.value) for c in ws[9]]
    assert total[0] == "总 计"
    assert total[1] == "张书记、李部长、王局长"
    assert total[2:9] == [15, 0.699999, 12, 0.123456, 24, 12, 0.823455]
    assert total[9] == "子女入学2件，看病就医1件，其他1件"
    for column in "DFI":  # the table's own decimals (6: amounts to the 分); a zero prints 0
        assert ws[f"{column}5"].number_format == "0.000000;-0.000000;0"
        assert ws[f"{column}9"].number_format == "0.000000;-0.000000;0"
    for column in "CEGH":
        assert ws[f"{column}9"].number_format == "0"
    # 万元 × 10000 gives back the 元 exactly.
    assert Decimal(repr(ws["D9"].value)).scaleb(4) == Decimal("6999.99")
    assert round(ws["I9"].value * 10000, 2) == 8234.55


def test_rounding_333_33_three_times_is_exact():
    rows = [Measures(money_amount=Decimal("333.33")) for _ in range(3)] + [Measures()]
    ws = _read_back(_table(rows))
    assert [ws[f"D{r}"].value for r in (5, 6, 7)] == [0.033333] * 3
    assert ws["D9"].value == 0.099999
    assert Decimal(repr(ws["D9"].value)).scaleb(4) == Decimal("999.99")
    # The sheet's own sum of the rows agrees with the 总计 cell to the 元·分.
    assert round(sum(ws[f"D{r}"].value for r in range(5, 9)) * 10000, 2) == 999.99


def test_zero_rows_give_a_table_of_zeros():
    ws = _read_back(_table([Measures() for _ in range(4)]))
    for row in range(5, 10):
        assert [ws.cell(row=row, column=c).value for c in range(3, 10)] == [0] * 7


@pytest.mark.parametrize(
    "amount",
    # 92000.00 and 0.70 would be written 9.199999999999999 and 6.999999999999999E-05 as floats (see below).
    ["0.01", "0.10", "0.70", "1.00", "12345.67", "92000.00", "99999999.99", "123456789012.34", "999999999999.99"],
)
def test_wan_values_read_back_exact_to_the_fen(amount):
    rows = [Measures(money_amount=Decimal(amount)), Measures(), Measures(), Measures()]
    ws = _read_back(_table(rows))
    value = ws["D5"].value
    assert Decimal(repr(value)).scaleb(4) == Decimal(amount)
    assert round(value * 10000, 2) == float(amount)


def test_titles():
    assert spring_title(2022) == "2022 年新年春节期间双拥活动情况统计表"
    # Seed 004's title: curly quotes around 八一, the county's own troop name.
    assert army_day_title(2020, "驻黔部队") == "2020年“八一”期间走访慰问驻黔部队和优抚对象情况统计表"


def test_text_helpers():
    assert leaders_text(["张三", " 李四 ", "张三", ""]) == "张三、李四"
    assert leaders_text(["张三"], others=4, others_label="村（社区）") == "张三；另有村（社区）领导4人次"
    assert difficulties_text({"法律援助": 1, "生活困难": 3, "子女入学": 2, "家属就业": 0}) == (
        "子女入学2件，法律援助1件，生活困难3件"
    )
    assert difficulties_text({}) == ""


def test_a_table_needs_four_rows():
    with pytest.raises(ValueError, match="4 行"):
        _table([Measures()])


def test_header_definition_matches_the_form():
    assert len(COLUMNS) == 10 and COLUMNS[-1][1] == DIFFICULTY_HEADING
    assert set(header_merges()) == EXPECTED_MERGES - {"A1:J1", "A2:F2", "G2:J2"}


def test_rows_grow_for_long_leader_and_difficulty_text():
    many = Measures(leaders=[f"领导{n}号" for n in range(6)], difficulties={"子女入学": 1, "看病就医": 2})
    ws = _read_back(_table([many, Measures(), Measures(), Measures()]))
    # 6 names of 4 characters and their separators in a column of 10 characters a line: two
    # names a line, the break always between two names, never inside one.
    assert ws["B5"].value == "领导0号、领导1号、\n领导2号、领导3号、\n领导4号、领导5号"
    assert ws.row_dimensions[5].height >= 3 * 15
    assert ws.row_dimensions[6].height == 36
    assert ws.row_dimensions[9].height == ws.row_dimensions[5].height


def test_more_leaders_are_counted_and_units_below_give_a_count():
    names = Measures(leaders=[f"领导{n}" for n in range(9)])
    below = Measures()
    below.add(Measures(leaders=["王镇长", "李书记"]), leaders_of=7)
    below.add(Measures(leaders=["王镇长"]), leaders_of=8)
    ws = _read_back(_table([names, below, Measures(), Measures()], others_label="乡镇、部门"))
    assert _flat(ws["B5"].value) == "领导0、领导1、领导2、领导3、领导4、领导5等9人"
    assert _flat(ws["B6"].value) == "乡镇、部门领导3人次"
    assert _flat(ws["B9"].value) == "领导0、领导1、领导2、领导3、领导4、领导5等9人；另有乡镇、部门领导3人次"


def test_money_is_stored_as_its_exact_decimal_text():
    """What the file holds is the decimal itself (9.200000), not a float's 16-digit neighbour
    (9.199999999999999), so any reader, however it parses numbers, gets the exact 万元."""
    rows = [
        Measures(money_amount=Decimal("92000.00"), goods_spending=Decimal("0.70")),
        Measures(),
        Measures(),
        Measures(),
    ]
    book = ReportBook()
    write_official_table(book.add_sheet("统计表"), _table(rows))
    sheet_xml = zipfile.ZipFile(io.BytesIO(book.to_bytes())).read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="D5"[^>]*><v>9\.200000</v>', sheet_xml)
    assert re.search(r'<c r="F5"[^>]*><v>0\.000070</v>', sheet_xml)
    assert re.search(r'<c r="I5"[^>]*><v>9\.200070</v>', sheet_xml)
