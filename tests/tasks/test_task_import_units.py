"""Unit names in the Excel imports: one active unit of a kind that can take work, or a row error.

The task import also saves through task_update, so the units newly given a task are told.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from shuangyong.models import Notification, OrgUnitKind
from tasks.models import DualListItem
from tasks.resources import DualListItemResource, TaskResource, import_errors, import_table
from tests.factories import OrgUnitFactory
from tests.tasks.factories import DualListItemFactory, TaskFactory

pytestmark = pytest.mark.django_db

TASK_HEADERS = ["编号", "任务", "牵头单位", "配合单位", "完成时限", "内容"]
DUAL_HEADERS = ["编号", "年度", "清单", "类别", "事项内容", "提出方", "责任单位", "对口部队", "时限", "工作质量要求"]


def _xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _task_row(task, lead=None, cooperating=None, title=None):
    return [task.pk, title or task.title, lead, cooperating, "2022-11-30", task.text]


def _import_tasks(user, rows) -> list[str]:
    resource = TaskResource(user=user)
    return [
        str(e)
        for e in import_errors(import_table(resource, name="导入.xlsx", content=_xlsx(TASK_HEADERS, rows)), resource)
    ]


@pytest.fixture
def task(county, office_user):
    return TaskFactory(plan__owner_unit=county, plan__created_by=office_user)


def test_a_name_shared_by_two_units_is_refused_and_nothing_saved(office_user, county, task, township_a_unit):
    OrgUnitFactory(name="巴川街道", code="tl-bc2", kind=OrgUnitKind.TOWNSHIP, parent=county)
    other = TaskFactory(plan=task.plan)
    errors = _import_tasks(office_user, [_task_row(other, lead="区教育委员会"), _task_row(task, lead="巴川街道")])
    assert "第 3 行 牵头单位：有 2 个单位都叫“巴川街道”，无法确定是哪一个，请先在单位管理中把名称改得能区分" in errors
    task.refresh_from_db()
    other.refresh_from_db()
    assert task.lead_unit is None and other.lead_unit is None and other.deadline.isoformat() == "2022-12-31"


def test_a_shared_name_in_the_cooperating_units_is_refused_at_that_column(office_user, county, task, member_unit):
    OrgUnitFactory(name="区教育委员会", code="tl-jw2", kind=OrgUnitKind.MEMBER_UNIT, parent=county)
    errors = _import_tasks(office_user, [_task_row(task, cooperating="区教育委员会")])
    assert errors == [
        "第 2 行 配合单位：有 2 个单位都叫“区教育委员会”，无法确定是哪一个，请先在单位管理中把名称改得能区分"
    ]
    assert not task.cooperating_units.exists()


def test_a_disabled_unit_is_not_given_new_work(office_user, task, township_a_unit, member_unit):
    township_a_unit.is_active = False
    township_a_unit.save()
    member_unit.is_active = False
    member_unit.save()
    errors = _import_tasks(office_user, [_task_row(task, lead="巴川街道", cooperating="区教育委员会")])
    assert errors == [
        "第 2 行 配合单位：单位“区教育委员会”已停用，不能再交办。",
        "第 2 行 牵头单位：单位“巴川街道”已停用，不能再交办。",
    ]
    task.refresh_from_db()
    assert task.lead_unit is None


def test_a_disabled_unit_that_already_leads_the_task_may_stay(office_user, county, township_a_unit, member_unit):
    task = TaskFactory(plan__owner_unit=county, lead_unit=township_a_unit, cooperating_units=[member_unit])
    township_a_unit.is_active = False
    township_a_unit.save()
    member_unit.is_active = False
    member_unit.save()
    assert (
        _import_tasks(office_user, [_task_row(task, lead="巴川街道", cooperating="区教育委员会", title="新标题")]) == []
    )
    task.refresh_from_db()
    assert task.title == "新标题" and task.lead_unit == township_a_unit


def test_a_disbanded_namesake_does_not_make_the_active_unit_ambiguous(office_user, county, task, township_a_unit):
    OrgUnitFactory(name="巴川街道", code="tl-bc-old", kind=OrgUnitKind.TOWNSHIP, parent=county, is_active=False)
    assert _import_tasks(office_user, [_task_row(task, lead="巴川街道")]) == []
    task.refresh_from_db()
    assert task.lead_unit == township_a_unit


def test_a_village_cannot_lead_a_task(office_user, task, village_a1):
    errors = _import_tasks(office_user, [_task_row(task, lead="玉泉社区")])
    assert errors == ["第 2 行 牵头单位：单位“玉泉社区”不存在或不在您的管辖范围内"]


def test_the_import_tells_the_units_newly_given_the_task(office_user, task, township_a, township_a_unit, member_unit):
    task.cooperating_units.set([member_unit])
    assert _import_tasks(office_user, [_task_row(task, lead="巴川街道", cooperating="区教育委员会")]) == []
    task.refresh_from_db()
    assert task.lead_unit == township_a_unit and list(task.cooperating_units.all()) == [member_unit]
    note = Notification.objects.get()  # 区教育委员会 already had the task: only 巴川街道 is told
    assert note.recipient == township_a and note.title == f"新任务：{task.number}{task.title}"


def test_the_import_page_shows_the_row_error(client_for, office_user, county, task, township_a_unit, township_b):
    OrgUnitFactory(name="巴川街道", code="tl-bc2", kind=OrgUnitKind.TOWNSHIP, parent=county)
    content = _xlsx(TASK_HEADERS, [_task_row(task, lead="巴川街道")])
    response = client_for(office_user).post(
        reverse("tasks:tasks_import"), {"file": SimpleUploadedFile("任务.xlsx", content)}
    )
    assert response.status_code == 200
    assert "第 2 行 牵头单位：有 2 个单位都叫“巴川街道”" in response.content.decode()
    refused = client_for(township_b).post(
        reverse("tasks:tasks_import"), {"file": SimpleUploadedFile("任务.xlsx", content)}
    )
    assert refused.status_code == 403


def test_dual_list_import_refuses_a_disabled_or_ambiguous_responsible_unit(
    office_user, county, troop_unit, township_a_unit
):
    OrgUnitFactory(name="东城街道", code="tl-dc1", kind=OrgUnitKind.TOWNSHIP, parent=county, is_active=False)
    OrgUnitFactory(name="区教育委员会", code="tl-jw1", kind=OrgUnitKind.MEMBER_UNIT, parent=county)
    OrgUnitFactory(name="区教育委员会", code="tl-jw2", kind=OrgUnitKind.MEMBER_UNIT, parent=county)
    base = [None, 2022, "地方为部队办实事", None, "事项", "部队", None, "驻铜某部一营", None, ""]
    rows = [[*base[:6], "东城街道", *base[7:]], [*base[:6], "区教育委员会", *base[7:]]]
    resource = DualListItemResource(user=office_user)
    errors = [
        str(e)
        for e in import_errors(import_table(resource, name="导入.xlsx", content=_xlsx(DUAL_HEADERS, rows)), resource)
    ]
    assert errors == [
        "第 2 行 责任单位：单位“东城街道”已停用，不能再交办。",
        "第 3 行 责任单位：有 2 个单位都叫“区教育委员会”，无法确定是哪一个，请先在单位管理中把名称改得能区分",
    ]
    assert not DualListItem.objects.exists()
    item = DualListItemFactory(troop_unit=troop_unit, responsible_unit=township_a_unit, state="assigned")
    township_a_unit.is_active = False
    township_a_unit.save()
    row = [item.pk, 2022, "地方为部队办实事", None, "改了表述", "部队", "巴川街道", "驻铜某部一营", None, ""]
    assert [
        str(e)
        for e in import_errors(import_table(resource, name="导入.xlsx", content=_xlsx(DUAL_HEADERS, [row])), resource)
    ] == []
    item.refresh_from_db()
    assert item.content == "改了表述"


def test_errors_name_the_excel_row_even_after_blank_rows(office_user, county, task, township_a_unit):
    """Blank rows are skipped, but the message still points at the row the user sees in Excel."""
    other = TaskFactory(plan=task.plan)
    blank = [None] * len(TASK_HEADERS)
    errors = _import_tasks(office_user, [_task_row(other), blank, blank, _task_row(task, lead="不存在的单位")])
    assert len(errors) == 1 and errors[0].startswith("第 5 行 牵头单位：")
