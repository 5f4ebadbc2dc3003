"""The official 春节 / 八一 statistics table (seed 002, 附件) written into a sheet (reports.xlsx).

A pure writer: it takes plain data (a title, the 填报单位, a date and five TableCell-shaped
rows) and knows nothing of the database, so it is tested on its own and reused for the unit
table, the county table and every unit sheet of the county workbook.

Money: the database holds 元 with two decimals; the form wants 万元. A cell holds the *exact*
value 元 ÷ 10000 (``Decimal.scaleb(-4)``, no rounding), written as its decimal string, e.g.
333.33 元 → ``0.033333``. Guarantee (tested): reading a money cell back and
multiplying by 10000 gives the database amount to the 元·分 exactly
(``Decimal(repr(value)).scaleb(4) == amount``, and ``round(value * 10000, 2) == amount`` for
any amount below 10^12 元, the largest a DecimalField(14, 2) holds).

What is *printed* is exact too, so a table checked with a calculator adds up (docs/reports.md):
万元 with four decimals (to the 元) when every amount of the workbook is whole 元, as most
offices print it; six decimals (to the 分) when any amount has 角 or 分. A number format never
rounds a printed figure, so 总计 = the printed rows, 合计 = printed 慰问金 + printed 慰问品, and
no amount prints as 0. A zero figure prints as ``0`` in every column (one rule: the form's cell
was filled in, with nothing).

带队领导: a table names the leaders recorded for its own unit and counts those recorded for the
units below it (另有乡镇、部门领导 N 人次), so that the county's row stays one or two lines
(docs/reports.md).

The 总计 row (and every 合计) holds values computed from the database, not Excel formulas:
the writer does not calculate formulas, so a formula cell would have no cached value for readers
that do not recalculate (openpyxl's data_only mode, file previewers, some mobile viewers), and
the numbers sent up the line must be the database's numbers wherever the file is opened.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from reports.xlsx import Sheet, Style
from shuangyong.spreadsheets import MAX_ROW_HEIGHT, POINTS_PER_LINE, lines_needed, text_width
from visits.table import Measures as Measures  # re-exported: the writers' row type
from visits.table import TableCellLike as TableCellLike
from visits.table import sum_cells as sum_cells

# The rows of the form, in the form's order (visits.models.TableRow labels, same order).
ROW_LABELS: tuple[str, ...] = ("重点优抚对象", "困难退役军人等优抚对象", "驻地部队基层官兵", "边海防官兵")
TOTAL_LABEL = "总 计"  # as printed on the form

# The difficulty kinds named in the form's heading come first, in the heading's order.
DIFFICULTY_ORDER: tuple[str, ...] = ("子女入学", "家属就业", "住房改造", "看病就医", "法律援助")
_DIFFICULTY_RANK = {kind: rank for rank, kind in enumerate(DIFFICULTY_ORDER)}
DIFFICULTY_HEADING = "解决实际困难情况\n（子女入学、家属就业、住房改造、\n看病就医、法律援助等）"

# (column heading, sub-heading or None). Columns A..J.
MONEY_GROUP = "发放慰问金情况"
GOODS_GROUP = "发放慰问品情况"
# The headings break between words ("\n"), never inside one: each line fits its column.
COLUMNS: tuple[tuple[str | None, str], ...] = (
    (None, "项目"),
    (None, "带队领导"),
    (None, "走访慰问\n人数（人）"),
    (MONEY_GROUP, "发放金额\n（万元）"),
    (MONEY_GROUP, "发放人数\n（人）"),
    (GOODS_GROUP, "购买慰问品\n支出金额\n（万元）"),
    (GOODS_GROUP, "发放慰问品\n数量（件）"),
    (GOODS_GROUP, "发放人数\n（人）"),
    (None, "合计\n（万元）"),
    (None, DIFFICULTY_HEADING),
)
N_COLUMNS = len(COLUMNS)
LAST_COLUMN = xl_col_to_name(N_COLUMNS - 1)
COLUMN_WIDTHS: tuple[float, ...] = (24, 22, 11, 12, 10, 12, 12, 10, 12, 34)
HEADER_ROWS = (3, 4)
HEADER_ROWS_FOR_PRINT = (1, HEADER_ROWS[-1])  # title, 填报单位 and both header rows on every page
FIRST_DATA_ROW = 5
TOTAL_ROW = FIRST_DATA_ROW + len(ROW_LABELS)  # 9

COUNT_FORMAT = "0"
LEADER_SEPARATOR = "、"
MONEY_DECIMALS_YUAN = 4  # 万元 to the 元
MONEY_DECIMALS_FEN = 6  # 万元 to the 分
LEADER_NAMES_MAX = 6  # names listed in one cell; the rest are counted (等 N 人)


def money_format(decimals: int = MONEY_DECIMALS_YUAN) -> str:
    """``0.0000`` for positive amounts, and a zero printed as ``0`` like every other zero."""
    places = "0." + "0" * decimals
    return f"{places};-{places};0"


MONEY_FORMAT = money_format()

# The looks of the form's cells (宋体 throughout, thin borders inside the table).
BODY = Style()
HEADER = Style(bold=True)
TITLE = Style(size=16, bold=True, border=False, wrap=False)
FILED_BY = Style(align="left", border=False)  # 填报单位 line
DATED = Style(align="right", border=False, wrap=False)  # 日期


def to_wan(amount_yuan: Decimal) -> Decimal:
    """元 → 万元, exactly: shifting the decimal exponent never rounds."""
    return Decimal(amount_yuan).scaleb(-4)


def total_amount(cell: TableCellLike) -> Decimal:
    return cell.money_amount + cell.goods_spending


def amounts_need_fen(cells: Iterable[TableCellLike]) -> bool:
    """Whether any amount has 角 or 分 (then a workbook prints 万元 to the 分)."""
    return any(
        amount != amount.to_integral_value() for cell in cells for amount in (cell.money_amount, cell.goods_spending)
    )


def money_decimals(cells: Iterable[TableCellLike]) -> int:
    """Decimals of 万元 that print every amount exactly: 4 (元) or, with any 角/分, 6."""
    return MONEY_DECIMALS_FEN if amounts_need_fen(cells) else MONEY_DECIMALS_YUAN


def pack_words(words: Sequence[str], separator: str, column_width: float) -> str:
    """Words joined by ``separator`` with a line break between two words where the next would
    not fit the column, so that a wrapped cell never breaks inside a name."""
    per_line = max(int(column_width) - 1, 2)
    lines: list[str] = []
    line = ""
    for index, word in enumerate(words):
        piece = word + (separator if index < len(words) - 1 else "")
        if line and text_width(line + piece) > per_line:
            lines.append(line)
            line = piece
        else:
            line += piece
    if line:
        lines.append(line)
    return "\n".join(lines)


def leader_names(leaders: Sequence[str]) -> list[str]:
    distinct: list[str] = []
    for name in leaders:
        name = name.strip()
        if name and name not in distinct:
            distinct.append(name)
    return distinct


def leaders_text(leaders: Sequence[str], *, others: int = 0, others_label: str = "下级单位") -> str:
    """张书记、李镇长 (at most LEADER_NAMES_MAX names, then 等 N 人) and, for the units below, a
    count: 另有乡镇、部门领导 12 人次. Without line breaks (see ``leaders_cell_text``)."""
    return "".join(_leader_words(leaders, others=others, others_label=others_label))


def _leader_words(leaders: Sequence[str], *, others: int, others_label: str) -> list[str]:
    names = leader_names(leaders)
    words = [name + LEADER_SEPARATOR for name in names[:LEADER_NAMES_MAX]]
    if words:
        words[-1] = words[-1][: -len(LEADER_SEPARATOR)]
    if len(names) > LEADER_NAMES_MAX:
        words.append(f"等{len(names)}人")
    if others:
        if words:
            words[-1] += "；"  # the break, if any, comes after the semicolon
        # Two words: after named leaders (a county's own on a city's sheet) 另有乡镇、部门领导N人次
        # is wider than the column, so it may break before 领导, never inside a word.
        words.append(("另有" if names else "") + others_label)
        words.append(f"领导{others}人次")
    return words


def leaders_cell_text(cell: TableCellLike, others_label: str) -> str:
    others = len(getattr(cell, "other_leaders", ())) + getattr(cell, "other_leader_count", 0)
    words = _leader_words(cell.leaders, others=others, others_label=others_label)
    return pack_words(words, "", COLUMN_WIDTHS[1])


def _difficulty_words(difficulties: Mapping[str, int]) -> list[str]:
    kinds = sorted(difficulties, key=lambda kind: (_DIFFICULTY_RANK.get(kind, len(DIFFICULTY_ORDER)), kind))
    return [f"{kind}{difficulties[kind]}件" for kind in kinds if difficulties[kind]]


def difficulties_text(difficulties: Mapping[str, int]) -> str:
    """子女入学2件，看病就医1件: the form's kinds first in the heading's order, others by name."""
    return "，".join(_difficulty_words(difficulties))


def difficulties_cell_text(difficulties: Mapping[str, int]) -> str:
    return pack_words(_difficulty_words(difficulties), "，", COLUMN_WIDTHS[-1])


def spring_title(year: int) -> str:
    """Seed 002's title, spacing included: 2022 年新年春节期间双拥活动情况统计表."""
    return f"{year} 年新年春节期间双拥活动情况统计表"


