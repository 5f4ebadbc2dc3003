"""Data builders and independent arithmetic for the report tests.

The expected numbers are computed here in plain Python from the VisitRecord rows, never with
the code under test, so a wrong aggregate in reports/ or visits/ shows up as a mismatch.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import load_workbook

from visits.models import DifficultyKind, Return, ReturnStatus, TableRow, VisitDifficulty, VisitRecord

ROW_ORDER = list(TableRow.values)
DIFFICULTY_LABELS = dict(DifficultyKind.choices)
FORM_DIFFICULTY_ORDER = ["子女入学", "家属就业", "住房改造", "看病就医", "法律援助"]


def make_return(campaign, unit, *, status=ReturnStatus.DRAFT, submitted_at=None, no_visits=False) -> Return:
    return Return.objects.create(
        campaign=campaign, org_unit=unit, status=status, submitted_at=submitted_at, no_visits=no_visits
    )


def make_record(ret: Return, *, row=TableRow.ENTITLED, difficulties: Iterable[tuple[str, int]] = (), **fields):
    values = {
        "visit_date": dt.date(ret.campaign.year, 2, 1),
        "people_visited": 2,
        "money_amount": Decimal("0"),
        "money_recipients": 0,
        "goods_spending": Decimal("0"),
        "goods_count": 0,
        "goods_recipients": 0,
        "lead_leader": "",
    }
    values.update(fields)
    record = VisitRecord.objects.create(
        campaign=ret.campaign, org_unit=ret.org_unit, unit_return=ret, table_row=row, **values
    )
    for kind, count in difficulties:
        VisitDifficulty.objects.create(record=record, kind=kind, count=count)
    return record


def expected_cells(records: Iterable[VisitRecord]) -> list[list[object]]:
    """Columns B..J of rows 5–9 (the four rows and 总计), as the table must show them.

    Money is given in 元 (Decimal); ``read_row`` converts the sheet's 万元 back to 元.
    """
    records = list(records)

    def cells(subset: list[VisitRecord]) -> list[object]:
        leaders: list[str] = []
        for r in sorted(subset, key=lambda r: (r.visit_date, r.pk)):
            if r.lead_leader and r.lead_leader not in leaders:
                leaders.append(r.lead_leader)
        solved: dict[str, int] = {}
        for d in VisitDifficulty.objects.filter(record__in=subset):
            label = DIFFICULTY_LABELS[d.kind]
            solved[label] = solved.get(label, 0) + d.count
        order = {k: i for i, k in enumerate(FORM_DIFFICULTY_ORDER)}
        text = "，".join(
            f"{k}{solved[k]}件" for k in sorted(solved, key=lambda k: (order.get(k, len(order)), k)) if solved[k]
        )
        money = sum((r.money_amount for r in subset), Decimal("0"))
        goods = sum((r.goods_spending for r in subset), Decimal("0"))
        return [
            "、".join(leaders) or None,
            sum(r.people_visited for r in subset),
            money,
            sum(r.money_recipients for r in subset),
            goods,
            sum(r.goods_count for r in subset),
            sum(r.goods_recipients for r in subset),
            money + goods,
            text or None,
        ]

    by_row = [cells([r for r in records if r.table_row == key]) for key in ROW_ORDER]
    # 总计: leaders in row order then first appearance, as the writer adds the rows up.
    total = cells(records)
    total_leaders: list[str] = []
    for row in by_row:
        for name in (row[0] or "").split("、"):
            if name and name not in total_leaders:
                total_leaders.append(name)
    total[0] = "、".join(total_leaders) or None
    return [*by_row, total]


MONEY_OFFSETS = {2, 4, 7}  # D, F and I, counted from column B


def read_row(ws, row: int) -> list[object]:
    """Columns B..J of a table row; money cells converted from 万元 back to 元 (Decimal, exact);
    text without the line breaks the writer puts between names."""
    values: list[object] = []
    for offset, column in enumerate(range(2, 11)):
        value = ws.cell(row=row, column=column).value
        if offset in MONEY_OFFSETS:
            value = Decimal(repr(value)).scaleb(4).quantize(Decimal("0.01"))
        elif isinstance(value, str):
            value = value.replace("\n", "")
        values.append(value)
    return values


def open_workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
