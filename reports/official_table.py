"""The official 春节 / 八一 statistics table (seed 002, 附件) written into a sheet (reports.xlsx).

A pure writer: it takes plain data (a title, the 填报单位, a date and five TableCell-shaped
rows) and knows nothing of the database, so it is tested on its own and reused for the unit
table, the county table and every unit sheet of the county workbook.

Money: the database holds 元 with two decimals; the form wants 万元. A cell holds the *exact*
value 元 ÷ 10000 (``Decimal.scaleb(-4)``, no rounding), written as its decimal string, e.g.
333.33 元 → ``0.033333``. Guarantee (tested): reading a money cell back and
multiplying by 10000 gives the database amount to the 元·分 exactly
(``Decimal(repr(value)).scaleb(4) == amount``, and ``round(value * 10000, 2) == amount`` for
any amount below 10^12 元, the largest a DecimalField(14, 2) holds). The ``0.00`` number format
only changes what is displayed, never the stored value, so sums made in Excel stay exact.

The 总计 row (and every 合计) holds values computed from the database, not Excel formulas:
the writer does not calculate formulas, so a formula cell would have no cached value for readers
that do not recalculate (openpyxl's data_only mode, file previewers, some mobile viewers), and
the numbers sent up the line must be the database's numbers wherever the file is opened.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from xlsxwriter.utility import xl_col_to_name

from reports.xlsx import Sheet, Style

# The rows of the form, in the form's order (visits.models.TableRow labels, same order).
ROW_LABELS: tuple[str, ...] = ("重点优抚对象", "困难退役军人等优抚对象", "驻地部队基层官兵", "边海防官兵")
TOTAL_LABEL = "总计"

# The difficulty kinds named in the form's heading come first, in the heading's order.
DIFFICULTY_ORDER: tuple[str, ...] = ("子女入学", "家属就业", "住房改造", "看病就医", "法律援助")
_DIFFICULTY_RANK = {kind: rank for rank, kind in enumerate(DIFFICULTY_ORDER)}
DIFFICULTY_HEADING = "解决实际困难情况（子女入学、家属就业、住房改造、看病就医、法律援助等）"

# (column heading, sub-heading or None). Columns A..J.
MONEY_GROUP = "发放慰问金情况"
GOODS_GROUP = "发放慰问品情况"
COLUMNS: tuple[tuple[str | None, str], ...] = (
    (None, "项目"),
    (None, "带队领导"),
    (None, "走访慰问人数（人）"),
    (MONEY_GROUP, "发放金额（万元）"),
    (MONEY_GROUP, "发放人数（人）"),
    (GOODS_GROUP, "购买慰问品支出金额（万元）"),
    (GOODS_GROUP, "发放慰问品数量（件）"),
    (GOODS_GROUP, "发放人数（人）"),
    (None, "合计（万元）"),
    (None, DIFFICULTY_HEADING),
)
N_COLUMNS = len(COLUMNS)
LAST_COLUMN = xl_col_to_name(N_COLUMNS - 1)
COLUMN_WIDTHS: tuple[float, ...] = (24, 18, 11, 12, 9, 14, 11, 9, 11, 34)
HEADER_ROWS = (3, 4)
HEADER_ROWS_FOR_PRINT = (1, HEADER_ROWS[-1])  # title, 填报单位 and both header rows on every page
FIRST_DATA_ROW = 5
TOTAL_ROW = FIRST_DATA_ROW + len(ROW_LABELS)  # 9

MONEY_FORMAT = "0.00"
COUNT_FORMAT = "0"
LEADER_SEPARATOR = "、"

# The looks of the form's cells (宋体 throughout, thin borders inside the table).
BODY = Style()
HEADER = Style(bold=True)
TITLE = Style(size=16, bold=True, border=False, wrap=False)
FILED_BY = Style(align="left", border=False)  # 填报单位 line
DATED = Style(align="right", border=False, wrap=False)  # 日期


class TableCellLike(Protocol):
    """What the writer reads from a row: the fields of visits.selectors.TableCell."""

    people_visited: int
    money_amount: Decimal
    money_recipients: int
    goods_spending: Decimal
    goods_count: int
    goods_recipients: int
    leaders: list[str]
    difficulties: dict[str, int]


@dataclass
class Measures:
    """A TableCell-shaped sum of several cells (a 总计 row, a county, a 汇总表 line)."""

    people_visited: int = 0
    money_amount: Decimal = Decimal("0")
    money_recipients: int = 0
    goods_spending: Decimal = Decimal("0")
    goods_count: int = 0
    goods_recipients: int = 0
    leaders: list[str] = field(default_factory=list)
    difficulties: dict[str, int] = field(default_factory=dict)

    def add(self, cell: TableCellLike) -> None:
        self.people_visited += cell.people_visited
        self.money_amount += cell.money_amount
        self.money_recipients += cell.money_recipients
        self.goods_spending += cell.goods_spending
        self.goods_count += cell.goods_count
        self.goods_recipients += cell.goods_recipients
        for name in cell.leaders:
            if name not in self.leaders:
                self.leaders.append(name)
        for kind, count in cell.difficulties.items():
            self.difficulties[kind] = self.difficulties.get(kind, 0) + count

    @property
    def total_amount(self) -> Decimal:
        """合计 = 慰问金 + 慰问品支出 (元)."""
        return self.money_amount + self.goods_spending

    @property
    def difficulties_solved(self) -> int:
        return sum(self.difficulties.values())


def sum_cells(cells: Iterable[TableCellLike]) -> Measures:
    total = Measures()
    for cell in cells:
        total.add(cell)
    return total


def to_wan(amount_yuan: Decimal) -> Decimal:
    """元 → 万元, exactly: shifting the decimal exponent never rounds."""
    return Decimal(amount_yuan).scaleb(-4)


def total_amount(cell: TableCellLike) -> Decimal:
    return cell.money_amount + cell.goods_spending


def leaders_text(leaders: Sequence[str]) -> str:
    distinct: list[str] = []
    for name in leaders:
        name = name.strip()
        if name and name not in distinct:
            distinct.append(name)
    return LEADER_SEPARATOR.join(distinct)


def difficulties_text(difficulties: Mapping[str, int]) -> str:
    """子女入学2件，看病就医1件: the form's kinds first in the heading's order, others by name."""

    kinds = sorted(difficulties, key=lambda kind: (_DIFFICULTY_RANK.get(kind, len(DIFFICULTY_ORDER)), kind))
    return "，".join(f"{kind}{difficulties[kind]}件" for kind in kinds if difficulties[kind])


def spring_title(year: int) -> str:
    """Seed 002's title, spacing included: 2022 年新年春节期间双拥活动情况统计表."""
    return f"{year} 年新年春节期间双拥活动情况统计表"


