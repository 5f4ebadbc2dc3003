"""The printed 双清单 对账单: the document the troop and the 双拥办 go through, sign and stamp.

One sheet per list (地方为部队办实事 / 部队为地方办实事), each a page of its own to sign: A4
landscape one page wide, 宋体 with borders, the items numbered 1, 2, 3 within the list (never a
database id), and at the foot a signature and stamp block for both sides. Cells are written by
the shared writer (``shuangyong.spreadsheets``), so a formula-like text stays exactly as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from shuangyong.models import OrgUnit
from shuangyong.spreadsheets import (
    CJK_FONT,
    FormatProps,
    XlsxBook,
    lines_needed,
    print_a4_landscape,
    props,
    row_height,
)
from tasks.models import DualListDirection, DualListItem

RECON_HEADERS: tuple[str, ...] = (
    "序号",
    "事项内容",
    "类别",
    "责任单位",
    "完成时限",
    "状态",
    "受益方确认",
    "双拥办确认",
    "备注",
)
# Widths that hold a date (yyyy-mm-dd), a unit's full name and a confirmation (name + time).
RECON_WIDTHS: tuple[float, ...] = (6, 40, 12, 22, 12, 14, 19, 19, 14)
LAST_COLUMN = len(RECON_HEADERS) - 1

TITLE = props(**dict(CJK_FONT), font_size=16, bold=True, align="center", valign="vcenter")
SUBTITLE = props(**dict(CJK_FONT), font_size=11, align="left", valign="vcenter")
HEAD = props(**dict(CJK_FONT), font_size=11, bold=True, align="center", valign="vcenter", text_wrap=True, border=1)
CELL = props(**dict(CJK_FONT), font_size=11, align="center", valign="vcenter", text_wrap=True, border=1)
TEXT = props(**dict(CJK_FONT), font_size=11, align="left", valign="vcenter", text_wrap=True, border=1)
DATE = props(**dict(CJK_FONT), font_size=11, align="center", valign="vcenter", border=1, num_format="yyyy-mm-dd")
SIGN = props(**dict(CJK_FONT), font_size=12, align="left", valign="bottom")
SIGN_HEAD = props(**dict(CJK_FONT), font_size=12, bold=True, align="left", valign="bottom")

# The signature block: (left = the troop, right = the 双拥办), one line each.
SIGNATURE_LINES: tuple[tuple[str, str], ...] = (
    ("部队（盖章）", "双拥办（盖章）"),
    ("经办人：", "经办人："),
    ("日期：      年    月    日", "日期：      年    月    日"),
)
LEFT_BLOCK = (0, 3)  # columns A–D
RIGHT_BLOCK = (4, LAST_COLUMN)  # columns E–I


def _confirmation(user: Any, at: dt.datetime | None) -> str:
    if not user or at is None:
        return ""
    return f"{user.display_name}\n{timezone.localtime(at):%Y-%m-%d %H:%M}"


def _state(item: DualListItem) -> str:
    return item.get_state_display() + ("（逾期）" if item.is_overdue else "")


def _note(item: DualListItem) -> str:
    return f"由{item.carried_over_from.year}年结转" if item.carried_over_from else ""


def _row(number: int, item: DualListItem) -> list[tuple[Any, FormatProps]]:
    return [
        (number, CELL),
        (item.content, TEXT),
        (item.category.name if item.category else "", CELL),
        (item.responsible_unit.name if item.responsible_unit else "", CELL),
        (item.deadline, DATE),
        (_state(item), CELL),
        (_confirmation(item.receiver_confirmed_by, item.receiver_confirmed_at), CELL),
        (_confirmation(item.office_confirmed_by, item.office_confirmed_at), CELL),
        (_note(item), CELL),
    ]


def _height(cells: Sequence[tuple[Any, FormatProps]]) -> float:
    lines = max(
        lines_needed(value, RECON_WIDTHS[column]) if isinstance(value, str) else 1
        for column, (value, _) in enumerate(cells)
    )
    return row_height(lines, minimum=24)


def reconciliation_title(*, year: int, troop: OrgUnit, direction: DualListDirection) -> str:
    return f"{year}年{troop.name}{direction.label}清单对账单"


def reconciliation_xlsx(*, troop: OrgUnit, year: int, rows: Mapping[str, Sequence[DualListItem]]) -> bytes:
    """Both lists of one troop and year, a signable sheet each."""
    book = XlsxBook()
    today = timezone.localdate()
    for direction in DualListDirection:
        ws = book.add_worksheet(direction.label)
        for column, width in enumerate(RECON_WIDTHS):
            ws.set_column(column, column, width)
        ws.merge_range(0, 0, 0, LAST_COLUMN, "", book.format(TITLE))
        book.write(ws, 0, 0, reconciliation_title(year=year, troop=troop, direction=direction), TITLE)
        ws.set_row(0, 30)
        items = rows.get(direction.value, [])
        closed = sum(1 for item in items if item.state == "closed")
        ws.merge_range(1, 0, 1, LAST_COLUMN, "", book.format(SUBTITLE))
        book.write(
            ws,
            1,
            0,
            f"对账部队：{troop.name}　　事项 {len(items)} 项，已销号 {closed} 项　　打印日期：{today:%Y-%m-%d}",
            SUBTITLE,
        )
        ws.set_row(1, 22)
        for column, heading in enumerate(RECON_HEADERS):
            book.write(ws, 2, column, heading, HEAD)
        ws.set_row(2, 24)
        row = 3
        for number, item in enumerate(items, 1):
            cells = _row(number, item)
            for column, (value, look) in enumerate(cells):
                book.write(ws, row, column, value, look)
            ws.set_row(row, _height(cells))
            row += 1
        if not items:
            ws.merge_range(row, 0, row, LAST_COLUMN, "", book.format(CELL))
            book.write(ws, row, 0, "本年度该清单没有事项。", CELL)
            row += 1
        row += 1  # a blank line before the signatures
        for index, (left, right) in enumerate(SIGNATURE_LINES):
            look = SIGN_HEAD if index == 0 else SIGN
            for (first, last), text in ((LEFT_BLOCK, left), (RIGHT_BLOCK, right)):
                ws.merge_range(row, first, row, last, "", book.format(look))
                book.write(ws, row, first, text, look)
            ws.set_row(row, 36)
            row += 1
        print_a4_landscape(ws, repeat_rows=(2, 2))
        ws.print_area(0, 0, row - 1, LAST_COLUMN)
        ws.freeze_panes(3, 0)
    return book.to_bytes()


def reconciliation_filename(*, troop: OrgUnit, year: int) -> str:
    return f"{year}年{troop.name}双清单对账单.xlsx"
