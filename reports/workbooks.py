"""Pure writers for the other sheets: the 汇总表 of a county workbook and the task-closure report.

Like official_table, they take plain data and write into a sheet (reports.xlsx); they do not
touch the database. Totals are values computed from the data, never formulas (see
official_table's docstring for why).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from reports.official_table import (
    BODY,
    COUNT_FORMAT,
    DATED,
    HEADER,
    MONEY_DECIMALS_YUAN,
    NOTE,
    TITLE,
    Measures,
    chinese_date,
    money_format,
    note_height,
    to_wan,
)
from reports.xlsx import Sheet
from shuangyong.spreadsheets import POINTS_PER_LINE, lines_needed, text_width

PERCENT_FORMAT = "0.0%"
SHEET_NAME_MAX = 31
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Excel refuses "History" as a sheet name (it is reserved for change tracking).
_RESERVED_SHEET_NAMES = {"history"}


def unique_sheet_names(names: Iterable[str], *, taken: Iterable[str] = ()) -> list[str]:
    """Valid Excel sheet names (≤31 characters, none of []:*?/\\, no leading/trailing ') that
    are unique case-insensitively, as Excel compares them; a clash gets (2), (3) …"""
    used = {name.casefold() for name in taken} | _RESERVED_SHEET_NAMES
    result: list[str] = []
    for raw in names:
        base = _INVALID_SHEET_CHARS.sub("_", raw).strip().strip("'")[:SHEET_NAME_MAX] or "单位"
        candidate, n = base, 2
        while candidate.casefold() in used:
            suffix = f"({n})"
            candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
            n += 1
        used.add(candidate.casefold())
        result.append(candidate)
    return result


NAME_COLUMN_MAX = 40


def name_column_width(names: Iterable[str], minimum: float) -> float:
    """Wide enough for the longest unit name on one line (up to NAME_COLUMN_MAX)."""
    return min(max([minimum, *(text_width(name) + 2 for name in names)]), NAME_COLUMN_MAX)


def _write_grid(
    sheet: Sheet,
    *,
    title: str,
    subtitle: str,
    headings: Sequence[str],
    widths: Sequence[float],
    rows: Iterable[Sequence[tuple[Any, str | None]]],
    total: Sequence[tuple[Any, str | None]] | None,
    notes: Sequence[str] = (),
) -> None:
    """Title row, a right-aligned subtitle row, one header row, data rows, a bold total row,
    then the 填表说明 lines."""
    last = xl_col_to_name(len(headings) - 1)
    sheet.column_widths(widths)
    sheet.row_height(1, 32)
    header_lines = max(lines_needed(h, w) for h, w in zip(headings, widths, strict=True))
    sheet.row_height(3, header_lines * POINTS_PER_LINE + 8)
    sheet.setup_print(title_rows=(1, 3), freeze="C4")
    sheet.merge(f"A1:{last}1", title, TITLE)
    sheet.merge(f"A2:{last}2", subtitle, DATED)
    sheet.write_row(3, [(heading, HEADER) for heading in headings])
    # The name column (B) reads best left-aligned; everything else is centred as on the form.
    name_style = BODY.but(align="left")
    row = 4
    for values in rows:
        sheet.write_row(
            row,
            [
                (value, (name_style if column == 1 else BODY).but(number_format=fmt))
                for column, (value, fmt) in enumerate(values)
            ],
        )
        sheet.row_height(row, 20)
        row += 1
    if total is not None:
        sheet.write_row(row, [(value, HEADER.but(number_format=fmt)) for value, fmt in total])
        sheet.row_height(row, 20)
        row += 1
    table_width = sum(widths)
    for note in notes:
        sheet.merge(f"A{row}:{last}{row}", note, NOTE)
        sheet.row_height(row, note_height(note, table_width))
        row += 1


# --- 汇总表 ----------------------------------------------------------------------------------

# Line breaks between words: a heading never breaks inside one.
SUMMARY_HEADINGS: tuple[str, ...] = (
    "序号",
    "单位",
    "报表状态",
    "是否\n逾期",
    "提交时间",
    "走访慰问\n人数（人）",
    "发放慰问金\n金额（万元）",
    "慰问金发放\n人数（人）",
    "购买慰问品\n支出金额\n（万元）",
    "发放慰问品\n数量（件）",
    "慰问品发放\n人数（人）",
    "合计\n（万元）",
    "解决实际\n困难（件）",
)
SUMMARY_WIDTHS: tuple[float, ...] = (6, 24, 12, 7, 17, 11, 13, 11, 12, 11, 11, 12, 11)
SUMMARY_TOTAL_LABEL = "合计"
# The last column of a workbook with lines that roll up (a city's counties): how many units each
# county's table counted of how many it expected, as its snapshot says, so that 1 of 18 is seen.
UNITS_HEADING = "所辖单位\n计入/应报\n（个）"
UNITS_WIDTH = 12


@dataclass(frozen=True)
class SummaryLine:
    unit_name: str
    state_label: str
    is_late: bool
    submitted_at: datetime.datetime | None  # local time
    total: Measures
    # (counted, expected) of an office unit's table (its return's snapshot); None for a record unit.
    units: tuple[int, int] | None = None


def _measure_cells(m: Measures, money_decimals: int) -> list[tuple[Any, str | None]]:
    money = money_format(money_decimals)
    return [
        (m.people_visited, COUNT_FORMAT),
        (to_wan(m.money_amount), money),
        (m.money_recipients, COUNT_FORMAT),
        (to_wan(m.goods_spending), money),
        (m.goods_count, COUNT_FORMAT),
        (m.goods_recipients, COUNT_FORMAT),
        (to_wan(m.total_amount), money),
        (m.difficulties_solved, COUNT_FORMAT),
    ]


def write_summary_sheet(
    sheet: Sheet,
    *,
    title: str,
    date: datetime.date,
    lines: Sequence[SummaryLine],
    total: Measures,
    counted: int,
    expected: int,
    money_decimals: int = MONEY_DECIMALS_YUAN,
    notes: Sequence[str] = (),
) -> None:
    """One row per unit with the table's measures (all four rows added), its state and lateness;
    the 合计 line says how many units' figures it holds of how many expected."""
    rows = [
        [
            (number, COUNT_FORMAT),
            (line.unit_name, None),
            (line.state_label, None),
            ("是" if line.is_late else "否", None),
            (line.submitted_at.strftime("%Y-%m-%d %H:%M") if line.submitted_at else None, None),
            *_measure_cells(line.total, money_decimals),
        ]
        for number, line in enumerate(lines, 1)
    ]
    total_row = [
        (SUMMARY_TOTAL_LABEL, None),
        (counted_text(counted, expected), None),
        (None, None),
        (None, None),
        (None, None),
        *_measure_cells(total, money_decimals),
    ]
    widths = list(SUMMARY_WIDTHS)
    widths[1] = name_column_width([*(line.unit_name for line in lines), total_row[1][0]], SUMMARY_WIDTHS[1])
    headings = list(SUMMARY_HEADINGS)
    if any(line.units is not None for line in lines):
        headings.append(UNITS_HEADING)
        widths.append(UNITS_WIDTH)
        for values, line in zip(rows, lines, strict=True):
            values.append((f"{line.units[0]}/{line.units[1]}" if line.units else None, None))
        total_row.append((None, None))
    _write_grid(
        sheet,
        title=title,
        subtitle=f"日期：{chinese_date(date)}",
        headings=headings,
        widths=widths,
        rows=rows,
        total=total_row,
        notes=notes,
    )


def counted_text(counted: int, expected: int) -> str:
    """计入 12 个单位（应报 18 个）: the units whose figures the 合计 holds, of those expected."""
    return f"计入 {counted} 个单位（应报 {expected} 个）"


# --- task-closure report -----------------------------------------------------------------

TASK_HEADINGS: tuple[str, ...] = ("序号", "牵头单位", "任务总数", "已完成", "逾期", "完成率")
NO_LEAD_UNIT = "未指定牵头单位"
TASK_WIDTHS: tuple[float, ...] = (6, 28, 10, 10, 10, 10)
DUAL_LIST_HEADINGS: tuple[str, ...] = ("序号", "部队单位", "清单", "事项总数", "已销号", "逾期", "销号率")
DUAL_LIST_WIDTHS: tuple[float, ...] = (6, 24, 18, 10, 10, 10, 10)


@dataclass(frozen=True)
class TaskLine:
    unit_name: str
    total: int
    completed: int
    overdue: int


@dataclass(frozen=True)
class DualListLine:
    troop_name: str
    direction_label: str
    total: int
    closed: int
    overdue: int


def _rate(done: int, total: int) -> float:
    return done / total if total else 0.0


def write_task_sheet(
    sheet: Sheet, *, title: str, date: datetime.date, lines: Sequence[TaskLine], notes: Sequence[str] = ()
) -> None:
    """Tasks per lead unit; the tasks without one on a line of their own (未指定牵头单位), so
    that the 合计 equals the number of tasks."""
    total, completed, overdue = (sum(getattr(line, f) for line in lines) for f in ("total", "completed", "overdue"))
    widths = list(TASK_WIDTHS)
    widths[1] = name_column_width([line.unit_name for line in lines], TASK_WIDTHS[1])
    _write_grid(
        sheet,
        title=title,
        subtitle=f"日期：{chinese_date(date)}",
        headings=TASK_HEADINGS,
        widths=widths,
        rows=[
            [
                (number, COUNT_FORMAT),
                (line.unit_name, None),
                (line.total, COUNT_FORMAT),
                (line.completed, COUNT_FORMAT),
                (line.overdue, COUNT_FORMAT),
                (_rate(line.completed, line.total), PERCENT_FORMAT),
            ]
            for number, line in enumerate(lines, 1)
        ],
        total=[
            ("合计", None),
            (f"{sum(1 for line in lines if line.unit_name != NO_LEAD_UNIT)} 个单位", None),
            (total, COUNT_FORMAT),
            (completed, COUNT_FORMAT),
            (overdue, COUNT_FORMAT),
            (_rate(completed, total), PERCENT_FORMAT),
        ],
        notes=notes,
    )


def write_dual_list_sheet(sheet: Sheet, *, title: str, date: datetime.date, lines: Sequence[DualListLine]) -> None:
    total, closed, overdue = (sum(getattr(line, f) for line in lines) for f in ("total", "closed", "overdue"))
    widths = list(DUAL_LIST_WIDTHS)
    widths[1] = name_column_width([line.troop_name for line in lines], DUAL_LIST_WIDTHS[1])
    _write_grid(
        sheet,
        title=title,
        subtitle=f"日期：{chinese_date(date)}",
        headings=DUAL_LIST_HEADINGS,
        widths=widths,
        rows=[
            [
                (number, COUNT_FORMAT),
                (line.troop_name, None),
                (line.direction_label, None),
                (line.total, COUNT_FORMAT),
                (line.closed, COUNT_FORMAT),
                (line.overdue, COUNT_FORMAT),
                (_rate(line.closed, line.total), PERCENT_FORMAT),
            ]
            for number, line in enumerate(lines, 1)
        ],
        total=[
            ("合计", None),
            (None, None),
            (None, None),
            (total, COUNT_FORMAT),
            (closed, COUNT_FORMAT),
            (overdue, COUNT_FORMAT),
            (_rate(closed, total), PERCENT_FORMAT),
        ],
    )