def army_day_title(year: int, troop_name: str) -> str:
    """2020年"八一"期间走访慰问驻铜部队和优抚对象情况统计表 (troop_name: 驻铜部队, or 驻地部队)."""
    return f'{year}年"八一"期间走访慰问{troop_name}和优抚对象情况统计表'


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class OfficialTable:
    title: str
    unit_name: str  # 填报单位
    date: datetime.date
    rows: Sequence[TableCellLike]  # four cells, in ROW_LABELS order
    total: TableCellLike | None = None  # the 总计 row; summed from ``rows`` when not given

    def __post_init__(self) -> None:
        if len(self.rows) != len(ROW_LABELS):
            raise ValueError(f"统计表需要 {len(ROW_LABELS)} 行数据，收到 {len(self.rows)} 行")

    @property
    def total_row(self) -> TableCellLike:
        return self.total if self.total is not None else sum_cells(self.rows)


def _data_row(label: str, cell: TableCellLike, style: Style) -> list[tuple[Any, Style]]:
    count = style.but(number_format=COUNT_FORMAT)
    money = style.but(number_format=MONEY_FORMAT)
    return [
        (label, style),
        (leaders_text(cell.leaders) or None, style),
        (cell.people_visited, count),
        (to_wan(cell.money_amount), money),
        (cell.money_recipients, count),
        (to_wan(cell.goods_spending), money),
        (cell.goods_count, count),
        (cell.goods_recipients, count),
        (to_wan(total_amount(cell)), money),
        (difficulties_text(cell.difficulties) or None, style.but(align="left")),
    ]