def army_day_title(year: int, troop_name: str) -> str:
    """Seed 004's title with curly quotes: 2020年“八一”期间走访慰问驻铜部队和优抚对象情况统计表
    (troop_name: the county's own, OrgUnit.troop_name)."""
    return f"{year}年“八一”期间走访慰问{troop_name}和优抚对象情况统计表"


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class OfficialTable:
    title: str
    unit_name: str  # 填报单位
    date: datetime.date
    rows: Sequence[TableCellLike]  # four cells, in ROW_LABELS order
    total: TableCellLike | None = None  # the 总计 row; summed from ``rows`` when not given
    stamp: bool = True  # 填报单位（盖章）：as on the 春节 form; the 八一 form has 填报单位：
    money_decimals: int = MONEY_DECIMALS_YUAN  # see money_decimals(): the same in a whole workbook
    others_label: str = "下级单位"  # 另有{others_label}领导 N 人次
    status: str = ""  # 报表状态 line under the table (本期无走访, 未提交, 草稿，未审核 …)
    notes: Sequence[str] = ()  # 填表说明 lines under the table (the basis of a county workbook …)
    draft: bool = False  # a draft prints 草稿，未审核 in the page header too

    def __post_init__(self) -> None:
        if len(self.rows) != len(ROW_LABELS):
            raise ValueError(f"统计表需要 {len(ROW_LABELS)} 行数据，收到 {len(self.rows)} 行")

    @property
    def total_row(self) -> TableCellLike:
        return self.total if self.total is not None else sum_cells(self.rows)


