"""Excel export/import of 双清单 items and tasks: scoped, all or nothing, formulae escaped."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from tasks.models import DualListItem, DualListState
from tasks.resources import DualListItemResource, TaskResource, export_xlsx, import_errors, import_table
from tests.factories import OrgUnitFactory
from tests.tasks.factories import DualListCategoryFactory, DualListItemFactory, TaskFactory

pytestmark = pytest.mark.django_db

HEADERS = ["编号", "年度", "清单", "类别", "事项内容", "提出方", "责任单位", "对口部队", "时限", "工作质量要求"]


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_dual_list_export_is_scoped_and_escapes_formulae(county, troop_unit, township_a_unit, township_a, office_user):
    mine = DualListItemFactory(
        troop_unit=troop_unit, responsible_unit=township_a_unit, content="=cmd|' /C calc'!A0", state="assigned"
    )
    other_troop = OrgUnitFactory(name="武警中队", kind="troop", parent=county)
    DualListItemFactory(troop_unit=other_troop, content="别处的事项")
    ws = _sheet(export_xlsx(DualListItemResource(user=township_a)))
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS, "状态"]
    assert len(rows) == 2  # only 巴川's item
    row = rows[1]
    assert row[0] == str(mine.pk) and row[2] == "地方为部队办实事" and row[7] == "驻铜某部一营"
    # Kept exactly as typed (the "=" was dropped before), a quote-prefixed text cell: not a formula.
    assert row[4] == "=cmd|' /C calc'!A0"
    assert ws.cell(row=2, column=5).data_type == "s" and ws.cell(row=2, column=5).quotePrefix
    assert row[10] == "已交办"
    assert len(list(_sheet(export_xlsx(DualListItemResource(user=office_user))).iter_rows())) == 3


def test_dual_list_import_creates_items_in_scope(office_user, troop_unit, township_a_unit):
    DualListCategoryFactory(name="子女入学")
    content = _xlsx(
        [
            [
                None,
                2023,
                "地方为部队办实事",
                "子女入学",
                "解决官兵子女入学",
                "部队",
                "巴川街道",
                "驻铜某部一营",
                "2023-08-31",
                "9月开学前",
            ],
            [None, 2023, "部队为地方办实事", None, "协助抢险救灾演练", "地方", None, "驻铜某部一营", None, ""],
        ]
    )
    result = import_table(DualListItemResource(user=office_user), name="导入.xlsx", content=content)
    assert not [str(e) for e in import_errors(result)]
    first, second = DualListItem.objects.order_by("id")
    assert first.responsible_unit == township_a_unit and first.state == DualListState.ASSIGNED
    assert first.deadline == dt.date(2023, 8, 31) and first.created_by == office_user
    assert first.category.name == "子女入学"
    assert second.state == DualListState.PROPOSED and second.direction == "to_locality"


def test_dual_list_import_outside_scope_is_all_or_nothing(township_a, troop_unit, township_b_unit):
    content = _xlsx(
        [
            [None, 2023, "地方为部队办实事", None, "第一行没问题", "部队", "巴川街道", "驻铜某部一营", None, ""],
            [None, 2023, "地方为部队办实事", None, "第二行在别的街道", "部队", "东城街道", "驻铜某部一营", None, ""],
        ]
    )
    result = import_table(DualListItemResource(user=township_a), name="导入.xlsx", content=content)
    errors = [str(e) for e in import_errors(result)]
    assert any("东城街道" in e and "不在您的管辖范围内" in e for e in errors)
    assert not DualListItem.objects.exists()


def test_dual_list_import_cannot_update_an_item_out_of_scope(township_a, county, township_a_unit):
    other_troop = OrgUnitFactory(name="武警中队", kind="troop", parent=county)
    hidden = DualListItemFactory(troop_unit=other_troop, content="原内容")
    content = _xlsx([[hidden.pk, 2022, "地方为部队办实事", None, "改掉", "部队", "巴川街道", "武警中队", None, ""]])
    errors = [
        str(e)
        for e in import_errors(import_table(DualListItemResource(user=township_a), name="导入.xlsx", content=content))
    ]
    assert errors and "无权修改" in errors[0]
    hidden.refresh_from_db()
    assert hidden.content == "原内容"


@time_machine.travel(dt.datetime(2022, 9, 1, 10, 0, tzinfo=dt.UTC), tick=False)
def test_task_export_and_import_update(county, office_user, township_a_unit, member_unit, township_b):
    task = TaskFactory(plan__owner_unit=county, plan__created_by=office_user, title='=HYPERLINK("x")')
    ws = _sheet(export_xlsx(TaskResource(user=office_user)))
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("编号", "年度", "工作要点", "部分", "序号", "任务")
    assert rows[1][5] == '=HYPERLINK("x")' and rows[1][9] == "未启动"
    assert ws["F2"].data_type == "s" and ws["F2"].quotePrefix
    # The office fills in the units offline and imports the sheet back.
    ws.cell(row=2, column=7, value="巴川街道")
    ws.cell(row=2, column=8, value="区教育委员会")
    ws.cell(row=2, column=9, value="2022-11-30")
    buffer = io.BytesIO()
    ws.parent.save(buffer)
    result = import_table(TaskResource(user=office_user), name="导入.xlsx", content=buffer.getvalue())
    assert not [str(e) for e in import_errors(result)]
    task.refresh_from_db()
    assert task.lead_unit == township_a_unit and list(task.cooperating_units.all()) == [member_unit]
    assert task.deadline == dt.date(2022, 11, 30)
    # Another township sees none of it.
    assert len(list(_sheet(export_xlsx(TaskResource(user=township_b))).iter_rows())) == 1


def test_short_rows_are_padded_and_blank_rows_skipped(office_user, troop_unit):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append([None, 2023, "地方为部队办实事", None, "只填了前几列", "部队", None, "驻铜某部一营"])
    ws.append([None] * len(HEADERS))
    buffer = io.BytesIO()
    wb.save(buffer)
    result = import_table(DualListItemResource(user=office_user), name="导入.xlsx", content=buffer.getvalue())
    assert not [str(e) for e in import_errors(result)]
    item = DualListItem.objects.get()
    assert item.content == "只填了前几列" and item.deadline is None and item.quality_requirement == ""


def test_wrong_layout_and_too_many_rows_are_refused_before_any_row(office_user, troop_unit, monkeypatch):
    from shuangyong import tables
    from shuangyong.tables import UploadRefused

    wb = Workbook()
    wb.active.append(["姓名", "金额"])
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(UploadRefused, match="缺少列：编号、年度"):
        import_table(DualListItemResource(user=office_user), name="导入.xlsx", content=buffer.getvalue())
    monkeypatch.setattr(tables, "MAX_ROWS", 2)
    content = _xlsx(
        [[None, 2023, "地方为部队办实事", None, f"事项{i}", "部队", None, "驻铜某部一营", None, ""] for i in range(3)]
    )
    with pytest.raises(UploadRefused, match="一次最多导入 2 行"):
        import_table(DualListItemResource(user=office_user), name="导入.xlsx", content=content)
    assert not DualListItem.objects.exists()