LINE_HEIGHT = 15  # points per line of 11-point 宋体
MIN_DATA_ROW_HEIGHT = 36


def data_row_height(cell: TableCellLike) -> float:
    """Tall enough for the wrapped 带队领导 and 解决实际困难 text: Excel does not grow a row to fit
    wrapped text in a generated file, so the height is estimated (a CJK character is about two
    width units of the column)."""
    lines = 1
    for text, column in ((leaders_text(cell.leaders), 2), (difficulties_text(cell.difficulties), N_COLUMNS)):
        per_line = max(int(COLUMN_WIDTHS[column - 1] // 2) - 1, 1)
        lines = max(lines, -(-len(text) // per_line))
    return max(MIN_DATA_ROW_HEIGHT, lines * LINE_HEIGHT + 6)


def write_official_table(sheet: Sheet, table: OfficialTable) -> None:
    """Write the form into an empty sheet: rows 1–9, columns A–J."""
    sheet.column_widths(COLUMN_WIDTHS)
    for row, height in ((1, 36), (2, 22), (3, 30), (4, 48)):
        sheet.row_height(row, height)
    for row, cell in enumerate([*table.rows, table.total_row], FIRST_DATA_ROW):
        sheet.row_height(row, data_row_height(cell))
    sheet.setup_print(title_rows=HEADER_ROWS_FOR_PRINT, freeze=f"B{FIRST_DATA_ROW}")

    sheet.merge(f"A1:{LAST_COLUMN}1", table.title, TITLE)
    sheet.merge("A2:F2", f"填报单位（盖章）：{table.unit_name}", FILED_BY)
    sheet.merge(f"G2:{LAST_COLUMN}2", f"日期：{chinese_date(table.date)}", DATED)

    # Two header rows: a single-level heading is merged over both; a group heading is merged
    # over its sub-columns in row 3, which carry their own headings in row 4.
    for ref, heading in header_cells():
        sheet.put(ref, heading, HEADER)

    for row, (label, cell) in enumerate(zip(ROW_LABELS, table.rows, strict=True), FIRST_DATA_ROW):
        sheet.write_row(row, _data_row(label, cell, BODY))
    sheet.write_row(TOTAL_ROW, _data_row(TOTAL_LABEL, table.total_row, HEADER))


def header_cells() -> list[tuple[str, str]]:
    """(cell or merged range, heading) for rows 3–4: A3:A4 项目 …, D3:E3 发放慰问金情况, D4 发放金额（万元） …"""
    cells: list[tuple[str, str]] = []
    column = 1
    while column <= N_COLUMNS:
        group, heading = COLUMNS[column - 1]
        letter = xl_col_to_name(column - 1)
        if group is None:
            cells.append((f"{letter}3:{letter}4", heading))
            column += 1
            continue
        end = column
        while end < N_COLUMNS and COLUMNS[end][0] == group:
            end += 1
        cells.append((f"{letter}3:{xl_col_to_name(end - 1)}3", group))
        cells.extend((f"{xl_col_to_name(c - 1)}4", COLUMNS[c - 1][1]) for c in range(column, end + 1))
        column = end + 1
    return cells


def header_merges() -> list[str]:
    """A3:A4 … for single-level headings; D3:E3 and F3:H3 for the two groups."""
    return [ref for ref, _ in header_cells() if ":" in ref]