def _data_row(label: str, cell: TableCellLike, style: Style, table: OfficialTable) -> list[tuple[Any, Style]]:
    count = style.but(number_format=COUNT_FORMAT)
    money = style.but(number_format=money_format(table.money_decimals))
    return [
        (label, style),
        (leaders_cell_text(cell, table.others_label) or None, style),
        (cell.people_visited, count),
        (to_wan(cell.money_amount), money),
        (cell.money_recipients, count),
        (to_wan(cell.goods_spending), money),
        (cell.goods_count, count),
        (cell.goods_recipients, count),
        (to_wan(total_amount(cell)), money),
        (difficulties_cell_text(cell.difficulties) or None, style.but(align="left")),
    ]


MIN_DATA_ROW_HEIGHT = 36
NOTE = Style(align="left", border=False)
STATUS = Style(align="left", border=False, bold=True)
TABLE_WIDTH = sum(COLUMN_WIDTHS)


def data_row_height(cell: TableCellLike, others_label: str = "下级单位") -> float:
    """Tall enough for the wrapped 带队领导 and 解决实际困难 text (Excel does not grow a row to fit
    wrapped text in a generated file), never over Excel's 409 points."""
    lines = max(
        1,
        lines_needed(leaders_cell_text(cell, others_label), COLUMN_WIDTHS[1]),
        lines_needed(difficulties_cell_text(cell.difficulties), COLUMN_WIDTHS[-1]),
    )
    return min(max(MIN_DATA_ROW_HEIGHT, lines * POINTS_PER_LINE + 6), MAX_ROW_HEIGHT)


def note_height(text: str, table_width: float) -> float:
    """A note line under a table: long text wraps a little earlier than the estimate (digits
    and Latin letters in a CJK font), so a tenth of the width is kept in hand."""
    return min(lines_needed(text, table_width * 0.9) * POINTS_PER_LINE + 6, MAX_ROW_HEIGHT)


def write_official_table(sheet: Sheet, table: OfficialTable) -> None:
    """Write the form into an empty sheet: rows 1–9, columns A–J, then the status and 填表说明
    lines (rows 10 …). One A4 landscape page: the leaders' rule keeps the rows short, and the
    page is scaled to fit should a very long name still make it taller."""
    sheet.column_widths(COLUMN_WIDTHS)
    for row, height in ((1, 36), (2, 22), (3, 30), (4, 54)):
        sheet.row_height(row, height)
    for row, cell in enumerate([*table.rows, table.total_row], FIRST_DATA_ROW):
        sheet.row_height(row, data_row_height(cell, table.others_label))
    sheet.setup_print(title_rows=HEADER_ROWS_FOR_PRINT, freeze=f"B{FIRST_DATA_ROW}", pages_tall=1)
    if table.draft:
        sheet.ws.set_header('&C&"宋体,Bold"&14草稿，未审核')

    sheet.merge(f"A1:{LAST_COLUMN}1", table.title, TITLE)
    filed_by = "填报单位（盖章）：" if table.stamp else "填报单位："
    sheet.merge("A2:F2", f"{filed_by}{table.unit_name}", FILED_BY)
    sheet.merge(f"G2:{LAST_COLUMN}2", f"日期：{chinese_date(table.date)}", DATED)

    # Two header rows: a single-level heading is merged over both; a group heading is merged
    # over its sub-columns in row 3, which carry their own headings in row 4.
    for ref, heading in header_cells():
        sheet.put(ref, heading, HEADER)

    for row, (label, cell) in enumerate(zip(ROW_LABELS, table.rows, strict=True), FIRST_DATA_ROW):
        sheet.write_row(row, _data_row(label, cell, BODY, table))
    sheet.write_row(TOTAL_ROW, _data_row(TOTAL_LABEL, table.total_row, HEADER, table))

    row = TOTAL_ROW + 1
    for text, style in [(table.status, STATUS), *((note, NOTE) for note in table.notes)]:
        if text:
            sheet.merge(f"A{row}:{LAST_COLUMN}{row}", text, style)
            sheet.row_height(row, note_height(text, TABLE_WIDTH))
            row += 1


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
