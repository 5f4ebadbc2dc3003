"""The official 春节 / 八一 statistics table (seed 002, 附件) written into an openpyxl worksheet.

A pure writer: it takes plain data (a title, the 填报单位, a date and five TableCell-shaped
rows) and knows nothing of the database, so it is tested on its own and reused for the unit
table, the county table and every unit sheet of the county workbook.

Money: the database holds 元 with two decimals; the form wants 万元. A cell holds the *exact*
value 元 ÷ 10000 (``Decimal.scaleb(-4)``, no rounding), written by openpyxl as its decimal
string, e.g. 333.33 元 → ``0.033333``. Guarantee (tested): reading a money cell back and
multiplying by 10000 gives the database amount to the 元·分 exactly
(``Decimal(repr(value)).scaleb(4) == amount``, and ``round(value * 10000, 2) == amount`` for
any amount below 10^12 元, the largest a DecimalField(14, 2) holds). The ``0.00`` number format
only changes what is displayed, never the stored value, so sums made in Excel stay exact.

The 总计 row (and every 合计) holds values computed from the database, not Excel formulas:
openpyxl cannot calculate formulas, so a formula cell would have no cached value for readers
that do not recalculate (openpyxl's data_only mode, file previewers, some mobile viewers), and
the numbers sent up the line must be the database's numbers wherever the file is opened.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from shuangyong.spreadsheets import escape_formula

# The rows of the form, in the form's order (visits.models.TableRow labels, same order).
ROW_LABELS: tuple[str, ...] = ("重点优抚对象", "困难退役军人等优抚对象", "驻地部队基层官兵", "边海防官兵")
TOTAL_LABEL = "总计"

# The difficulty kinds named in the form's heading come first, in the heading's order.
DIFFICULTY_ORDER: tuple[str, ...] = ("子女入学", "家属就业", "住房改造", "看病就医", "法律援助")
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
LAST_COLUMN = get_column_letter(N_COLUMNS)
COLUMN_WIDTHS: tuple[float, ...] = (24, 18, 11, 12, 9, 14, 11, 9, 11, 34)
HEADER_ROWS = (3, 4)
FIRST_DATA_ROW = 5
TOTAL_ROW = FIRST_DATA_ROW + len(ROW_LABELS)  # 9

MONEY_FORMAT = "0.00"
COUNT_FORMAT = "0"
FONT_NAME = "宋体"  # SimSun: present on every office PC; charset 134 = GB2312 so Excel picks it for CJK
LEADER_SEPARATOR = "、"

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
BODY_FONT = Font(name=FONT_NAME, size=11, charset=134)
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True, charset=134)
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True, charset=134)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


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

    def order(kind: str) -> tuple[int, str]:
        return (DIFFICULTY_ORDER.index(kind) if kind in DIFFICULTY_ORDER else len(DIFFICULTY_ORDER), kind)

    return "，".join(f"{kind}{difficulties[kind]}件" for kind in sorted(difficulties, key=order) if difficulties[kind])


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


# Styles resolved once per workbook. Setting ``cell.font`` etc. makes openpyxl hash the style
# objects and look them up in the workbook's style tables on every cell (most of the time of a
# county workbook); the resulting StyleArray (indices into those tables) is the same for every
# cell with the same look, so it is computed once per workbook and copied.
_style_cache: weakref.WeakKeyDictionary[Any, dict[tuple[int, int, bool, str | None], StyleArray]] = (
    weakref.WeakKeyDictionary()
)


def styled_cell(
    ws: Any,
    value: Any,
    *,
    font: Font = BODY_FONT,
    align: Alignment = CENTER,
    border: bool = True,
    number_format: str | None = None,
) -> Any:
    # Every cell the reports app writes passes here: user text (带队领导, unit names …) that
    # starts like a formula is neutralised in this one place.
    cell = WriteOnlyCell(ws, escape_formula(value))
    styles = _style_cache.setdefault(ws.parent, {})
    key = (id(font), id(align), border, number_format)
    cached = styles.get(key)
    if cached is not None:
        cell._style = copy(cached)
        return cell
    cell.font = font
    cell.alignment = align
    if border:
        cell.border = BORDER
    if number_format:
        cell.number_format = number_format
    styles[key] = copy(cell._style)
    return cell


def _merge(ws: Any, ref: str) -> None:
    # ``merged_cells.add`` works for normal and write-only worksheets alike (ws.merge_cells
    # exists only on the normal one); covered cells are still written with their borders.
    ws.merged_cells.add(ref)


def _data_row(ws: Any, label: str, cell: TableCellLike, *, font: Font = BODY_FONT) -> list[Any]:
    return [
        styled_cell(ws, label, font=font),
        styled_cell(ws, leaders_text(cell.leaders) or None, font=font),
        styled_cell(ws, cell.people_visited, font=font, number_format=COUNT_FORMAT),
        styled_cell(ws, to_wan(cell.money_amount), font=font, number_format=MONEY_FORMAT),
        styled_cell(ws, cell.money_recipients, font=font, number_format=COUNT_FORMAT),
        styled_cell(ws, to_wan(cell.goods_spending), font=font, number_format=MONEY_FORMAT),
        styled_cell(ws, cell.goods_count, font=font, number_format=COUNT_FORMAT),
        styled_cell(ws, cell.goods_recipients, font=font, number_format=COUNT_FORMAT),
        styled_cell(ws, to_wan(total_amount(cell)), font=font, number_format=MONEY_FORMAT),
        styled_cell(ws, difficulties_text(cell.difficulties) or None, font=font, align=LEFT),
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


def setup_print(ws: Any, *, title_rows: str, freeze: str) -> None:
    """A4 landscape, one page wide (as many pages long as needed), header rows on every page."""
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_title_rows = title_rows
    ws.freeze_panes = freeze


def write_official_table(ws: Any, table: OfficialTable) -> None:
    """Write the form into an *empty* worksheet (normal or write-only): rows 1–9, A–J."""
    # Dimensions and sheet settings first: a write-only sheet streams them before the rows.
    for index, width in enumerate(COLUMN_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[1].height = 36
    ws.row_dimensions[2].height = 22
    ws.row_dimensions[3].height = 30
    ws.row_dimensions[4].height = 48
    for row, cell in enumerate([*table.rows, table.total_row], FIRST_DATA_ROW):
        ws.row_dimensions[row].height = data_row_height(cell)
    setup_print(ws, title_rows="1:4", freeze=f"B{FIRST_DATA_ROW}")

    ws.append([styled_cell(ws, table.title, font=TITLE_FONT, border=False)])
    unit_cells = [styled_cell(ws, f"填报单位（盖章）：{table.unit_name}", align=LEFT, border=False)]
    date_cells = [styled_cell(ws, f"日期：{chinese_date(table.date)}", align=RIGHT, border=False)]
    ws.append(unit_cells + [None] * 5 + date_cells)

    # Two header rows: a single-level heading spans both; a group heading spans its sub-columns.
    upper: list[Any] = []
    lower: list[Any] = []
    previous_group: str | None = None
    for group, heading in COLUMNS:
        if group is None:
            upper.append(styled_cell(ws, heading, font=HEADER_FONT))
        else:
            upper.append(styled_cell(ws, group if group != previous_group else None, font=HEADER_FONT))
        lower.append(styled_cell(ws, heading if group else None, font=HEADER_FONT))
        previous_group = group
    ws.append(upper)
    ws.append(lower)

    for label, cell in zip(ROW_LABELS, table.rows, strict=True):
        ws.append(_data_row(ws, label, cell))
    ws.append(_data_row(ws, TOTAL_LABEL, table.total_row, font=HEADER_FONT))

    _merge(ws, f"A1:{LAST_COLUMN}1")
    _merge(ws, "A2:F2")
    _merge(ws, f"G2:{LAST_COLUMN}2")
    for merged in header_merges():
        _merge(ws, merged)


def header_merges() -> list[str]:
    """A3:A4 … for single-level headings; D3:E3 and F3:H3 for the two groups."""
    merges: list[str] = []
    column = 1
    while column <= N_COLUMNS:
        group = COLUMNS[column - 1][0]
        letter = get_column_letter(column)
        if group is None:
            merges.append(f"{letter}3:{letter}4")
            column += 1
            continue
        end = column
        while end < N_COLUMNS and COLUMNS[end][0] == group:
            end += 1
        merges.append(f"{letter}3:{get_column_letter(end)}3")
        column = end + 1
    return merges
